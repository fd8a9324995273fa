/**
 * Cancellation's shared pieces: recognising an `AbortSignal`, the one
 * `Cancelled` error, and listening for an abort without leaking a listener.
 */
import * as E from 'fp-ts/Either'
import type { ArgsOf, GivesOf, Operation, OperationName, PathIO } from '../PathIO'
import { pathIOError, toPathIOError, type PathIOError } from '../PathIOError'
import { describe } from './arguments'
import { errorPath, isReleasing, releaseLate } from './calls'
import { wasMadeSettled } from './settled'
import type { Around } from './wrap'

/** An `AbortSignal`, or anything that behaves as one (another realm's, a polyfill). */
export const isAbortSignal = (u: unknown): u is AbortSignal =>
  u instanceof AbortSignal ||
  (typeof u === 'object' &&
    u !== null &&
    typeof (u as AbortSignal).aborted === 'boolean' &&
    typeof (u as AbortSignal).addEventListener === 'function' &&
    typeof (u as AbortSignal).removeEventListener === 'function')

/** A factory's or combinator's `signal` option: an `AbortSignal`, or a `TypeError` naming the option. */
export const checkSignalOption = (signal: unknown, where: string): AbortSignal => {
  if (!isAbortSignal(signal))
    throw new TypeError(`${where}: option 'signal' must be an AbortSignal, got ${describe(signal)}`)
  return signal
}

/** A helper's `signal` option: left out, an `AbortSignal`, or `InvalidArgument` (bad input to a helper is a `Left`). */
export const signalOption = (
  op: string,
  path: unknown,
  signal: unknown
): E.Either<PathIOError, AbortSignal | undefined> =>
  signal === undefined || signal === null
    ? E.right(undefined)
    : isAbortSignal(signal)
      ? E.right(signal)
      : E.left(
          pathIOError('InvalidArgument', op, { path, detail: `signal must be an AbortSignal, got ${describe(signal)}` })
        )

/** The error of an operation stopped by an aborted signal; the signal's reason is its `cause`. */
export const cancelled = (op: string, path?: unknown, signal?: AbortSignal): PathIOError =>
  pathIOError('Cancelled', op, {
    path,
    detail: 'cancelled: the signal was aborted',
    ...(signal === undefined || signal.reason === undefined ? {} : { cause: signal.reason })
  })

/** Calls `react` once when `signal` aborts; the function returned stops listening (call it when done). */
export const onAbort = (signal: AbortSignal, react: () => void): (() => void) => {
  signal.addEventListener('abort', react, { once: true })
  return () => signal.removeEventListener('abort', react)
}

/**
 * The cancellation mechanism behind `withSignal` and a factory's `signal`
 * context: an `Around` that refuses every operation once `signal` has
 * aborted (but `close` and `closedir`, which only free), and answers one
 * still running `Cancelled` the moment it aborts, releasing its late result
 * (a handle or listing is closed). `signal` must already be checked.
 */
export const signalAround = (signal: AbortSignal): Around => {
  // One listener for every operation running under this signal (not one each: thousands may be pending).
  const running = new Set<() => void>()
  let listening = false
  const whenAborted = (stop: () => void): (() => void) => {
    if (!listening) {
      listening = true
      onAbort(signal, () => {
        for (const each of running) each()
        running.clear()
      })
    }
    running.add(stop)
    return () => running.delete(stop)
  }
  return <K extends OperationName>(op: K, args: ArgsOf<K>, next: Operation<K>, inner: PathIO<unknown>) =>
    () => {
      type Answer = E.Either<PathIOError, GivesOf<K>>
      const failed = (u: unknown): Answer => E.left(toPathIOError(op, errorPath(op, args))(u))
      const releasing = isReleasing(op)
      if (signal.aborted && !releasing)
        return Promise.resolve<Answer>(E.left(cancelled(op, errorPath(op, args), signal)))
      let result: Promise<Answer>
      try {
        result = next(...args)()
      } catch (thrown) {
        return Promise.resolve(failed(thrown))
      }
      // Computed before the call returned (memory, Node): nothing could abort it meanwhile.
      if (wasMadeSettled(result)) return result
      if (releasing) return result.then((answer) => answer, failed)
      return new Promise<Answer>((resolve) => {
        let answered = false
        const stopWatching = whenAborted(() => {
          answered = true
          resolve(E.left(cancelled(op, errorPath(op, args), signal)))
        })
        result.then(
          (answer) => {
            if (answered) {
              if (E.isRight(answer)) releaseLate(op, answer.right, inner)
              return
            }
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
    }
}
