/** The errno `code` of anything thrown (a string), or `undefined`. */
export const errnoCode = (u: unknown): string | undefined => {
  if (typeof u !== 'object' || u === null) return undefined
  const code = (u as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}
