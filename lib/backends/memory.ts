/**
 * `makeMemoryPathIO`: an in-memory tree, built for scale (a `Map` per
 * directory, inodes apart from names, amortised buffer growth).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import { makeFileHandle, type Entry, type FactoryContext, type FileHandle, type PathIO } from '../PathIO'
import { pathIOError, toPathIOError, type PathIOError, type Reason } from '../PathIOError'
import {
  checkCwdOption,
  checkData,
  checkMkdirOptions,
  checkMode,
  checkOffset,
  checkSize,
  checkWhence,
  resolvePath,
  seekTarget
} from '../internal/arguments'
import { applyContext, checkContext } from '../internal/context'
import {
  addChild,
  newDir,
  newFile,
  readAt,
  removeChild,
  statOf,
  truncate,
  writeAt,
  type DirInode,
  type FileInode,
  type Inode
} from './memory/inode'
import { isMemoryTree, locate, makeMemoryTree, type MemoryTree, type OpenFile } from './memory/tree'

export { makeMemoryTree, type MemoryTree } from './memory/tree'

/**
 * Options of `makeMemoryPathIO`: the factory context plus `cwd`.
 *
 * @category model
 * @since 0.1.0
 */
export interface MemoryOptions extends FactoryContext<MemoryTree> {
  /** Absolute path that relative paths resolve against (default `/`). */
  readonly cwd?: string
}

/** The errno code the kernel gives for the same situation, so memory errors read like disk ones. */
const CODES: Partial<Record<Reason, string>> = {
  NotFound: 'ENOENT',
  AlreadyExists: 'EEXIST',
  NotADirectory: 'ENOTDIR',
  IsADirectory: 'EISDIR',
  NotEmpty: 'ENOTEMPTY',
  InvalidArgument: 'EINVAL',
  BadHandle: 'EBADF',
  Busy: 'EBUSY'
}

const fail = (reason: Reason, op: string, path?: unknown, detail?: string): E.Either<PathIOError, never> =>
  E.left(pathIOError(reason, op, { path, code: CODES[reason], ...(detail === undefined ? {} : { detail }) }))

/** Runs `body` when the task runs; anything it throws becomes a `Left`, never a rejection. */
const task =
  <A>(op: string, path: unknown, body: () => E.Either<PathIOError, A>): TaskEither<PathIOError, A> =>
  () => {
    try {
      return Promise.resolve(body())
    } catch (thrown) {
      return Promise.resolve(E.left(toPathIOError(op, path)(thrown)))
    }
  }

const joinChild = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`)

/**
 * An in-memory `PathIO`. Its `state` is the tree: pass it as `state` (or use
 * `withSharedState`) to give several records the same files.
 *
 * @example
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * const io = makeMemoryPathIO({ cwd: '/home' })
 * const program = pipe(
 *   io.mkdir('/home', { parents: true }),
 *   TE.chain(() => io.open('notes.txt', 'wb')), // resolves to /home/notes.txt
 *   TE.chain((h) => pipe(io.write(h, Buffer.from('hi')), TE.chain(() => io.close(h))))
 * )
 * // await program() -> right(undefined)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryPathIO = (options?: MemoryOptions): PathIO<MemoryTree> => {
  const context = checkContext<MemoryTree>(options, 'makeMemoryPathIO')
  const cwd = checkCwdOption((options ?? {}).cwd ?? '/', 'makeMemoryPathIO')
  if (context.state !== undefined && !isMemoryTree(context.state))
    throw new TypeError("makeMemoryPathIO: option 'state' must be a MemoryTree (the state of another memory record)")
  const tree = context.state ?? makeMemoryTree()

  const resolve = (op: string, path: unknown) => resolvePath(op, cwd, path)

  /** The inode at `path`, or why there is none. */
  const existing = (op: string, path: unknown, resolved: string): E.Either<PathIOError, Inode> => {
    const where = locate(tree, resolved)
    return where.at === 'inode'
      ? E.right(where.inode)
      : fail(where.at === 'parent' ? 'NotFound' : where.reason, op, path)
  }

  const answer = (op: string, test: (inode: Inode) => boolean) => (path: string) =>
    task(op, path, () =>
      pipe(
        resolve(op, path),
        E.map((resolved) => {
          const where = locate(tree, resolved)
          return where.at === 'inode' && test(where.inode)
        })
      )
    )

  const openFile = (op: string, file: unknown): E.Either<PathIOError, OpenFile> => {
    const open = typeof file === 'object' && file !== null ? tree.handles.get(file as FileHandle) : undefined
    return open
      ? E.right(open)
      : fail('BadHandle', op, undefined, open === null ? 'the handle is closed' : 'not a handle of this tree')
  }

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
    if (inode.kind === 'file') {
      inode.nlink = 0
      inode.ctimeMs = now
    }
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
      if (replaced.kind === 'file') {
        replaced.nlink = 0
        replaced.ctimeMs = now
      }
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
      if (mode === 'wb') truncate(where.inode, Date.now())
      return E.right(where.inode)
    }
    if (mode === 'rb' || mode === 'r+b') return fail('NotFound', 'open', path)
    const now = Date.now()
    const made = newFile(now)
    addChild(where.parent, where.name, made, now)
    return E.right(made)
  }

  const directory = (op: 'list' | 'scan', path: string) => (resolved: string): E.Either<PathIOError, DirInode> =>
    pipe(
      existing(op, path, resolved),
      E.chain((inode) => (inode.kind === 'dir' ? E.right(inode) : fail('NotADirectory', op, path)))
    )

  const pathio: PathIO<MemoryTree> = {
    state: tree,
    exists: answer('exists', () => true),
    isDir: answer('isDir', (inode) => inode.kind === 'dir'),
    isFile: answer('isFile', (inode) => inode.kind === 'file'),
    stat: (path) =>
      task('stat', path, () =>
        pipe(
          resolve('stat', path),
          E.chain((resolved) => existing('stat', path, resolved)),
          E.map(statOf)
        )
      ),
    mkdir: (path, options) =>
      task('mkdir', path, () =>
        pipe(
          E.Do,
          E.apS('resolved', resolve('mkdir', path)),
          E.apS('flags', checkMkdirOptions(path, options)),
          E.chain(({ resolved, flags }) =>
            flags.parents
              ? mkdirParents(path, resolved, flags.existOk)
              : mkdirOne('mkdir', path, resolved, flags.existOk)
          )
        )
      ),
    rmdir: (path) =>
      task('rmdir', path, () => pipe(resolve('rmdir', path), E.chain((resolved) => removeEntry('rmdir', path, resolved)))),
    unlink: (path) =>
      task('unlink', path, () =>
        pipe(resolve('unlink', path), E.chain((resolved) => removeEntry('unlink', path, resolved)))
      ),
    rename: (source, destination) =>
      task('rename', source, () =>
        pipe(
          E.Do,
          E.apS('from', resolve('rename', source)),
          E.apS('to', resolve('rename', destination)),
          E.chain(({ from, to }) => renameEntry(source, destination, from, to)),
          E.map(() => destination)
        )
      ),
    list: (path) =>
      task('list', path, () =>
        pipe(
          resolve('list', path),
          E.chain(directory('list', path)),
          E.map((dir) => Array.from(dir.children.keys(), (name) => joinChild(path, name)))
        )
      ),
    scan: (path) =>
      task('scan', path, () =>
        pipe(
          resolve('scan', path),
          E.chain(directory('scan', path)),
          E.map((dir) =>
            Array.from(dir.children, ([name, inode]): Entry => ({ path: joinChild(path, name), name, stat: statOf(inode) }))
          )
        )
      ),
    open: (path, mode) =>
      task('open', path, () =>
        pipe(
          E.Do,
          E.apS('resolved', resolve('open', path)),
          E.apS('mode', checkMode(path, mode)),
          E.chain(({ resolved, mode }) =>
            pipe(
              openInode(path, resolved, mode),
              E.map((inode) => {
                const handle = makeFileHandle()
                tree.handles.set(handle, { inode, mode, position: 0 })
                return handle
              })
            )
          )
        )
      ),
    read: (file, size) =>
      task('read', undefined, () =>
        pipe(
          openFile('read', file),
          E.chain((open) =>
            open.mode === 'rb' || open.mode === 'r+b'
              ? E.right(open)
              : fail('BadHandle', 'read', undefined, `the handle was opened '${open.mode}', not for reading`)
          ),
          E.bindTo('open'),
          E.apS('size', checkSize(size)),
          E.map(({ open, size }) => {
            const bytes = readAt(open.inode, open.position, size)
            open.position += bytes.length
            return bytes as Uint8Array
          })
        )
      ),
    write: (file, data) =>
      task('write', undefined, () =>
        pipe(
          openFile('write', file),
          E.chain((open) =>
            open.mode === 'rb'
              ? fail('BadHandle', 'write', undefined, "the handle was opened 'rb', not for writing")
              : E.right(open)
          ),
          E.bindTo('open'),
          E.apS('bytes', checkData(data)),
          E.map(({ open, bytes }) => {
            if (bytes.length === 0) return 0
            const at = open.mode === 'ab' ? open.inode.size : open.position
            open.position = writeAt(open.inode, at, bytes, Date.now())
            return bytes.length
          })
        )
      ),
    seek: (file, offset, whence) =>
      task('seek', undefined, () =>
        pipe(
          E.Do,
          E.apS('open', openFile('seek', file)),
          E.apS('offset', checkOffset(offset)),
          E.apS('whence', checkWhence(whence)),
          E.chain(({ open, offset, whence }) =>
            pipe(
              seekTarget(open.position, open.inode.size, offset, whence),
              E.map((target) => (open.position = target))
            )
          )
        )
      ),
    close: (file) =>
      task('close', undefined, () => {
        if (typeof file === 'object' && file !== null && tree.handles.has(file)) {
          tree.handles.set(file, null)
          return E.right(undefined)
        }
        return fail('BadHandle', 'close', undefined, 'not a handle of this tree')
      })
  }
  return applyContext(pathio, context)
}
