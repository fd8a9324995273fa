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
 * when it has a `timeout`, else nothing. (`state` and `connection` are the
 * factory's own business.) A context that is not an object, or a bad
 * `timeout`, is a `TypeError` at once.
 *
 * @example
 * import { withContext, normaliseErrors, type PathIOFactory } from 'fp-pathio'
 * declare const makeMyLooseBackend: () => Parameters<typeof normaliseErrors>[0]
 * const myFactory: PathIOFactory<unknown> = (context) => withContext(context)(normaliseErrors(makeMyLooseBackend()))
 * // myFactory({ timeout: 30000 }) times out like the built-in factories
 *
 * @category combinators
 * @since 0.1.0
 */
export const withContext = (context?: FactoryContext<unknown>): Middleware => {
  const checked = checkContext<unknown>(context, 'withContext')
  return <S>(pathio: PathIO<S>): PathIO<S> => applyContext(pathio, checked as FactoryContext<S>)
}
