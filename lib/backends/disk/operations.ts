/**
 * The disk backends' operations, written once: synchronous `node:fs` calls on
 * paths already resolved and checked, each giving an `Either`. The Node
 * backend calls them on the main thread; the pool's workers call the very
 * same functions, so both backends have one semantics.
 *
 * Nothing here throws: every failure is a `PathIOError` whose `path` is the
 * path as the caller gave it.
 */
import * as fs from 'node:fs'
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import type { OpenMode, Stat } from '../../PathIO'
import { errnoCode, pathIOError, toPathIOError, type PathIOError } from '../../PathIOError'
import { resolvePath } from '../../internal/arguments'

/** A path as the caller gave it (for errors) and as resolved (for the disk). */
export interface Target {
  readonly path: string
  readonly resolved: string
}

/** The target of a path given to a disk record with this `cwd`: resolved lexically and checked, or why not. */
export const targetIn =
  (cwd: string) =>
  (op: string, path: unknown): E.Either<PathIOError, Target> => {
    const resolved = resolvePath(op, cwd, path)
    return E.isLeft(resolved) ? resolved : E.right({ path: path as string, resolved: resolved.right })
  }

/** Runs `body`; anything it throws (an errno error, a `PathIOError`) becomes a `Left`. */
const attempt = <A>(op: string, path: string | undefined, body: () => A): E.Either<PathIOError, A> => {
  try {
    return E.right(body())
  } catch (thrown) {
    return E.left(toPathIOError(op, path)(thrown))
  }
}


/** The stat, or `undefined` when nothing is there (missing, or a file on the way). */
const statIfAny = (resolved: string): fs.Stats | undefined => {
  try {
    return fs.statSync(resolved)
  } catch (thrown) {
    const code = errnoCode(thrown)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw thrown
  }
}

const isDirectory = (resolved: string): boolean => statIfAny(resolved)?.isDirectory() === true

const toStat = (s: fs.Stats): Stat => ({
  size: s.size,
  mtimeMs: s.mtimeMs,
  ctimeMs: s.ctimeMs,
  nlink: s.nlink,
  mode: s.mode
})

/** What `exists`, `isDir` and `isFile` test of an existing path. */
export type Probe = 'exists' | 'isDir' | 'isFile'

/** `false` for a missing path and for one that runs through a file; other errors (a loop, EACCES) are a `Left`. */
export const probe = (op: Probe, target: Target): E.Either<PathIOError, boolean> =>
  attempt(op, target.path, () => {
    const s = statIfAny(target.resolved)
    return s !== undefined && (op === 'exists' || (op === 'isDir' ? s.isDirectory() : s.isFile()))
  })

export const stat = (target: Target): E.Either<PathIOError, Stat> =>
  attempt('stat', target.path, () => toStat(fs.statSync(target.resolved)))

/** `mkdir` of a path whose parent must exist; an existing directory is fine when `existOk`. */
const makeOne = (target: Target, existOk: boolean): 'made' | 'missing parent' => {
  try {
    fs.mkdirSync(target.resolved)
    return 'made'
  } catch (thrown) {
    const code = errnoCode(thrown)
    if (code === 'ENOENT') return 'missing parent'
    // An existing file is `AlreadyExists` even with `existOk`.
    if (code === 'EEXIST' && existOk && isDirectory(target.resolved)) return 'made'
    throw thrown
  }
}

/** Makes an ancestor: it may exist as a directory; as anything else it is `NotADirectory`. */
const makeAncestor = (given: string, resolved: string): 'made' | 'missing parent' => {
  try {
    return makeOne({ path: given, resolved }, true)
  } catch (thrown) {
    if (errnoCode(thrown) === 'EEXIST') throw pathIOError('NotADirectory', 'mkdir', { path: given, code: 'ENOTDIR' })
    throw thrown
  }
}

const notFound = (given: string): PathIOError => pathIOError('NotFound', 'mkdir', { path: given, code: 'ENOENT' })

/** `mkdir -p` of the ancestors, from the nearest existing one down. */
const ensureAncestor = (given: string, resolved: string): void => {
  if (makeAncestor(given, resolved) === 'made') return
  ensureAncestor(given, posix.dirname(resolved))
  // Missing again: removed meanwhile by someone else.
  if (makeAncestor(given, resolved) === 'missing parent') throw notFound(given)
}

/**
 * `mkdir`, with `parents` made one at a time from the nearest existing
 * ancestor (the way `mkdir -p` does), so an existing file anywhere on the way
 * is `NotADirectory` and an existing file at the end `AlreadyExists`.
 */
export const mkdir = (target: Target, parents: boolean, existOk: boolean): E.Either<PathIOError, void> =>
  attempt('mkdir', target.path, () => {
    if (makeOne(target, existOk) === 'made') return
    if (!parents) throw notFound(target.path)
    ensureAncestor(target.path, posix.dirname(target.resolved))
    if (makeOne(target, existOk) === 'missing parent') throw notFound(target.path)
  })

/** Linux's `rmdir(2)` already answers as the contract asks: a file is `ENOTDIR`, `/` is `EBUSY`. */
export const rmdir = (target: Target): E.Either<PathIOError, void> =>
  attempt('rmdir', target.path, () => fs.rmdirSync(target.resolved))

/** Linux's `unlink(2)` of a directory is `EISDIR`, as the contract asks. */
export const unlink = (target: Target): E.Either<PathIOError, void> =>
  attempt('unlink', target.path, () => fs.unlinkSync(target.resolved))

/** Codes of `rename(2)` that are about the destination (the source was there a moment before). */
const DESTINATION_CODES: ReadonlySet<unknown> = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EEXIST'])

/**
 * `rename(2)`: the kernel makes every check the contract lists (a directory
 * into its own subtree is `EINVAL`, onto a non-empty one `ENOTEMPTY`, ...).
 * A first `lstat` of the source tells which path an error is about.
 */
export const rename = (source: Target, destination: Target): E.Either<PathIOError, void> =>
  E.chain((sourceIsDir: boolean) => {
    try {
      fs.renameSync(source.resolved, destination.resolved)
      return E.right(undefined)
    } catch (thrown) {
      const code = errnoCode(thrown)
      if (!DESTINATION_CODES.has(code)) return E.left(toPathIOError('rename', source.path)(thrown))
      // Linux says ENOTEMPTY for a file onto its own ancestor directory (`d/f` onto `d`): POSIX's EISDIR.
      if (!sourceIsDir && (code === 'ENOTEMPTY' || code === 'EEXIST'))
        return E.left(pathIOError('IsADirectory', 'rename', { path: destination.path, code: 'EISDIR', cause: thrown }))
      // Some file systems say EEXIST for "destination directory not empty".
      return E.left(
        code === 'EEXIST'
          ? pathIOError('NotEmpty', 'rename', { path: destination.path, code: 'EEXIST', cause: thrown })
          : toPathIOError('rename', destination.path)(thrown)
      )
    }
  })(attempt('rename', source.path, () => fs.lstatSync(source.resolved).isDirectory()))

/** The names in a directory (`list` joins them with the path as given). */
export const readNames = (op: 'list' | 'scan', target: Target): E.Either<PathIOError, Array<string>> =>
  attempt(op, target.path, () => fs.readdirSync(target.resolved))

/** Numbers per child in `ScanColumns.stats`: size, mtimeMs, ctimeMs, nlink, mode. */
export const STAT_FIELDS = 5

/**
 * A directory's children with their stats, in columns: the names, and the
 * stats packed in one `Float64Array` (cheap to hand over from a worker).
 */
export interface ScanColumns {
  readonly names: Array<string>
  readonly stats: Float64Array
}

/** A child's stat, following a symbolic link; a dangling link gives its own `lstat`; vanished gives `undefined`. */
const childStat = (resolved: string): fs.Stats | undefined => {
  const followed = statIfAny(resolved)
  if (followed !== undefined) return followed
  try {
    return fs.lstatSync(resolved)
  } catch (thrown) {
    const code = errnoCode(thrown)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw thrown
  }
}

/** `readdir` and a stat per child, in one go; a child removed in between is left out. */
export const scan = (target: Target): E.Either<PathIOError, ScanColumns> =>
  E.chain((found: Array<string>) =>
    attempt('scan', target.path, () => {
      const names: Array<string> = []
      const stats = new Float64Array(found.length * STAT_FIELDS)
      const base = target.resolved === '/' ? '' : target.resolved
      for (const name of found) {
        const s = childStat(`${base}/${name}`)
        if (s === undefined) continue
        const at = names.length * STAT_FIELDS
        stats[at] = s.size
        stats[at + 1] = s.mtimeMs
        stats[at + 2] = s.ctimeMs
        stats[at + 3] = s.nlink
        stats[at + 4] = s.mode
        names.push(name)
      }
      return { names, stats: names.length === found.length ? stats : stats.slice(0, names.length * STAT_FIELDS) }
    })
  )(readNames('scan', target))

/** `list`'s and `scan`'s paths: the directory as given joined with each name. */
export { joinChild } from '../../internal/arguments'

/** Turns `scan`'s columns back into one `Stat` per child. */
export const statAt = (stats: Float64Array, index: number): Stat => {
  const at = index * STAT_FIELDS
  return { size: stats[at], mtimeMs: stats[at + 1], ctimeMs: stats[at + 2], nlink: stats[at + 3], mode: stats[at + 4] }
}

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants

/** `ab` is `O_APPEND`: the kernel puts every write at the end, whatever the position. */
const FLAGS: Readonly<Record<OpenMode, number>> = {
  rb: O_RDONLY,
  wb: O_WRONLY | O_CREAT | O_TRUNC,
  ab: O_WRONLY | O_CREAT | O_APPEND,
  'r+b': O_RDWR
}

/** An open descriptor and the file's size when it was opened. */
export interface Opened {
  readonly fd: number
  readonly size: number
}

/** `open(2)`; Linux opens a directory read-only without complaint, so `rb` checks with `fstat`. */
export const open = (target: Target, mode: OpenMode): E.Either<PathIOError, Opened> =>
  attempt('open', target.path, () => {
    const fd = fs.openSync(target.resolved, FLAGS[mode], 0o666)
    try {
      const s = fs.fstatSync(fd)
      if (s.isDirectory()) throw pathIOError('IsADirectory', 'open', { path: target.path, code: 'EISDIR' })
      return { fd, size: s.size }
    } catch (thrown) {
      fs.closeSync(fd)
      throw thrown
    }
  })

/** What a read or a write needs of an open file: its descriptor, its position, the size it last saw. */
export interface Cursor {
  readonly fd: number
  readonly position: number
  /** The file size as last known: updated by `readBlock` and `writeBlock`. */
  size: number
}

/**
 * Reads up to `size` bytes (to the end when `undefined`) at the cursor's
 * position with `pread`, into a buffer sized `min(size, remaining)`: the size
 * the cursor last saw answers without a syscall while the read stays inside
 * it; past it, or to the end, an `fstat` tells. A file that shrank meanwhile
 * gives a short read, never garbage. By default the buffer owns its whole
 * `ArrayBuffer`, so a worker can transfer it; the Node backend passes a slab
 * allocator instead. Throws an errno error: the hot path of the Node backend
 * calls it as it is.
 */
export const readBlock = (
  cursor: Cursor,
  size: number | undefined,
  allocate: (length: number) => Buffer = Buffer.allocUnsafeSlow
): Buffer => {
  const { fd, position } = cursor
  let length: number
  if (size !== undefined && position + size <= cursor.size) length = size
  else {
    cursor.size = fs.fstatSync(fd).size
    const remaining = Math.max(0, cursor.size - position)
    length = size === undefined ? remaining : Math.min(size, remaining)
  }
  const buffer = allocate(length)
  let filled = 0
  while (filled < length) {
    const n = fs.readSync(fd, buffer, filled, length - filled, position + filled)
    if (n === 0) break
    filled += n
  }
  return filled === length ? buffer : buffer.subarray(0, filled)
}

/**
 * Writes all of `data` with `pwrite` at the cursor's position, straight from
 * the caller's bytes, and gives the position after it. With `append` (an
 * `O_APPEND` descriptor) the kernel writes at the end and an `fstat` tells
 * where that was. Throws an errno error, as `readBlock`.
 */
export const writeBlock = (cursor: Cursor, data: Uint8Array, append: boolean): number => {
  const { fd, position } = cursor
  const length = data.length
  let written = 0
  while (written < length) written += fs.writeSync(fd, data, written, length - written, append ? null : position + written)
  if (append) return (cursor.size = fs.fstatSync(fd).size)
  const end = position + length
  if (end > cursor.size) cursor.size = end
  return end
}

/** `readBlock` as an `Either` (for the pool's worker). */
export const readAt = (cursor: Cursor, size: number | undefined): E.Either<PathIOError, Buffer> =>
  attempt('read', undefined, () => readBlock(cursor, size))

/** `writeBlock` as an `Either`: the position after the write. */
export const writeAt = (cursor: Cursor, data: Uint8Array, append: boolean): E.Either<PathIOError, number> =>
  attempt('write', undefined, () => writeBlock(cursor, data, append))

/** The file's current size (for `seek` from the end). */
export const sizeOf = (fd: number): E.Either<PathIOError, number> =>
  attempt('seek', undefined, () => fs.fstatSync(fd).size)

export const close = (fd: number): E.Either<PathIOError, void> => attempt('close', undefined, () => fs.closeSync(fd))
