/**
 * The memory backend's state: a tree of inodes and the table of open handles.
 */
import { declareNoSymbolicLinks } from '../../internal/traits'
import type { OpenMode } from '../../PathIO'
import { makeHandleTable, type HandleTable } from '../../internal/handles'
import { newDir, type DirInode, type FileInode, type Inode } from './inode'

/** One open file: its own cursor over a shared inode. */
export interface OpenFile {
  readonly inode: FileInode
  readonly mode: OpenMode
  position: number
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
}

/**
 * An empty tree: only `/`.
 *
 * @example
 * import { makeMemoryTree, makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const tree = makeMemoryTree()
 * const a = makeMemoryPathIO({ state: tree })
 * const b = makeMemoryPathIO({ state: tree }) // sees what a does
 * await a.mkdir('/pub')()
 * assert.deepStrictEqual(await b.isDir('/pub')(), E.right(true))
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryTree = (): MemoryTree =>
  declareNoSymbolicLinks({
    _tag: 'MemoryTree',
    root: newDir(Date.now()),
    handles: makeHandleTable('file handle')
  })

export const isMemoryTree = (u: unknown): u is MemoryTree =>
  typeof u === 'object' &&
  u !== null &&
  (u as MemoryTree)._tag === 'MemoryTree' &&
  typeof (u as MemoryTree).handles === 'object' &&
  (u as MemoryTree).handles.held instanceof WeakMap

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

/** Walks a resolved absolute path one `Map` lookup per segment: cost grows with depth, not with directory size. */
export const locate = (tree: MemoryTree, resolved: string): Location => {
  let dir = tree.root
  if (resolved === '/') return { at: 'inode', inode: dir, parent: undefined, name: '' }
  let start = 1
  for (;;) {
    const slash = resolved.indexOf('/', start)
    const name = slash === -1 ? resolved.slice(start) : resolved.slice(start, slash)
    const child = dir.children.get(name)
    if (slash === -1)
      return child === undefined ? { at: 'parent', parent: dir, name } : { at: 'inode', inode: child, parent: dir, name }
    if (child === undefined) return MISSING_ANCESTOR
    if (child.kind !== 'dir') return FILE_ANCESTOR
    dir = child
    start = slash + 1
  }
}
