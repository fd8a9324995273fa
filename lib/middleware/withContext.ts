/**
 * `withContext`: what every built-in factory does with its `FactoryContext`,
 * for a factory a user writes (around `normaliseErrors`, say).
 *
 * @since 0.1.0
 */
import type { FactoryContext, Middleware, PathIO } from '../PathIO'
import { applyContext, checkContext } from '../internal/context'

/**
 * The middleware a factory context asks for: `withTimeout(context.timeout)`
 * when it has a `timeout`, `withSignal(context.signal)` (outermost) when it
 * has a `signal`, else nothing. (`state` and `connection` are the factory's
 * own business.) A context that is not an object, a bad `timeout` or a bad
 * `signal`, is a `TypeError` at once.
 *
 * @example
 * import { withContext, normaliseErrors, makeMemoryPathIO, type PathIOFactory } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * // a factory of your own, over a record whose `exists` never answers
 * const myFactory: PathIOFactory<unknown> = (context) =>
 *   withContext(context)(normaliseErrors({ ...makeMemoryPathIO(), exists: () => new Promise(() => undefined) }))
 * const io = myFactory({ timeout: 50 }) // times out like the built-in factories
 * assert.deepStrictEqual(pipe(await io.exists('/')(), E.mapLeft((e) => e.reason)), E.left('Timeout'))
 * assert.throws(() => myFactory({ timeout: -1 }), TypeError)
 * const controller = new AbortController()
 * const stoppable = myFactory({ signal: controller.signal })
 * controller.abort()
 * assert.deepStrictEqual(pipe(await stoppable.stat('/')(), E.mapLeft((e) => e.reason)), E.left('Cancelled'))
 *
 * @category combinators
 * @since 0.1.0
 */
export const withContext = (context?: FactoryContext<unknown>): Middleware => {
  const checked = checkContext<unknown>(context, 'withContext')
  return <S>(pathio: PathIO<S>): PathIO<S> => applyContext(pathio, checked as FactoryContext<S>)
}
