/**
 * What a combinator that stops waiting for an operation (`withTimeout`,
 * `withSignal`) does with the result that comes after all: a handle or a
 * listing nobody will ever see is closed, so nothing leaks.
 */
import * as E from 'fp-ts/Either'
import type { DirHandle, FileHandle, OperationName, PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'

/** Closes what a late `open` or `opendir` opened; any other late result is dropped. */
export const releaseLate = (op: OperationName, result: E.Either<PathIOError, unknown>, inner: PathIO<unknown>): void => {
  if (E.isLeft(result) || (op !== 'open' && op !== 'opendir')) return
  try {
    const release = op === 'open' ? inner.close(result.right as FileHandle) : inner.closedir(result.right as DirHandle)
    void release().catch(() => undefined)
  } catch {
    // a close that throws has nothing more we could do
  }
}

/** The operations that only free what an earlier one took: a combinator that refuses work still lets them run. */
export const RELEASING: ReadonlySet<OperationName> = new Set<OperationName>(['close', 'closedir'])
