/**
 * How a pool worker is started: the compiled `worker.js` beside this
 * module, plain JavaScript, as the published package runs it. The library
 * never loads a TypeScript compiler. A process that runs the library from
 * its TypeScript sources (the tests, the benchmarks) says how to start the
 * worker instead, by putting a `WorkerLaunch` at `globalThis[WORKER_LAUNCH]`
 * before the first worker starts: spec/support/poolWorker.ts does (mocha
 * requires it first, see .mocharc.json).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { WorkerOptions } from 'node:worker_threads'

/** The worker's entry module, compiled. */
export const WORKER_FILE = path.join(__dirname, 'worker.js')

/** Where a process that runs the library from its sources puts its `WorkerLaunch` (a global symbol: any copy of the library finds it). */
export const WORKER_LAUNCH: unique symbol = Symbol.for('fp-pathio.poolWorkerLaunch') as never

/** How to start a worker: a script file (or, with `eval`, the script's code) and what to add to its `workerData`. */
export interface WorkerLaunch {
  readonly script: string
  readonly eval?: boolean
  readonly workerData?: Readonly<Record<string, unknown>>
}

const isWorkerLaunch = (u: unknown): u is WorkerLaunch =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as WorkerLaunch).script === 'string' &&
  ((u as WorkerLaunch).eval === undefined || typeof (u as WorkerLaunch).eval === 'boolean') &&
  ((u as WorkerLaunch).workerData === undefined || typeof (u as WorkerLaunch).workerData === 'object')

/** The launch the process set, else the compiled worker (an `Error` saying what is missing when there is none). */
const launchOf = (): WorkerLaunch => {
  const given: unknown = (globalThis as { [WORKER_LAUNCH]?: unknown })[WORKER_LAUNCH]
  if (given !== undefined) {
    if (!isWorkerLaunch(given))
      throw new Error('fp-pathio: globalThis[Symbol.for("fp-pathio.poolWorkerLaunch")] is not a worker launch')
    return given
  }
  if (!fs.existsSync(WORKER_FILE))
    throw new Error(
      `fp-pathio: the pool's worker ${WORKER_FILE} is missing: run the compiled package (npm run build), ` +
        'or, from the TypeScript sources, set a worker launch first (spec/support/poolWorker.ts)'
    )
  return { script: WORKER_FILE }
}

/**
 * What to start a worker with: its script and options (with `data` in its
 * `workerData`). `trackUnmanagedFds: false`, or Node closes the descriptors
 * a worker opened when it exits (and a main-thread descriptor that reused
 * the number).
 */
export const workerLaunch = (
  data: Record<string, unknown>
): { readonly script: string; readonly options: WorkerOptions } => {
  const launch = launchOf()
  return {
    script: launch.script,
    options: {
      ...(launch.eval === true ? { eval: true } : {}),
      workerData: { ...launch.workerData, ...data },
      trackUnmanagedFds: false
    }
  }
}
