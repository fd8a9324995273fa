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
import type { Entry, OpenMode, Stat } from '../../PathIO'
import { errnoCode, pathIOError, toPathIOError, type PathIOError } from '../../PathIOError'
import {
  checkMkdirOptions,
  checkMode,
  checkPermissionBits,
  checkTime,
  joinChild,
  resolvePath
} from '../../internal/arguments'
import { pipe } from 'fp-ts/function'
import {
  asPathUnderRoot,
  isOutside,
  linkStatInside,
  notALink,
  onEntry,
  OPEN_DIRECTORY,
  throughDescriptor
} from './confined'

/**
 * A path as the caller gave it (for errors) and as resolved (for the disk);
 * with `root`, a jailed path: the operation never acts outside that real
 * directory, whatever symbolic links lead there (see `./confined`).
 */
export interface Target {
  readonly path: string
  readonly resolved: string
  readonly root?: string
}

/** The target of a path given to a disk record with this `cwd` (and jail `root`): resolved lexically and checked, or why not. */
export const targetIn =
  (cwd: string, root?: string) =>
  (op: string, path: unknown): E.Either<PathIOError, Target> => {
    const resolved = resolvePath(op, cwd, path)
    if (E.isLeft(resolved)) return resolved
    return E.right(
      root === undefined
        ? { path: path as string, resolved: resolved.right }
        : { path: path as string, resolved: resolved.right, root }
    )
  }

/** Where a disk backend resolves a caller's path (`targetIn` of its cwd and root). */
export type Locate = (op: string, path: unknown) => E.Either<PathIOError, Target>

/** A `mkdir` call's arguments, checked: its target and its flags (both disk backends, before any system call). */
export const mkdirArguments = (at: Locate, path: unknown, options: unknown) =>
  pipe(E.Do, E.apS('target', at('mkdir', path)), E.apS('flags', checkMkdirOptions(path, options)))

/** A `rename` call's arguments, checked: its two targets. */
export const renameArguments = (at: Locate, source: unknown, destination: unknown) =>
  pipe(E.Do, E.apS('from', at('rename', source)), E.apS('to', at('rename', destination)))

/** An `open` call's arguments, checked: its target and its mode. */
export const openArguments = (at: Locate, path: unknown, mode: unknown) =>
  pipe(E.Do, E.apS('target', at('open', path)), E.apS('mode', checkMode(path, mode)))

/**
 * Runs a system call on the path a target names. Plain, on the path itself;
 * jailed, on the entry inside its pinned parent, where `call` must not follow
 * a link at the end: with `follow`, one there is followed by hand.
 */
const onTarget = <A>(target: Target, follow: boolean, call: (path: string) => A): A =>
  target.root === undefined ? call(target.resolved) : onEntry(target.root, target.resolved, follow, call)

/** The target's stat, following links (in a jail, only while they stay inside). */
const statFollowing = (target: Target): fs.Stats =>
  target.root === undefined
    ? fs.statSync(target.resolved)
    : onEntry(target.root, target.resolved, true, (entry) => notALink(fs.lstatSync(entry)))

/** A path that leads out of the jail, as the operation reports it. */
const outside = (op: string, path: string | undefined, which = ''): PathIOError =>
  pathIOError('PermissionDenied', op, {
    path,
    code: 'EACCES',
    detail: `${which}leads outside the root through a symbolic link`
  })

/** Runs `body`; anything it throws (an errno error, a `PathIOError`) becomes a `Left`. */
const attempt = <A>(op: string, path: string | undefined, body: () => A): E.Either<PathIOError, A> => {
  try {
    return E.right(body())
  } catch (thrown) {
    return E.left(isOutside(thrown) ? outside(op, path) : toPathIOError(op, path)(thrown))
  }
}

/** The stat, or `undefined` when nothing is there (missing, or a file on the way). */
const statIfAny = (target: Target): fs.Stats | undefined => {
  try {
    return statFollowing(target)
  } catch (thrown) {
    const code = errnoCode(thrown)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw thrown
  }
}

const isDirectory = (target: Target): boolean => statIfAny(target)?.isDirectory() === true

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
    const s = statIfAny(target)
    return s !== undefined && (op === 'exists' || (op === 'isDir' ? s.isDirectory() : s.isFile()))
  })

export const stat = (target: Target): E.Either<PathIOError, Stat> =>
  attempt('stat', target.path, () => toStat(statFollowing(target)))

/** `mkdir` of a path whose parent must exist; an existing directory is fine when `existOk`. */
const makeOne = (target: Target, existOk: boolean): 'made' | 'missing parent' => {
  try {
    onTarget(target, false, (path) => fs.mkdirSync(path))
    return 'made'
  } catch (thrown) {
    const code = errnoCode(thrown)
    if (code === 'ENOENT') return 'missing parent'
    // An existing file is `AlreadyExists` even with `existOk`.
    if (code === 'EEXIST' && existOk && isDirectory(target)) return 'made'
    throw thrown
  }
}

/** Makes an ancestor: it may exist as a directory; as anything else it is `NotADirectory`. */
const makeAncestor = (ancestor: Target): 'made' | 'missing parent' => {
  try {
    return makeOne(ancestor, true)
  } catch (thrown) {
    if (errnoCode(thrown) === 'EEXIST')
      throw pathIOError('NotADirectory', 'mkdir', { path: ancestor.path, code: 'ENOTDIR' })
    throw thrown
  }
}

const notFound = (given: string): PathIOError => pathIOError('NotFound', 'mkdir', { path: given, code: 'ENOENT' })

/** `mkdir -p` of the ancestors, from the nearest existing one down (errors name the path as given). */
const ensureAncestor = (ancestor: Target): void => {
  if (makeAncestor(ancestor) === 'made') return
  ensureAncestor({ ...ancestor, resolved: posix.dirname(ancestor.resolved) })
  // Missing again: removed meanwhile by someone else.
  if (makeAncestor(ancestor) === 'missing parent') throw notFound(ancestor.path)
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
    ensureAncestor({ ...target, resolved: posix.dirname(target.resolved) })
    if (makeOne(target, existOk) === 'missing parent') throw notFound(target.path)
  })

/** Linux's `rmdir(2)` already answers as the contract asks: a file is `ENOTDIR`, `/` is `EBUSY`. */
export const rmdir = (target: Target): E.Either<PathIOError, void> =>
  attempt('rmdir', target.path, () => onTarget(target, false, (path) => fs.rmdirSync(path)))

/** Linux's `unlink(2)` of a directory is `EISDIR`, as the contract asks. */
export const unlink = (target: Target): E.Either<PathIOError, void> =>
  attempt('unlink', target.path, () => onTarget(target, false, (path) => fs.unlinkSync(path)))

/**
 * Linux's `O_PATH` (Node does not export it): a descriptor that only pins
 * what a path names, opened without read or write permission on it.
 */
const O_PATH = 0o10000000

/**
 * Runs `act` on what a jailed target names, following a final link by hand
 * while it stays inside the root: the entry is pinned by an `O_PATH`
 * descriptor opened without following a link, and `act` gets it as
 * `/proc/self/fd/N`, which the kernel resolves to that very inode. A link
 * swapped in after the check changes nothing.
 */
const onPinnedEntry = <A>(root: string, resolved: string, act: (pinned: string, stats: fs.Stats) => A): A =>
  onEntry(root, resolved, true, (entry) => {
    const fd = fs.openSync(entry, O_PATH | fs.constants.O_NOFOLLOW)
    try {
      return act(throughDescriptor(fd), notALink(fs.fstatSync(fd)))
    } finally {
      fs.closeSync(fd)
    }
  })

/**
 * `utimes(2)`, which follows a final link (in a jail: only while it stays
 * inside), keeping the access time. libuv sets times to the microsecond,
 * truncating; half a microsecond more makes `stat` give back the very
 * millisecond asked for.
 */
export const utimes = (target: Target, mtimeMs: number): E.Either<PathIOError, void> =>
  attempt('utimes', target.path, () => {
    const set = (path: string, atimeMs: number): void => fs.utimesSync(path, atimeMs / 1000, (mtimeMs + 0.0005) / 1000)
    if (target.root === undefined) return set(target.resolved, fs.statSync(target.resolved).atimeMs)
    onPinnedEntry(target.root, target.resolved, (pinned, stats) => set(pinned, stats.atimeMs))
  })

/** `chmod(2)`, which follows a final link (in a jail: only while it stays inside). */
export const chmod = (target: Target, mode: number): E.Either<PathIOError, void> =>
  attempt('chmod', target.path, () =>
    target.root === undefined
      ? fs.chmodSync(target.resolved, mode)
      : onPinnedEntry(target.root, target.resolved, (pinned) => fs.chmodSync(pinned, mode))
  )

/** What `readlink` of a descriptor says of a file removed since it was opened. */
const DELETED = ' (deleted)'

/**
 * `realpath(3)`: the path with every link resolved, which must exist. In a
 * jail, links are followed by hand while they stay inside (one that leads
 * out is refused); the entry met at the end is pinned by an `O_PATH`
 * descriptor, and the kernel says where it really is (`readlink` of it),
 * written under the root as given (see `asPathUnderRoot`). A file removed
 * meanwhile is `NotFound`, as it would have been a moment later.
 */
export const realpath = (target: Target): E.Either<PathIOError, string> =>
  attempt('realpath', target.path, () => {
    const { root } = target
    // realpath(3) itself (libuv's), as the kernel resolves: ELOOP, ENOENT, ENOTDIR, EACCES as it meets them.
    if (root === undefined) return fs.realpathSync.native(target.resolved)
    return asPathUnderRoot(
      root,
      onPinnedEntry(root, target.resolved, (pinned) => {
        const location = fs.readlinkSync(pinned)
        if (location.endsWith(DELETED) && fs.statSync(pinned).nlink === 0)
          throw Object.assign(new Error(`ENOENT: no such file or directory, realpath '${target.path}'`), {
            code: 'ENOENT'
          })
        return location
      })
    )
  })

/** Codes of `rename(2)` that are about the destination (the source was there a moment before). */
const DESTINATION_CODES: ReadonlySet<unknown> = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EEXIST'])

/**
 * `rename(2)`: the kernel makes every check the contract lists (a directory
 * into its own subtree is `EINVAL`, onto a non-empty one `ENOTEMPTY`, ...).
 * A first `lstat` of the source tells which path an error is about.
 */
const renameOnDisk = (source: Target, destination: Target): E.Either<PathIOError, void> =>
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

/**
 * `rename(2)`, which follows no link at either end. In a jail, both parents
 * are pinned inside the root first, and the rename acts on the names inside
 * them.
 */
export const rename = (source: Target, destination: Target): E.Either<PathIOError, void> => {
  const { root } = source
  if (root === undefined || destination.root === undefined) return renameOnDisk(source, destination)
  return E.flatten(
    attempt('rename', source.path, () =>
      onEntry(root, source.resolved, false, (from) => {
        try {
          return onEntry(destination.root ?? root, destination.resolved, false, (to) =>
            renameOnDisk({ path: source.path, resolved: from }, { path: destination.path, resolved: to })
          )
        } catch (thrown) {
          // Pinning the destination's parent failed: the error is about the destination.
          return E.left(
            isOutside(thrown)
              ? outside('rename', destination.path, 'destination ')
              : toPathIOError('rename', destination.path)(thrown)
          )
        }
      })
    )
  )
}

/** Runs `body` on a directory open by descriptor (jailed: inside the root), then closes it. */
const inDirectory = <A>(target: Target, body: (dir: string) => A): A =>
  target.root === undefined
    ? body(target.resolved)
    : onEntry(target.root, target.resolved, true, (entry) => {
        const fd = fs.openSync(entry, OPEN_DIRECTORY)
        try {
          return body(throughDescriptor(fd))
        } finally {
          fs.closeSync(fd)
        }
      })

/** The names in a directory (`list` joins them with the path as given). */
export const readNames = (op: 'list' | 'scan', target: Target): E.Either<PathIOError, Array<string>> =>
  attempt(op, target.path, () => inDirectory(target, (dir) => fs.readdirSync(dir)))

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

/** An entry's own `lstat`, or `undefined` when it vanished. */
const lstatIfAny = (path: string): fs.Stats | undefined => {
  try {
    return fs.lstatSync(path)
  } catch (thrown) {
    const code = errnoCode(thrown)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw thrown
  }
}

/**
 * A child's stat, following a symbolic link; a dangling link gives its own
 * `lstat`; vanished gives `undefined`. In a jail, a link whose target is
 * outside the root also gives its own `lstat`: a listing shows nothing of
 * the outside.
 */
const childStat = (target: Target, dir: string, name: string): fs.Stats | undefined => {
  const path = `${dir === '/' ? '' : dir}/${name}`
  if (target.root === undefined) return statIfAny({ path, resolved: path }) ?? lstatIfAny(path)
  const own = lstatIfAny(path)
  if (own === undefined || !own.isSymbolicLink()) return own
  return linkStatInside(target.root, `${target.resolved === '/' ? '' : target.resolved}/${name}`, own)
}

/** Writes a child's stat into `scan`'s columns at `index`. */
const putStat = (stats: Float64Array, index: number, s: fs.Stats): void => {
  const at = index * STAT_FIELDS
  stats[at] = s.size
  stats[at + 1] = s.mtimeMs
  stats[at + 2] = s.ctimeMs
  stats[at + 3] = s.nlink
  stats[at + 4] = s.mode
}

/** `readdir` and a stat per child, in one go; a child removed in between is left out. */
export const scan = (target: Target): E.Either<PathIOError, ScanColumns> =>
  attempt('scan', target.path, () =>
    inDirectory(target, (dir) => {
      const found = fs.readdirSync(dir)
      const names: Array<string> = []
      const stats = new Float64Array(found.length * STAT_FIELDS)
      for (const name of found) {
        const s = childStat(target, dir, name)
        if (s === undefined) continue
        putStat(stats, names.length, s)
        names.push(name)
      }
      return { names, stats: names.length === found.length ? stats : stats.slice(0, names.length * STAT_FIELDS) }
    })
  )

/** An open listing on disk: the kernel's directory stream, and where its children are. */
export interface DiskListing {
  readonly dir: fs.Dir
  /** What the children's stats are taken under: the directory's path, or (jailed) its pinned descriptor's. */
  readonly base: string
  readonly target: Target
  /** Jailed: the descriptor that pins the directory inside the root, for the listing's life. */
  readonly pinned?: number
}

/** Entries the kernel hands over per `getdents` call of a listing (Node's default is 32). */
const LISTING_BUFFER = 256

/**
 * `opendir(3)`: a stream over the directory; a missing one is `NotFound`, a
 * file `NotADirectory`. Jailed, the directory is first pinned by a
 * descriptor inside the root, as `scan` does, and stays pinned until the
 * listing ends.
 */
export const opendir = (target: Target): E.Either<PathIOError, DiskListing> =>
  attempt('opendir', target.path, () => {
    if (target.root === undefined)
      return { dir: fs.opendirSync(target.resolved, { bufferSize: LISTING_BUFFER }), base: target.resolved, target }
    return onEntry(target.root, target.resolved, true, (entry) => {
      const pinned = fs.openSync(entry, OPEN_DIRECTORY)
      try {
        const base = throughDescriptor(pinned)
        return { dir: fs.opendirSync(base, { bufferSize: LISTING_BUFFER }), base, target, pinned }
      } catch (thrown) {
        fs.closeSync(pinned)
        throw thrown
      }
    })
  })

/**
 * The next `max` children of a listing with their stats, in `scan`'s
 * columns. A child removed before its stat is left out, and the page is
 * filled from the next ones: fewer than `max` means the directory has ended.
 */
export const readPage = (listing: DiskListing, max: number): E.Either<PathIOError, ScanColumns> =>
  attempt('readdir', undefined, () => {
    const names: Array<string> = []
    let stats = new Float64Array(Math.min(max, 1024) * STAT_FIELDS)
    while (names.length < max) {
      const dirent = listing.dir.readSync()
      if (dirent === null) break
      const s = childStat(listing.target, listing.base, dirent.name)
      if (s === undefined) continue
      if (names.length * STAT_FIELDS === stats.length) {
        const grown = new Float64Array(stats.length * 2)
        grown.set(stats)
        stats = grown
      }
      putStat(stats, names.length, s)
      names.push(dirent.name)
    }
    return {
      names,
      stats: stats.length === names.length * STAT_FIELDS ? stats : stats.slice(0, names.length * STAT_FIELDS)
    }
  })

/** Ends a listing (`closedir(3)`, and the jail's pinning descriptor). */
export const closeListing = (listing: DiskListing): E.Either<PathIOError, void> =>
  attempt('closedir', undefined, () => {
    try {
      listing.dir.closeSync()
    } finally {
      if (listing.pinned !== undefined) fs.closeSync(listing.pinned)
    }
  })

/** `scan`'s or a page's columns as entries whose paths join `path` (as given) with each name. */
export const entriesOf = (path: string, { names, stats }: ScanColumns): Array<Entry> =>
  names.map((name, i): Entry => ({ path: joinChild(path, name), name, stat: statAt(stats, i) }))

/** `list`'s and `scan`'s paths: the directory as given joined with each name. */
export { joinChild } from '../../internal/arguments'

/** Turns `scan`'s columns back into one `Stat` per child. */
export const statAt = (stats: Float64Array, index: number): Stat => {
  const at = index * STAT_FIELDS
  return { size: stats[at], mtimeMs: stats[at + 1], ctimeMs: stats[at + 2], nlink: stats[at + 3], mode: stats[at + 4] }
}

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_NOFOLLOW } = fs.constants

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

/**
 * `open(2)`; Linux opens a directory read-only without complaint, so `rb`
 * checks with `fstat`. In a jail the open happens inside the pinned parent
 * with `O_NOFOLLOW`: nothing outside is ever created, truncated or opened.
 */
export const open = (target: Target, mode: OpenMode): E.Either<PathIOError, Opened> =>
  attempt('open', target.path, () => {
    const fd =
      target.root === undefined
        ? fs.openSync(target.resolved, FLAGS[mode], 0o666)
        : onEntry(target.root, target.resolved, true, (entry) => fs.openSync(entry, FLAGS[mode] | O_NOFOLLOW, 0o666))
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
  while (written < length)
    written += fs.writeSync(fd, data, written, length - written, append ? null : position + written)
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

/** `ftruncate(2)`: the file's new size; no position moves. */
export const truncate = (fd: number, size: number): E.Either<PathIOError, void> =>
  attempt('truncate', undefined, () => fs.ftruncateSync(fd, size))

/** A `utimes` call's arguments, checked: its target and its time. */
export const utimesArguments = (at: Locate, path: unknown, mtimeMs: unknown) =>
  pipe(E.Do, E.apS('target', at('utimes', path)), E.apS('time', checkTime('utimes', path, mtimeMs)))

/** A `chmod` call's arguments, checked: its target and its permission bits. */
export const chmodArguments = (at: Locate, path: unknown, mode: unknown) =>
  pipe(E.Do, E.apS('target', at('chmod', path)), E.apS('bits', checkPermissionBits('chmod', path, mode)))
