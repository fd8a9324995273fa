/**
 * The one table of operations: one row per operation of `Signatures`,
 * holding every fact a combinator, a backend builder or a server needs
 * about it (its path arguments, whether it changes anything, the handle it
 * takes or releases, the permission letter it needs, ...). Every set and
 * type about operations is derived from it, and no combinator lists
 * operation names itself: adding an operation is one entry in `Signatures`,
 * one row here, and each backend's implementation, and the compiler points
 * at every place that must answer.
 *
 * @since 0.3.0
 */
import type { TaskEither } from 'fp-ts/TaskEither'
import {
  OpenMode,
  type ArgsOf,
  type DirHandle,
  type Entry,
  type GivesOf,
  type OperationName,
  type PathIO
} from './PathIO'
import type { PathIOError } from './PathIOError'

// -------------------------------------------------------------------------------------
// permission letters
// -------------------------------------------------------------------------------------

/**
 * pyftpdlib's permission letters: `e` change directory (CWD), `l` list
 * (LIST, NLST, MLSD, MLST, SIZE, MDTM, STAT path), `r` read a file, `a`
 * append to a file, `d` delete a file or directory, `f` rename, `m` make a
 * directory, `w` store a file (STOR, STOU, REST+STOR), `M` change a path's
 * permission bits (SITE CHMOD: `chmod`), `T` change a path's modification
 * time (MFMT: `utimes`).
 *
 * @category model
 * @since 0.1.0
 */
export type PermissionLetter = 'e' | 'l' | 'r' | 'a' | 'd' | 'f' | 'm' | 'w' | 'M' | 'T'

/**
 * Every letter, in pyftpdlib's order (`elradfmwMT` is every permission).
 *
 * @example
 * import { PERMISSION_LETTERS } from 'fp-pathio'
 * assert.strictEqual(PERMISSION_LETTERS.join(''), 'elradfmwMT')
 *
 * @category constants
 * @since 0.1.0
 */
export const PERMISSION_LETTERS: ReadonlyArray<PermissionLetter> = ['e', 'l', 'r', 'a', 'd', 'f', 'm', 'w', 'M', 'T']

// -------------------------------------------------------------------------------------
// the row
// -------------------------------------------------------------------------------------

/** Replaces one path (how `withRoot` maps a virtual path to a real one). */
export type PathMapper = (path: string) => string

/**
 * What a result may hold that names paths, and its type: the destination
 * (`rename`), the children of the directory given (`list`: paths; `scan`:
 * entries), a listing whose pages name them (`opendir`), a page of such
 * a listing (`readdir`), or one path of the record's own, absolute, that
 * the record found rather than was given (`realpath`: a jail strips its
 * real root from it).
 *
 * @category model
 * @since 0.3.0
 */
export interface PathsInResult {
  readonly destination: string
  readonly children: ReadonlyArray<string>
  readonly entries: ReadonlyArray<Entry>
  readonly listing: DirHandle
  readonly page: ReadonlyArray<Entry>
  readonly path: string
}

/**
 * How the result of operation `K` holds paths: `'none'`, or a kind of
 * `PathsInResult` whose type fits what `K` gives.
 *
 * @category model
 * @since 0.3.0
 */
export type ResultPaths<K extends OperationName> =
  'none' | { readonly [P in keyof PathsInResult]: GivesOf<K> extends PathsInResult[P] ? P : never }[keyof PathsInResult]

/**
 * Everything the library knows about operation `K`, beside its signature.
 *
 * @category model
 * @since 0.3.0
 */
export interface OperationRow<K extends OperationName> {
  /** Its arguments with every path passed through `f`, the others untouched; `undefined`: it takes a handle, no path. */
  readonly paths: ((args: ArgsOf<K>, f: PathMapper) => ArgsOf<K>) | undefined
  /** The kind of handle its first argument is; `undefined`: it takes paths. */
  readonly handle: 'file' | 'dir' | undefined
  /** Whether a call may change something: always, never, or as its arguments say (`open` unless `rb`). */
  readonly mutates: boolean | ((args: ArgsOf<K>) => boolean)
  /** It only frees what an earlier call took (`close`, `closedir`): a combinator that refuses work still lets it run. */
  readonly releases: boolean
  /** Frees what its result holds, for a result that came when nobody will see it (a late `open` is closed). */
  readonly release: ((gives: GivesOf<K>, inner: PathIO<unknown>) => TaskEither<PathIOError, void>) | undefined
  /** A lookup, and what it answers for a path where nothing can exist; `undefined`: it fails there instead. */
  readonly lookup: { readonly answerForNothing: GivesOf<K> } | undefined
  /** It acts on the entry at its path itself, not on what a symbolic link there points to. */
  readonly onTheEntry: boolean
  /** Whether it creates an entry at its path argument number `index`. */
  readonly creates: boolean | ((args: ArgsOf<K>, index: number) => boolean)
  /** It may remove or replace a directory at its paths (so a jail's root is `Busy` there, as in a chroot). */
  readonly removesDirectory: boolean
  /** How its result holds paths (a jail turns them into the caller's). */
  readonly resultPaths: ResultPaths<K>
  /** The permission letter it needs at its paths (as given, or as its arguments say); `undefined`: none (looking, or a handle checked at `open`). */
  readonly permission: PermissionLetter | undefined | ((args: ArgsOf<K>) => PermissionLetter | undefined)
  /** `makePathIO` derives it from the core operations when a backend leaves it out (`realpath`: only for a backend without links). */
  readonly derivable: boolean
}

/**
 * A row for every operation: the compiler demands one for each entry of
 * `Signatures`.
 *
 * @category model
 * @since 0.3.0
 */
export type OperationTable = { readonly [K in OperationName]: OperationRow<K> }

// -------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------

/** What a row of a path operation that only looks says. */
const looking = {
  handle: undefined,
  mutates: false,
  releases: false,
  release: undefined,
  onTheEntry: false,
  creates: false,
  removesDirectory: false
} as const

/** What a row of an operation on a file handle says (its permission was checked at `open`). */
const onFile = {
  paths: undefined,
  handle: 'file',
  releases: false,
  release: undefined,
  lookup: undefined,
  onTheEntry: false,
  creates: false,
  removesDirectory: false,
  resultPaths: 'none',
  permission: undefined,
  derivable: false
} as const

const onePath = <A extends readonly [string, ...Array<unknown>]>([path, ...rest]: A, f: PathMapper): A =>
  [f(path), ...rest] as unknown as A

const ROWS = {
  exists: {
    ...looking,
    paths: onePath,
    lookup: { answerForNothing: false },
    resultPaths: 'none',
    permission: undefined,
    derivable: true
  },
  isDir: {
    ...looking,
    paths: onePath,
    lookup: { answerForNothing: false },
    resultPaths: 'none',
    permission: undefined,
    derivable: true
  },
  isFile: {
    ...looking,
    paths: onePath,
    lookup: { answerForNothing: false },
    resultPaths: 'none',
    permission: undefined,
    derivable: true
  },
  stat: { ...looking, paths: onePath, lookup: undefined, resultPaths: 'none', permission: undefined, derivable: false },
  mkdir: {
    ...looking,
    paths: onePath,
    mutates: true,
    lookup: undefined,
    onTheEntry: true,
    creates: true,
    resultPaths: 'none',
    permission: 'm',
    derivable: false
  },
  rmdir: {
    ...looking,
    paths: onePath,
    mutates: true,
    lookup: undefined,
    onTheEntry: true,
    removesDirectory: true,
    resultPaths: 'none',
    permission: 'd',
    derivable: false
  },
  unlink: {
    ...looking,
    paths: onePath,
    mutates: true,
    lookup: undefined,
    onTheEntry: true,
    resultPaths: 'none',
    permission: 'd',
    derivable: false
  },
  rename: {
    ...looking,
    paths: ([source, destination], f) => [f(source), f(destination)],
    mutates: true,
    lookup: undefined,
    onTheEntry: true,
    // The destination is made (or replaced); the source only moves.
    creates: (_args, index) => index === 1,
    removesDirectory: true,
    resultPaths: 'destination',
    permission: 'f',
    derivable: false
  },
  list: { ...looking, paths: onePath, lookup: undefined, resultPaths: 'children', permission: 'l', derivable: true },
  scan: { ...looking, paths: onePath, lookup: undefined, resultPaths: 'entries', permission: 'l', derivable: true },
  open: {
    ...looking,
    paths: onePath,
    // `wb` truncates, `wb` and `ab` create; an invalid mode changes nothing (the backend refuses it).
    mutates: ([, mode]) => OpenMode.is(mode) && mode !== 'rb',
    release: (file, inner) => inner.close(file),
    lookup: undefined,
    // Any mode but `rb` and `r+b` (an invalid one included, which the backend refuses anyway) would make the file.
    creates: ([, mode]) => mode !== 'rb' && mode !== 'r+b' && mode !== undefined && mode !== null,
    resultPaths: 'none',
    permission: ([, mode]) => (mode === 'ab' ? 'a' : mode === 'wb' || mode === 'r+b' ? 'w' : 'r'),
    derivable: false
  },
  read: { ...onFile, mutates: false },
  write: { ...onFile, mutates: true },
  seek: { ...onFile, mutates: false },
  close: { ...onFile, mutates: false, releases: true },
  opendir: {
    ...looking,
    paths: onePath,
    release: (dir, inner) => inner.closedir(dir),
    lookup: undefined,
    resultPaths: 'listing',
    permission: 'l',
    derivable: false
  },
  readdir: { ...onFile, handle: 'dir', mutates: false, resultPaths: 'page' },
  closedir: { ...onFile, handle: 'dir', mutates: false, releases: true },
  // Both follow a final link, as utimes(2) and chmod(2) do: a jail checks where they land.
  utimes: {
    ...looking,
    paths: onePath,
    mutates: true,
    lookup: undefined,
    resultPaths: 'none',
    permission: 'T',
    derivable: false
  },
  chmod: {
    ...looking,
    paths: onePath,
    mutates: true,
    lookup: undefined,
    resultPaths: 'none',
    permission: 'M',
    derivable: false
  },
  // Its permission was checked when the handle was opened for writing.
  truncate: { ...onFile, mutates: true },
  // Only looks, and needs no letter (as stat); a record without links derives it from stat; its answer is
  // a path of the record (a jail makes it the caller's).
  realpath: {
    ...looking,
    paths: onePath,
    lookup: undefined,
    resultPaths: 'path',
    permission: undefined,
    derivable: true
  }
} satisfies OperationTable

/**
 * The table: one `OperationRow` per operation, in the order of `Signatures`.
 *
 * @example
 * import { OPERATIONS } from 'fp-pathio'
 * assert.strictEqual(OPERATIONS.rename.permission, 'f')
 * assert.strictEqual(OPERATIONS.read.handle, 'file')
 * assert.strictEqual(OPERATIONS.closedir.releases, true)
 * assert.deepStrictEqual(OPERATIONS.exists.lookup, { answerForNothing: false })
 * assert.strictEqual(OPERATIONS.realpath.resultPaths, 'path') // its answer is a path of the record
 * assert.strictEqual(OPERATIONS.realpath.permission, undefined)
 *
 * @category constants
 * @since 0.3.0
 */
export const OPERATIONS: OperationTable = ROWS

/** The row of operation `op`, typed by it. */
const rowOf = <K extends OperationName>(op: K): OperationRow<K> =>
  (OPERATIONS as { readonly [P in K]: OperationRow<P> })[op]

// -------------------------------------------------------------------------------------
// sets and types derived from the table
// -------------------------------------------------------------------------------------

/**
 * Every operation name, in the order of the table. Middleware iterates over
 * it, so a new operation needs no edit in any combinator.
 *
 * @example
 * import { OPERATION_NAMES } from 'fp-pathio'
 * assert.ok(OPERATION_NAMES.includes('scan'))
 *
 * @category constants
 * @since 0.1.0
 */
export const OPERATION_NAMES: ReadonlyArray<OperationName> = Object.keys(ROWS) as Array<OperationName>

const namesWhere = (test: <K extends OperationName>(row: OperationRow<K>) => boolean): ReadonlySet<OperationName> =>
  new Set(OPERATION_NAMES.filter((op) => test(rowOf(op))))

/**
 * The operations that may change something on the backend. `open` is one
 * (`wb` truncates, `wb` and `ab` create) although an `open` in mode `rb`
 * changes nothing: whether one call changes anything depends on its
 * arguments, which is what `mutates` (and so `readOnly`) looks at.
 *
 * @example
 * import { MUTATING_OPERATIONS } from 'fp-pathio'
 * assert.ok(MUTATING_OPERATIONS.has('rename') && MUTATING_OPERATIONS.has('open') && !MUTATING_OPERATIONS.has('read'))
 *
 * @category constants
 * @since 0.1.0
 */
export const MUTATING_OPERATIONS: ReadonlySet<OperationName> = namesWhere((row) => row.mutates !== false)

/**
 * The operations that only free what an earlier one took (`close`,
 * `closedir`): a combinator that refuses work (`withSignal`) still lets them
 * run, so nothing leaks.
 *
 * @example
 * import { RELEASING_OPERATIONS } from 'fp-pathio'
 * assert.deepStrictEqual([...RELEASING_OPERATIONS], ['close', 'closedir'])
 *
 * @category constants
 * @since 0.3.0
 */
export const RELEASING_OPERATIONS: ReadonlySet<OperationName> = namesWhere((row) => row.releases)

type Rows = typeof ROWS

/**
 * The operations `makePathIO` can derive from the others (`exists`,
 * `isDir`, `isFile` from `stat`; `list`, `scan` from a listing; `realpath`
 * from `stat`, for a backend whose `capabilities.symlinks` is false).
 *
 * @category model
 * @since 0.3.0
 */
export type DerivableOperation = {
  readonly [K in OperationName]: Rows[K]['derivable'] extends true ? K : never
}[OperationName]

/**
 * The operations a backend must write itself (see `makePathIO`).
 *
 * @category model
 * @since 0.3.0
 */
export type CoreOperation = Exclude<OperationName, DerivableOperation>

/**
 * The operations that take a handle (of a file or of a listing) rather than a path.
 *
 * @category model
 * @since 0.3.0
 */
export type HandleOperation = {
  readonly [K in OperationName]: Rows[K]['handle'] extends 'file' | 'dir' ? K : never
}[OperationName]

/**
 * The operations that take paths.
 *
 * @category model
 * @since 0.3.0
 */
export type PathOperation = Exclude<OperationName, HandleOperation>

// -------------------------------------------------------------------------------------
// one call, as the table sees it
// -------------------------------------------------------------------------------------

/**
 * Whether a call may change something on the backend: the operations that
 * always do, and an `open` in a valid mode other than `rb`. An invalid mode
 * is left to the backend, which refuses it as `InvalidArgument`.
 *
 * @example
 * import { mutates } from 'fp-pathio'
 * assert.strictEqual(mutates('open', ['/f', 'rb']), false)
 * assert.strictEqual(mutates('open', ['/f', 'ab']), true)
 * assert.strictEqual(mutates('unlink', ['/f']), true)
 *
 * @category utils
 * @since 0.3.0
 */
export const mutates = <K extends OperationName>(op: K, args: ArgsOf<K>): boolean => {
  const says = rowOf(op).mutates
  return typeof says === 'function' ? says(args) : says
}

/**
 * A call's arguments with each path replaced by `f(path)`, the others
 * untouched (how `withRoot` maps a virtual path to a real one); a handle
 * operation's arguments as they are.
 *
 * @example
 * import { mapPathArguments } from 'fp-pathio'
 * assert.deepStrictEqual(mapPathArguments('rename', ['/a', '/b'], (p) => '/jail' + p), ['/jail/a', '/jail/b'])
 * assert.deepStrictEqual(mapPathArguments('mkdir', ['/a', { parents: true }], (p) => '/jail' + p), ['/jail/a', { parents: true }])
 *
 * @category utils
 * @since 0.3.0
 */
export const mapPathArguments = <K extends OperationName>(op: K, args: ArgsOf<K>, f: PathMapper): ArgsOf<K> => {
  const paths = rowOf(op).paths
  return paths === undefined ? args : paths(args, f)
}

/**
 * The path arguments of a call, in order (none for a handle operation).
 *
 * @example
 * import { pathArguments } from 'fp-pathio'
 * assert.deepStrictEqual(pathArguments('rename', ['/a', '/b']), ['/a', '/b'])
 * assert.deepStrictEqual(pathArguments('open', ['/f', 'wb']), ['/f'])
 *
 * @category utils
 * @since 0.3.0
 */
export const pathArguments = <K extends OperationName>(op: K, args: ArgsOf<K>): ReadonlyArray<string> => {
  const paths: Array<string> = []
  mapPathArguments(op, args, (path) => {
    paths.push(path)
    return path
  })
  return paths
}

/**
 * The permission letter a call needs at its paths, or `undefined` when it
 * needs none (a lookup, or the use of a handle, checked at `open`).
 *
 * @example
 * import { permissionFor } from 'fp-pathio'
 * assert.strictEqual(permissionFor('open', ['/f', 'ab']), 'a')
 * assert.strictEqual(permissionFor('open', ['/f']), 'r')
 * assert.strictEqual(permissionFor('stat', ['/f']), undefined)
 *
 * @category utils
 * @since 0.3.0
 */
export const permissionFor = <K extends OperationName>(op: K, args: ArgsOf<K>): PermissionLetter | undefined => {
  const needs = rowOf(op).permission
  return typeof needs === 'function' ? needs(args) : needs
}

/**
 * Whether a call creates an entry at its path argument number `index`
 * (`mkdir`; `rename`'s destination; `open` in `wb` or `ab`, or in a mode
 * the backend will refuse).
 *
 * @example
 * import { createsAt } from 'fp-pathio'
 * assert.strictEqual(createsAt('rename', ['/a', '/b'], 1), true)
 * assert.strictEqual(createsAt('rename', ['/a', '/b'], 0), false)
 * assert.strictEqual(createsAt('open', ['/f', 'r+b'], 0), false)
 *
 * @category utils
 * @since 0.3.0
 */
export const createsAt = <K extends OperationName>(op: K, args: ArgsOf<K>, index: number): boolean => {
  const says = rowOf(op).creates
  return typeof says === 'function' ? says(args, index) : says
}
