/**
 * Running one `TaskEither` of a record so that a helper never rejects, even
 * over a record that throws or rejects (one not passed through
 * `normaliseErrors`).
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { toPathIOError, type PathIOError } from '../PathIOError'

/** Runs `task()`; a throw or a rejection becomes a `Left` `PathIOError` of `op`. */
export const runTask = async <L, A>(
  op: string,
  path: unknown,
  task: () => TaskEither<L, A>
): Promise<E.Either<L | PathIOError, A>> => {
  try {
    return await task()()
  } catch (thrown) {
    return E.left(toPathIOError(op, path)(thrown))
  }
}
