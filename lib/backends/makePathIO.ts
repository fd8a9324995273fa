/**
 * `makePathIO`: the one builder of backends (Effect's `FileSystem.make` is
 * the model). A backend writes its core operations, its `state` and its
 * `capabilities`; the builder derives the others (`exists`, `isDir`,
 * `isFile` from `stat`; `list`, `scan` from a listing; `realpath` from
 * `stat` where there are no links) unless the backend gives its own, faster
 * ones.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { isCapabilities, type Capabilities } from '../Capabilities'
import { OPERATION_NAMES, type CoreOperation, type DerivableOperation } from '../Operations'
import {
  isDirectoryStat,
  isFileStat,
  type DirHandle,
  type Entry,
  type Operation,
  type OperationName,
  type PathIO,
  type Stat
} from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { markNormalised } from '../internal/normalised'
import { checkCwdOption, resolvePath } from '../internal/arguments'

/**
 * What a backend writes: `state`, `capabilities`, every core operation (the
 * table's operations that are not `derivable`), optionally its faster
 * versions of the derivable ones, and optionally its rooted form
 * (`rootedAt`, see `PathIO`) and its `cwd`. A backend with symbolic links
 * (`capabilities.symlinks`) must give its own `realpath`: only it can follow
 * them.
 *
 * @category model
 * @since 0.3.0
 */
export type PathIOCore<S> = {
  readonly state: S
  readonly capabilities: Capabilities
  readonly rootedAt?: (root: string) => PathIO<S>
  /**
   * The absolute directory its operations resolve a relative path against
   * (default `/`): the derived `realpath` answers that resolution. Not part
   * of the record the builder makes.
   */
  readonly cwd?: string
} & { readonly [K in CoreOperation]: Operation<K> } & { readonly [K in DerivableOperation]?: Operation<K> }

/** The error of a step (`stat`, `opendir`, `readdir`) as the operation built on it reports it: its name, the caller's path. */
const asOperation =
  (op: OperationName, path: unknown) =>
  (error: PathIOError): PathIOError => {
    if (error.op === op) return error
    const named = error.path === undefined && typeof path === 'string' ? path : undefined
    const where = named === undefined ? op : `${op} '${named}'`
    const message = error.message.startsWith(error.op) ? where + error.message.slice(error.op.length) : error.message
    return { ...error, op, ...(named === undefined ? {} : { path: named }), message }
  }

/** A lookup from `stat`: `false` where nothing is (missing, or a path through a file), as the contract asks. */
const lookup =
  (op: 'exists' | 'isDir' | 'isFile', stat: Operation<'stat'>, test: (stat: Stat) => boolean): Operation<typeof op> =>
  (path) =>
    pipe(
      stat(path),
      TE.map(test),
      TE.orElse((error) =>
        error.reason === 'NotFound' || error.reason === 'NotADirectory'
          ? TE.right(false)
          : TE.left(asOperation(op, path)(error))
      )
    )

/** Every page of a listing, to its end. */
const everyPage =
  (readdir: Operation<'readdir'>, dir: DirHandle): TE.TaskEither<PathIOError, ReadonlyArray<Entry>> =>
  async () => {
    const all: Array<Entry> = []
    for (;;) {
      const page = await readdir(dir)()
      if (E.isLeft(page)) return page
      if (page.right.length === 0) return E.right(all)
      for (const entry of page.right) all.push(entry)
    }
  }

/** A whole directory through `opendir`, `readdir` and `closedir`: the listing is closed whatever happens. */
const wholeListing = (
  op: 'list' | 'scan',
  core: PathIOCore<unknown>,
  path: string
): TE.TaskEither<PathIOError, ReadonlyArray<Entry>> =>
  pipe(
    TE.bracket(
      core.opendir(path),
      (dir) => everyPage(core.readdir, dir),
      (dir) => core.closedir(dir)
    ),
    TE.mapLeft(asOperation(op, path))
  )

/**
 * `realpath` where no path runs through a link: the path resolved lexically
 * against `cwd` (checked as every path is), once `stat` says something is
 * there (its `NotFound` or `NotADirectory` otherwise, named `realpath`).
 */
const lexicalRealpath =
  (stat: Operation<'stat'>, cwd: string): Operation<'realpath'> =>
  (path) =>
    pipe(
      TE.fromEither(resolvePath('realpath', cwd, path)),
      TE.chainFirst(() => pipe(stat(path), TE.mapLeft(asOperation('realpath', path))))
    )

/**
 * How each derivable operation is made of the core ones, or why it cannot be
 * for this core (a string: the builder's `TypeError` says it).
 */
const DERIVED: {
  readonly [K in DerivableOperation]: (core: PathIOCore<unknown>, cwd: string) => Operation<K> | string
} = {
  exists: (core) => lookup('exists', core.stat, () => true),
  isDir: (core) => lookup('isDir', core.stat, isDirectoryStat),
  isFile: (core) => lookup('isFile', core.stat, isFileStat),
  list: (core) => (path) =>
    pipe(
      wholeListing('list', core, path),
      TE.map((entries) => entries.map((entry) => entry.path))
    ),
  scan: (core) => (path) => wholeListing('scan', core, path),
  realpath: (core, cwd) =>
    core.capabilities.symlinks
      ? 'only a backend without symbolic links (capabilities.symlinks false) may leave it out'
      : lexicalRealpath(core.stat, cwd)
}

/**
 * A `PathIO` from a backend's core: its own operations as they are, and
 * those it leaves out derived from them: `exists`, `isDir`, `isFile` from
 * `stat` (`false` where `stat` says `NotFound` or `NotADirectory`), `list`
 * and `scan` from `opendir`, `readdir` to the end, and `closedir`, always,
 * and, for a backend without links (`capabilities.symlinks` false),
 * `realpath`: the path resolved lexically against the core's `cwd` (default
 * `/`) once `stat` finds it (their errors name the operation and path the
 * caller used). The core's
 * operations must keep the contract of a `PathIO`: return a `TaskEither`
 * that never throws nor rejects (a failure is a `Left` of a `PathIOError`);
 * the record is then taken as normalised, and `normaliseErrors` hands it back
 * as it is. Write a backend whose functions may throw or return promises as
 * a `LooseBackend` for `normaliseErrors` instead. A core missing an
 * operation (`realpath` too, where it has links), whose capabilities are not
 * a whole `Capabilities` record, or whose `cwd` is not an absolute path, is a
 * `TypeError` at once.
 *
 * @example
 * import { makePathIO, makeCapabilities, makeDirHandle, pathIOError, withoutWrites, S_IFDIR, S_IFREG, type PathIOCore } from 'fp-pathio'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as E from 'fp-ts/Either'
 * // A read-only tree of two names, written as a core: lookups and list come derived.
 * const names: Record<string, 'dir' | 'file'> = { '/': 'dir', '/readme': 'file' }
 * const stat = (path: string) =>
 *   names[path] === undefined
 *     ? TE.left(pathIOError('NotFound', 'stat', { path, code: 'ENOENT' }))
 *     : TE.right({ size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 1, mode: names[path] === 'dir' ? S_IFDIR | 0o555 : S_IFREG | 0o444 })
 * const refused = (op: string) => () => TE.left(pathIOError('ReadOnly', op, { code: 'EROFS' }))
 * let pages = 0
 * const core: PathIOCore<undefined> = {
 *   state: undefined,
 *   capabilities: withoutWrites(makeCapabilities({ symlinks: false })), // read-only, no links
 *   stat,
 *   mkdir: refused('mkdir'), rmdir: refused('rmdir'), unlink: refused('unlink'), rename: refused('rename'),
 *   utimes: refused('utimes'), chmod: refused('chmod'), truncate: refused('truncate'),
 *   open: refused('open'), read: refused('read'), write: refused('write'), seek: refused('seek'), close: refused('close'),
 *   opendir: (path) => (path === '/' ? TE.right(makeDirHandle()) : TE.left(pathIOError('NotFound', 'opendir', { path, code: 'ENOENT' }))),
 *   readdir: () => TE.right(pages++ === 0 ? [{ path: '/readme', name: 'readme', stat: { size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 1, mode: S_IFREG | 0o444 } }] : []),
 *   closedir: () => TE.right(undefined)
 * }
 * const io = makePathIO(core)
 * assert.deepStrictEqual(await io.isFile('/readme')(), E.right(true))
 * assert.deepStrictEqual(await io.exists('/nothing')(), E.right(false))
 * assert.deepStrictEqual(await io.list('/')(), E.right(['/readme']))
 * assert.deepStrictEqual(await io.realpath('/readme')(), E.right('/readme')) // no links: the path, once stat finds it
 * assert.ok(E.isLeft(await io.realpath('/nothing')()))
 * const missing = await io.list('/nothing')()
 * assert.ok(E.isLeft(missing) && missing.left.op === 'list' && missing.left.reason === 'NotFound')
 *
 * @category constructors
 * @since 0.3.0
 */
export const makePathIO = <S>(core: PathIOCore<S>): PathIO<S> => {
  if (typeof core !== 'object' || core === null)
    throw new TypeError(`makePathIO: expected a record of core operations, got ${core === null ? 'null' : typeof core}`)
  if (!isCapabilities(core.capabilities))
    throw new TypeError("makePathIO: 'capabilities' must be a whole Capabilities record (see makeCapabilities)")
  if (core.rootedAt !== undefined && typeof core.rootedAt !== 'function')
    throw new TypeError(`makePathIO: 'rootedAt' must be a function, got ${typeof core.rootedAt}`)
  const cwd = core.cwd === undefined ? '/' : checkCwdOption(core.cwd, 'makePathIO')
  const record: Record<string, unknown> = { state: core.state, capabilities: core.capabilities }
  if (core.rootedAt !== undefined) record.rootedAt = core.rootedAt
  const derived = DERIVED as Partial<Record<OperationName, (core: PathIOCore<unknown>, cwd: string) => unknown>>
  for (const op of OPERATION_NAMES) {
    const own = (core as Partial<Record<OperationName, unknown>>)[op]
    const derive = derived[op]
    if (own !== undefined && typeof own !== 'function')
      throw new TypeError(`makePathIO: operation '${op}' must be a function, got ${typeof own}`)
    if (own !== undefined) {
      record[op] = own
      continue
    }
    if (derive === undefined) throw new TypeError(`makePathIO: the core operation '${op}' is missing`)
    const made = derive(core as PathIOCore<unknown>, cwd)
    if (typeof made === 'string') throw new TypeError(`makePathIO: the core operation '${op}' is missing: ${made}`)
    record[op] = made
  }
  return markNormalised(record as PathIO<S>)
}
