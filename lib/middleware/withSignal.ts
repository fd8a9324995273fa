/**
 * `withSignal`: cancellation. Once its `AbortSignal` aborts, a record stops
 * working: every operation is a `Left` with reason `Cancelled`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { Middleware, PathIO } from '../PathIO'
import { toPathIOError, type PathIOError } from '../PathIOError'
import { markNormalised } from '../internal/normalised'
import { wasMadeSettled } from '../internal/settled'
import { cancelled, checkSignalOption, onAbort } from '../internal/signal'
import { releaseLate, RELEASING } from './late'
import { pathOf } from './operationPath'
import { wrapOperations } from './wrap'

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
  const given = checkSignalOption(signal, 'withSignal')
  // One listener for every operation running under this signal (not one each: thousands may be pending).
  const running = new Set<() => void>()
  let listening = false
  const whenAborted = (stop: () => void): (() => void) => {
    if (!listening) {
      listening = true
      onAbort(given, () => {
        for (const each of running) each()
        running.clear()
      })
    }
    running.add(stop)
    return () => running.delete(stop)
  }
  const guarded = wrapOperations((op, args, next, inner) => () => {
    const failed = (u: unknown): E.Either<PathIOError, never> => E.left(toPathIOError(op, pathOf(op, args))(u))
    const releasing = RELEASING.has(op)
    if (given.aborted && !releasing) return Promise.resolve(E.left(cancelled(op, pathOf(op, args), given)))
    let result: Promise<E.Either<PathIOError, unknown>>
    try {
      result = next(...args)()
    } catch (thrown) {
      return Promise.resolve(failed(thrown))
    }
    // Computed before the call returned (memory, Node): nothing could abort it meanwhile.
    if (wasMadeSettled(result)) return result
    if (releasing) return result.then((answer) => answer, failed)
    return new Promise<E.Either<PathIOError, unknown>>((resolve) => {
      let answered = false
      const stopWatching = whenAborted(() => {
        answered = true
        resolve(E.left(cancelled(op, pathOf(op, args), given)))
      })
      result.then(
        (answer) => {
          if (answered) return releaseLate(op, answer, inner)
          answered = true
          stopWatching()
          resolve(answer)
        },
        (rejected: unknown) => {
          if (answered) return
          answered = true
          stopWatching()
          resolve(failed(rejected))
        }
      )
    })
  })
  return <S>(pathio: PathIO<S>): PathIO<S> => markNormalised(guarded(pathio))
}
