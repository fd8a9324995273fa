/**
 * The memory backend's operations on paths: the lookups, `stat`, `mkdir`,
 * `rmdir`, `unlink`, `rename`, `utimes`, `chmod`, and what the others need to find a path
 * (`resolveIn`, `existing`, `directoryAt`). Each is straight-line code with
 * early returns: they are the hot path of every server.
 */
import * as E from 'fp-ts/Either'
import type { PathIOError } from '../../PathIOError'
import { checkMkdirOptions, checkPermissionBits, checkTime, resolvePath } from '../../internal/arguments'
import { syncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { releaseContent } from './content'
import { refuse } from './errors'
import { addChild, newDir, removeChild, statOf, type DirInode, type FileInode, type Inode } from './inode'
import type { MemorySettings } from './options'
import { locate, type MemoryTree } from './tree'

/** `path` resolved against the record's cwd and checked. */
export const resolveIn = ({ cwd }: MemorySettings, op: string, path: unknown): E.Either<PathIOError, string> => resolvePath(op, cwd, path)

/** The inode at a resolved path, or why there is none. */
export const existing = (tree: MemoryTree, op: string, path: unknown, resolved: string): E.Either<PathIOError, Inode> => {
  const where = locate(tree, resolved)
  return where.at === 'inode' ? E.right(where.inode) : refuse(where.at === 'parent' ? 'NotFound' : where.reason, op, path)
}

/** The directory at `path` (as given), or why it cannot be listed: `NotFound`, `NotADirectory`. */
export const directoryAt = (settings: MemorySettings, op: string, path: unknown): E.Either<PathIOError, DirInode> => {
  const resolved = resolveIn(settings, op, path)
  if (E.isLeft(resolved)) return resolved
  const inode = existing(settings.tree, op, path, resolved.right)
  if (E.isLeft(inode)) return inode
  return inode.right.kind === 'dir' ? E.right(inode.right) : refuse('NotADirectory', op, path)
}

/** A file lost its last name: its bytes go back once no handle holds it either. */
const unlinked = (tree: MemoryTree, file: FileInode, now: number): void => {
  file.nlink = 0
  file.ctimeMs = now
  if (file.opened === 0) releaseContent(file, tree.budget)
}

const mkdirOne = (tree: MemoryTree, op: string, path: unknown, resolved: string, existOk: boolean): E.Either<PathIOError, void> => {
  const where = locate(tree, resolved)
  if (where.at === 'nowhere') return refuse(where.reason, op, path)
  if (where.at === 'inode') return where.inode.kind === 'dir' && existOk ? E.right(undefined) : refuse('AlreadyExists', op, path)
  const now = Date.now()
  addChild(where.parent, where.name, newDir(now), now)
  return E.right(undefined)
}

/** `mkdir -p`: walk from the root creating what is missing; a file on the way is `NotADirectory`. */
const mkdirParents = (tree: MemoryTree, path: unknown, resolved: string, existOk: boolean): E.Either<PathIOError, void> => {
  if (resolved === '/') return existOk ? E.right(undefined) : refuse('AlreadyExists', 'mkdir', path)
  const names = resolved.slice(1).split('/')
  let dir: DirInode = tree.root
  for (let i = 0; i < names.length; i++) {
    const child = dir.children.get(names[i])
    const last = i === names.length - 1
    if (child === undefined) {
      const now = Date.now()
      const made = newDir(now)
      addChild(dir, names[i], made, now)
      dir = made
    } else if (child.kind === 'file') {
      return refuse(last ? 'AlreadyExists' : 'NotADirectory', 'mkdir', path)
    } else if (last) {
      return existOk ? E.right(undefined) : refuse('AlreadyExists', 'mkdir', path)
    } else {
      dir = child
    }
  }
  return E.right(undefined)
}

const removeEntry = (tree: MemoryTree, op: 'rmdir' | 'unlink', path: unknown, resolved: string): E.Either<PathIOError, void> => {
  const where = locate(tree, resolved)
  if (where.at !== 'inode') return refuse(where.at === 'parent' ? 'NotFound' : where.reason, op, path)
  const { inode, parent, name } = where
  if (op === 'unlink' && inode.kind === 'dir') return refuse('IsADirectory', op, path)
  if (op === 'rmdir' && inode.kind === 'file') return refuse('NotADirectory', op, path)
  if (parent === undefined) return refuse('Busy', op, path, 'cannot remove the root')
  if (inode.kind === 'dir' && inode.children.size > 0) return refuse('NotEmpty', op, path)
  const now = Date.now()
  removeChild(parent, name, inode, now)
  if (inode.kind === 'file') unlinked(tree, inode, now)
  return E.right(undefined)
}

/** `rename(2)`: the checks in the kernel's order, then one unlink of the destination and one move. */
const renameEntry = (tree: MemoryTree, source: unknown, destination: unknown, from: string, to: string): E.Either<PathIOError, void> => {
  const src = locate(tree, from)
  if (src.at !== 'inode') return refuse(src.at === 'parent' ? 'NotFound' : src.reason, 'rename', source)
  const dst = locate(tree, to)
  if (dst.at === 'nowhere') return refuse(dst.reason, 'rename', destination)
  if (src.parent === undefined || (dst.at === 'inode' && dst.parent === undefined))
    return refuse('Busy', 'rename', source, 'cannot rename the root')
  const moving = src.inode
  if (dst.at === 'inode' && dst.inode === moving) return E.right(undefined)
  if (moving.kind === 'dir' && to.startsWith(`${from}/`)) return refuse('InvalidArgument', 'rename', source, 'cannot move a directory into itself')
  const now = Date.now()
  if (dst.at === 'inode') {
    const replaced = dst.inode
    if (moving.kind === 'file' && replaced.kind === 'dir') return refuse('IsADirectory', 'rename', destination)
    if (moving.kind === 'dir' && replaced.kind === 'file') return refuse('NotADirectory', 'rename', destination)
    if (replaced.kind === 'dir' && replaced.children.size > 0) return refuse('NotEmpty', 'rename', destination)
    removeChild(dst.parent as DirInode, dst.name, replaced, now)
    if (replaced.kind === 'file') unlinked(tree, replaced, now)
  }
  removeChild(src.parent, src.name, moving, now)
  addChild(dst.parent as DirInode, dst.name, moving, now)
  moving.ctimeMs = now
  return E.right(undefined)
}

type PathOperations = Pick<
  PathIOCore<MemoryTree>,
  'exists' | 'isDir' | 'isFile' | 'stat' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'utimes' | 'chmod'
>

/** The operations on paths of a memory record (its own lookups: one walk, no `Stat` made, no error for a missing path). */
export const memoryPaths = (settings: MemorySettings): PathOperations => {
  const { tree } = settings
  const kindTest = (op: string, test: (inode: Inode) => boolean) => (path: string) =>
    syncTask(op, path, () => {
      const resolved = resolveIn(settings, op, path)
      if (E.isLeft(resolved)) return resolved
      const where = locate(tree, resolved.right)
      return E.right(where.at === 'inode' && test(where.inode))
    })
  return {
    exists: kindTest('exists', () => true),
    isDir: kindTest('isDir', (inode) => inode.kind === 'dir'),
    isFile: kindTest('isFile', (inode) => inode.kind === 'file'),
    stat: (path) =>
      syncTask('stat', path, () => {
        const resolved = resolveIn(settings, 'stat', path)
        if (E.isLeft(resolved)) return resolved
        const inode = existing(tree, 'stat', path, resolved.right)
        return E.isLeft(inode) ? inode : E.right(statOf(inode.right))
      }),
    mkdir: (path, options) =>
      syncTask('mkdir', path, () => {
        const resolved = resolveIn(settings, 'mkdir', path)
        if (E.isLeft(resolved)) return resolved
        const flags = checkMkdirOptions(path, options)
        if (E.isLeft(flags)) return flags
        const { parents, existOk } = flags.right
        return parents ? mkdirParents(tree, path, resolved.right, existOk) : mkdirOne(tree, 'mkdir', path, resolved.right, existOk)
      }),
    rmdir: (path) =>
      syncTask('rmdir', path, () => {
        const resolved = resolveIn(settings, 'rmdir', path)
        return E.isLeft(resolved) ? resolved : removeEntry(tree, 'rmdir', path, resolved.right)
      }),
    unlink: (path) =>
      syncTask('unlink', path, () => {
        const resolved = resolveIn(settings, 'unlink', path)
        return E.isLeft(resolved) ? resolved : removeEntry(tree, 'unlink', path, resolved.right)
      }),
    rename: (source, destination) =>
      syncTask('rename', source, () => {
        const from = resolveIn(settings, 'rename', source)
        if (E.isLeft(from)) return from
        const to = resolveIn(settings, 'rename', destination)
        if (E.isLeft(to)) return to
        const moved = renameEntry(tree, source, destination, from.right, to.right)
        return E.isLeft(moved) ? moved : E.right(destination)
      }),
    // A changed attribute is a change of status: `ctimeMs` moves, as on a disk.
    utimes: (path, mtimeMs) =>
      syncTask('utimes', path, () => {
        const resolved = resolveIn(settings, 'utimes', path)
        if (E.isLeft(resolved)) return resolved
        const time = checkTime('utimes', path, mtimeMs)
        if (E.isLeft(time)) return time
        const inode = existing(tree, 'utimes', path, resolved.right)
        if (E.isLeft(inode)) return inode
        inode.right.mtimeMs = time.right
        inode.right.ctimeMs = Date.now()
        return E.right(undefined)
      }),
    chmod: (path, mode) =>
      syncTask('chmod', path, () => {
        const resolved = resolveIn(settings, 'chmod', path)
        if (E.isLeft(resolved)) return resolved
        const bits = checkPermissionBits('chmod', path, mode)
        if (E.isLeft(bits)) return bits
        const inode = existing(tree, 'chmod', path, resolved.right)
        if (E.isLeft(inode)) return inode
        inode.right.perm = bits.right
        inode.right.ctimeMs = Date.now()
        return E.right(undefined)
      })
  }
}
