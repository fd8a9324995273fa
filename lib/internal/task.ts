/** Lifting synchronous work into a `TaskEither` that never rejects. */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { toPathIOError, type PathIOError } from '../PathIOError'
import { settled } from './settled'

/**
 * Runs `body` when the task runs (not when it is made); anything it throws
 * becomes a `Left`, never a rejection. The memory and Node backends build
 * every operation on it.
 */
export const syncTask =
  <A>(op: string, path: unknown, body: () => E.Either<PathIOError, A>): TaskEither<PathIOError, A> =>
  () => {
    try {
      return settled(body())
    } catch (thrown) {
      return settled(E.left(toPathIOError(op, path)(thrown)))
    }
  }

/**
 * `syncTask` for the hot paths: `body` is made once per record and takes the
 * call's arguments, so a call allocates one closure (the task), not two.
 * The memory backend's operations are built on it.
 */
export const syncCall =
  <X, Y, A>(
    op: string,
    path: unknown,
    body: (x: X, y: Y) => E.Either<PathIOError, A>,
    x: X,
    y: Y
  ): TaskEither<PathIOError, A> =>
  () => {
    try {
      return settled(body(x, y))
    } catch (thrown) {
      return settled(E.left(toPathIOError(op, path)(thrown)))
    }
  }

/**
 * Runs `body` when the task runs; a throw or a rejection becomes a `Left`
 * (through `onError`, default `toPathIOError`), never a rejected promise.
 * The asynchronous backends build every operation on it.
 */
export const asyncTask =
  <A>(
    op: string,
    path: unknown,
    body: () => Promise<E.Either<PathIOError, A>>,
    onError: (thrown: unknown) => PathIOError = toPathIOError(op, path)
  ): TaskEither<PathIOError, A> =>
  () => {
    const failed = (thrown: unknown): E.Either<PathIOError, A> => E.left(onError(thrown))
    try {
      return body().then((result) => result, failed)
    } catch (thrown) {
      return Promise.resolve(failed(thrown))
    }
  }
