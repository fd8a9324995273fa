/**
 * The memory backend's operations on paths: the lookups, `stat`, `mkdir`,
 * `rmdir`, `unlink`, `rename`, `utimes`, `chmod`, and what the others need to find a path
 * (`resolveIn`, `existing`, `directoryAt`). Each is straight-line code with
 * early returns: they are the hot path of every server.
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { Stat } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import {
  checkMkdirOptions,
  checkPermissionBits,
  checkTime,
  resolvePath,
  resolvedOrError
} from '../../internal/arguments'
import { syncCall, syncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { releaseContent } from './content'
import { refuse } from './errors'
import { addChild, newDir, removeChild, statOf, type DirInode, type FileInode, type Inode } from './inode'
import type { MemorySettings } from './options'
import { inodeAt, locate, parentOf, type MemoryTree } from './tree'

/** `path` resolved against the record's cwd and checked. */
export const resolveIn = ({ cwd }: MemorySettings, op: string, path: unknown): E.Either<PathIOError, string> =>
  resolvePath(op, cwd, path)

/** The inode at a resolved path, or why there is none. */
export const existing = (
  tree: MemoryTree,
  op: string,
  path: unknown,
  resolved: string
): E.Either<PathIOError, Inode> => {
  const inode = inodeAt(tree, resolved)
  return typeof inode === 'string' ? refuse(inode, op, path) : E.right(inode)
}

/** The directory at `path` (as given), or why it cannot be listed: `NotFound`, `NotADirectory`. */
export const directoryAt = (
  { tree, cwd }: MemorySettings,
  op: string,
  path: unknown
): E.Either<PathIOError, DirInode> => {
  const resolved = resolvedOrError(op, cwd, path)
  if (typeof resolved !== 'string') return E.left(resolved)
  const inode = inodeAt(tree, resolved)
  if (typeof inode === 'string') return refuse(inode, op, path)
  return inode.kind === 'dir' ? E.right(inode) : refuse('NotADirectory', op, path)
}

/** The answers a call with nothing to return, or a yes or no, gives: made once, as an `Either` is never changed. */
export const DONE: E.Either<never, void> = E.right(undefined)
const YES: E.Either<never, boolean> = E.right(true)
const NO: E.Either<never, boolean> = E.right(false)

/** A file lost its last name: its bytes go back once no handle holds it either. */
const unlinked = (tree: MemoryTree, file: FileInode, now: number): void => {
  file.nlink = 0
  file.ctimeMs = now
  if (file.opened === 0) releaseContent(file, tree.budget)
}

const mkdirOne = (
  tree: MemoryTree,
  op: string,
  path: unknown,
  resolved: string,
  existOk: boolean
): E.Either<PathIOError, void> => {
  const where = locate(tree, resolved)
  if (where.at === 'nowhere') return refuse(where.reason, op, path)
  if (where.at === 'inode')
    return where.inode.kind === 'dir' && existOk ? E.right(undefined) : refuse('AlreadyExists', op, path)
  const now = Date.now()
  addChild(where.parent, where.name, newDir(now), now)
  return E.right(undefined)
}

/** `mkdir -p`: walk from the root creating what is missing; a file on the way is `NotADirectory`. */
const mkdirParents = (
  tree: MemoryTree,
  path: unknown,
  resolved: string,
  existOk: boolean
): E.Either<PathIOError, void> => {
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

const removeEntry = (
  tree: MemoryTree,
  op: 'rmdir' | 'unlink',
  path: unknown,
  resolved: string
): E.Either<PathIOError, void> => {
  // The root is a directory with no parent.
  if (resolved === '/')
    return op === 'unlink' ? refuse('IsADirectory', op, path) : refuse('Busy', op, path, 'cannot remove the root')
  const last = resolved.lastIndexOf('/')
  const parent = parentOf(tree, resolved, last)
  if (typeof parent === 'string') return refuse(parent, op, path)
  const name = resolved.slice(last + 1)
  const inode = parent.children.get(name)
  if (inode === undefined) return refuse('NotFound', op, path)
  if (op === 'unlink' && inode.kind === 'dir') return refuse('IsADirectory', op, path)
  if (op === 'rmdir' && inode.kind === 'file') return refuse('NotADirectory', op, path)
  if (inode.kind === 'dir' && inode.children.size > 0) return refuse('NotEmpty', op, path)
  const now = Date.now()
  removeChild(parent, name, inode, now)
  if (inode.kind === 'file') unlinked(tree, inode, now)
  return DONE
}

/** `rename(2)`: the checks in the kernel's order, then one unlink of the destination and one move. */
const renameEntry = (
  tree: MemoryTree,
  source: unknown,
  destination: unknown,
  from: string,
  to: string
): E.Either<PathIOError, void> => {
  const src = locate(tree, from)
  if (src.at !== 'inode') return refuse(src.at === 'parent' ? 'NotFound' : src.reason, 'rename', source)
  const dst = locate(tree, to)
  if (dst.at === 'nowhere') return refuse(dst.reason, 'rename', destination)
  if (src.parent === undefined || (dst.at === 'inode' && dst.parent === undefined))
    return refuse('Busy', 'rename', source, 'cannot rename the root')
  const moving = src.inode
  if (dst.at === 'inode' && dst.inode === moving) return DONE
  if (moving.kind === 'dir' && to.startsWith(`${from}/`))
    return refuse('InvalidArgument', 'rename', source, 'cannot move a directory into itself')
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
  return DONE
}

type PathOperations = Pick<
  PathIOCore<MemoryTree>,
  'exists' | 'isDir' | 'isFile' | 'stat' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'utimes' | 'chmod'
>

/**
 * The operations on paths of a memory record (its own lookups: one walk, no
 * `Stat` made, no error for a missing path). The hot ones are made of a body
 * per record and `syncCall`: a call allocates its task and its answer, little else.
 */
export const memoryPaths = (settings: MemorySettings): PathOperations => {
  const { tree, cwd } = settings
  const kindTest = (
    op: string,
    test: (inode: Inode) => boolean
  ): ((path: string) => TaskEither<PathIOError, boolean>) => {
    const body = (path: unknown): E.Either<PathIOError, boolean> => {
      const resolved = resolvedOrError(op, cwd, path)
      if (typeof resolved !== 'string') return E.left(resolved)
      const inode = inodeAt(tree, resolved)
      return typeof inode !== 'string' && test(inode) ? YES : NO
    }
    return (path) => syncCall(op, path, body, path, undefined)
  }
  const stat = (path: unknown): E.Either<PathIOError, Stat> => {
    const resolved = resolvedOrError('stat', cwd, path)
    if (typeof resolved !== 'string') return E.left(resolved)
    const inode = inodeAt(tree, resolved)
    return typeof inode === 'string' ? refuse(inode, 'stat', path) : E.right(statOf(inode))
  }
  const remove =
    (op: 'rmdir' | 'unlink') =>
    (path: unknown): E.Either<PathIOError, void> => {
      const resolved = resolvedOrError(op, cwd, path)
      return typeof resolved === 'string' ? removeEntry(tree, op, path, resolved) : E.left(resolved)
    }
  const rmdir = remove('rmdir')
  const unlink = remove('unlink')
  const rename = (source: unknown, destination: unknown): E.Either<PathIOError, string> => {
    const from = resolvedOrError('rename', cwd, source)
    if (typeof from !== 'string') return E.left(from)
    const to = resolvedOrError('rename', cwd, destination)
    if (typeof to !== 'string') return E.left(to)
    const moved = renameEntry(tree, source, destination, from, to)
    return E.isLeft(moved) ? moved : E.right(destination as string)
  }
  return {
    exists: kindTest('exists', () => true),
    isDir: kindTest('isDir', (inode) => inode.kind === 'dir'),
    isFile: kindTest('isFile', (inode) => inode.kind === 'file'),
    stat: (path) => syncCall('stat', path, stat, path, undefined),
    mkdir: (path, options) =>
      syncTask('mkdir', path, () => {
        const resolved = resolveIn(settings, 'mkdir', path)
        if (E.isLeft(resolved)) return resolved
        const flags = checkMkdirOptions(path, options)
        if (E.isLeft(flags)) return flags
        const { parents, existOk } = flags.right
        return parents
          ? mkdirParents(tree, path, resolved.right, existOk)
          : mkdirOne(tree, 'mkdir', path, resolved.right, existOk)
      }),
    rmdir: (path) => syncCall('rmdir', path, rmdir, path, undefined),
    unlink: (path) => syncCall('unlink', path, unlink, path, undefined),
    rename: (source, destination) => syncCall('rename', source, rename, source, destination),
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
