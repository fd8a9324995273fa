/** Writing a whole buffer through a record's `write`, however many bytes each call takes. */
import * as E from 'fp-ts/Either'
import type { FileHandle, PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { cancelled } from '../internal/signal'
import { CANCELLABLE_STEP, nextTurn, stepOrCancelled } from './cancellable'
import { runTask } from './runTask'

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
  for (let offset = 0; offset < data.length;) {
    if (signal !== undefined && offset > 0) await nextTurn()
    if (signal !== undefined && signal.aborted) return E.left(cancelled('write', path, signal))
    const end = signal === undefined ? data.length : Math.min(data.length, offset + CANCELLABLE_STEP)
    const writing = runTask('write', path, () =>
      pathio.write(file, offset === 0 && end === data.length ? data : data.subarray(offset, end))
    )
    const written = await (signal === undefined ? writing : stepOrCancelled(signal, 'write', path, writing))
    if (E.isLeft(written)) return written
    if (!(written.right > 0))
      return E.left(pathIOError('Unknown', 'write', { path, detail: `the backend wrote ${written.right} bytes` }))
    offset += written.right
  }
  return E.right(undefined)
}
