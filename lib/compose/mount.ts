/**
 * `mount`: several records joined into one tree, each under its own mount
 * point, as a Unix system mounts file systems.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { CAPABILITY_FLAGS, makeCapabilities, type Capabilities } from '../Capabilities'
import {
  mapPathArguments,
  OPERATION_NAMES,
  pathArguments,
  OPERATIONS,
  type OperationRow,
  type PathsInResult
} from '../Operations'
import {
  isDirectoryStat,
  S_IFDIR,
  type ArgsOf,
  type Entry,
  type GivesOf,
  type Operation,
  type OperationName,
  type PathIO,
  type Stat
} from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { checkCwdOption, checkMax, describe, resolvePath } from '../internal/arguments'
import { markNormalised } from '../internal/normalised'
import { asyncTask } from '../internal/task'
import { asGiven, childOf, nameOf, parentOf, refusal, resolveArguments, type Place } from './given'

/**
 * What `mount` joins: absolute mount points, each to the record mounted
 * there. `'/'` is required.
 *
 * @category model
 * @since 0.4.0
 */
export type MountTable = { readonly [point: string]: PathIO<unknown> }

/**
 * Options of `mount`.
 *
 * @category model
 * @since 0.4.0
 */
export interface MountOptions {
  /** What relative paths resolve against (default `/`): an absolute path of the joined tree. */
  readonly cwd?: string
}

/**
 * Where a path of a mounted tree lands: the mount point that holds it, the
 * record mounted there, and the path that record is given.
 *
 * @category model
 * @since 0.4.0
 */
export interface MountedPath {
  readonly point: string
  readonly record: PathIO<unknown>
  readonly path: string
}

const rowOf = <K extends OperationName>(op: K): OperationRow<K> =>
  (OPERATIONS as { readonly [P in K]: OperationRow<P> })[op]

/** The mount points of a table, longest first, so the first that holds a path is the one it lands in. */
const longestFirst = (points: ReadonlyArray<string>): ReadonlyArray<string> =>
  [...points].sort((a, b) => b.length - a.length)

const holds = (point: string, path: string): boolean => point === '/' || path === point || path.startsWith(`${point}/`)

/** The path a record mounted at `point` is given for `path` (which `point` holds). */
const innerPath = (point: string, path: string): string =>
  point === '/' ? path : path === point ? '/' : path.slice(point.length)

const landing = (table: MountTable, points: ReadonlyArray<string>, path: string): MountedPath => {
  const point = points.find((candidate) => holds(candidate, path)) as string
  return { point, record: table[point], path: innerPath(point, path) }
}

/**
 * Where `path` (an absolute path of the tree, or one relative to its `/`)
 * lands in a mount table, such as a mounted record's `state`: the longest
 * mount point that holds it, its record, and the path that record is
 * given. A server asks it what the record there can do before a transfer
 * (`mountOf(io.state, path).record.capabilities.append`). A table without
 * `'/'`, or a path that is not a string, is a `TypeError`.
 *
 * @example
 * import { mount, mountOf, makeMemoryPathIO } from 'fp-pathio'
 * const home = makeMemoryPathIO()
 * const shared = makeMemoryPathIO()
 * const io = mount({ '/': home, '/shared': shared })
 * const where = mountOf(io.state, '/shared/team/notes.txt')
 * assert.strictEqual(where.point, '/shared')
 * assert.strictEqual(where.record, shared)
 * assert.strictEqual(where.path, '/team/notes.txt')
 * assert.strictEqual(mountOf(io.state, '/sharedish').record, home)
 *
 * @category utils
 * @since 0.4.0
 */
export const mountOf = (table: MountTable, path: string): MountedPath => {
  if (typeof path !== 'string') throw new TypeError(`mountOf: 'path' must be a string, got ${describe(path)}`)
  const points = longestFirst(Object.keys(checkTable(table, 'mountOf')))
  return landing(table, points, posix.resolve('/', path))
}

/** The table as `mount` keeps it: mount points resolved (`/a/` is `/a`), every record checked, frozen. */
const checkTable = (table: unknown, where: string): MountTable => {
  if (typeof table !== 'object' || table === null)
    throw new TypeError(
      `${where}: the table must be a record of mount points, got ${table === null ? 'null' : typeof table}`
    )
  const checked: Record<string, PathIO<unknown>> = {}
  for (const [key, record] of Object.entries(table)) {
    const resolved = resolvePath('mount', '/', key)
    if (!posix.isAbsolute(key) || E.isLeft(resolved))
      throw new TypeError(`${where}: mount point ${describe(key)} must be an absolute path`)
    const point = resolved.right
    if (point in checked) throw new TypeError(`${where}: mount point ${describe(key)} is given twice`)
    if (typeof record !== 'object' || record === null)
      throw new TypeError(
        `${where}: the record at ${describe(key)} must be a PathIO record, got ${record === null ? 'null' : typeof record}`
      )
    for (const op of OPERATION_NAMES)
      if (typeof (record as Record<string, unknown>)[op] !== 'function')
        throw new TypeError(`${where}: the record at ${describe(key)} has no operation '${op}'`)
    checked[point] = record as PathIO<unknown>
  }
  if (!('/' in checked)) throw new TypeError(`${where}: the table needs a record at '/'`)
  return Object.freeze(checked)
}

/**
 * What the joined tree can do, as a whole: a flag is on when every mounted
 * record has it, so it holds wherever an operation lands; `symlinks` is on
 * when any record's paths may run through links (the safe assumption for a
 * jail). The listing order is the one record's when only `/` is mounted,
 * else unspecified (mount points are listed after their parent's own entries).
 */
const jointCapabilities = (records: ReadonlyArray<PathIO<unknown>>): Capabilities => {
  const all = records.map((record) => record.capabilities ?? makeCapabilities())
  const flags: Record<string, boolean> = {}
  for (const flag of CAPABILITY_FLAGS)
    flags[flag] = flag === 'symlinks' ? all.some((c) => c[flag]) : all.every((c) => c[flag])
  return makeCapabilities({ ...flags, listingOrder: all.length === 1 ? all[0].listingOrder : 'unspecified' })
}

/** A directory's stat where its mount point's record cannot give one (a store that does not answer). */
const STAND_IN: Stat = Object.freeze({ size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 2, mode: S_IFDIR | 0o755 })

/** Which mount point each handle or listing a mounted record gave came from: a handle is routed there, by identity. */
const opened = new WeakMap<object, string>()

/** A listing opened through a mount: where it is, and the mount points it lists after its record's own entries. */
interface Listing {
  readonly given: string
  readonly resolved: string
  readonly pending: Array<string>
}

const listings = new WeakMap<object, Listing>()

const badHandle = (op: string, noun: string): PathIOError =>
  refusal('BadHandle', op, undefined, `not a ${noun} of this mount`)

/**
 * Joins several records into one tree. `table` maps absolute mount points
 * to records (`{ '/': home, '/shared': bucket, '/archive': readOnly(disk) }`;
 * `'/'` is required): an operation goes to the record of the longest mount
 * point that holds its path, with the path made relative to it
 * (`/shared/a` is `/a` of `bucket`); relative paths resolve against
 * `options.cwd` (default `/`) first. Errors, listings and `rename`'s
 * destination name the caller's paths.
 *
 * - A mount point is listed in its parent (by `list`, `scan` and listings)
 *   as a directory with its record's stat of `/`, after the parent's own
 *   entries, even where the parent's record has no such entry (one it has
 *   is hidden); the parent's `nlink` counts it. The parent itself must
 *   exist in its record to be listed: `mount` makes no directory.
 * - A mount point, and a directory that holds one, is in use: `rmdir` of
 *   it, and `rename` from or onto it, is `Busy` (`EBUSY`).
 * - A `rename` between two records is `Unsupported` (`EXDEV`), and changes
 *   nothing: copy then delete yourself if you want the move (as `mv` does
 *   across file systems). Between two mount points of the one same record it is
 *   that record's rename.
 * - Handles and listings are the records' own, remembered by identity:
 *   each goes back to the record of the mount point it came from (so a
 *   handle works on every mount whose record there shares its state, and is
 *   a `BadHandle` anywhere else).
 * - `state` is the table (mount points resolved); `mountOf(state, path)`
 *   says where a path lands. `capabilities` are what every mounted record
 *   can do (`symlinks`: what any may have); an operation meets the
 *   capabilities of the record it reaches (`Unsupported` there).
 * - Put `withRoot` inside, around each disk record, never around the
 *   mount: a mount has no rooted form, and a jail outside it would check
 *   its virtual paths on the real disk.
 *
 * A bad table (not a record, a relative or repeated mount point, no `'/'`,
 * a record without every operation) or a bad `cwd` is a `TypeError` at once.
 *
 * @example
 * import { mount, readOnly, makeMemoryPathIO, writeFile, readFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const home = makeMemoryPathIO()
 * const archive = makeMemoryPathIO()
 * await writeFile(archive, '/2023.log', Buffer.from('old'))()
 * const io = mount({ '/': home, '/archive': readOnly(archive) })
 * await writeFile(io, '/notes.txt', Buffer.from('mine'))()
 * assert.deepStrictEqual(await io.list('/')(), E.right(['/notes.txt', '/archive']))
 * assert.deepStrictEqual(pipe(await readFile(io, '/archive/2023.log')(), E.map(String)), E.right('old'))
 * const refused = (te: () => Promise<E.Either<{ reason: string }, unknown>>) => te().then(E.mapLeft((e) => e.reason))
 * assert.deepStrictEqual(await refused(io.unlink('/archive/2023.log')), E.left('ReadOnly'))
 * assert.deepStrictEqual(await refused(io.rmdir('/archive')), E.left('Busy'))
 * assert.deepStrictEqual(await refused(io.rename('/notes.txt', '/archive/notes.txt')), E.left('Unsupported'))
 *
 * @category combinators
 * @since 0.4.0
 */
export const mount = (table: MountTable, options: MountOptions = {}): PathIO<MountTable> => {
  const mounted = checkTable(table, 'mount')
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`mount: options must be a record, got ${describe(options)}`)
  const cwd = options.cwd === undefined ? '/' : checkCwdOption(options.cwd, 'mount')
  const points = longestFirst(Object.keys(mounted))
  const land = (path: string): MountedPath => landing(mounted, points, path)

  /** The mount points each directory lists beyond its record's entries, by name. */
  const listedIn = new Map<string, Array<string>>()
  /** Mount points and the directories that hold them: in use. */
  const inUse = new Set<string>()
  for (const point of points) {
    if (point === '/') continue
    const parent = parentOf(point)
    listedIn.set(parent, [...(listedIn.get(parent) ?? []), nameOf(point)])
    for (let at = point; at !== '/'; at = parentOf(at)) inUse.add(at)
  }

  /**
   * A directory's stat as the tree shows it: where it lists mount points
   * its record does not hold as directories, its `nlink` counts them.
   */
  const withMountedChildren = async (path: string, stat: Stat): Promise<E.Either<PathIOError, Stat>> => {
    const names = listedIn.get(path)
    if (names === undefined || !isDirectoryStat(stat)) return E.right(stat)
    let extra = 0
    const where = land(path)
    for (const name of names) {
      const isDir = await where.record.isDir(childOf(where.path, name))()
      if (E.isLeft(isDir)) return isDir
      if (!isDir.right) extra++
    }
    return E.right(extra === 0 ? stat : { ...stat, nlink: stat.nlink + extra })
  }

  /** A mount point as its parent lists it: a directory, with its record's stat of `/`. */
  const mountPointEntry = async (dir: string, given: string, name: string): Promise<E.Either<PathIOError, Entry>> => {
    const point = childOf(dir, name)
    const stat = await mounted[point].stat('/')()
    const shown = E.isRight(stat) && isDirectoryStat(stat.right) ? stat.right : STAND_IN
    const adjusted = await withMountedChildren(point, shown)
    return E.isLeft(adjusted) ? adjusted : E.right({ path: childOf(given, name), name, stat: adjusted.right })
  }

  /** Entries of a record's listing of `dir` as the tree shows them: mount points' names hidden, paths as given, counts adjusted. */
  const shownEntries = async (
    dir: string,
    given: string,
    entries: ReadonlyArray<Entry>
  ): Promise<E.Either<PathIOError, Array<Entry>>> => {
    const hidden = listedIn.get(dir) ?? []
    const shown: Array<Entry> = []
    for (const entry of entries) {
      if (hidden.includes(entry.name)) continue
      const adjusted = await withMountedChildren(childOf(dir, entry.name), entry.stat)
      if (E.isLeft(adjusted)) return adjusted
      shown.push({ path: childOf(given, entry.name), name: entry.name, stat: adjusted.right })
    }
    return E.right(shown)
  }

  const mountPointEntries = async (
    dir: string,
    given: string,
    names: ReadonlyArray<string>
  ): Promise<E.Either<PathIOError, Array<Entry>>> => {
    const entries: Array<Entry> = []
    for (const name of names) {
      const entry = await mountPointEntry(dir, given, name)
      if (E.isLeft(entry)) return entry
      entries.push(entry.right)
    }
    return E.right(entries)
  }

  /**
   * Each kind of path a result may hold (see `OperationRow.resultPaths`), as
   * the tree shows it. `page` is a listing's, which `readPage` gives.
   */
  const SHOWN: {
    readonly [P in Exclude<keyof PathsInResult, 'page'>]: (
      gives: PathsInResult[P],
      places: ReadonlyArray<Place>,
      point: string
    ) => Promise<E.Either<PathIOError, PathsInResult[P]>>
  } = {
    // A path of the record the operation reached, under its mount point.
    path: async (real, _places, point) => E.right(point === '/' ? real : real === '/' ? point : point + real),
    destination: async (_destination, places) => E.right(places[places.length - 1].given),
    children: async (paths, [{ given, resolved }]) => {
      const hidden = listedIn.get(resolved) ?? []
      const own = paths.map(nameOf).filter((name) => !hidden.includes(name))
      return E.right([...own, ...hidden].map((name) => childOf(given, name)))
    },
    entries: async (entries, [{ given, resolved }]) => {
      const own = await shownEntries(resolved, given, entries)
      if (E.isLeft(own)) return own
      const points = await mountPointEntries(resolved, given, listedIn.get(resolved) ?? [])
      return E.isLeft(points) ? points : E.right([...own.right, ...points.right])
    },
    listing: async (dir, [{ given, resolved }], point) => {
      if (typeof dir === 'object' && dir !== null) {
        opened.set(dir, point)
        listings.set(dir, { given, resolved, pending: [...(listedIn.get(resolved) ?? [])] })
      }
      return E.right(dir)
    }
  }

  /**
   * The operations a mount must know one by one, beyond what the table
   * says of their results: a directory's `stat` counts the mount points it lists.
   */
  const ADJUSTED: {
    readonly [K in OperationName]?: (
      gives: GivesOf<K>,
      places: ReadonlyArray<Place>
    ) => Promise<E.Either<PathIOError, GivesOf<K>>>
  } = {
    stat: (stat, [{ resolved }]) => withMountedChildren(resolved, stat)
  }

  /** A result as the tree shows it; a handle remembered with its mount point. */
  const shown = async <K extends OperationName>(
    op: K,
    gives: GivesOf<K>,
    places: ReadonlyArray<Place>,
    point: string
  ): Promise<E.Either<PathIOError, GivesOf<K>>> => {
    const row = rowOf(op)
    // A result that holds something to release is a handle (or a listing): it goes back to this mount point.
    if (row.release !== undefined && typeof gives === 'object' && gives !== null) opened.set(gives, point)
    const adjust = ADJUSTED[op] as
      ((gives: GivesOf<K>, places: ReadonlyArray<Place>) => Promise<E.Either<PathIOError, GivesOf<K>>>) | undefined
    if (adjust !== undefined) return adjust(gives, places)
    const kind = row.resultPaths
    if (kind === 'none' || kind === 'page') return E.right(gives)
    const toShown = SHOWN[kind] as (
      gives: GivesOf<K>,
      places: ReadonlyArray<Place>,
      point: string
    ) => Promise<E.Either<PathIOError, GivesOf<K>>>
    return toShown(gives, places, point)
  }

  /** An operation on paths: each path to its mount point's record, the result back as the caller's. */
  const onPaths = <K extends OperationName>(op: K, args: ArgsOf<K>): TaskEither<PathIOError, GivesOf<K>> =>
    asyncTask(op, args[0], async () => {
      const resolved = resolveArguments(op, args, cwd)
      if (E.isLeft(resolved)) return resolved
      const given = pathArguments(op, args) as ReadonlyArray<string>
      const lands = resolved.right.map(land)
      if (rowOf(op).removesDirectory) {
        const busy = resolved.right.findIndex((path) => inUse.has(path))
        if (busy >= 0)
          return E.left(refusal('Busy', op, given[busy], 'a mount point, or a directory that holds one, is in use'))
      }
      const { record, point } = lands[0]
      if (lands.some((where) => where.record !== record))
        return E.left(refusal('Unsupported', op, given[0], 'source and destination are on different mounts', 'EXDEV'))
      const places: ReadonlyArray<Place> = lands.map((where, i) => ({
        given: given[i],
        resolved: resolved.right[i],
        inner: where.path
      }))
      let index = 0
      const innerArgs = mapPathArguments(op, args, () => places[index++].inner)
      const result = await (record[op] as Operation<K>)(...innerArgs)()
      if (E.isLeft(result)) return E.left(asGiven(places)(result.left))
      // Mount points of the same record: the one it reached is the first's.
      return shown(op, result.right, places, point)
    })

  /** The next page of a listing opened here: the record's entries, then the mount points it holds. */
  const readPage = async (
    record: PathIO<unknown>,
    listing: Listing,
    args: ArgsOf<'readdir'>
  ): Promise<E.Either<PathIOError, ReadonlyArray<Entry>>> => {
    const [dir, max] = args
    for (;;) {
      const page = await record.readdir(dir, max)()
      if (E.isLeft(page)) return page
      if (page.right.length > 0) {
        const entries = await shownEntries(listing.resolved, listing.given, page.right)
        // A page whose every entry is hidden by a mount point: read on, an empty page means the end.
        if (E.isLeft(entries) || entries.right.length > 0) return entries
        continue
      }
      const limit = checkMax(max)
      if (E.isLeft(limit)) return limit
      const names = listing.pending.splice(0, limit.right)
      return mountPointEntries(listing.resolved, listing.given, names)
    }
  }

  /** An operation on a handle or a listing: to the record of the mount point it came from. */
  const onHandle = <K extends OperationName>(op: K, args: ArgsOf<K>): TaskEither<PathIOError, GivesOf<K>> =>
    asyncTask(op, undefined, async () => {
      const row = rowOf(op)
      const handle = args[0]
      const noun = row.handle === 'dir' ? 'directory handle' : 'file handle'
      const point = typeof handle === 'object' && handle !== null ? opened.get(handle) : undefined
      const record = point === undefined ? undefined : mounted[point]
      if (record === undefined) return E.left(badHandle(op, noun))
      const listing = listings.get(handle as object)
      if (row.resultPaths === 'page' && listing !== undefined)
        return (await readPage(record, listing, args as ArgsOf<'readdir'>)) as E.Either<PathIOError, GivesOf<K>>
      const result = await (record[op] as Operation<K>)(...args)()
      // A closed listing lists no more mount points.
      if (row.releases && E.isRight(result) && listing !== undefined) listing.pending.length = 0
      return result
    })

  const record: Record<string, unknown> = {
    state: mounted,
    capabilities: jointCapabilities(Object.values(mounted))
  }
  for (const op of OPERATION_NAMES)
    record[op] = (...args: ArgsOf<typeof op>) =>
      rowOf(op).handle === undefined ? onPaths(op, args) : onHandle(op, args)
  return markNormalised(record as unknown as PathIO<MountTable>)
}
