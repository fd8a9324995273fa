/**
 * How hard the reliability suite pushes: `npm test` runs the CI amounts,
 * `npm run test:long` (PATHIO_LONG=1) ten times more. PATHIO_SEED replays one
 * fast-check run (the seed a failure prints).
 */

export const LONG = process.env.PATHIO_LONG === '1'

/** The CI amount, or the long one under PATHIO_LONG=1. */
export const amount = (ci: number, long: number): number => (LONG ? long : ci)

const parseSeed = (raw: string | undefined): number | undefined => {
  if (raw === undefined || raw === '') return undefined
  const seed = Number(raw)
  if (!Number.isSafeInteger(seed)) throw new TypeError(`PATHIO_SEED must be an integer, got ${raw}`)
  return seed
}

/** A fixed seed to replay a failure, when PATHIO_SEED is set. */
export const FIXED_SEED = parseSeed(process.env.PATHIO_SEED)

/** A seed for one fast-check run: the fixed one, or a fresh one (printed by fast-check on failure). */
export const seedFor = (): number => FIXED_SEED ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0

/** Mocha's timeout for a whole property: generous, a hang is caught per call by `run` anyway. */
export const PROPERTY_TIMEOUT_MS = LONG ? 1_800_000 : 300_000
