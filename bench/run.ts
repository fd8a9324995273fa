/**
 * Running a workload over contestants on a noisy machine: a warm-up, then
 * the repetitions round-robin (contestant A, B, C, A, B, C, ...) so a burst
 * of load from a neighbour hits every contestant alike, each on a fresh
 * session.
 *
 * @since 0.1.0
 */
import type { Contestant, Session } from './contestant'
import { collect, now } from './measure'

/** How many runs. */
export interface Repetitions {
  /** At least this many warm-up runs per contestant, discarded... */
  readonly warmups: number
  /** ...and more, up to `maxWarmups`, until they took `warmupSeconds`: the JIT needs thousands of calls, not one run. */
  readonly warmupSeconds: number
  readonly maxWarmups: number
  /** At least this many measured runs per contestant... */
  readonly runs: number
  /** ...and more, up to `maxRuns`, until the measured rounds took `minSeconds` (short workloads get more samples). */
  readonly minSeconds: number
  readonly maxRuns: number
}

/** What a workload run could not do, for the report. */
export interface Failure {
  readonly workload: string
  readonly contestant: string
  readonly error: string
}

/** Progress goes to stderr so that stdout is the table alone. */
export const progress = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/** A run that takes longer than this has hung: it fails, instead of the benchmark waiting forever. */
const WATCHDOG_MS = 180_000

/**
 * `work`, or a rejection after `WATCHDOG_MS`. The timer is ref'd on purpose:
 * a backend whose pending promise has nothing keeping the process alive (an
 * unref'd worker that never answers) would otherwise end the process silently.
 */
const watched = <R>(what: string, work: Promise<R>): Promise<R> => {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${WATCHDOG_MS / 1000} s`)), WATCHDOG_MS)
  })
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}

const once = async <R>(contestant: Contestant, fullGc: boolean, body: (session: Session) => Promise<R>): Promise<R> => {
  if (fullGc) collect()
  const session = await watched(`${contestant.name} setup`, contestant.setup())
  try {
    return await watched(`${contestant.name} run`, body(session))
  } finally {
    await watched(`${contestant.name} teardown`, session.teardown())
  }
}

/**
 * Runs `body` on every contestant (warm-ups discarded) and gives each
 * contestant's results in run order. `fullGc` collects before each run: for
 * workloads that leave tens of MiB behind. Not for small ones: right after a
 * forced full GC V8 has shrunk its young generation, and the next few
 * milliseconds of allocation run 3-4x slower, which would swamp a 10 ms run. Without `fullGc`, an in-memory
 * contestant's measured run comes right after an uncounted run of its own, so it does not inherit its
 * neighbour's garbage (disk contestants' runs last seconds: what they inherit is a small share). A contestant that throws is dropped
 * from this workload and reported in `failures`, so one broken backend does
 * not cost the whole run.
 *
 * @category running
 * @since 0.1.0
 */
export const roundRobin = async <R>(
  workload: string,
  contestants: ReadonlyArray<Contestant>,
  repetitions: Repetitions,
  failures: Array<Failure>,
  body: (session: Session, contestant: Contestant) => Promise<R>,
  fullGc: boolean
): Promise<ReadonlyMap<string, ReadonlyArray<R>>> => {
  const started = now()
  progress(
    `> ${workload}: ${contestants.length} contestants x (warm-up >= ${repetitions.warmupSeconds} s + ${repetitions.runs}..${repetitions.maxRuns} runs) ...`
  )
  const results = new Map<string, Array<R>>(contestants.map((c) => [c.name, []]))
  const alive = new Set(contestants.map((c) => c.name))
  /** Runs once; a contestant that throws is dropped from this workload. */
  const attempt = async (
    contestant: Contestant
  ): Promise<{ readonly ok: true; readonly result: R } | { readonly ok: false }> => {
    try {
      return { ok: true, result: await once(contestant, fullGc, (session) => body(session, contestant)) }
    } catch (error) {
      alive.delete(contestant.name)
      results.delete(contestant.name)
      const message = error instanceof Error ? error.message : String(error)
      failures.push({ workload, contestant: contestant.name, error: message })
      progress(`  ! ${contestant.name} failed and is dropped from ${workload}: ${message}`)
      return { ok: false }
    }
  }
  // Warm-up: each contestant on its own until its code is hot.
  for (const contestant of contestants) {
    const warming = now()
    for (let i = 0; alive.has(contestant.name); i++) {
      const enough =
        i >= repetitions.warmups && (now() - warming >= repetitions.warmupSeconds || i >= repetitions.maxWarmups)
      if (enough) break
      await attempt(contestant)
    }
  }
  // Measured runs: round-robin, so a burst of load from a neighbour hits every contestant alike.
  const measuring = now()
  const more = (round: number): boolean =>
    round < repetitions.runs || (round < repetitions.maxRuns && now() - measuring < repetitions.minSeconds)
  for (let round = 0; alive.size > 0 && more(round); round++) {
    for (const contestant of contestants) {
      if (!alive.has(contestant.name)) continue
      // A short in-memory run (0.1 s) right after another contestant's pays for that one's garbage: the
      // collections it left due land in ours (memory's CPU per op 1.9-2.1 µs so, 1.2-1.35 after a run of
      // its own; memfs.promises' 12.7-13.8 and 11.5-13.2). So its measured run follows one of its own, not counted.
      if (!fullGc && contestant.kind === 'memory') await attempt(contestant)
      if (!alive.has(contestant.name)) continue
      const run = await attempt(contestant)
      if (run.ok) (results.get(contestant.name) as Array<R>).push(run.result)
    }
  }
  const counts = Array.from(results.values(), (r) => r.length)
  progress(`  done in ${(now() - started).toFixed(1)} s, ${Math.max(0, ...counts)} runs each`)
  return results
}

/** One field of every result, per contestant. */
export const field = <R, K extends keyof R>(
  results: ReadonlyMap<string, ReadonlyArray<R>>,
  key: K
): ReadonlyMap<string, ReadonlyArray<number>> =>
  new Map(
    Array.from(
      results,
      ([name, runs]) =>
        [name, runs.map((r) => r[key]).filter((v): v is R[K] & number => typeof v === 'number')] as const
    )
  )
