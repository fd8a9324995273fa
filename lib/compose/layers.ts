/**
 * The machinery of `overlay`: the names it keeps in `upper` (whiteouts,
 * opaque markers, copies in progress), how a path of the view is found in
 * the two layers, a directory's merged entries, and copying up.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import { createHash, randomBytes } from 'node:crypto'
import { NAME_MAX, joinChild } from '../internal/arguments'
import {
  isDirectoryStat,
  isFileStat,
  SEEK_CUR,
  type DirHandle,
  type FileHandle,
  type PathIO,
  type Stat
} from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { nameOf, parentOf } from './given'

// -------------------------------------------------------------------------------------
// the names kept in upper
// -------------------------------------------------------------------------------------

/** Every name the overlay keeps in `upper` starts so; such names are not part of the view. */
export const RESERVED_PREFIX = '.wh.'

/** In a directory of `upper`: the directory hides whatever `lower` holds at its path (it was removed and made again). */
export const OPAQUE_NAME = '.wh..wh..opq'

/** A file being copied up, renamed onto its name once whole. */
const COPY_PREFIX = '.wh..wh.copy.'

export const isReserved = (name: string): boolean => name.startsWith(RESERVED_PREFIX)

/** Whether a resolved path runs through a reserved name. */
export const hasReserved = (path: string): boolean => path.split('/').some(isReserved)

/**
 * The whiteout of `name`: `.wh.<name>`, or, for a name too long for the
 * prefix to fit in 255 bytes, `.wh.#<sha256 of the name, hex>`.
 */
export const whiteoutName = (name: string): string =>
  Buffer.byteLength(name) <= NAME_MAX - RESERVED_PREFIX.length
    ? RESERVED_PREFIX + name
    : `${RESERVED_PREFIX}#${createHash('sha256').update(name).digest('hex')}`

export const whiteoutOf = (path: string): string => joinChild(parentOf(path), whiteoutName(nameOf(path)))

export const opaqueOf = (dir: string): string => joinChild(dir, OPAQUE_NAME)

// -------------------------------------------------------------------------------------
// what the records of one overlay state share
// -------------------------------------------------------------------------------------

/** A file opened through the overlay: the layer's handle behind it, which a copy-up may replace. */
export interface OpenFile {
  layer: 'upper' | 'lower'
  inner: FileHandle
  closed: boolean
  /** For a handle reading `lower`: the path it reads there, until a copy-up moves it to `upper`. */
  lowerPath: string | undefined
}

/** A listing opened through the overlay: `upper`'s entries, then `lower`'s that nothing in `upper` hides. */
export interface OpenListing {
  readonly given: string
  readonly resolved: string
  phase: 'upper' | 'lower' | 'end'
  readonly upperDir: DirHandle | undefined
  lowerDir: DirHandle | undefined
  /** Whether `lower`'s entries show below (the directory is in both layers, not opaque). */
  readonly merging: boolean
  /** The names `upper` listed (its entries and whiteouts): `lower`'s of the same name are hidden. */
  readonly seen: Set<string>
  closed: boolean
}

export interface Shared {
  readonly files: WeakMap<object, OpenFile>
  readonly listings: WeakMap<object, OpenListing>
  /** Handles reading a file of `lower`, by its path: a copy-up moves them to the copy. */
  readonly readers: Map<string, Set<OpenFile>>
  /** Copy-ups in progress, by path: a second waits for the first. */
  readonly copying: Map<string, Promise<E.Either<PathIOError, void>>>
}

export const makeShared = (): Shared => ({
  files: new WeakMap(),
  listings: new WeakMap(),
  readers: new Map(),
  copying: new Map()
})

/** The two layers of one overlay record, and what its state shares. */
export interface Layers {
  readonly upper: PathIO<unknown>
  readonly lower: PathIO<unknown>
  readonly shared: Shared
}

// -------------------------------------------------------------------------------------
// finding a path in the view
// -------------------------------------------------------------------------------------

/**
 * What the view holds at a path: an entry of `upper` (which always wins),
 * one of `lower` that nothing hides, nothing in an existing directory
 * (`missing`), or nothing with no directory to hold it (`nowhere`, with the
 * reason a lookup gives: a missing parent, or a file on the way).
 */
export type Found =
  | { readonly at: 'upper' | 'lower'; readonly stat: Stat }
  | { readonly at: 'missing' }
  | { readonly at: 'nowhere'; readonly reason: 'NotFound' | 'NotADirectory' }

type Result<A> = Promise<E.Either<PathIOError, A>>

/** Whether a lookup failed only because nothing is there. */
const nothingThere = (error: PathIOError): boolean => error.reason === 'NotFound' || error.reason === 'NotADirectory'

const memo = <A>(cache: Map<string, Result<A>>, key: string, compute: () => Result<A>): Result<A> => {
  const known = cache.get(key)
  if (known !== undefined) return known
  const computed = compute()
  cache.set(key, computed)
  return computed
}

/**
 * One look at the view, for the checks of one operation (answers are kept
 * until the operation changes something: make a new view after that).
 */
export interface View {
  readonly find: (path: string) => Result<Found>
  /** Whether `lower`'s entries at `dir` show in the view (it is a directory there, and nothing in `upper` hides it). */
  readonly showsBelow: (dir: string) => Result<boolean>
  readonly isWhiteout: (path: string) => Result<boolean>
}

export const makeView = ({ upper, lower }: Layers): View => {
  const found = new Map<string, Result<Found>>()
  const shows = new Map<string, Result<boolean>>()

  const isWhiteout = async (path: string): Result<boolean> => upper.exists(whiteoutOf(path))()

  const showsBelow = (dir: string): Result<boolean> =>
    memo(shows, dir, async () => {
      const inLower = await lower.isDir(dir)()
      if (E.isLeft(inLower) || !inLower.right || dir === '/') return inLower
      const inUpper = await upper.stat(dir)()
      if (E.isRight(inUpper)) {
        if (!isDirectoryStat(inUpper.right)) return E.right(false)
        const opaque = await upper.exists(opaqueOf(dir))()
        if (E.isLeft(opaque) || opaque.right) return E.map(() => false)(opaque)
      } else if (inUpper.left.reason === 'NotFound') {
        const hidden = await isWhiteout(dir)
        if (E.isLeft(hidden) || hidden.right) return E.map(() => false)(hidden)
      } else {
        return inUpper.left.reason === 'NotADirectory' ? E.right(false) : inUpper
      }
      return showsBelow(parentOf(dir))
    })

  const find = (path: string): Result<Found> =>
    memo(found, path, async () => {
      const inUpper = await upper.stat(path)()
      if (E.isRight(inUpper)) return E.right({ at: 'upper', stat: inUpper.right })
      if (inUpper.left.reason === 'NotADirectory') return E.right({ at: 'nowhere', reason: 'NotADirectory' })
      if (inUpper.left.reason !== 'NotFound' || path === '/') return inUpper
      const parent = parentOf(path)
      const below = await showsBelow(parent)
      if (E.isLeft(below)) return below
      if (below.right) {
        const hidden = await isWhiteout(path)
        if (E.isLeft(hidden)) return hidden
        if (!hidden.right) {
          const inLower = await lower.stat(path)()
          if (E.isRight(inLower)) return E.right({ at: 'lower', stat: inLower.right })
          if (!nothingThere(inLower.left)) return inLower
        }
      }
      const holder = await find(parent)
      if (E.isLeft(holder)) return holder
      const at = holder.right
      return E.right(
        at.at === 'missing'
          ? { at: 'nowhere', reason: 'NotFound' }
          : at.at === 'nowhere'
            ? at
            : isDirectoryStat(at.stat)
              ? { at: 'missing' }
              : { at: 'nowhere', reason: 'NotADirectory' }
      )
    })

  return { find, showsBelow, isWhiteout }
}

// -------------------------------------------------------------------------------------
// a directory's entries in the view
// -------------------------------------------------------------------------------------

/** One entry of a merged directory, and the layer it comes from. */
export interface Merged {
  readonly name: string
  readonly stat: Stat
  readonly layer: 'upper' | 'lower'
}

export interface MergedDirectory {
  readonly entries: ReadonlyArray<Merged>
  /** Whether `lower`'s entries show below. */
  readonly merging: boolean
  /** The names of `lower`'s directories there (an `upper` directory of the same name merges with it). */
  readonly lowerDirs: ReadonlySet<string>
}

/** The entries of a directory of the view (`found` says where it is): `upper`'s, then `lower`'s that nothing hides. */
export const mergedEntries = async (layers: Layers, view: View, dir: string, found: Found): Result<MergedDirectory> => {
  const { upper, lower } = layers
  if (found.at === 'lower') {
    const scanned = await lower.scan(dir)()
    if (E.isLeft(scanned)) return scanned
    const entries = scanned.right
      .filter((e) => !isReserved(e.name))
      .map((e): Merged => ({ name: e.name, stat: e.stat, layer: 'lower' }))
    return E.right({ entries, merging: false, lowerDirs: new Set() })
  }
  const scanned = await upper.scan(dir)()
  if (E.isLeft(scanned)) return scanned
  const names = new Set(scanned.right.map((e) => e.name))
  const entries: Array<Merged> = scanned.right
    .filter((e) => !isReserved(e.name))
    .map((e) => ({ name: e.name, stat: e.stat, layer: 'upper' }))
  const merging = await view.showsBelow(dir)
  if (E.isLeft(merging)) return merging
  const lowerDirs = new Set<string>()
  if (merging.right) {
    const below = await lower.scan(dir)()
    if (E.isLeft(below) && !nothingThere(below.left)) return below
    for (const entry of E.isRight(below) ? below.right : []) {
      if (isReserved(entry.name)) continue
      if (isDirectoryStat(entry.stat)) lowerDirs.add(entry.name)
      if (!names.has(entry.name) && !names.has(whiteoutName(entry.name)))
        entries.push({ name: entry.name, stat: entry.stat, layer: 'lower' })
    }
  }
  return E.right({ entries, merging: merging.right, lowerDirs })
}

/** A directory of `upper` that merges with `lower`'s: its `nlink` is 2 plus the subdirectories of the view. */
const mergedLinks = async (layers: Layers, dir: string, stat: Stat): Result<Stat> => {
  const merged = await mergedEntries(layers, makeView(layers), dir, { at: 'upper', stat })
  if (E.isLeft(merged)) return merged
  return E.right({ ...stat, nlink: 2 + merged.right.entries.filter((e) => isDirectoryStat(e.stat)).length })
}

/** The stat the view shows for what `find` found: an `upper` directory merging with `lower`'s counts both layers' subdirectories. */
export const viewStat = async (
  layers: Layers,
  view: View,
  path: string,
  found: { readonly at: 'upper' | 'lower'; readonly stat: Stat }
): Result<Stat> => {
  if (found.at === 'lower' || !isDirectoryStat(found.stat)) return E.right(found.stat)
  const merging = await view.showsBelow(path)
  if (E.isLeft(merging) || !merging.right) return E.map(() => found.stat)(merging)
  return mergedLinks(layers, path, found.stat)
}

/**
 * An entry of a directory as the view shows it: an `upper` directory that
 * merges with a `lower` one (in a directory that merges, not opaque) has
 * its links counted over both. `lowerDirs`, where known, saves asking `lower`.
 */
export const shownStat = async (
  layers: Layers,
  dir: string,
  merged: { readonly merging: boolean; readonly lowerDirs?: ReadonlySet<string> },
  entry: Merged
): Result<Stat> => {
  if (entry.layer === 'lower' || !merged.merging || !isDirectoryStat(entry.stat)) return E.right(entry.stat)
  const path = joinChild(dir, entry.name)
  if (merged.lowerDirs !== undefined && !merged.lowerDirs.has(entry.name)) return E.right(entry.stat)
  if (merged.lowerDirs === undefined) {
    const inLower = await layers.lower.isDir(path)()
    if (E.isLeft(inLower) || !inLower.right) return E.map(() => entry.stat)(inLower)
  }
  const opaque = await layers.upper.exists(opaqueOf(path))()
  if (E.isLeft(opaque) || opaque.right) return E.map(() => entry.stat)(opaque)
  return mergedLinks(layers, path, entry.stat)
}

// -------------------------------------------------------------------------------------
// changing upper
// -------------------------------------------------------------------------------------

/** Makes an empty marker file in `upper`. */
export const touch = async (upper: PathIO<unknown>, path: string): Result<void> => {
  const opened = await upper.open(path, 'wb')()
  if (E.isLeft(opened)) return opened
  return upper.close(opened.right)()
}

/** Removes a marker of `upper`, if it is there. */
export const removeMarker = async (upper: PathIO<unknown>, path: string): Result<void> => {
  const removed = await upper.unlink(path)()
  return E.isLeft(removed) && removed.left.reason === 'NotFound' ? E.right(undefined) : removed
}

/** Removes every name the overlay keeps in a directory of `upper` (whiteouts, its opaque marker), so the directory can go. */
export const clearMarkers = async (upper: PathIO<unknown>, dir: string): Result<void> => {
  const scanned = await upper.scan(dir)()
  if (E.isLeft(scanned)) return scanned
  for (const entry of scanned.right) {
    if (!isReserved(entry.name)) continue
    const removed = await removeMarker(upper, joinChild(dir, entry.name))
    if (E.isLeft(removed)) return removed
  }
  return E.right(undefined)
}

/** Gives a copy in `upper` the permission bits and modification time of what it copies, where `upper` can keep them. */
const copyMetadata = async (upper: PathIO<unknown>, path: string, stat: Stat): Promise<void> => {
  if (upper.capabilities.modes) await upper.chmod(path, stat.mode & 0o7777)()
  if (upper.capabilities.times && Number.isSafeInteger(stat.mtimeMs) && stat.mtimeMs >= 0)
    await upper.utimes(path, stat.mtimeMs)()
}

/** Makes `dir`, a directory of the view, a directory of `upper` too (its ancestors first), with `lower`'s mode and time. */
export const ensureUpperDir = async (layers: Layers, dir: string): Result<void> => {
  const { upper, lower } = layers
  const inUpper = await upper.isDir(dir)()
  if (E.isLeft(inUpper) || inUpper.right || dir === '/') return E.map(() => undefined)(inUpper)
  const above = await ensureUpperDir(layers, parentOf(dir))
  if (E.isLeft(above)) return above
  const made = await upper.mkdir(dir, { existOk: true })()
  if (E.isLeft(made)) return made
  const inLower = await lower.stat(dir)()
  if (E.isRight(inLower)) await copyMetadata(upper, dir, inLower.right)
  return E.right(undefined)
}

/** Bytes a copy-up reads from `lower` at a time. */
const COPY_BLOCK = 1024 * 1024

/** Copies `from` of `lower` to `to` of `upper`, whole. */
const copyBytes = async ({ upper, lower }: Layers, from: string, to: string): Result<void> => {
  const writer = await upper.open(to, 'wb')()
  if (E.isLeft(writer)) return writer
  const reader = await lower.open(from, 'rb')()
  let copied: E.Either<PathIOError, void> = E.right(undefined)
  if (E.isLeft(reader)) copied = reader
  else {
    for (;;) {
      const block = await lower.read(reader.right, COPY_BLOCK)()
      if (E.isLeft(block)) {
        copied = block
        break
      }
      if (block.right.length === 0) break
      const written = await upper.write(writer.right, block.right)()
      if (E.isLeft(written)) {
        copied = written
        break
      }
    }
    await lower.close(reader.right)()
  }
  const closed = await upper.close(writer.right)()
  return E.isLeft(copied) ? copied : closed
}

/** Moves the handles reading `lower`'s file at `path` to `upper`'s file there, each at its position. */
export const movedReaders = async (layers: Layers, path: string): Promise<void> => {
  const { upper, lower, shared } = layers
  const readers = shared.readers.get(path)
  if (readers === undefined) return
  shared.readers.delete(path)
  for (const open of readers) {
    if (open.closed || open.layer !== 'lower') continue
    const position = await lower.seek(open.inner, 0, SEEK_CUR)()
    if (E.isLeft(position)) continue
    const moved = await upper.open(path, 'rb')()
    if (E.isLeft(moved)) continue
    await upper.seek(moved.right, position.right)()
    const before = open.inner
    open.inner = moved.right
    open.layer = 'upper'
    open.lowerPath = undefined
    await lower.close(before)()
  }
}

/** The handles reading `lower`'s file at `path` keep it: the view's file there was removed or replaced. */
export const detachReaders = ({ shared }: Layers, path: string): void => {
  shared.readers.delete(path)
}

/**
 * Copies `lower`'s file at `path` up to `upper`, whole, under a reserved
 * name first and then renamed onto its own (so the view never shows half
 * of it), with its mode and modification time; the handles reading it in
 * `lower` move to the copy. A second copy-up of the same path waits for the first.
 */
export const copyUpFile = (layers: Layers, path: string, stat: Stat): Result<void> => {
  const { upper, shared } = layers
  const running = shared.copying.get(path)
  if (running !== undefined) return running
  const copy = (async (): Result<void> => {
    const parent = parentOf(path)
    const made = await ensureUpperDir(layers, parent)
    if (E.isLeft(made)) return made
    const temporary = joinChild(parent, `${COPY_PREFIX}${randomBytes(8).toString('hex')}`)
    const copied = await copyBytes(layers, path, temporary)
    if (E.isRight(copied)) await copyMetadata(upper, temporary, stat)
    const renamed = E.isLeft(copied) ? copied : await upper.rename(temporary, path)()
    if (E.isLeft(renamed)) {
      await removeMarker(upper, temporary)
      return renamed
    }
    await movedReaders(layers, path)
    return E.right(undefined)
  })()
  shared.copying.set(path, copy)
  void copy.finally(() => shared.copying.delete(path))
  return copy
}

/** Copies up what the view holds at `path` from `lower`: a file whole, a directory as itself alone (its entries still merge). */
export const copyUp = (layers: Layers, path: string, stat: Stat): Result<void> =>
  isDirectoryStat(stat)
    ? ensureUpperDir(layers, path)
    : isFileStat(stat)
      ? copyUpFile(layers, path, stat)
      : Promise.resolve(E.right(undefined))

/**
 * Makes `upper`'s directory at `dir` hold the whole of the view's (every
 * file and directory below that `lower` gives copied up), and opaque: what
 * `rename` does before moving a directory that `lower` has a part of.
 * Entries that are neither files nor directories (a disk's dangling links)
 * are not copied.
 */
export const materialize = async (layers: Layers, dir: string): Result<void> => {
  const made = await ensureUpperDir(layers, dir)
  if (E.isLeft(made)) return made
  const view = makeView(layers)
  const stat = await layers.upper.stat(dir)()
  if (E.isLeft(stat)) return stat
  const merged = await mergedEntries(layers, view, dir, { at: 'upper', stat: stat.right })
  if (E.isLeft(merged)) return merged
  for (const entry of merged.right.entries) {
    const path = joinChild(dir, entry.name)
    const below =
      entry.layer === 'lower'
        ? isDirectoryStat(entry.stat)
          ? await materialize(layers, path)
          : await copyUp(layers, path, entry.stat)
        : isDirectoryStat(entry.stat) && merged.right.merging && merged.right.lowerDirs.has(entry.name)
          ? await materialize(layers, path)
          : E.right(undefined)
    if (E.isLeft(below)) return below
  }
  return touch(layers.upper, opaqueOf(dir))
}
