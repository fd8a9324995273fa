/**
 * The memory backend's operations on files: `open`, and the operations on
 * its handles. A handle is its own cursor over a shared inode, so every
 * handle sees the others' writes and truncations at once.
 */
import * as E from 'fp-ts/Either'
import { makeFileHandle, type OpenMode } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import { checkData, checkLength, checkMode, checkOffset, checkSize, checkWhence, seekTarget } from '../../internal/arguments'
import { lookup, readable, register, release, writable } from '../../internal/handleTable'
import { syncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { readAt, releaseContent, trimContent, truncateContent, writeAt } from './content'
import { refuse } from './errors'
import { addChild, newFile, type FileInode } from './inode'
import type { MemorySettings } from './options'
import { resolveIn } from './paths'
import { locate, type MemoryTree, type OpenFile } from './tree'

/** The file `open` gives a handle to: an existing one (truncated by `wb`), or a new one (`wb`, `ab`). */
const openInode = (tree: MemoryTree, path: unknown, resolved: string, mode: OpenMode): E.Either<PathIOError, FileInode> => {
  const where = locate(tree, resolved)
  if (where.at === 'nowhere') return refuse(where.reason, 'open', path)
  if (where.at === 'inode') {
    if (where.inode.kind === 'dir') return refuse('IsADirectory', 'open', path)
    if (mode === 'wb') {
      // Readers see the truncation; the bytes go back to the budget at once.
      releaseContent(where.inode, tree.budget)
      where.inode.mtimeMs = where.inode.ctimeMs = Date.now()
    }
    return E.right(where.inode)
  }
  if (mode === 'rb' || mode === 'r+b') return refuse('NotFound', 'open', path)
  const now = Date.now()
  const made = newFile(now)
  addChild(where.parent, where.name, made, now)
  return E.right(made)
}

type FileOperations = Pick<PathIOCore<MemoryTree>, 'open' | 'read' | 'write' | 'seek' | 'close' | 'truncate'>

/** The operations on files of a memory record. */
export const memoryFiles = (settings: MemorySettings): FileOperations => {
  const { tree, maxFileSize } = settings
  const { budget } = tree

  /** An open handle whose mode allows `op`. */
  const usable = (op: 'read' | 'write' | 'truncate', file: unknown): E.Either<PathIOError, OpenFile> => {
    const open = lookup(tree.handles, op, file)
    return E.isLeft(open) ? open : op === 'read' ? readable(open.right) : writable(open.right, op)
  }

  return {
    open: (path, mode) =>
      syncTask('open', path, () => {
        const resolved = resolveIn(settings, 'open', path)
        if (E.isLeft(resolved)) return resolved
        const checked = checkMode(path, mode)
        if (E.isLeft(checked)) return checked
        const inode = openInode(tree, path, resolved.right, checked.right)
        if (E.isLeft(inode)) return inode
        inode.right.opened++
        return E.right(register(tree.handles, makeFileHandle(), { inode: inode.right, mode: checked.right, position: 0, closed: false }))
      }),
    read: (file, size) =>
      syncTask('read', undefined, () => {
        const open = usable('read', file)
        if (E.isLeft(open)) return open
        const wanted = checkSize(size)
        if (E.isLeft(wanted)) return wanted
        const bytes = readAt(open.right.inode, open.right.position, wanted.right)
        open.right.position += bytes.length
        return E.right(bytes)
      }),
    write: (file, data) =>
      syncTask('write', undefined, () => {
        const open = usable('write', file)
        if (E.isLeft(open)) return open
        const bytes = checkData(data)
        if (E.isLeft(bytes)) return bytes
        const length = bytes.right.length
        if (length === 0) return E.right(0)
        const handle = open.right
        const at = handle.mode === 'ab' ? handle.inode.size : handle.position
        if (at + length > maxFileSize) return refuse('NoSpace', 'write', undefined, 'file too large', 'EFBIG')
        try {
          if (!writeAt(handle.inode, budget, at, bytes.right))
            return refuse('NoSpace', 'write', undefined, `the memory tree is full (maxTotalSize ${budget.max} bytes)`, 'ENOSPC')
        } catch (thrown) {
          // The allocation itself failed: out of memory is this backend's "disk full".
          if (thrown instanceof RangeError) return refuse('NoSpace', 'write', undefined, `cannot grow the file: ${thrown.message}`)
          throw thrown
        }
        const now = Date.now()
        handle.inode.mtimeMs = now
        handle.inode.ctimeMs = now
        handle.position = at + length
        return E.right(length)
      }),
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
    close: (file) =>
      syncTask('close', undefined, () =>
        release(tree.handles, 'close', file, (open) => {
          const { inode } = open
          inode.opened--
          if (inode.nlink === 0 && inode.opened === 0) releaseContent(inode, budget)
          else if (open.mode !== 'rb') trimContent(inode, budget)
          return E.right(undefined)
        })
      ),
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
