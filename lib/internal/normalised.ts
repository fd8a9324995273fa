/**
 * Records known to fail only with `PathIOError`s, never throwing or
 * rejecting: those the built-in factories make and those `withTimeout` and
 * `normaliseErrors` return. `normaliseErrors` hands such a record back as it
 * is, so a stack pays for normalising only where something is loose.
 */
const normalised = new WeakSet<object>()

export const markNormalised = <P extends object>(pathio: P): P => {
  normalised.add(pathio)
  return pathio
}

export const isNormalised = (u: unknown): boolean => typeof u === 'object' && u !== null && normalised.has(u)
