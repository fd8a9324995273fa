/**
 * The pool backend's operations on files: `open` is one job; the handle
 * table (descriptor, mode, position) lives on the main thread, so any worker
 * serves any handle, and each read or write is one positional job. Calls on
 * one handle run one after another, as on a synchronous backend.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { makeFileHandle, type FileHandle } from '../../PathIO'
import { checkData, checkLength, checkOffset, checkSize, checkWhence, seekTarget } from '../../internal/arguments'
import { readable, register, release, writable } from '../../internal/handleTable'
import { asyncTask } from '../../internal/task'
import { makeDiskFile } from '../disk/diskFile'
import { openArguments } from '../disk/syscalls'
import type { PathIOCore } from '../makePathIO'
import { take } from './bufferBank'
import { closedHandle, exclusive, failure, fileOf, left, type PoolSettings } from './jobs'
import { submit, type PoolFile, type WorkerPool } from './workerPool'

type FileOperations = Pick<PathIOCore<WorkerPool>, 'open' | 'read' | 'write' | 'seek' | 'close' | 'truncate'>

/** The operations on files of a pool record. */
export const poolFiles = ({ internals, at, signal }: PoolSettings): FileOperations => {
  const readFailure = failure('read', undefined, true)
  const writeFailure = failure('write', undefined, true)
  return {
    open: (path, mode) =>
      asyncTask('open', path, () =>
        pipe(
          openArguments(at, path, mode),
          E.fold(
            (error) => left<FileHandle>(error),
            ({ target, mode }) =>
              submit(internals, { op: 'open', target, mode }, failure('open', path), undefined, undefined, signal).then(
                E.map(({ fd, size }): FileHandle => {
                  const file: PoolFile = { ...makeDiskFile(fd, mode, size), busy: false, waiting: [] }
                  internals.open.add(file)
                  return register(internals.handles, makeFileHandle(), file)
                })
              )
          )
        )
      ),
    // The hot path: plain checks, one job, the answer mapped as it settles.
    read: (handle, size) =>
      asyncTask('read', undefined, () => {
        const found = fileOf(internals, 'read', handle)
        if (E.isLeft(found)) return left(found.left)
        const file = found.right
        const mayRead = readable(file)
        if (E.isLeft(mayRead)) return left(mayRead.left)
        const wanted = checkSize(size)
        if (E.isLeft(wanted)) return left(wanted.left)
        return exclusive(file, () => {
          if (file.closed) return left(closedHandle('read'))
          const request = {
            op: 'read',
            fd: file.fd,
            position: file.position,
            size: wanted.right ?? null,
            known: file.size
          } as const
          const onRead = ({
            buffer,
            length,
            size: known
          }: {
            buffer: ArrayBuffer
            length: number
            size: number
          }): Uint8Array => {
            file.position += length
            file.size = known
            return Buffer.from(buffer, 0, length)
          }
          return submit(internals, request, readFailure, undefined, onRead, signal)
        })
      }),
    write: (handle, data) =>
      asyncTask('write', undefined, () => {
        const found = fileOf(internals, 'write', handle)
        if (E.isLeft(found)) return left(found.left)
        const file = found.right
        const mayWrite = writable(file)
        if (E.isLeft(mayWrite)) return left(mayWrite.left)
        const checked = checkData(data)
        if (E.isLeft(checked)) return left(checked.left)
        const bytes = checked.right
        const length = bytes.length
        if (length === 0) return Promise.resolve(E.right(0))
        // The caller keeps its bytes: one copy into a buffer of the pool's, which is then moved, not cloned.
        const buffer = take(internals.bank, length)
        new Uint8Array(buffer, 0, length).set(bytes)
        return exclusive(file, () => {
          if (file.closed) return left(closedHandle('write'))
          const request = {
            op: 'write',
            fd: file.fd,
            position: file.position,
            data: buffer,
            length,
            append: file.mode === 'ab',
            known: file.size
          } as const
          const onWritten = ({ position, size: known }: { position: number; size: number }): number => {
            file.position = position
            file.size = known
            return length
          }
          return submit(internals, request, writeFailure, [buffer], onWritten, signal)
        })
      }),
    seek: (handle, offset, whence) =>
      asyncTask('seek', undefined, () => {
        const checked = pipe(
          E.Do,
          E.apS('file', fileOf(internals, 'seek', handle)),
          E.apS('offset', checkOffset(offset)),
          E.apS('whence', checkWhence(whence))
        )
        if (E.isLeft(checked)) return left(checked.left)
        const { file, offset: by, whence: from } = checked.right
        return exclusive(file, async () => {
          // The closed-handle check again when the call's turn comes: a `close` may have run in between.
          if (file.closed) return E.left(closedHandle('seek'))
          const size =
            from === 2
              ? await submit(
                  internals,
                  { op: 'size', fd: file.fd },
                  failure('seek', undefined, true),
                  undefined,
                  undefined,
                  signal
                )
              : E.right(file.size)
          return pipe(
            size,
            E.chain((end) => seekTarget(file.position, end, by, from)),
            E.map((target) => (file.position = target))
          )
        })
      }),
    close: (handle) =>
      asyncTask('close', undefined, () =>
        Promise.resolve(
          // Marked closed once the operations queued on it before have run.
          release(
            internals.handles,
            'close',
            handle,
            (file) =>
              exclusive(file, () => {
                // After the pool closed, the pool's own `close` closes what is left open.
                if (file.closed || internals.closed) return Promise.resolve(E.right(undefined))
                file.closed = true
                internals.open.delete(file)
                return submit(internals, { op: 'close', fd: file.fd }, failure('close', undefined, true))
              }),
            false
          )
        )
      ),
    truncate: (handle, size) =>
      asyncTask('truncate', undefined, () => {
        const found = fileOf(internals, 'truncate', handle)
        if (E.isLeft(found)) return left(found.left)
        const file = found.right
        const mayWrite = writable(file, 'truncate')
        if (E.isLeft(mayWrite)) return left(mayWrite.left)
        const wanted = checkLength('truncate', size)
        if (E.isLeft(wanted)) return left(wanted.left)
        return exclusive(file, () => {
          if (file.closed) return left(closedHandle('truncate'))
          const resized = (): void => {
            // The size a read last saw is the new one (a hint: a read checks with fstat past it).
            file.size = wanted.right
          }
          return submit(
            internals,
            { op: 'truncate', fd: file.fd, size: wanted.right },
            failure('truncate', undefined, true),
            undefined,
            resized,
            signal
          )
        })
      })
  }
}
