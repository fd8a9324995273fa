/**
 * `overlay`: a copy-on-write view of one record (`lower`) under another
 * (`upper`), as Linux's overlayfs: reads fall through, changes land above.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { makeCapabilities, type Capabilities } from '../Capabilities'
import {
  createsAt,
  mapPathArguments,
  mutates,
  OPERATION_NAMES,
  OPERATIONS,
  pathArguments,
  type OperationRow
} from '../Operations'
import {
  isDirectoryStat,
  makeDirHandle,
  type ArgsOf,
  type Entry,
  type FileHandle,
  type GivesOf,
  type Operation,
  type OperationName,
  type PathIO
} from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { checkCwdOption, checkMax, checkMkdirOptions, checkMode, describe } from '../internal/arguments'
import { answerForNothing } from '../internal/calls'
import { markNormalised } from '../internal/normalised'
import { asyncTask } from '../internal/task'
import { asGiven, childOf, parentOf, refusal, resolveArguments, type Place } from './given'
import {
  clearMarkers,
  copyUp,
  copyUpFile,
  detachReaders,
  ensureUpperDir,
  hasReserved,
  isReserved,
  makeShared,
  makeView,
  materialize,
  mergedEntries,
  movedReaders,
  opaqueOf,
  removeMarker,
  shownStat,
  touch,
  viewStat,
  whiteoutName,
  whiteoutOf,
  type Found,
  type Layers,
  type Merged,
  type OpenFile,
  type OpenListing,
  type Shared,
  type View
} from './layers'

/**
 * The state of an overlay record: its layers' states. Records given the
 * same one (option `state`) share their handles and listings, as the
 * records of one memory tree do.
 *
 * @category model
 * @since 0.4.0
 */
export interface OverlayState {
  readonly upper: unknown
  readonly lower: unknown
}

/**
 * Options of `overlay`.
 *
 * @category model
 * @since 0.4.0
 */
export interface OverlayOptions {
  /** Where every change lands, and whose entries win. */
  readonly upper: PathIO<unknown>
  /** What shows through where `upper` has nothing; never written. */
  readonly lower: PathIO<unknown>
  /** What relative paths resolve against (default `/`); both layers are given absolute paths. */
  readonly cwd?: string
  /** Another overlay record's `state`, to share its handles and listings (over the same layers' states). */
  readonly state?: OverlayState
}

const rowOf = <K extends OperationName>(op: K): OperationRow<K> =>
  (OPERATIONS as { readonly [P in K]: OperationRow<P> })[op]

/** What each overlay state shares, by the state. */
const sharing = new WeakMap<object, Shared>()

const checkLayer = (record: unknown, name: string): PathIO<unknown> => {
  if (typeof record !== 'object' || record === null)
    throw new TypeError(`overlay: '${name}' must be a PathIO record, got ${describe(record)}`)
  for (const op of OPERATION_NAMES)
    if (typeof (record as Record<string, unknown>)[op] !== 'function')
      throw new TypeError(`overlay: '${name}' has no operation '${op}'`)
  return record as PathIO<unknown>
}

/**
 * What the view can do: what `upper` can (every change lands there), with
 * long names only where both layers take them, links where either may
 * have them, renames not atomic (moving what `lower` holds copies it up
 * first) and listings in no particular order (two layers merged).
 */
const viewCapabilities = (upper: Capabilities, lower: Capabilities): Capabilities =>
  makeCapabilities({
    ...upper,
    longNames: upper.longNames && lower.longNames,
    symlinks: upper.symlinks || lower.symlinks,
    atomicRename: false,
    listingOrder: 'unspecified'
  })

type Result<A> = Promise<E.Either<PathIOError, A>>

/** A path argument of the view: as given, resolved, and (both layers see the resolved path) as the layers get it. */
const placesOf = (given: ReadonlyArray<string>, resolved: ReadonlyArray<string>): ReadonlyArray<Place> =>
  resolved.map((path, i) => ({ given: given[i], resolved: path, inner: path }))

/** Why nothing is at a path, as the error of `op`. */
const absent = (op: string, path: unknown, found: Found): PathIOError =>
  refusal(found.at === 'nowhere' ? found.reason : 'NotFound', op, path)

const reservedName = (op: string, path: unknown): PathIOError =>
  refusal('InvalidArgument', op, path, 'names starting with .wh. are reserved by the overlay')

/**
 * A copy-on-write view of `lower` under `upper`, as Linux's overlayfs.
 * Paths resolve against `cwd` (default `/`) and both layers are given the
 * same absolute paths.
 *
 * - Reads fall through: an entry of `upper` wins; where `upper` has
 *   nothing, `lower`'s shows (unless a whiteout or an opaque directory
 *   above hides it). A directory in both is the two merged: listings give
 *   `upper`'s entries, then `lower`'s that `upper` neither has nor hides,
 *   with no whiteout and no name twice; its `nlink` counts both.
 * - Every change lands in `upper`; `lower` is never written (it is only
 *   ever opened `rb`). A file of `lower` opened `ab` or `r+b`, or changed
 *   by `chmod` or `utimes`, is first copied up whole (under a reserved
 *   name, then renamed onto its own, with its mode and time); opened `wb`,
 *   it is made anew in `upper` with its mode. A directory of `lower` is
 *   copied up as itself alone when something is made in it. Handles reading
 *   `lower`'s file move to the copy, at their position, so they see what is
 *   written there (and a `wb` truncation).
 * - Removing (`unlink`, `rmdir`, `rename`'s source) what `lower` holds
 *   leaves a whiteout in `upper`. A directory made again where `lower` has
 *   one is opaque: `lower`'s old entries stay hidden.
 * - `rename` of what `upper` alone holds is `upper`'s rename; of a file of
 *   `lower`, a copy-up then that rename and a whiteout; of a directory that
 *   `lower` has a part of, the whole of it is copied up first (overlayfs
 *   without `redirect_dir` says `EXDEV` instead). So renames are not atomic
 *   (`capabilities.atomicRename` is off) and may copy a lot.
 * - The whiteout form, in `upper` (aufs'): the whiteout of `name` is an
 *   empty file `.wh.<name>` in the same directory (`.wh.#<sha256 of the
 *   name>` for a name of more than 251 bytes); an opaque directory holds an
 *   empty file `.wh..wh..opq`; a copy in progress is `.wh..wh.copy.<hex>`.
 *   Every name starting with `.wh.` is the overlay's: it is in no listing,
 *   found by no lookup, and creating one is `InvalidArgument`. (Linux's
 *   overlayfs marks with a 0/0 character device and an extended attribute,
 *   which a record cannot make; unionfs-fuse keeps `_HIDDEN~` files in a
 *   `.unionfs` directory; afero's `CopyOnWriteFs` refuses to remove what its
 *   base holds.)
 * - Handles and listings are the overlay's own, recognised by identity and
 *   shared by the records given the same `state`; anywhere else they are a
 *   `BadHandle`. A listing of a directory in both layers keeps the names of
 *   `upper`'s part while it runs.
 * - `capabilities` are `upper`'s (changes land there), with `longNames`
 *   only where both layers have it, `symlinks` where either has it,
 *   `atomicRename` off and listing order unspecified.
 * - An operation is several calls on the layers; two records changing the
 *   same paths at once, or a change of `lower` behind the overlay's back,
 *   can leave what one of them saw out of date (as on overlayfs, changing a
 *   lower layer under a mounted overlay is undefined).
 *
 * Put `withRoot` inside (around each disk layer), not around the overlay.
 * A bad option (a layer without every operation, a relative `cwd`, a
 * `state` no overlay made) is a `TypeError` at once.
 *
 * @example
 * import { overlay, makeMemoryPathIO, writeFile, readFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const lower = makeMemoryPathIO()
 * await writeFile(lower, '/a.txt', Buffer.from('from lower'))()
 * await writeFile(lower, '/b.txt', Buffer.from('doomed'))()
 * const upper = makeMemoryPathIO()
 * const io = overlay({ upper, lower })
 * await writeFile(io, '/a.txt', Buffer.from('changed'))()
 * await io.unlink('/b.txt')()
 * assert.deepStrictEqual(pipe(await readFile(io, '/a.txt')(), E.map(String)), E.right('changed'))
 * assert.deepStrictEqual(await io.list('/')(), E.right(['/a.txt']))
 * // lower is as it was; upper holds the change and a whiteout
 * assert.deepStrictEqual(pipe(await readFile(lower, '/a.txt')(), E.map(String)), E.right('from lower'))
 * assert.deepStrictEqual(await upper.list('/')(), E.right(['/a.txt', '/.wh.b.txt']))
 *
 * @category combinators
 * @since 0.4.0
 */
export const overlay = (options: OverlayOptions): PathIO<OverlayState> => {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`overlay: options must be a record, got ${describe(options)}`)
  const upper = checkLayer(options.upper, 'upper')
  const lower = checkLayer(options.lower, 'lower')
  if (upper === lower) throw new TypeError("overlay: 'upper' and 'lower' must be two records")
  const cwd = options.cwd === undefined ? '/' : checkCwdOption(options.cwd, 'overlay')
  const given = options.state
  if (given !== undefined && (typeof given !== 'object' || given === null || !sharing.has(given)))
    throw new TypeError("overlay: 'state' must be the state of an overlay record")
  const state: OverlayState = given ?? Object.freeze({ upper: upper.state, lower: lower.state })
  if (given === undefined) sharing.set(state, makeShared())
  const shared = sharing.get(state) as Shared
  const layers: Layers = { upper, lower, shared }

  /** The paths of a call, resolved; `undefined` when one is invalid (the error then). */
  const placesFor = <K extends OperationName>(op: K, args: ArgsOf<K>): E.Either<PathIOError, ReadonlyArray<Place>> => {
    const resolved = resolveArguments(op, args, cwd)
    return E.isLeft(resolved)
      ? resolved
      : E.right(placesOf(pathArguments(op, args) as ReadonlyArray<string>, resolved.right))
  }

  /** `body` run when the task runs, with the call's places; errors of the layers told in the caller's paths. */
  const onPaths = <K extends OperationName>(
    op: K,
    args: ArgsOf<K>,
    body: (places: ReadonlyArray<Place>) => Result<GivesOf<K>>
  ): TaskEither<PathIOError, GivesOf<K>> =>
    asyncTask(op, args[0], async () => {
      const places = placesFor(op, args)
      if (E.isLeft(places)) return places
      const result = await body(places.right)
      return E.isLeft(result) ? E.left(asGiven(places.right)(result.left)) : result
    })

  const withResolved = <K extends OperationName>(op: K, args: ArgsOf<K>, places: ReadonlyArray<Place>): ArgsOf<K> => {
    let index = 0
    return mapPathArguments(op, args, () => places[index++].resolved)
  }

  /** The entries of a directory as the view shows them, named as the caller gave the directory. */
  const shownEntries = async (
    view: View,
    place: Place,
    found: Found & { readonly at: 'upper' | 'lower' }
  ): Result<ReadonlyArray<Entry>> => {
    const merged = await mergedEntries(layers, view, place.resolved, found)
    if (E.isLeft(merged)) return merged
    const entries: Array<Entry> = []
    for (const entry of merged.right.entries) {
      const stat = await shownStat(layers, place.resolved, merged.right, entry)
      if (E.isLeft(stat)) return stat
      entries.push({ path: childOf(place.given, entry.name), name: entry.name, stat: stat.right })
    }
    return E.right(entries)
  }

  /** A directory of the view, or why `op` cannot list it. */
  const directory = async (
    op: string,
    view: View,
    place: Place
  ): Result<Found & { readonly at: 'upper' | 'lower' }> => {
    if (hasReserved(place.resolved)) return E.left(refusal('NotFound', op, place.given))
    const found = await view.find(place.resolved)
    if (E.isLeft(found)) return found
    const at = found.right
    if (at.at !== 'upper' && at.at !== 'lower') return E.left(absent(op, place.given, at))
    return isDirectoryStat(at.stat) ? E.right(at) : E.left(refusal('NotADirectory', op, place.given))
  }

  /** Whether `lower` holds something at `path` that shows once `upper` has nothing there. */
  const lowerShows = async (view: View, path: string): Result<boolean> => {
    const below = await view.showsBelow(parentOf(path))
    if (E.isLeft(below) || !below.right) return below
    return lower.exists(path)()
  }

  /** Leaves a whiteout for `path` in `upper` (its directory copied up first). */
  const whiteOut = async (path: string): Result<void> => {
    const made = await ensureUpperDir(layers, parentOf(path))
    return E.isLeft(made) ? made : touch(upper, whiteoutOf(path))
  }

  /** After something was made at `path` in `upper`: its whiteout goes, and a directory where `lower` has one is opaque. */
  const made = async (path: string): Result<void> => {
    const isDir = await upper.isDir(path)()
    if (E.isLeft(isDir)) return isDir
    if (isDir.right) {
      const inLower = await lower.isDir(path)()
      if (E.isLeft(inLower)) return inLower
      if (inLower.right) {
        const opaque = await touch(upper, opaqueOf(path))
        if (E.isLeft(opaque)) return opaque
      }
    }
    return removeMarker(upper, whiteoutOf(path))
  }

  /** Registers a layer's handle as one of the overlay's. */
  const remember = (open: OpenFile): FileHandle => {
    const handle = Object.freeze(Object.create(null)) as FileHandle
    shared.files.set(handle, open)
    if (open.lowerPath !== undefined) {
      const readers = shared.readers.get(open.lowerPath) ?? new Set()
      readers.add(open)
      shared.readers.set(open.lowerPath, readers)
    }
    return handle
  }

  const openIn = async (
    layer: 'upper' | 'lower',
    path: string,
    mode: 'rb' | 'wb' | 'ab' | 'r+b'
  ): Result<FileHandle> => {
    const opened = await (layer === 'upper' ? upper : lower).open(path, mode)()
    if (E.isLeft(opened)) return opened
    return E.right(
      remember({ layer, inner: opened.right, closed: false, lowerPath: layer === 'lower' ? path : undefined })
    )
  }

  // -----------------------------------------------------------------------------------
  // the operations the overlay must know one by one
  // -----------------------------------------------------------------------------------

  const stat: Operation<'stat'> = (...args) =>
    onPaths('stat', args, async ([place]) => {
      if (hasReserved(place.resolved)) return E.left(refusal('NotFound', 'stat', place.given))
      const view = makeView(layers)
      const found = await view.find(place.resolved)
      if (E.isLeft(found)) return found
      const at = found.right
      return at.at === 'upper' || at.at === 'lower'
        ? viewStat(layers, view, place.resolved, at)
        : E.left(absent('stat', place.given, at))
    })

  const scan: Operation<'scan'> = (...args) =>
    onPaths('scan', args, async ([place]) => {
      const view = makeView(layers)
      const dir = await directory('scan', view, place)
      return E.isLeft(dir) ? dir : shownEntries(view, place, dir.right)
    })

  const list: Operation<'list'> = (...args) =>
    onPaths('list', args, async ([place]) => {
      const view = makeView(layers)
      const dir = await directory('list', view, place)
      if (E.isLeft(dir)) return dir
      const merged = await mergedEntries(layers, view, place.resolved, dir.right)
      return E.isLeft(merged) ? merged : E.right(merged.right.entries.map((entry) => childOf(place.given, entry.name)))
    })

  const opendir: Operation<'opendir'> = (...args) =>
    onPaths('opendir', args, async ([place]) => {
      const view = makeView(layers)
      const dir = await directory('opendir', view, place)
      if (E.isLeft(dir)) return dir
      const inUpper = dir.right.at === 'upper'
      const opened = await (inUpper ? upper : lower).opendir(place.resolved)()
      if (E.isLeft(opened)) return opened
      const merging = inUpper ? await view.showsBelow(place.resolved) : E.right(false)
      if (E.isLeft(merging)) {
        await upper.closedir(opened.right)()
        return merging
      }
      const listing: OpenListing = {
        given: place.given,
        resolved: place.resolved,
        phase: inUpper ? 'upper' : 'lower',
        upperDir: inUpper ? opened.right : undefined,
        lowerDir: inUpper ? undefined : opened.right,
        merging: merging.right,
        seen: new Set(),
        closed: false
      }
      const handle = makeDirHandle()
      shared.listings.set(handle, listing)
      return E.right(handle)
    })

  const openListing = (op: string, dir: unknown): E.Either<PathIOError, OpenListing> => {
    const listing = typeof dir === 'object' && dir !== null ? shared.listings.get(dir) : undefined
    if (listing === undefined)
      return E.left(refusal('BadHandle', op, undefined, 'not a directory handle of this overlay'))
    return listing.closed ? E.left(refusal('BadHandle', op, undefined, 'the handle is closed')) : E.right(listing)
  }

  /** One page of `upper`'s part of a listing: its entries, every name it holds noted (so `lower`'s of the same name stay hidden). */
  const upperPage = async (listing: OpenListing, max: number): Result<ReadonlyArray<Entry>> => {
    const page = await upper.readdir(listing.upperDir as never, max)()
    if (E.isLeft(page)) return page
    if (page.right.length === 0) {
      listing.phase = 'end'
      if (listing.merging) {
        const below = await lower.opendir(listing.resolved)()
        if (E.isRight(below)) {
          listing.lowerDir = below.right
          listing.phase = 'lower'
        } else if (below.left.reason !== 'NotFound' && below.left.reason !== 'NotADirectory') return below
      }
      return E.right([])
    }
    const entries: Array<Entry> = []
    for (const entry of page.right) {
      listing.seen.add(entry.name)
      if (isReserved(entry.name)) continue
      const merged: Merged = { name: entry.name, stat: entry.stat, layer: 'upper' }
      const shown = await shownStat(layers, listing.resolved, { merging: listing.merging }, merged)
      if (E.isLeft(shown)) return shown
      entries.push({ path: childOf(listing.given, entry.name), name: entry.name, stat: shown.right })
    }
    return E.right(entries)
  }

  /** One page of `lower`'s part: what `upper` neither listed nor whited out. */
  const lowerPage = async (listing: OpenListing, max: number): Result<ReadonlyArray<Entry>> => {
    const page = await lower.readdir(listing.lowerDir as never, max)()
    if (E.isLeft(page)) return page
    if (page.right.length === 0) listing.phase = 'end'
    const { seen } = listing
    return E.right(
      page.right
        .filter((entry) => !isReserved(entry.name) && !seen.has(entry.name) && !seen.has(whiteoutName(entry.name)))
        .map((entry) => ({ path: childOf(listing.given, entry.name), name: entry.name, stat: entry.stat }))
    )
  }

  const readdir: Operation<'readdir'> = (dir, max) =>
    asyncTask('readdir', undefined, async () => {
      const listing = openListing('readdir', dir)
      if (E.isLeft(listing)) return listing
      const limit = checkMax(max)
      if (E.isLeft(limit)) return limit
      const open = listing.right
      // A page the filter emptied is no end: read on until something shows, or the end.
      while (open.phase !== 'end') {
        const page = open.phase === 'upper' ? await upperPage(open, limit.right) : await lowerPage(open, limit.right)
        if (E.isLeft(page) || page.right.length > 0) return page
      }
      return E.right([])
    })

  const closedir: Operation<'closedir'> = (dir) =>
    asyncTask('closedir', undefined, async () => {
      const listing = typeof dir === 'object' && dir !== null ? shared.listings.get(dir) : undefined
      if (listing === undefined)
        return E.left(refusal('BadHandle', 'closedir', undefined, 'not a directory handle of this overlay'))
      if (listing.closed) return E.right(undefined)
      listing.closed = true
      listing.phase = 'end'
      const closedUpper = listing.upperDir === undefined ? E.right(undefined) : await upper.closedir(listing.upperDir)()
      const closedLower = listing.lowerDir === undefined ? E.right(undefined) : await lower.closedir(listing.lowerDir)()
      return E.isLeft(closedUpper) ? closedUpper : closedLower
    })

  const open: Operation<'open'> = (...args) =>
    onPaths('open', args, async ([place]) => {
      const { given: path, resolved } = place
      const mode = checkMode(path, args[1])
      if (E.isLeft(mode)) return mode
      const how = mode.right
      if (hasReserved(resolved))
        return E.left(how === 'rb' || how === 'r+b' ? refusal('NotFound', 'open', path) : reservedName('open', path))
      // What `upper` cannot do at all, it says itself (Unsupported), before anything is copied.
      if ((how === 'ab' && !upper.capabilities.append) || (how === 'r+b' && !upper.capabilities.update))
        return upper.open(resolved, how)()
      const view = makeView(layers)
      const found = await view.find(resolved)
      if (E.isLeft(found)) return found
      const at = found.right
      if (at.at === 'upper') return openIn('upper', resolved, how)
      if (at.at === 'nowhere') return E.left(absent('open', path, at))
      if (at.at === 'missing') {
        if (how === 'rb' || how === 'r+b') return E.left(refusal('NotFound', 'open', path))
        const parent = await ensureUpperDir(layers, parentOf(resolved))
        if (E.isLeft(parent)) return parent
        const opened = await openIn('upper', resolved, how)
        if (E.isLeft(opened)) return opened
        const after = await made(resolved)
        return E.isLeft(after) ? after : opened
      }
      if (isDirectoryStat(at.stat)) return E.left(refusal('IsADirectory', 'open', path))
      if (how === 'rb') return openIn('lower', resolved, 'rb')
      if (how === 'wb') {
        // Made anew above (it is emptied anyway), with lower's mode; its readers see the truncation.
        const parent = await ensureUpperDir(layers, parentOf(resolved))
        if (E.isLeft(parent)) return parent
        const opened = await openIn('upper', resolved, 'wb')
        if (E.isLeft(opened)) return opened
        if (upper.capabilities.modes) await upper.chmod(resolved, at.stat.mode & 0o7777)()
        await movedReaders(layers, resolved)
        return opened
      }
      const copied = await copyUpFile(layers, resolved, at.stat)
      return E.isLeft(copied) ? copied : openIn('upper', resolved, how)
    })

  /** `mkdir` of one directory whose parent the view has: made in `upper`, opaque where `lower` has one. */
  const mkdirOne = async (path: string): Result<void> => {
    const parent = await ensureUpperDir(layers, parentOf(path))
    if (E.isLeft(parent)) return parent
    const created = await upper.mkdir(path)()
    return E.isLeft(created) ? created : made(path)
  }

  const mkdir: Operation<'mkdir'> = (...args) =>
    onPaths('mkdir', args, async ([place]) => {
      const { given: path, resolved } = place
      const flags = checkMkdirOptions(path, args[1])
      if (E.isLeft(flags)) return flags
      if (hasReserved(resolved)) return E.left(reservedName('mkdir', path))
      const view = makeView(layers)
      const found = await view.find(resolved)
      if (E.isLeft(found)) return found
      const at = found.right
      if (at.at === 'upper' || at.at === 'lower')
        return isDirectoryStat(at.stat) && flags.right.existOk
          ? E.right(undefined)
          : E.left(refusal('AlreadyExists', 'mkdir', path))
      if (at.at === 'missing') return mkdirOne(resolved)
      if (at.at !== 'nowhere') return E.left(refusal('AlreadyExists', 'mkdir', path))
      if (at.reason === 'NotADirectory' || !flags.right.parents) return E.left(absent('mkdir', path, at))
      // `mkdir -p`: every missing directory from the top.
      const names = resolved.slice(1).split('/')
      for (let i = 1; i <= names.length; i++) {
        const step = `/${names.slice(0, i).join('/')}`
        const there = await makeView(layers).find(step)
        if (E.isLeft(there)) return there
        if (there.right.at === 'missing') {
          const one = await mkdirOne(step)
          if (E.isLeft(one)) return one
        } else if (there.right.at !== 'upper' && there.right.at !== 'lower')
          return E.left(absent('mkdir', path, there.right))
        else if (!isDirectoryStat(there.right.stat)) return E.left(refusal('NotADirectory', 'mkdir', path))
      }
      return E.right(undefined)
    })

  const unlink: Operation<'unlink'> = (...args) =>
    onPaths('unlink', args, async ([place]) => {
      const { given: path, resolved } = place
      if (hasReserved(resolved)) return E.left(refusal('NotFound', 'unlink', path))
      const view = makeView(layers)
      const found = await view.find(resolved)
      if (E.isLeft(found)) return found
      const at = found.right
      if (at.at !== 'upper' && at.at !== 'lower') return E.left(absent('unlink', path, at))
      if (isDirectoryStat(at.stat)) return E.left(refusal('IsADirectory', 'unlink', path))
      const shows = at.at === 'lower' ? E.right(true) : await lowerShows(view, resolved)
      if (E.isLeft(shows)) return shows
      // The whiteout first: while upper's file is still there, it hides nothing yet.
      if (shows.right) {
        const hidden = await whiteOut(resolved)
        if (E.isLeft(hidden)) return hidden
      }
      detachReaders(layers, resolved)
      return at.at === 'upper' ? upper.unlink(resolved)() : E.right(undefined)
    })

  const rmdir: Operation<'rmdir'> = (...args) =>
    onPaths('rmdir', args, async ([place]) => {
      const { given: path, resolved } = place
      if (hasReserved(resolved)) return E.left(refusal('NotFound', 'rmdir', path))
      const view = makeView(layers)
      const found = await view.find(resolved)
      if (E.isLeft(found)) return found
      const at = found.right
      if (at.at !== 'upper' && at.at !== 'lower') return E.left(absent('rmdir', path, at))
      if (!isDirectoryStat(at.stat)) return E.left(refusal('NotADirectory', 'rmdir', path))
      if (resolved === '/') return E.left(refusal('Busy', 'rmdir', path, 'the root cannot be removed'))
      const merged = await mergedEntries(layers, view, resolved, at)
      if (E.isLeft(merged)) return merged
      if (merged.right.entries.length > 0) return E.left(refusal('NotEmpty', 'rmdir', path))
      const shows = at.at === 'lower' ? E.right(true) : await lowerShows(view, resolved)
      if (E.isLeft(shows)) return shows
      if (shows.right) {
        const hidden = await whiteOut(resolved)
        if (E.isLeft(hidden)) return hidden
      }
      if (at.at === 'lower') return E.right(undefined)
      const cleared = await clearMarkers(upper, resolved)
      return E.isLeft(cleared) ? cleared : upper.rmdir(resolved)()
    })

  const rename: Operation<'rename'> = (...args) =>
    onPaths('rename', args, async ([from, to]) => {
      if (hasReserved(from.resolved)) return E.left(refusal('NotFound', 'rename', from.given))
      if (hasReserved(to.resolved)) return E.left(reservedName('rename', to.given))
      const view = makeView(layers)
      const source = await view.find(from.resolved)
      if (E.isLeft(source)) return source
      const src = source.right
      if (src.at !== 'upper' && src.at !== 'lower') return E.left(absent('rename', from.given, src))
      const destination = await view.find(to.resolved)
      if (E.isLeft(destination)) return destination
      const dst = destination.right
      if (dst.at === 'nowhere') return E.left(absent('rename', to.given, dst))
      if (from.resolved === '/' || to.resolved === '/')
        return E.left(refusal('Busy', 'rename', from.given, 'cannot rename the root'))
      if (from.resolved === to.resolved) return E.right(to.given)
      const moving = isDirectoryStat(src.stat)
      if (moving && to.resolved.startsWith(`${from.resolved}/`))
        return E.left(refusal('InvalidArgument', 'rename', from.given, 'cannot move a directory into itself'))
      if (dst.at === 'upper' || dst.at === 'lower') {
        const replaced = isDirectoryStat(dst.stat)
        if (!moving && replaced) return E.left(refusal('IsADirectory', 'rename', to.given))
        if (moving && !replaced) return E.left(refusal('NotADirectory', 'rename', to.given))
        if (replaced) {
          const merged = await mergedEntries(layers, view, to.resolved, dst)
          if (E.isLeft(merged)) return merged
          if (merged.right.entries.length > 0) return E.left(refusal('NotEmpty', 'rename', to.given))
        }
      }
      // Checked: what the view holds allows it. What lower holds, found before anything changes.
      const sourceShows = src.at === 'lower' ? E.right(true) : await lowerShows(view, from.resolved)
      if (E.isLeft(sourceShows)) return sourceShows
      const lowerDirAtDestination = moving ? await lower.isDir(to.resolved)() : E.right(false)
      if (E.isLeft(lowerDirAtDestination)) return lowerDirAtDestination
      // The source whole in upper.
      if (moving) {
        const merging = src.at === 'lower' ? E.right(true) : await view.showsBelow(from.resolved)
        if (E.isLeft(merging)) return merging
        const copied = merging.right ? await materialize(layers, from.resolved) : E.right(undefined)
        if (E.isLeft(copied)) return copied
        // Where lower has a directory, the moved one must hide it.
        if (lowerDirAtDestination.right && !merging.right) {
          const opaque = await touch(upper, opaqueOf(from.resolved))
          if (E.isLeft(opaque)) return opaque
        }
      } else if (src.at === 'lower') {
        const copied = await copyUp(layers, from.resolved, src.stat)
        if (E.isLeft(copied)) return copied
      }
      // The destination's place in upper: its directory, and an empty directory there without markers.
      const parent = await ensureUpperDir(layers, parentOf(to.resolved))
      if (E.isLeft(parent)) return parent
      if (dst.at === 'upper' && isDirectoryStat(dst.stat)) {
        const cleared = await clearMarkers(upper, to.resolved)
        if (E.isLeft(cleared)) return cleared
      }
      if (dst.at === 'upper' || dst.at === 'lower') detachReaders(layers, to.resolved)
      const renamed = await upper.rename(from.resolved, to.resolved)()
      if (E.isLeft(renamed)) return renamed
      if (sourceShows.right) {
        const hidden = await touch(upper, whiteoutOf(from.resolved))
        if (E.isLeft(hidden)) return hidden
      }
      const cleaned = await removeMarker(upper, whiteoutOf(to.resolved))
      return E.isLeft(cleaned) ? cleaned : E.right(to.given)
    })

  const SPECIAL: { readonly [K in OperationName]?: Operation<K> } = {
    stat,
    scan,
    list,
    opendir,
    readdir,
    closedir,
    open,
    mkdir,
    unlink,
    rmdir,
    rename
  }

  // -----------------------------------------------------------------------------------
  // every other operation, from its row of the table
  // -----------------------------------------------------------------------------------

  /** An operation on a file handle: to the layer's handle behind the overlay's. */
  const onFile = <K extends OperationName>(op: K, args: ArgsOf<K>): TaskEither<PathIOError, GivesOf<K>> =>
    asyncTask(op, undefined, async () => {
      const handle = args[0]
      const open = typeof handle === 'object' && handle !== null ? shared.files.get(handle) : undefined
      if (open === undefined) return E.left(refusal('BadHandle', op, undefined, 'not a file handle of this overlay'))
      const layer = open.layer === 'upper' ? upper : lower
      const result = await (layer[op] as Operation<K>)(...([open.inner, ...args.slice(1)] as unknown as ArgsOf<K>))()
      if (rowOf(op).releases && E.isRight(result) && !open.closed) {
        open.closed = true
        if (open.lowerPath !== undefined) shared.readers.get(open.lowerPath)?.delete(open)
      }
      return result
    })

  /** A look at paths: to the layer that holds them (a lookup where nothing is answers as for nothing). */
  const looking = <K extends OperationName>(op: K, args: ArgsOf<K>): TaskEither<PathIOError, GivesOf<K>> =>
    onPaths(op, args, async (places) => {
      const nothing = answerForNothing(op)
      const view = makeView(layers)
      let layer: 'upper' | 'lower' | undefined
      for (const place of places) {
        const found = hasReserved(place.resolved)
          ? E.right<PathIOError, Found>({ at: 'nowhere', reason: 'NotFound' })
          : await view.find(place.resolved)
        if (E.isLeft(found)) return found
        const at = found.right
        if (at.at !== 'upper' && at.at !== 'lower')
          return nothing !== undefined ? E.right(nothing.answer) : E.left(absent(op, place.given, at))
        if (layer !== undefined && layer !== at.at)
          return E.left(refusal('Unsupported', op, place.given, 'the paths are in two layers', 'EXDEV'))
        layer = at.at
      }
      return ((layer === 'lower' ? lower : upper)[op] as Operation<K>)(...withResolved(op, args, places))()
    })

  /** A change at existing paths (or one that makes an entry): what lower holds there copied up, then upper's operation. */
  const changing = <K extends OperationName>(op: K, args: ArgsOf<K>): TaskEither<PathIOError, GivesOf<K>> =>
    onPaths(op, args, async (places) => {
      const view = makeView(layers)
      for (let i = 0; i < places.length; i++) {
        const { given: path, resolved } = places[i]
        const creates = createsAt(op, args, i)
        if (hasReserved(resolved)) return E.left(creates ? reservedName(op, path) : refusal('NotFound', op, path))
        const found = await view.find(resolved)
        if (E.isLeft(found)) return found
        const at = found.right
        if (at.at === 'nowhere' || (at.at === 'missing' && !creates)) {
          // Nothing there in the view, so nothing in upper either: upper is asked all the same (it changes
          // nothing), for what it would say first (Unsupported, InvalidArgument); a plain miss is the view's.
          const asked = await (upper[op] as Operation<K>)(...withResolved(op, args, places))()
          return E.isLeft(asked) && asked.left.reason !== 'NotFound' && asked.left.reason !== 'NotADirectory'
            ? asked
            : E.left(absent(op, path, at))
        }
        const ready =
          at.at === 'lower'
            ? await copyUp(layers, resolved, at.stat)
            : at.at === 'missing'
              ? await ensureUpperDir(layers, parentOf(resolved))
              : E.right(undefined)
        if (E.isLeft(ready)) return ready
      }
      const result = await (upper[op] as Operation<K>)(...withResolved(op, args, places))()
      if (E.isLeft(result)) return result
      for (let i = 0; i < places.length; i++)
        if (createsAt(op, args, i)) {
          const after = await made(places[i].resolved)
          if (E.isLeft(after)) return after
        }
      return result
    })

  const generic = <K extends OperationName>(op: K): Operation<K> => {
    const row = rowOf(op)
    if (row.handle === 'file') return (...args) => onFile(op, args)
    if (row.handle === 'dir')
      return () =>
        asyncTask(op, undefined, async () =>
          E.left(refusal('Unsupported', op, undefined, 'not an operation the overlay knows on listings'))
        )
    return (...args) => (mutates(op, args) ? changing(op, args) : looking(op, args))
  }

  const record: Record<string, unknown> = {
    state,
    capabilities: viewCapabilities(upper.capabilities ?? makeCapabilities(), lower.capabilities ?? makeCapabilities())
  }
  for (const op of OPERATION_NAMES) record[op] = SPECIAL[op] ?? generic(op)
  return markNormalised(record as unknown as PathIO<OverlayState>)
}
