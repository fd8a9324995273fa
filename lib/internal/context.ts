/** What every built-in factory does with its `FactoryContext`. */
import type { FactoryContext, PathIO } from '../PathIO'
import { markNormalised } from './normalised'
import { checkSignalOption, signalAround } from './signal'
import { checkTimeout, timeoutAround } from './timeout'
import { wrapOperations } from './wrap'

/** Checks the context's type at once (a `TypeError` naming the option). */
export const checkContext = <S>(context: unknown, factory: string): FactoryContext<S> => {
  if (context === undefined || context === null) return {}
  if (typeof context !== 'object')
    throw new TypeError(`${factory}: the context must be an object, got ${typeof context}`)
  const { timeout, signal } = context as FactoryContext<S>
  if (timeout !== undefined) checkTimeout(timeout, factory)
  if (signal !== undefined) checkSignalOption(signal, factory)
  return context as FactoryContext<S>
}

/**
 * A factory given `timeout` in its context applies the timeout itself (as
 * `withTimeout` does); given `signal`, cancellation (as `withSignal` does),
 * outermost, so an aborted record answers at once.
 */
export const applyContext = <S>(pathio: PathIO<S>, context: FactoryContext<S>): PathIO<S> => {
  const timed =
    context.timeout === undefined ? pathio : markNormalised(wrapOperations(timeoutAround(context.timeout))(pathio))
  return context.signal === undefined ? timed : markNormalised(wrapOperations(signalAround(context.signal))(timed))
}
