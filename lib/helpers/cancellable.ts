/**
 * The steps of a helper watched by a signal: how much one step moves, a turn
 * of the event loop between two steps, and a step that ends as `Cancelled`
 * the moment the signal aborts.
 */
import * as E from 'fp-ts/Either'
import type { PathIOError } from '../PathIOError'
import { cancelled, onAbort } from '../internal/signal'

/** What one step of a helper watched by a signal moves at most, so that it stops soon after an abort. */
export const CANCELLABLE_STEP = 1 << 20

/**
 * Lets the event loop run between two steps of a helper watched by a
 * signal. The memory and Node backends answer in already-settled promises,
 * so a loop over them never leaves the microtask queue: without this, the
 * abort that a closed socket or a timer would fire could not arrive before
 * the whole file was done.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * One step of a helper, or `Cancelled` the moment `signal` aborts, whichever
 * comes first: a step on the pool may wait behind other jobs. The step's own
 * late result is dropped (the helper closes the handle next, which waits
 * for it on the pool).
 */
export const stepOrCancelled = <A>(
  signal: AbortSignal,
  op: string,
  path: unknown,
  step: Promise<E.Either<PathIOError, A>>
): Promise<E.Either<PathIOError, A>> =>
  new Promise((resolve) => {
    const stopListening = onAbort(signal, () => resolve(E.left(cancelled(op, path, signal))))
    void step.then((result) => {
      stopListening()
      resolve(result)
    })
  })
