/**
 * The `PathIO` record and the types around it: handles, stats, entries, open
 * modes, middleware and factories.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { PathIOError } from './PathIOError'
import type { Capabilities } from './Capabilities'

// -------------------------------------------------------------------------------------
// open modes and seeking
// -------------------------------------------------------------------------------------

/**
 * The io-ts codec of the four open modes, for validating a mode that arrives
 * from outside (a worker message, a config file, an FTP command).
 *
 * @example
 * import { OpenMode } from 'fp-pathio'
 * import { isRight } from 'fp-ts/Either'
 * assert.ok(isRight(OpenMode.decode('ab')))
 *
 * @category codecs
 * @since 0.1.0
 */
export const OpenMode = t.keyof({ rb: null, wb: null, ab: null, 'r+b': null }, 'OpenMode')

/**
 * `rb` read an existing file; `wb` create or truncate; `ab` create, and every
 * write lands at the end; `r+b` read and write an existing file from 0.
 *
 * @category model
 * @since 0.1.0
 */
export type OpenMode = t.TypeOf<typeof OpenMode>

/**
 * `seek` from the start of the file (the default).
 *
 * @example
 * import { makeMemoryPathIO, withFile, writeFile, SEEK_SET } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * const tail = withFile(io, '/a.txt', 'rb', (h) => pipe(io.seek(h, 3, SEEK_SET), TE.chain(() => io.read(h))))
 * assert.deepStrictEqual(pipe(await tail(), E.map(String)), E.right('lo'))
 *
 * @category constants
 * @since 0.1.0
 */
export const SEEK_SET = 0
/**
 * `seek` from the handle's position.
 *
 * @example
 * import { makeMemoryPathIO, withFile, SEEK_CUR } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const io = makeMemoryPathIO()
 * const back2 = withFile(io, '/a.txt', 'wb', (h) =>
 *   pipe(io.write(h, Buffer.from('hello')), TE.chain(() => io.seek(h, -2, SEEK_CUR))))
 * assert.deepStrictEqual(await back2(), E.right(3))
 *
 * @category constants
 * @since 0.1.0
 */
export const SEEK_CUR = 1
/**
 * `seek` from the end of the file.
 *
 * @example
 * import { makeMemoryPathIO, withFile, writeFile, SEEK_END } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * const size = withFile(io, '/a.txt', 'rb', (h) => io.seek(h, 0, SEEK_END))
 * assert.deepStrictEqual(await size(), E.right(5))
 *
 * @category constants
 * @since 0.1.0
 */
export const SEEK_END = 2

/**
 * Where a `seek` offset counts from, as in `lseek(2)`.
 *
 * @category model
 * @since 0.1.0
 */
export type Whence = 0 | 1 | 2

// -------------------------------------------------------------------------------------
// stat
// -------------------------------------------------------------------------------------

/**
 * File-type mask of `Stat.mode`, and the types it selects (as in `stat(2)`).
 *
 * @example
 * import { S_IFMT, S_IFLNK } from 'fp-pathio'
 * const isLink = (mode: number) => (mode & S_IFMT) === S_IFLNK
 * assert.ok(isLink(0o120777) && !isLink(0o100644))
 *
 * @category constants
 * @since 0.1.0
 */
export const S_IFMT = 0o170000
/**
 * A regular file.
 *
 * @example
 * import { S_IFMT, S_IFREG } from 'fp-pathio'
 * assert.strictEqual((0o100644 & S_IFMT) === S_IFREG, true)
 *
 * @category constants
 * @since 0.1.0
 */
export const S_IFREG = 0o100000
/**
 * A directory.
 *
 * @example
 * import { S_IFMT, S_IFDIR } from 'fp-pathio'
 * assert.strictEqual((0o040755 & S_IFMT) === S_IFDIR, true)
 *
 * @category constants
 * @since 0.1.0
 */
export const S_IFDIR = 0o040000
/**
 * A symbolic link (only a disk `scan` shows one: a dangling link).
 *
 * @example
 * import { S_IFMT, S_IFLNK } from 'fp-pathio'
 * assert.strictEqual((0o120777 & S_IFMT) === S_IFLNK, true)
 *
 * @category constants
 * @since 0.1.0
 */
export const S_IFLNK = 0o120000

/**
 * What a server needs for LIST, MLSD, SIZE and MDTM.
 *
 * @category model
 * @since 0.1.0
 */
export interface Stat {
  readonly size: number
  /** Last content change, epoch milliseconds. */
  readonly mtimeMs: number
  /** Last status change, epoch milliseconds. */
  readonly ctimeMs: number
  readonly nlink: number
  /** File-type bits (`S_IFREG`, `S_IFDIR`, ...) or'ed with the permission bits. */
  readonly mode: number
}

/**
 * Whether a `Stat` describes a directory.
 *
 * @example
 * import { isDirectoryStat, S_IFDIR } from 'fp-pathio'
 * assert.ok(isDirectoryStat({ size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 2, mode: S_IFDIR | 0o755 }))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isDirectoryStat = (stat: Stat): boolean => (stat.mode & S_IFMT) === S_IFDIR

/**
 * Whether a `Stat` describes a regular file.
 *
 * @example
 * import { isFileStat, S_IFREG } from 'fp-pathio'
 * assert.ok(isFileStat({ size: 3, mtimeMs: 0, ctimeMs: 0, nlink: 1, mode: S_IFREG | 0o644 }))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isFileStat = (stat: Stat): boolean => (stat.mode & S_IFMT) === S_IFREG

/**
 * One child of a directory with its stat, as `scan` gives it.
 *
 * @category model
 * @since 0.1.0
 */
export interface Entry {
  /** The directory's path as given to `scan`, joined with `name`. */
  readonly path: string
  readonly name: string
  readonly stat: Stat
}

// -------------------------------------------------------------------------------------
// handles
// -------------------------------------------------------------------------------------

declare const FileHandleBrand: unique symbol

/**
 * An open file. Opaque: only the backend (or the records sharing its state)
 * that made it can use it, and it is recognised by identity, so a copy or an
 * imitation is a `BadHandle`.
 *
 * @category model
 * @since 0.1.0
 */
export interface FileHandle {
  readonly [FileHandleBrand]: 'FileHandle'
}

/**
 * The prototype of every handle: empty and frozen, so a handle has no
 * properties, own or inherited. (A handle made by `Object.create(null)` is a
 * dictionary-mode object in V8: making and freezing one, then keying a
 * `WeakMap` by it, cost 2-3 times as much as this.)
 */
const NOTHING: object = Object.freeze(Object.create(null))

/**
 * Makes a fresh handle object. Backends pair it with their own state in a
 * `WeakMap`; the object itself carries nothing a caller could forge.
 *
 * @example
 * import { makeFileHandle } from 'fp-pathio'
 * // in a backend of your own: remember what the handle stands for, by identity
 * const files = new WeakMap<object, number>()
 * const handle = makeFileHandle()
 * files.set(handle, 3)
 * assert.strictEqual(files.get(handle), 3)
 * assert.strictEqual(files.get(makeFileHandle()), undefined) // every handle is a new identity
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeFileHandle = (): FileHandle => Object.freeze(Object.create(NOTHING)) as FileHandle

declare const DirHandleBrand: unique symbol

/**
 * An open directory listing, read page by page with `readdir`. Opaque and
 * recognised by identity, as a `FileHandle`; a `DirHandle` is never a
 * `FileHandle` (each kind is a `BadHandle` where the other is expected).
 *
 * @category model
 * @since 0.2.0
 */
export interface DirHandle {
  readonly [DirHandleBrand]: 'DirHandle'
}

/**
 * Makes a fresh directory handle object, as `makeFileHandle` does for files.
 *
 * @example
 * import { makeDirHandle } from 'fp-pathio'
 * const listings = new WeakMap<object, string>()
 * const dir = makeDirHandle()
 * listings.set(dir, '/pub')
 * assert.strictEqual(listings.get(dir), '/pub')
 * assert.strictEqual(listings.get({ ...dir }), undefined) // a copy is not the handle
 *
 * @category constructors
 * @since 0.2.0
 */
export const makeDirHandle = (): DirHandle => Object.freeze(Object.create(NOTHING)) as DirHandle

// -------------------------------------------------------------------------------------
// the record
// -------------------------------------------------------------------------------------

/**
 * Options of `mkdir`.
 *
 * @category model
 * @since 0.1.0
 */
export interface MkdirOptions {
  /** Create missing parents too (`mkdir -p`). */
  readonly parents?: boolean | null
  /** An existing directory is not an error. */
  readonly existOk?: boolean | null
}

/**
 * Every operation of the record: its arguments (a labelled tuple) and what
 * its `TaskEither` gives. The record and every combinator are typed from
 * this one interface, so a combinator that looks at one operation's
 * arguments or result needs no cast; what the library knows of each
 * operation beside its signature is its row of `OPERATIONS`, which the
 * compiler demands for every entry here.
 *
 * @category model
 * @since 0.2.0
 */
export interface Signatures {
  readonly exists: { readonly args: [path: string]; readonly gives: boolean }
  readonly isDir: { readonly args: [path: string]; readonly gives: boolean }
  readonly isFile: { readonly args: [path: string]; readonly gives: boolean }
  readonly stat: { readonly args: [path: string]; readonly gives: Stat }
  readonly mkdir: { readonly args: [path: string, options?: MkdirOptions | null]; readonly gives: void }
  readonly rmdir: { readonly args: [path: string]; readonly gives: void }
  readonly unlink: { readonly args: [path: string]; readonly gives: void }
  readonly rename: { readonly args: [source: string, destination: string]; readonly gives: string }
  readonly list: { readonly args: [path: string]; readonly gives: ReadonlyArray<string> }
  readonly scan: { readonly args: [path: string]; readonly gives: ReadonlyArray<Entry> }
  readonly open: { readonly args: [path: string, mode?: OpenMode | null]; readonly gives: FileHandle }
  readonly read: { readonly args: [file: FileHandle, size?: number | null]; readonly gives: Uint8Array }
  readonly write: { readonly args: [file: FileHandle, data: Uint8Array]; readonly gives: number }
  readonly seek: { readonly args: [file: FileHandle, offset: number, whence?: Whence | null]; readonly gives: number }
  readonly close: { readonly args: [file: FileHandle]; readonly gives: void }
  /** Opens a listing of `path`, read page by page; fails as `list` does. */
  readonly opendir: { readonly args: [path: string]; readonly gives: DirHandle }
  /** The next entries of a listing, at most `max` (left out: the backend's page size), each as `scan` gives it; `[]` at the end and ever after. */
  readonly readdir: { readonly args: [dir: DirHandle, max?: number | null]; readonly gives: ReadonlyArray<Entry> }
  /** Ends a listing; closing twice is harmless. */
  readonly closedir: { readonly args: [dir: DirHandle]; readonly gives: void }
  /**
   * Sets a path's modification time, in epoch milliseconds (a non-negative
   * safe integer), following a final symbolic link as `utimes(2)` does; the
   * access time stays. For FTP's MFMT and SFTP's setstat.
   */
  readonly utimes: { readonly args: [path: string, mtimeMs: number]; readonly gives: void }
  /**
   * Sets a path's permission bits (an integer from 0 to 0o7777), which
   * `stat().mode` then reports, following a final symbolic link as
   * `chmod(2)` does. For FTP's SITE CHMOD and SFTP's setstat.
   */
  readonly chmod: { readonly args: [path: string, mode: number]; readonly gives: void }
  /**
   * Sets the size of a file open for writing (`wb`, `ab`, `r+b`), as
   * `ftruncate(2)`: shorter cuts, longer fills with zeros; the handle's
   * position stays. For SFTP, whose clients (OpenSSH's scp) open without
   * truncating, write, then set the size.
   */
  readonly truncate: { readonly args: [file: FileHandle, size: number]; readonly gives: void }
  /**
   * The canonical absolute path of `path`, every symbolic link on it
   * resolved, as `realpath(3)`: it must exist (missing: `NotFound`; through
   * a file: `NotADirectory`). A record without links answers the lexically
   * resolved path once `stat` finds it; a jail (`withRoot`) answers the
   * caller's path, and refuses one that leads outside. For a server's
   * permission rules (judged where the backend really acts) and SFTP's
   * REALPATH.
   */
  readonly realpath: { readonly args: [path: string]; readonly gives: string }
}

/**
 * The names of every operation of a `PathIO` (all its fields but `state`).
 *
 * @category model
 * @since 0.1.0
 */
export type OperationName = keyof Signatures

/**
 * The arguments of operation `K`, as a labelled tuple.
 *
 * @category model
 * @since 0.2.0
 */
export type ArgsOf<K extends OperationName> = Signatures[K]['args']

/**
 * What operation `K`'s `TaskEither` gives on success.
 *
 * @category model
 * @since 0.2.0
 */
export type GivesOf<K extends OperationName> = Signatures[K]['gives']

/**
 * Operation `K` of a record.
 *
 * @category model
 * @since 0.2.0
 */
export type Operation<K extends OperationName> = (...args: ArgsOf<K>) => TaskEither<PathIOError, GivesOf<K>>

/**
 * The path-IO record: shared `state`, what it can do (`capabilities`),
 * optionally its rooted form (`rootedAt`), and every operation of
 * `Signatures`, each returning a `TaskEither<PathIOError, A>`.
 *
 * @example
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as E from 'fp-ts/Either'
 * const io = makeMemoryPathIO()
 * const made = pipe(io.mkdir('/pub'), TE.chain(() => io.list('/')))
 * assert.deepStrictEqual(await made(), E.right(['/pub']))
 *
 * @category model
 * @since 0.1.0
 */
export type PathIO<S = unknown> = {
  readonly state: S
  /** What the record can do: a plain frozen record of flags (see `Capabilities`). */
  readonly capabilities: Capabilities
  /**
   * The rooted form of the record, where a backend offers one: the same
   * operations on the same paths, except that none of them ever acts
   * outside the real directory `root`, whatever symbolic links lead out of
   * it or are swapped in meanwhile (`PermissionDenied` instead). `withRoot`
   * uses it; middleware built on `mapOperations` gives its own (the same
   * middleware over the inner record's rooted form). The disk backends offer
   * one; a record whose paths never run through links (`capabilities.symlinks`
   * false) needs none. Replacing an operation by spreading a record
   * (`{ ...io, stat }`) keeps the original's `rootedAt`: leave it out of the
   * copy unless the replacement is confined too.
   */
  readonly rootedAt?: (root: string) => PathIO<S>
} & { readonly [K in OperationName]: Operation<K> }

/**
 * A combinator from a `PathIO` to a `PathIO` that keeps its state.
 *
 * @category model
 * @since 0.1.0
 */
export type Middleware = <S>(pathio: PathIO<S>) => PathIO<S>

/**
 * What a server hands a factory for each connection.
 *
 * @category model
 * @since 0.1.0
 */
export interface FactoryContext<S> {
  /** Milliseconds after which every operation gives `Left` with reason `Timeout`. */
  readonly timeout?: number
  /**
   * Once aborted, every operation gives `Left` with reason `Cancelled` (see
   * `withSignal`); a pool record also drops its jobs no worker has started.
   */
  readonly signal?: AbortSignal
  /** The connection this record serves (opaque to the library). */
  readonly connection?: unknown
  /** State to share instead of making new state (see `withSharedState`). */
  readonly state?: S
}

/**
 * Builds one `PathIO` record, typically one per connection. Its context is
 * checked bivariantly (as a method's parameter is), so a factory of a
 * particular state is a `PathIOFactory<unknown>` too: a program that picks
 * its backend at run time needs no cast.
 *
 * @category model
 * @since 0.1.0
 */
export type PathIOFactory<S> = { bivariant(context?: FactoryContext<S>): PathIO<S> }['bivariant']
