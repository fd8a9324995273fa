/**
 * `makePoolPathIO`: the Node backend's operations run on a pool of
 * `worker_threads`, so the event loop never waits for the disk (aioftp's
 * `AsyncPathIO`). Arguments are checked and paths resolved on the main
 * thread; each operation is then one job in a worker. Its operations live
 * beside this module (`paths`, `files`, `listings`, sharing `jobs`); the
 * pool itself in `workerPool`, its workers in `worker`.
 *
 * @since 0.1.0
 */
import { makeCapabilities } from '../../Capabilities'
import type { PathIO } from '../../PathIO'
import { applyContext, checkContext } from '../../internal/context'
import { onAbort } from '../../internal/signal'
import { targetIn } from '../disk/syscalls'
import { makePathIO } from '../makePathIO'
import { poolFiles } from './files'
import { poolListings } from './listings'
import { checkPoolOptions, type PoolOptions } from './options'
import { poolPaths } from './paths'
import { dropJobs, internalsOf, type WorkerPool } from './workerPool'

export { makeWorkerPool, type WorkerPool, type WorkerPoolOptions } from './workerPool'
export type { PoolOptions } from './options'

/** The node backend's operations, on worker threads: a disk does everything the contract asks, links included. */
const POOL_CAPABILITIES = makeCapabilities()

/**
 * The record on `pool`, paths resolved against `cwd`; with `root`, its
 * rooted form: the same operations, none of which ever acts outside that
 * real directory (`withRoot` uses it; the workers run `../disk/confined`).
 * Its jobs carry `signal`, so that the pool can drop them once it aborts.
 * The unrooted record offers its rooted form as `rootedAt`.
 */
const poolRecord = (
  pool: WorkerPool,
  cwd: string,
  root: string | undefined,
  signal: AbortSignal | undefined
): PathIO<WorkerPool> => {
  const settings = { internals: internalsOf(pool), at: targetIn(cwd, root), signal }
  return makePathIO({
    state: pool,
    capabilities: POOL_CAPABILITIES,
    ...(root === undefined ? { rootedAt: (jail: string) => poolRecord(pool, cwd, jail, signal) } : {}),
    ...poolPaths(settings),
    ...poolFiles(settings),
    ...poolListings(settings)
  })
}

/**
 * A `PathIO` on the local disk whose every operation runs in a pool of worker
 * threads: the event loop never waits for the disk. Its `state` is the pool;
 * pass it as `state` (or use `withSharedState`) to share threads and handles
 * between records, and `await pathio.state.close()` to end the threads.
 *
 * @example
 * import { makePoolPathIO, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as fs from 'node:fs'
 * import * as os from 'node:os'
 * import * as path from 'node:path'
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-'))
 * const io = makePoolPathIO({ cwd: dir, size: 2 })
 * const sizes = pipe(
 *   writeFile(io, 'a.txt', Buffer.from('abc')),
 *   TE.chain(() => io.scan('.')), // one job on the pool, however many entries
 *   TE.map((entries) => entries.map((e) => [e.path, e.stat.size]))
 * )
 * assert.deepStrictEqual(await sizes(), E.right([['./a.txt', 3]]))
 * await io.state.close() // ends the threads
 * fs.rmSync(dir, { recursive: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePoolPathIO = (options?: PoolOptions): PathIO<WorkerPool> => {
  const context = checkContext<WorkerPool>(options, 'makePoolPathIO')
  const { cwd, pool } = checkPoolOptions(options, context.state)
  const { signal } = context
  // Jobs of this record that no worker has yet are dropped the moment its signal aborts.
  if (signal !== undefined) onAbort(signal, () => dropJobs(internalsOf(pool), signal))
  return applyContext(poolRecord(pool, cwd, undefined, signal), context)
}
