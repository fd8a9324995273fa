/**
 * `withTimeout`: every operation that has not finished in time is a `Left`
 * with reason `Timeout`.
 *
 * @since 0.1.0
 */
import type { Middleware, PathIO } from '../PathIO'
import { markNormalised } from '../internal/normalised'
import { checkTimeout, timeoutAround } from '../internal/timeout'
import { wrapOperations } from '../internal/wrap'

/**
 * Every operation still running after `ms` milliseconds gives `Left` with
 * reason `Timeout`. A late result is not leaked: a handle that an `open`
 * returns after its timeout fired is closed, and so is the listing of a late `opendir`. (The inner operation itself
 * cannot be cancelled: a late `write` may still land.) A `ms` that is not a
 * positive finite number is a `TypeError` at once.
 *
 * @example
 * import { withTimeout, normaliseErrors, makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = withTimeout(5000)(makeMemoryPathIO())
 * assert.deepStrictEqual(await io.mkdir('/pub')(), E.right(undefined))
 * // a record whose `list` never answers
 * const stuck = withTimeout(50)(normaliseErrors({ ...makeMemoryPathIO(), list: () => new Promise(() => undefined) }))
 * assert.deepStrictEqual(pipe(await stuck.list('/')(), E.mapLeft((e) => e.reason)), E.left('Timeout'))
 *
 * @category combinators
 * @since 0.1.0
 */
export const withTimeout = (ms: number): Middleware => {
  const timed = wrapOperations(timeoutAround(checkTimeout(ms, 'withTimeout')))
  return <S>(pathio: PathIO<S>): PathIO<S> => markNormalised(timed(pathio))
}
