/**
 * `makeMemoryPathIO`: an in-memory tree, built for scale (a `Map` per
 * directory, inodes apart from names, amortised buffer growth).
 *
 * @since 0.1.0
 */
import { constants } from 'node:buffer'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { makeDirHandle, makeFileHandle, type Entry, type FactoryContext, type PathIO } from '../PathIO'
import { codeOfReason, pathIOError, type PathIOError, type Reason } from '../PathIOError'
import {
  checkCwdOption,
  checkData,
  checkMax,
  checkMkdirOptions,
  checkMode,
  checkOffset,
  checkSize,
  checkWhence,
  joinChild,
  resolvePath,
  seekTarget
} from '../internal/arguments'
import { applyContext, checkContext } from '../internal/context'
import { syncTask } from '../internal/task'
import { markNormalised } from '../internal/normalised'
import { lookup, readable, register, release, writable } from '../internal/handles'
import { readAt, releaseContent, trimContent, writeAt } from './memory/content'
import { addChild, newDir, newFile, removeChild, statOf, type DirInode, type FileInode, type Inode } from './memory/inode'
import { checkMaxTotalSize, isMemoryTree, locate, makeMemoryTree, type MemoryTree, type OpenFile, type OpenListing } from './memory/tree'

export { makeMemoryTree, type MemoryTree, type MemoryTreeOptions } from './memory/tree'

/**
 * Options of `makeMemoryPathIO`: the factory context plus `cwd`, `maxFileSize`
 * and `maxTotalSize`.
 *
 * @category model
 * @since 0.1.0
 */
export interface MemoryOptions extends FactoryContext<MemoryTree> {
  /** Absolute path that relative paths resolve against (default `/`). */
  readonly cwd?: string
  /**
   * The largest file, in bytes (default and most: `buffer.constants.MAX_LENGTH`, the
   * largest Buffer). A write that would go past it is `NoSpace` (`EFBIG`), as on a disk.
   */
  readonly maxFileSize?: number
  /**
   * The most bytes the files of a new tree may hold together, as
   * `makeMemoryTree`'s option (default: no limit). Given with a `state`, it
   * must be that tree's own limit.
   */
  readonly maxTotalSize?: number
}

/** Errors carry the errno code the kernel gives for the same situation, so memory errors read like disk ones. */
const fail = (reason: Reason, op: string, path?: unknown, detail?: string, code = codeOfReason(reason)): E.Either<PathIOError, never> =>
  E.left(pathIOError(reason, op, { path, code, ...(detail === undefined ? {} : { detail }) }))

const checkMaxFileSize = (max: unknown): number => {
  if (max === undefined) return constants.MAX_LENGTH
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0 || max > constants.MAX_LENGTH)
    throw new TypeError(
      `makeMemoryPathIO: option 'maxFileSize' must be an integer from 0 to ${constants.MAX_LENGTH}, got ${String(max)}`
    )
  return max
}

/** What a closed listing iterates: nothing (and it lets go of the directory's map). */
const FINISHED: Iterator<[string, Inode]> = new Map<string, Inode>().entries()

/**
 * An in-memory `PathIO`. Its `state` is the tree: pass it as `state` (or use
 * `withSharedState`) to give several records the same files. Files are
 * sparse (a hole holds no memory) and `maxTotalSize` bounds what all the
 * tree's files hold together (see docs/memory.md).
 *
 * @example
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const io = makeMemoryPathIO({ cwd: '/home', maxTotalSize: 2 ** 20 })
 * const program = pipe(
 *   io.mkdir('/home'),
 *   TE.chain(() => writeFile(io, 'notes.txt', Buffer.from('hi'))), // resolves to /home/notes.txt
 *   TE.chain(() => io.list('/home'))
 * )
 * assert.deepStrictEqual(await program(), E.right(['/home/notes.txt']))
 * assert.strictEqual(io.state.budget.held, 2) // bytes the tree's files hold
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryPathIO = (options?: MemoryOptions): PathIO<MemoryTree> => {
  const context = checkContext<MemoryTree>(options, 'makeMemoryPathIO')
  const given = options?.cwd
  const cwd = checkCwdOption(given === undefined ? '/' : given, 'makeMemoryPathIO')
  const maxFileSize = checkMaxFileSize(options?.maxFileSize)
  if (context.state !== undefined && !isMemoryTree(context.state))
    throw new TypeError("makeMemoryPathIO: option 'state' must be a MemoryTree (the state of another memory record)")
  const maxTotalSize = options?.maxTotalSize
  if (context.state !== undefined && maxTotalSize !== undefined && checkMaxTotalSize(maxTotalSize, 'makeMemoryPathIO') !== context.state.budget.max)
    throw new TypeError("makeMemoryPathIO: option 'maxTotalSize' differs from the limit of the tree given as 'state'")
  const tree = context.state ?? makeMemoryTree({ maxTotalSize })
  const { budget } = tree

  /** A file lost its last name: its bytes go back once no handle holds it either. */
  const unlinked = (file: FileInode, now: number): void => {
    file.nlink = 0
    file.ctimeMs = now
    if (file.opened === 0) releaseContent(file, budget)
  }

  const resolve = (op: string, path: unknown) => resolvePath(op, cwd, path)

  /** The inode at `path`, or why there is none. */
  const existing = (op: string, path: unknown, resolved: string): E.Either<PathIOError, Inode> => {
    const where = locate(tree, resolved)
    return where.at === 'inode'
      ? E.right(where.inode)
      : fail(where.at === 'parent' ? 'NotFound' : where.reason, op, path)
  }

  const kindTest = (op: string, test: (inode: Inode) => boolean) => (path: string) =>
    syncTask(op, path, () => {
      const resolved = resolve(op, path)
      if (E.isLeft(resolved)) return resolved
      const where = locate(tree, resolved.right)
      return E.right(where.at === 'inode' && test(where.inode))
    })

  const mkdirOne = (op: string, path: unknown, resolved: string, existOk: boolean): E.Either<PathIOError, void> => {
    const where = locate(tree, resolved)
    if (where.at === 'nowhere') return fail(where.reason, op, path)
    if (where.at === 'inode')
      return where.inode.kind === 'dir' && existOk ? E.right(undefined) : fail('AlreadyExists', op, path)
    const now = Date.now()
    addChild(where.parent, where.name, newDir(now), now)
    return E.right(undefined)
  }

  /** `mkdir -p`: walk from the root creating what is missing; a file on the way is `NotADirectory`. */
  const mkdirParents = (path: unknown, resolved: string, existOk: boolean): E.Either<PathIOError, void> => {
    if (resolved === '/') return existOk ? E.right(undefined) : fail('AlreadyExists', 'mkdir', path)
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
        return fail(last ? 'AlreadyExists' : 'NotADirectory', 'mkdir', path)
      } else if (last) {
        return existOk ? E.right(undefined) : fail('AlreadyExists', 'mkdir', path)
      } else {
        dir = child
      }
    }
    return E.right(undefined)
  }

  const removeEntry = (op: 'rmdir' | 'unlink', path: unknown, resolved: string): E.Either<PathIOError, void> => {
    const where = locate(tree, resolved)
    if (where.at !== 'inode') return fail(where.at === 'parent' ? 'NotFound' : where.reason, op, path)
    const { inode, parent, name } = where
    if (op === 'unlink' && inode.kind === 'dir') return fail('IsADirectory', op, path)
    if (op === 'rmdir' && inode.kind === 'file') return fail('NotADirectory', op, path)
    if (parent === undefined) return fail('Busy', op, path, 'cannot remove the root')
    if (inode.kind === 'dir' && inode.children.size > 0) return fail('NotEmpty', op, path)
    const now = Date.now()
    removeChild(parent, name, inode, now)
    if (inode.kind === 'file') unlinked(inode, now)
    return E.right(undefined)
  }

  /** `rename(2)`: the checks in the kernel's order, then one unlink of the destination and one move. */
  const renameEntry = (
    source: unknown,
    destination: unknown,
    from: string,
    to: string
  ): E.Either<PathIOError, void> => {
    const src = locate(tree, from)
    if (src.at !== 'inode') return fail(src.at === 'parent' ? 'NotFound' : src.reason, 'rename', source)
    const dst = locate(tree, to)
    if (dst.at === 'nowhere') return fail(dst.reason, 'rename', destination)
    if (src.parent === undefined || (dst.at === 'inode' && dst.parent === undefined))
      return fail('Busy', 'rename', source, 'cannot rename the root')
    const moving = src.inode
    if (dst.at === 'inode' && dst.inode === moving) return E.right(undefined)
    if (moving.kind === 'dir' && to.startsWith(`${from}/`))
      return fail('InvalidArgument', 'rename', source, 'cannot move a directory into itself')
    const now = Date.now()
    if (dst.at === 'inode') {
      const replaced = dst.inode
      if (moving.kind === 'file' && replaced.kind === 'dir') return fail('IsADirectory', 'rename', destination)
      if (moving.kind === 'dir' && replaced.kind === 'file') return fail('NotADirectory', 'rename', destination)
      if (replaced.kind === 'dir' && replaced.children.size > 0) return fail('NotEmpty', 'rename', destination)
      removeChild(dst.parent as DirInode, dst.name, replaced, now)
      if (replaced.kind === 'file') unlinked(replaced, now)
    }
    removeChild(src.parent, src.name, moving, now)
    addChild(dst.parent as DirInode, dst.name, moving, now)
    moving.ctimeMs = now
    return E.right(undefined)
  }

  const openInode = (path: unknown, resolved: string, mode: OpenFile['mode']): E.Either<PathIOError, FileInode> => {
    const where = locate(tree, resolved)
    if (where.at === 'nowhere') return fail(where.reason, 'open', path)
    if (where.at === 'inode') {
      if (where.inode.kind === 'dir') return fail('IsADirectory', 'open', path)
      if (mode === 'wb') {
        // Readers see the truncation; the bytes go back to the budget at once.
        releaseContent(where.inode, budget)
        where.inode.mtimeMs = where.inode.ctimeMs = Date.now()
      }
      return E.right(where.inode)
    }
    if (mode === 'rb' || mode === 'r+b') return fail('NotFound', 'open', path)
    const now = Date.now()
    const made = newFile(now)
    addChild(where.parent, where.name, made, now)
    return E.right(made)
  }

  const directory = (op: 'list' | 'scan' | 'opendir', path: unknown): E.Either<PathIOError, DirInode> => {
    const resolved = resolve(op, path)
    if (E.isLeft(resolved)) return resolved
    const inode = existing(op, path, resolved.right)
    if (E.isLeft(inode)) return inode
    return inode.right.kind === 'dir' ? E.right(inode.right) : fail('NotADirectory', op, path)
  }

  /** An open handle whose mode allows `op`. */
  const usable = (op: 'read' | 'write', file: unknown): E.Either<PathIOError, OpenFile> => {
    const open = lookup(tree.handles, op, file)
    return E.isLeft(open) ? open : op === 'read' ? readable(open.right) : writable(open.right)
  }

  /** The next `max` children of a listing, each as `scan` gives it. */
  const nextPage = (listing: OpenListing, max: number): Array<Entry> => {
    const page: Array<Entry> = []
    while (page.length < max) {
      const next = listing.children.next()
      if (next.done === true) break
      const [name, inode] = next.value
      page.push({ path: joinChild(listing.path, name), name, stat: statOf(inode) })
    }
    return page
  }

  // The operations are straight-line code with early returns: they are the hot path of every server.
  const pathio: PathIO<MemoryTree> = {
    state: tree,
    exists: kindTest('exists', () => true),
    isDir: kindTest('isDir', (inode) => inode.kind === 'dir'),
    isFile: kindTest('isFile', (inode) => inode.kind === 'file'),
    stat: (path) =>
      syncTask('stat', path, () => {
        const resolved = resolve('stat', path)
        if (E.isLeft(resolved)) return resolved
        const inode = existing('stat', path, resolved.right)
        return E.isLeft(inode) ? inode : E.right(statOf(inode.right))
      }),
    mkdir: (path, options) =>
      syncTask('mkdir', path, () => {
        const resolved = resolve('mkdir', path)
        if (E.isLeft(resolved)) return resolved
        const flags = checkMkdirOptions(path, options)
        if (E.isLeft(flags)) return flags
        const { parents, existOk } = flags.right
        return parents
          ? mkdirParents(path, resolved.right, existOk)
          : mkdirOne('mkdir', path, resolved.right, existOk)
      }),
    rmdir: (path) =>
      syncTask('rmdir', path, () => {
        const resolved = resolve('rmdir', path)
        return E.isLeft(resolved) ? resolved : removeEntry('rmdir', path, resolved.right)
      }),
    unlink: (path) =>
      syncTask('unlink', path, () => {
        const resolved = resolve('unlink', path)
        return E.isLeft(resolved) ? resolved : removeEntry('unlink', path, resolved.right)
      }),
    rename: (source, destination) =>
      syncTask('rename', source, () => {
        const from = resolve('rename', source)
        if (E.isLeft(from)) return from
        const to = resolve('rename', destination)
        if (E.isLeft(to)) return to
        const moved = renameEntry(source, destination, from.right, to.right)
        return E.isLeft(moved) ? moved : E.right(destination)
      }),
    list: (path) =>
      syncTask('list', path, () =>
        pipe(
          directory('list', path),
          E.map((dir) => Array.from(dir.children.keys(), (name) => joinChild(path, name)))
        )
      ),
    scan: (path) =>
      syncTask('scan', path, () =>
        pipe(
          directory('scan', path),
          E.map((dir) =>
            Array.from(dir.children, ([name, inode]): Entry => ({ path: joinChild(path, name), name, stat: statOf(inode) }))
          )
        )
      ),
    open: (path, mode) =>
      syncTask('open', path, () => {
        const resolved = resolve('open', path)
        if (E.isLeft(resolved)) return resolved
        const checked = checkMode(path, mode)
        if (E.isLeft(checked)) return checked
        const inode = openInode(path, resolved.right, checked.right)
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
        if (at + length > maxFileSize) return fail('NoSpace', 'write', undefined, 'file too large', 'EFBIG')
        try {
          if (!writeAt(handle.inode, budget, at, bytes.right))
            return fail('NoSpace', 'write', undefined, `the memory tree is full (maxTotalSize ${budget.max} bytes)`, 'ENOSPC')
        } catch (thrown) {
          // The allocation itself failed: out of memory is this backend's "disk full".
          if (thrown instanceof RangeError) return fail('NoSpace', 'write', undefined, `cannot grow the file: ${thrown.message}`)
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
    opendir: (path) =>
      syncTask('opendir', path, () =>
        pipe(
          directory('opendir', path),
          E.map((dir) => register(tree.dirs, makeDirHandle(), { path, children: dir.children.entries(), closed: false }))
        )
      ),
    readdir: (dir, max) =>
      syncTask('readdir', undefined, () => {
        const listing = lookup(tree.dirs, 'readdir', dir)
        if (E.isLeft(listing)) return listing
        const most = checkMax(max)
        return E.isLeft(most) ? most : E.right(nextPage(listing.right, most.right))
      }),
    closedir: (dir) =>
      syncTask('closedir', undefined, () =>
        release(tree.dirs, 'closedir', dir, (listing) => {
          listing.children = FINISHED
          return E.right(undefined)
        })
      )
  }
  return applyContext(markNormalised(pathio), context)
}
