/**
 * The disk backends' handle table: a handle is a `makeFileHandle()` object
 * mapped, by identity, to its descriptor, its mode and its own position. The
 * position is ours, not the kernel's (every read and write is positional), so
 * two handles of one file never move each other.
 */
import * as E from 'fp-ts/Either'
import type { FileHandle, OpenMode } from '../../PathIO'
import { pathIOError, type PathIOError } from '../../PathIOError'

/** One open file. */
export interface DiskFile {
  readonly fd: number
  readonly mode: OpenMode
  position: number
  /** The file size this handle last saw (a hint that spares an `fstat` per read). */
  size: number
  closed: boolean
}

/** Handles a backend made; a closed one stays (marked) so that closing twice is harmless. */
export type HandleTable = WeakMap<FileHandle, DiskFile>

export const makeDiskFile = (fd: number, mode: OpenMode, size: number): DiskFile => ({
  fd,
  mode,
  position: 0,
  size,
  closed: false
})

const badHandle = (op: string, detail: string): E.Either<PathIOError, never> =>
  E.left(pathIOError('BadHandle', op, { code: 'EBADF', detail }))

/** The open file behind `file`, or `BadHandle` (closed, forged, or another backend's). */
export const lookup = <F extends DiskFile>(
  table: WeakMap<FileHandle, F>,
  op: string,
  file: unknown
): E.Either<PathIOError, F> => {
  const open = typeof file === 'object' && file !== null ? table.get(file as FileHandle) : undefined
  if (open === undefined) return badHandle(op, 'not a handle of this backend')
  return open.closed ? badHandle(op, 'the handle is closed') : E.right(open)
}

export const readable = <F extends DiskFile>(open: F): E.Either<PathIOError, F> =>
  open.mode === 'rb' || open.mode === 'r+b'
    ? E.right(open)
    : badHandle('read', `the handle was opened '${open.mode}', not for reading`)

export const writable = <F extends DiskFile>(open: F): E.Either<PathIOError, F> =>
  open.mode === 'rb' ? badHandle('write', "the handle was opened 'rb', not for writing") : E.right(open)
