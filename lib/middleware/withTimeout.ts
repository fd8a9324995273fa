/**
 * `withTimeout`: every operation that has not finished in time is a `Left`
 * with reason `Timeout`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { Middleware, PathIO } from '../PathIO'
import { markNormalised } from '../internal/normalised'
import { wasMadeSettled } from '../internal/settled'
import { pathIOError, toPathIOError, type PathIOError } from '../PathIOError'
import { makeDeadlines } from './deadlines'
import { releaseLate } from './late'
import { pathOf } from './operationPath'
import { wrapOperations } from './wrap'

/** Throws a `TypeError` naming the option unless `ms` is a positive finite number. */
export const checkTimeout = (ms: unknown, where: string): number => {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1)
    throw new TypeError(`${where}: 'timeout' must be a positive number of milliseconds (at most 2^31-1), got ${String(ms)}`)
  return ms
}

/**
 * Every operation still running after `ms` milliseconds gives `Left` with
 * reason `Timeout`. A late result is not leaked: a handle that an `open`
 * returns after its timeout fired is closed, and so is the listing of a late `opendir`. (The inner operation itself
 * cannot be cancelled: a late `write` may still land.) A `ms` that is not a
 * positive finite number is a `TypeError` at once.
 *
 * @example
 * import { withTimeout, makeMemoryPathIO } from 'fp-pathio'
 * const io = withTimeout(5000)(makeMemoryPathIO())
 * // await io.mkdir('/pub')() -> right(undefined)
 *
 * @category combinators
 * @since 0.1.0
 */
export const withTimeout = (ms: number): Middleware => {
  const limit = checkTimeout(ms, 'withTimeout')
  const deadlines = makeDeadlines(limit)
  const timed = wrapOperations((op, args, next, inner) => () => {
    let running: Promise<E.Either<PathIOError, unknown>>
    try {
      running = next(...args)()
    } catch (thrown) {
      return Promise.resolve(E.left(toPathIOError(op, pathOf(op, args))(thrown)))
    }
    // Computed before the call returned (memory, Node): no timer could beat it, so there is nothing to race.
    if (wasMadeSettled(running)) return running
    return new Promise<E.Either<PathIOError, unknown>>((resolve) => {
      let settled = false
      const deadline = deadlines.add(() => {
        settled = true
        resolve(E.left(pathIOError('Timeout', op, { path: pathOf(op, args), detail: `did not finish within ${limit} ms` })))
      })
      running.then(
        (result) => {
          if (!settled) {
            settled = true
            deadlines.cancel(deadline)
            resolve(result)
          } else {
            // Too late for the caller, who will never see this handle or listing: close it.
            releaseLate(op, result, inner)
          }
        },
        (rejected: unknown) => {
          if (settled) return
          settled = true
          deadlines.cancel(deadline)
          resolve(E.left(toPathIOError(op, pathOf(op, args))(rejected)))
        }
      )
    })
  })
  return <S>(pathio: PathIO<S>): PathIO<S> => markNormalised(timed(pathio))
}
