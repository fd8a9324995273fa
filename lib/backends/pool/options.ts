/** `makePoolPathIO`'s options, checked at once: a bad one is a `TypeError` naming it. */
import type { FactoryContext } from '../../PathIO'
import { checkCwdOption } from '../../internal/arguments'
import { checkSizeOption, isWorkerPool, makeWorkerPool, type WorkerPool } from './workerPool'

/**
 * Options of `makePoolPathIO`: the factory context plus `cwd` and `size`.
 *
 * @example
 * import { makePoolPathIO } from 'fp-pathio'
 * const first = makePoolPathIO({ cwd: '/srv/ftp', size: 2 })
 * const second = makePoolPathIO({ cwd: '/srv/ftp', state: first.state }) // same pool
 * assert.strictEqual(second.state, first.state)
 * assert.strictEqual(first.state.size, 2)
 * await first.state.close()
 *
 * @category model
 * @since 0.1.0
 */
export interface PoolOptions extends FactoryContext<WorkerPool> {
  /** Absolute path that relative paths resolve against (default `process.cwd()` when the record is made). */
  readonly cwd?: string
  /** Threads of a new pool (default: available parallelism, at least 4). Ignored when `state` gives a pool. */
  readonly size?: number
}

/** The record's `cwd` and pool: the pool given as `state`, or a new one of `size` threads. */
export const checkPoolOptions = (
  options: PoolOptions | undefined,
  state: WorkerPool | undefined
): { readonly cwd: string; readonly pool: WorkerPool } => {
  const settings = options ?? {}
  const cwd = checkCwdOption(settings.cwd === undefined ? process.cwd() : settings.cwd, 'makePoolPathIO')
  const size = settings.size === undefined ? undefined : checkSizeOption(settings.size, 'makePoolPathIO')
  if (state !== undefined && !isWorkerPool(state))
    throw new TypeError("makePoolPathIO: option 'state' must be a WorkerPool (the state of another pool record)")
  return { cwd, pool: state ?? makeWorkerPool(size === undefined ? {} : { size }) }
}
