/**
 * The Node backend's operations on files: `open`, and the operations on its
 * handles, each one positional system call on the handle's descriptor
 * (`pread`, `pwrite`), so two handles of one file never move each other.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { makeFileHandle, type FileHandle } from '../../PathIO'
import { toPathIOError, type PathIOError } from '../../PathIOError'
import {
  checkData,
  checkLength,
  checkOffset,
  checkSize,
  checkWhence,
  isBytes,
  seekTarget
} from '../../internal/arguments'
import { heldBy, lookup, readable, register, release, writable } from '../../internal/handleTable'
import { settled } from '../../internal/settled'
import { allocateFromSlab } from '../../internal/slab'
import { syncTask } from '../../internal/task'
import { makeDiskFile } from '../disk/diskFile'
import * as disk from '../disk/syscalls'
import type { PathIOCore } from '../makePathIO'
import { HANDLES, refusal } from './descriptors'

type FileOperations = Pick<PathIOCore<undefined>, 'open' | 'read' | 'write' | 'seek' | 'close' | 'truncate'>

/** The operations on files of a Node record whose paths `at` resolves. */
export const nodeFiles = (at: disk.Locate): FileOperations => ({
  open: (path, mode) =>
    syncTask('open', path, () =>
      pipe(
        disk.openArguments(at, path, mode),
        E.chain(({ target, mode }) =>
          pipe(
            disk.open(target, mode),
            E.map(({ fd, size }): FileHandle => register(HANDLES, makeFileHandle(), makeDiskFile(fd, mode, size)))
          )
        )
      )
    ),
  // The hot path: plain checks (the Either helpers only to word an error), no copies, one `pread` or `pwrite`.
  read: (file, size) => () => {
    try {
      const open = heldBy(HANDLES, file)
      if (open === undefined || open.closed || (open.mode !== 'rb' && open.mode !== 'r+b'))
        return settled(refusal('read', pipe(lookup(HANDLES, 'read', file), E.chain(readable))))
      if (size !== undefined && size !== null && !(Number.isSafeInteger(size) && size >= 0))
        return settled(checkSize(size) as E.Either<PathIOError, never>)
      const bytes = disk.readBlock(open, size ?? undefined, allocateFromSlab)
      open.position += bytes.length
      return settled(E.right(bytes))
    } catch (thrown) {
      return settled(E.left(toPathIOError('read')(thrown)))
    }
  },
  write: (file, data) => () => {
    try {
      const open = heldBy(HANDLES, file)
      if (open === undefined || open.closed || open.mode === 'rb')
        return settled(refusal('write', pipe(lookup(HANDLES, 'write', file), E.chain(writable))))
      if (!isBytes(data)) return settled(checkData(data) as E.Either<PathIOError, never>)
      const length = data.length
      if (length > 0) open.position = disk.writeBlock(open, data, open.mode === 'ab')
      return settled(E.right(length))
    } catch (thrown) {
      return settled(E.left(toPathIOError('write')(thrown)))
    }
  },
  seek: (file, offset, whence) =>
    syncTask('seek', undefined, () =>
      pipe(
        E.Do,
        E.apS('handle', lookup(HANDLES, 'seek', file)),
        E.apS('offset', checkOffset(offset)),
        E.apS('whence', checkWhence(whence)),
        E.chain(({ handle, offset, whence }) =>
          pipe(
            whence === 2 ? disk.sizeOf(handle.fd) : E.right(handle.size),
            E.chain((size) => seekTarget(handle.position, size, offset, whence)),
            E.map((target) => (handle.position = target))
          )
        )
      )
    ),
  close: (file) =>
    // Marked closed first: even if close(2) fails the descriptor is gone (Linux frees it anyway).
    syncTask('close', undefined, () => release(HANDLES, 'close', file, (handle) => disk.close(handle.fd))),
  truncate: (file, size) =>
    syncTask('truncate', undefined, () =>
      pipe(
        E.Do,
        E.apS(
          'handle',
          pipe(
            lookup(HANDLES, 'truncate', file),
            E.chain((open) => writable(open, 'truncate'))
          )
        ),
        E.apS('size', checkLength('truncate', size)),
        E.chain(({ handle, size }) =>
          pipe(
            disk.truncate(handle.fd, size),
            // The size a read last saw is the new one (a hint: a read checks with fstat past it).
            E.map(() => void (handle.size = size))
          )
        )
      )
    )
})
