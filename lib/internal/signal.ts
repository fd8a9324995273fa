/**
 * Cancellation's shared pieces: recognising an `AbortSignal`, the one
 * `Cancelled` error, and listening for an abort without leaking a listener.
 */
import * as E from 'fp-ts/Either'
import { pathIOError, type PathIOError } from '../PathIOError'
import { describe } from './arguments'

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
  if (!isAbortSignal(signal)) throw new TypeError(`${where}: option 'signal' must be an AbortSignal, got ${describe(signal)}`)
  return signal
}

/** A helper's `signal` option: left out, an `AbortSignal`, or `InvalidArgument` (bad input to a helper is a `Left`). */
export const signalOption = (op: string, path: unknown, signal: unknown): E.Either<PathIOError, AbortSignal | undefined> =>
  signal === undefined || signal === null
    ? E.right(undefined)
    : isAbortSignal(signal)
      ? E.right(signal)
      : E.left(pathIOError('InvalidArgument', op, { path, detail: `signal must be an AbortSignal, got ${describe(signal)}` }))

/** The error of an operation stopped by an aborted signal; the signal's reason is its `cause`. */
export const cancelled = (op: string, path?: unknown, signal?: AbortSignal): PathIOError =>
  pathIOError('Cancelled', op, {
    path,
    detail: 'cancelled: the signal was aborted',
    ...(signal === undefined || signal.reason === undefined ? {} : { cause: signal.reason })
  })

/** Whether `signal` is given and aborted. */
export const isAborted = (signal: AbortSignal | undefined): boolean => signal !== undefined && signal.aborted

/** Calls `react` once when `signal` aborts; the function returned stops listening (call it when done). */
export const onAbort = (signal: AbortSignal, react: () => void): (() => void) => {
  signal.addEventListener('abort', react, { once: true })
  return () => signal.removeEventListener('abort', react)
}
