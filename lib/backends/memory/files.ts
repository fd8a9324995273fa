/**
 * The memory backend's operations on files: `open`, and the operations on
 * its handles. A handle is its own cursor over a shared inode, so every
 * handle sees the others' writes and truncations at once.
 */
import * as E from 'fp-ts/Either'
import { makeFileHandle, type FileHandle, type OpenMode } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import {
  checkLength,
  checkOffset,
  checkSize,
  checkWhence,
  dataError,
  modeOrError,
  resolvedOrError,
  seekTarget
} from '../../internal/arguments'
import {
  heldBy,
  lookup,
  notReadable,
  notWritable,
  readable,
  register,
  release,
  unusable,
  writable
} from '../../internal/handleTable'
import { syncCall, syncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { readAt, releaseContent, trimContent, truncateContent, writeAt } from './content'
import { refusal, refuse } from './errors'
import { addChild, newFile, type FileInode } from './inode'
import type { MemorySettings } from './options'
import { DONE } from './paths'
import { parentOf, type MemoryTree, type OpenFile } from './tree'

/** What a write of no bytes answers (it changes nothing). */
const NOTHING_WRITTEN: E.Either<never, number> = E.right(0)

/** The file `open` gives a handle to: an existing one (truncated by `wb`), or a new one (`wb`, `ab`); or why there is none. */
const openInode = (tree: MemoryTree, path: unknown, resolved: string, mode: OpenMode): FileInode | PathIOError => {
  if (resolved === '/') return refusal('IsADirectory', 'open', path)
  const last = resolved.lastIndexOf('/')
  const parent = parentOf(tree, resolved, last)
  if (typeof parent === 'string') return refusal(parent, 'open', path)
  const name = resolved.slice(last + 1)
  const found = parent.children.get(name)
  if (found !== undefined) {
    if (found.kind === 'dir') return refusal('IsADirectory', 'open', path)
    if (mode === 'wb') {
      // Readers see the truncation; the bytes go back to the budget at once.
      releaseContent(found, tree.budget)
      found.mtimeMs = found.ctimeMs = Date.now()
    }
    return found
  }
  if (mode === 'rb' || mode === 'r+b') return refusal('NotFound', 'open', path)
  const now = Date.now()
  const made = newFile(now)
  addChild(parent, name, made, now)
  return made
}

type FileOperations = Pick<PathIOCore<MemoryTree>, 'open' | 'read' | 'write' | 'seek' | 'close' | 'truncate'>

/**
 * The operations on files of a memory record. `open`, `read`, `write` and
 * `close` are a body per record and `syncCall`, and their checks make no
 * `Either` for what passes: a call allocates its task, its answer and what
 * it stores.
 */
export const memoryFiles = (settings: MemorySettings): FileOperations => {
  const { tree, cwd, maxFileSize } = settings
  const { budget, handles } = tree

  /** An open handle whose mode allows `op`. */
  const usable = (op: 'read' | 'write' | 'truncate', file: unknown): E.Either<PathIOError, OpenFile> => {
    const open = lookup(handles, op, file)
    return E.isLeft(open) ? open : op === 'read' ? readable(open.right) : writable(open.right, op)
  }

  const open = (path: unknown, mode: unknown): E.Either<PathIOError, FileHandle> => {
    const resolved = resolvedOrError('open', cwd, path)
    if (typeof resolved !== 'string') return E.left(resolved)
    const checked = modeOrError(path, mode)
    if (typeof checked !== 'string') return E.left(checked)
    const inode = openInode(tree, path, resolved, checked)
    if ('_tag' in inode) return E.left(inode)
    inode.opened++
    return E.right(register(handles, makeFileHandle(), { inode, mode: checked, position: 0, closed: false }))
  }

  const read = (file: unknown, size: unknown): E.Either<PathIOError, Uint8Array> => {
    const handle = heldBy(handles, file)
    if (handle === undefined || handle.closed) return E.left(unusable(handles, 'read', handle))
    const refused = notReadable(handle)
    if (refused !== undefined) return E.left(refused)
    const wanted = checkSize(size)
    if (E.isLeft(wanted)) return wanted
    const bytes = readAt(handle.inode, handle.position, wanted.right)
    handle.position += bytes.length
    return E.right(bytes)
  }

  const write = (file: unknown, data: unknown): E.Either<PathIOError, number> => {
    const handle = heldBy(handles, file)
    if (handle === undefined || handle.closed) return E.left(unusable(handles, 'write', handle))
    const refused = notWritable(handle) ?? dataError(data)
    if (refused !== undefined) return E.left(refused)
    const bytes = data as Uint8Array
    const length = bytes.length
    if (length === 0) return NOTHING_WRITTEN
    const at = handle.mode === 'ab' ? handle.inode.size : handle.position
    if (at + length > maxFileSize) return refuse('NoSpace', 'write', undefined, 'file too large', 'EFBIG')
    try {
      if (!writeAt(handle.inode, budget, at, bytes))
        return refuse(
          'NoSpace',
          'write',
          undefined,
          `the memory tree is full (maxTotalSize ${budget.max} bytes)`,
          'ENOSPC'
        )
    } catch (thrown) {
      // The allocation itself failed: out of memory is this backend's "disk full".
      if (thrown instanceof RangeError)
        return refuse('NoSpace', 'write', undefined, `cannot grow the file: ${thrown.message}`)
      throw thrown
    }
    const now = Date.now()
    handle.inode.mtimeMs = now
    handle.inode.ctimeMs = now
    handle.position = at + length
    return E.right(length)
  }

  /** What `close` does with a handle it marked closed: the file keeps its bytes, trimmed, or gives them back. */
  const letGo = (open: OpenFile): E.Either<never, void> => {
    const { inode } = open
    inode.opened--
    if (inode.nlink === 0 && inode.opened === 0) releaseContent(inode, budget)
    else if (open.mode !== 'rb') trimContent(inode, budget)
    return DONE
  }
  const close = (file: unknown): E.Either<PathIOError, void> => release(handles, 'close', file, letGo)

  return {
    open: (path, mode) => syncCall('open', path, open, path, mode),
    read: (file, size) => syncCall('read', undefined, read, file, size),
    write: (file, data) => syncCall('write', undefined, write, file, data),
    seek: (file, offset, whence) =>
      syncTask('seek', undefined, () => {
        const open = lookup(tree.handles, 'seek', file)
        if (E.isLeft(open)) return open
        const by = checkOffset(offset)
        if (E.isLeft(by)) return by
        const from = checkWhence(whence)
        if (E.isLeft(from)) return from
        const target = seekTarget(open.right.position, open.right.inode.size, by.right, from.right)
        if (E.isRight(target)) open.right.position = target.right
        return target
      }),
    close: (file) => syncCall('close', undefined, close, file, undefined),
    // Every handle of the file sees the new size at once, as with writes; this handle's position stays.
    truncate: (file, size) =>
      syncTask('truncate', undefined, () => {
        const open = usable('truncate', file)
        if (E.isLeft(open)) return open
        const wanted = checkLength('truncate', size)
        if (E.isLeft(wanted)) return wanted
        const { inode } = open.right
        if (wanted.right > maxFileSize) return refuse('NoSpace', 'truncate', undefined, 'file too large', 'EFBIG')
        truncateContent(inode, budget, wanted.right)
        const now = Date.now()
        inode.mtimeMs = now
        inode.ctimeMs = now
        return E.right(undefined)
      })
  }
}
