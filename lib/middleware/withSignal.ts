/**
 * `withSignal`: cancellation. Once its `AbortSignal` aborts, a record stops
 * working: every operation is a `Left` with reason `Cancelled`.
 *
 * @since 0.1.0
 */
import type { Middleware, PathIO } from '../PathIO'
import { markNormalised } from '../internal/normalised'
import { checkSignalOption, signalAround } from '../internal/signal'
import { wrapOperations } from '../internal/wrap'

/**
 * Once `signal` is aborted, every operation gives `Left` with reason
 * `Cancelled` (no errno; the signal's `reason` is its `cause`) without
 * calling the inner record. An operation still running when the signal
 * aborts gives `Left Cancelled` at once; the operation itself may still
 * finish underneath (a disk call cannot be taken back), and what it opened
 * then is closed, as `withTimeout` does with a late handle or listing.
 * `close` and `closedir` are never refused: they only free what was opened,
 * so a caller can always clean up after a cancellation. A pool record given
 * the signal in its factory context (`makePoolPathIO({ signal })`) also
 * drops the jobs no worker has started. A `signal` that is not an
 * `AbortSignal` is a `TypeError` at once.
 *
 * @example
 * import { withSignal, makeMemoryPathIO } from 'fp-pathio'
 * const controller = new AbortController()
 * const io = withSignal(controller.signal)(makeMemoryPathIO())
 * assert.strictEqual((await io.mkdir('/pub')())._tag, 'Right')
 * controller.abort()
 * const refused = await io.mkdir('/other')()
 * assert.ok(refused._tag === 'Left' && refused.left.reason === 'Cancelled')
 *
 * @category combinators
 * @since 0.1.0
 */
export const withSignal = (signal: AbortSignal): Middleware => {
  const guarded = wrapOperations(signalAround(checkSignalOption(signal, 'withSignal')))
  return <S>(pathio: PathIO<S>): PathIO<S> => markNormalised(guarded(pathio))
}
