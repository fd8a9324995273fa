/**
 * The timeout mechanism behind `withTimeout` and a factory's `timeout`
 * context: an `Around` that races each operation against one shared FIFO
 * of deadlines.
 */
import * as E from 'fp-ts/Either'
import type { ArgsOf, GivesOf, Operation, OperationName, PathIO } from '../PathIO'
import { pathIOError, toPathIOError, type PathIOError } from '../PathIOError'
import { makeDeadlines } from './deadlines'
import { errorPath, releaseLate } from './calls'
import { wasMadeSettled } from './settled'
import type { Around } from './wrap'

/** Throws a `TypeError` naming the option unless `ms` is a positive finite number. */
export const checkTimeout = (ms: unknown, where: string): number => {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1)
    throw new TypeError(
      `${where}: 'timeout' must be a positive number of milliseconds (at most 2^31-1), got ${String(ms)}`
    )
  return ms
}

/**
 * Every operation still running after `limit` milliseconds settles as
 * `Left Timeout`; a result that arrives after that is released (a late
 * handle is closed). `limit` must already be checked.
 */
export const timeoutAround = (limit: number): Around => {
  const deadlines = makeDeadlines(limit)
  return <K extends OperationName>(op: K, args: ArgsOf<K>, next: Operation<K>, inner: PathIO<unknown>) =>
    () => {
      let running: Promise<E.Either<PathIOError, GivesOf<K>>>
      try {
        running = next(...args)()
      } catch (thrown) {
        return Promise.resolve(E.left(toPathIOError(op, errorPath(op, args))(thrown)))
      }
      // Computed before the call returned (memory, Node): no timer could beat it, so there is nothing to race.
      if (wasMadeSettled(running)) return running
      return new Promise<E.Either<PathIOError, GivesOf<K>>>((resolve) => {
        let settled = false
        const deadline = deadlines.add(() => {
          settled = true
          resolve(
            E.left(
              pathIOError('Timeout', op, { path: errorPath(op, args), detail: `did not finish within ${limit} ms` })
            )
          )
        })
        running.then(
          (result) => {
            if (!settled) {
              settled = true
              deadlines.cancel(deadline)
              resolve(result)
            } else if (E.isRight(result)) releaseLate(op, result.right, inner) // too late for the caller, who will never see it
          },
          (rejected: unknown) => {
            if (settled) return
            settled = true
            deadlines.cancel(deadline)
            resolve(E.left(toPathIOError(op, errorPath(op, args))(rejected)))
          }
        )
      })
    }
}
