/**
 * What the helpers share: running one `TaskEither` of a record so that a
 * helper never rejects, even over a record that throws or rejects (one not
 * passed through `normaliseErrors`); writing a whole buffer; holding the one
 * handle a stream owns.
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { FileHandle, PathIO } from '../PathIO'
import { pathIOError, toPathIOError, type PathIOError } from '../PathIOError'
import { cancelled, onAbort } from '../internal/signal'

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

/**
 * Writes all of `data`, however many bytes each `write` takes; errors name
 * `path`. With a `signal`, it writes at most `CANCELLABLE_STEP` bytes at a
 * time and stops with `Cancelled` between two writes once it aborts.
 */
export const writeAll = async (
  pathio: PathIO<unknown>,
  file: FileHandle,
  data: Uint8Array,
  path?: string,
  signal?: AbortSignal
): Promise<E.Either<PathIOError, void>> => {
  for (let offset = 0; offset < data.length; ) {
    if (signal !== undefined && offset > 0) await nextTurn()
    if (signal !== undefined && signal.aborted) return E.left(cancelled('write', path, signal))
    const end = signal === undefined ? data.length : Math.min(data.length, offset + CANCELLABLE_STEP)
    const writing = runTask('write', path, () => pathio.write(file, offset === 0 && end === data.length ? data : data.subarray(offset, end)))
    const written = await (signal === undefined ? writing : stepOrCancelled(signal, 'write', path, writing))
    if (E.isLeft(written)) return written
    if (!(written.right > 0))
      return E.left(pathIOError('Unknown', 'write', { path, detail: `the backend wrote ${written.right} bytes` }))
    offset += written.right
  }
  return E.right(undefined)
}

/** The one handle a stream holds: closed at most once, on end, error or destroy, whichever comes first. */
export interface HandleSlot {
  readonly current: () => FileHandle | undefined
  readonly hold: (file: FileHandle) => void
  readonly close: () => Promise<E.Either<PathIOError, void>>
}

export const makeHandleSlot = (pathio: PathIO<unknown>, path: string): HandleSlot => {
  let file: FileHandle | undefined
  return {
    current: () => file,
    hold: (held) => {
      file = held
    },
    close: async () => {
      if (file === undefined) return E.right(undefined)
      const closing = file
      file = undefined
      return runTask('close', path, () => pathio.close(closing))
    }
  }
}
