/**
 * The memory backend's state: a tree of inodes and the table of open handles.
 */
import type { OpenMode } from '../../PathIO'
import { makeHandleTable, type HandleTable } from '../../internal/handleTable'
import type { Budget } from './content'
import { newDir, type DirInode, type FileInode, type Inode } from './inode'

/** One open file: its own cursor over a shared inode. */
export interface OpenFile {
  readonly inode: FileInode
  readonly mode: OpenMode
  position: number
  closed: boolean
}

/**
 * One open listing: an iterator over the directory's own map, so a page
 * costs its own entries and nothing is copied. A `Map` iterator visits every
 * key present from start to end exactly once, whatever is added or deleted
 * meanwhile: the contract's "exactly once" for free.
 */
export interface OpenListing {
  /** The directory as given to `opendir` (entries' paths join it with each name). */
  readonly path: string
  children: Iterator<[string, Inode]>
  closed: boolean
}

/**
 * The shared state of every record made on one tree (`PathIO.state` of the
 * memory backend).
 *
 * @category model
 * @since 0.1.0
 */
export interface MemoryTree {
  readonly _tag: 'MemoryTree'
  readonly root: DirInode
  /** File handles this tree made, recognised by identity (a closed one stays, marked). */
  readonly handles: HandleTable<OpenFile>
  /** Directory handles this tree made (open listings), recognised by identity. */
  readonly dirs: HandleTable<OpenListing>
  /** The bytes its files hold, and `maxTotalSize`: a write that would pass it is `NoSpace`. */
  readonly budget: Budget
}

/**
 * Options of `makeMemoryTree`.
 *
 * @category model
 * @since 0.1.0
 */
export interface MemoryTreeOptions {
  /**
   * The most bytes the tree's files may hold together (default: no limit).
   * Holes in sparse files count nothing; bytes of a file that was unlinked
   * while open count until its last handle closes. A write past it is
   * `NoSpace` (`ENOSPC`) and changes nothing.
   */
  readonly maxTotalSize?: number
}

/** A valid `maxTotalSize` (`Infinity` when left out), or a `TypeError` naming the option and `who` checked it. */
export const checkMaxTotalSize = (max: unknown, who: string): number => {
  if (max === undefined) return Infinity
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0)
    throw new TypeError(`${who}: option 'maxTotalSize' must be a non-negative safe integer (bytes), got ${String(max)}`)
  return max
}

/**
 * An empty tree: only `/`. Its files together hold at most `maxTotalSize`
 * bytes (no limit when left out).
 *
 * @example
 * import { makeMemoryTree, makeMemoryPathIO } from 'fp-pathio'
 * const tree = makeMemoryTree({ maxTotalSize: 4 })
 * const a = makeMemoryPathIO({ state: tree })
 * const b = makeMemoryPathIO({ state: tree }) // sees what a does
 * const h = await a.open('/f', 'wb')()
 * assert.ok(h._tag === 'Right')
 * assert.deepStrictEqual(await a.write(h.right, Buffer.from('abcd'))(), { _tag: 'Right', right: 4 })
 * const full = await a.write(h.right, Buffer.from('e'))()
 * assert.ok(full._tag === 'Left' && full.left.reason === 'NoSpace')
 * await a.close(h.right)()
 * const stat = await b.stat('/f')()
 * assert.ok(stat._tag === 'Right' && stat.right.size === 4)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryTree = (options?: MemoryTreeOptions): MemoryTree => {
  if (options !== undefined && options !== null && typeof options !== 'object')
    throw new TypeError(`makeMemoryTree: options must be an object, got ${typeof options}`)
  return {
    _tag: 'MemoryTree',
    root: newDir(Date.now()),
    handles: makeHandleTable('file handle'),
    dirs: makeHandleTable('directory handle'),
    budget: { max: checkMaxTotalSize(options?.maxTotalSize, 'makeMemoryTree'), held: 0 }
  }
}

export const isMemoryTree = (u: unknown): u is MemoryTree =>
  typeof u === 'object' &&
  u !== null &&
  (u as MemoryTree)._tag === 'MemoryTree' &&
  typeof (u as MemoryTree).handles === 'object' &&
  (u as MemoryTree).handles.held instanceof WeakMap &&
  typeof (u as MemoryTree).budget === 'object'

/** Where a resolved path leads. */
export type Location =
  /** It exists (`parent` is undefined for `/`). */
  | { readonly at: 'inode'; readonly inode: Inode; readonly parent: DirInode | undefined; readonly name: string }
  /** It does not exist, but its parent directory does. */
  | { readonly at: 'parent'; readonly parent: DirInode; readonly name: string }
  /** An ancestor is missing, or is a file. */
  | { readonly at: 'nowhere'; readonly reason: 'NotFound' | 'NotADirectory' }

const MISSING_ANCESTOR: Location = { at: 'nowhere', reason: 'NotFound' }
const FILE_ANCESTOR: Location = { at: 'nowhere', reason: 'NotADirectory' }

/** Why a resolved path leads nowhere: an ancestor is missing, or is a file. */
export type Nowhere = 'NotFound' | 'NotADirectory'

/**
 * The directory that holds the last name of a resolved absolute path other
 * than `/` (`last` is the index of its last slash: the name follows it), or
 * why there is none. One `Map` lookup per ancestor: cost grows with depth,
 * not with directory size; and nothing is allocated but the names looked up.
 */
export const parentOf = (tree: MemoryTree, resolved: string, last: number): DirInode | Nowhere => {
  let dir = tree.root
  let start = 1
  while (start < last) {
    const slash = resolved.indexOf('/', start)
    const child = dir.children.get(resolved.slice(start, slash))
    if (child === undefined) return 'NotFound'
    if (child.kind !== 'dir') return 'NotADirectory'
    dir = child
    start = slash + 1
  }
  return dir
}

/** The inode at a resolved path, or why there is none (its parent missing: `NotFound` too). */
export const inodeAt = (tree: MemoryTree, resolved: string): Inode | Nowhere => {
  if (resolved === '/') return tree.root
  const last = resolved.lastIndexOf('/')
  const parent = parentOf(tree, resolved, last)
  if (typeof parent === 'string') return parent
  return parent.children.get(resolved.slice(last + 1)) ?? 'NotFound'
}

/** Where a resolved path leads, as a record (see `parentOf` and `inodeAt` for the hot paths). */
export const locate = (tree: MemoryTree, resolved: string): Location => {
  if (resolved === '/') return { at: 'inode', inode: tree.root, parent: undefined, name: '' }
  const last = resolved.lastIndexOf('/')
  const parent = parentOf(tree, resolved, last)
  if (typeof parent === 'string') return parent === 'NotFound' ? MISSING_ANCESTOR : FILE_ANCESTOR
  const name = resolved.slice(last + 1)
  const child = parent.children.get(name)
  return child === undefined ? { at: 'parent', parent, name } : { at: 'inode', inode: child, parent, name }
}
