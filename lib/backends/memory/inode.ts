/**
 * The memory backend's inodes: what a file or directory is, apart from the
 * names it is reachable by (a directory's `children` map holds the links).
 * Keeping the two apart is what lets a file unlinked while open stay
 * readable, and every handle see the same bytes.
 */
import { S_IFDIR, S_IFREG, type Stat } from '../../PathIO'
import { allocateFromSlab } from '../../internal/slab'

export interface FileInode {
  readonly kind: 'file'
  /** The bytes; only `[0, size)` is the file, the rest is spare capacity. */
  data: Buffer
  size: number
  /** Names that lead to this inode: 1, or 0 once unlinked. */
  nlink: number
  mtimeMs: number
  ctimeMs: number
}

export interface DirInode {
  readonly kind: 'dir'
  /** Name -> inode: a lookup never scans siblings. */
  readonly children: Map<string, Inode>
  /** How many children are directories (for `nlink = 2 + subdirs`). */
  subdirs: number
  mtimeMs: number
  ctimeMs: number
}

export type Inode = FileInode | DirInode

const FILE_MODE = S_IFREG | 0o644
const DIR_MODE = S_IFDIR | 0o755
/** What most disks report as a directory's size. */
const DIR_SIZE = 4096
const EMPTY = Buffer.alloc(0)

export const newFile = (now: number): FileInode => ({
  kind: 'file',
  data: EMPTY,
  size: 0,
  nlink: 1,
  mtimeMs: now,
  ctimeMs: now
})

export const newDir = (now: number): DirInode => ({
  kind: 'dir',
  children: new Map(),
  subdirs: 0,
  mtimeMs: now,
  ctimeMs: now
})

export const statOf = (inode: Inode): Stat =>
  inode.kind === 'file'
    ? { size: inode.size, mtimeMs: inode.mtimeMs, ctimeMs: inode.ctimeMs, nlink: inode.nlink, mode: FILE_MODE }
    : { size: DIR_SIZE, mtimeMs: inode.mtimeMs, ctimeMs: inode.ctimeMs, nlink: 2 + inode.subdirs, mode: DIR_MODE }

/** A directory gained or lost an entry: POSIX changes its mtime and ctime. */
export const touchDir = (dir: DirInode, now: number): void => {
  dir.mtimeMs = now
  dir.ctimeMs = now
}

export const addChild = (dir: DirInode, name: string, inode: Inode, now: number): void => {
  dir.children.set(name, inode)
  if (inode.kind === 'dir') dir.subdirs++
  touchDir(dir, now)
}

export const removeChild = (dir: DirInode, name: string, inode: Inode, now: number): void => {
  dir.children.delete(name)
  if (inode.kind === 'dir') dir.subdirs--
  touchDir(dir, now)
}

/**
 * Capacity doubles (amortised: each byte is copied about once on the way to
 * its final size); a first write gets exactly what it needs, so 100,000
 * small files do not each hold a page.
 */
const grownCapacity = (capacity: number, needed: number, most: number): number =>
  capacity === 0 ? needed : Math.max(needed, Math.min(capacity * 2, most))

/** Makes room for `end` bytes, copying the file once per growth step, not per write. */
const ensureCapacity = (file: FileInode, end: number, most: number): void => {
  if (end <= file.data.length) return
  // allocUnsafe takes small buffers from Node's shared pool; large ones get their own memory.
  const data = Buffer.allocUnsafe(grownCapacity(file.data.length, end, most))
  file.data.copy(data, 0, 0, file.size)
  file.data = data
}

/** Spare capacity worth giving back when the last writer is done: more than an eighth of the file and 4 KiB. */
const worthTrimming = (file: FileInode): boolean => {
  const spare = file.data.length - file.size
  return spare > 4096 && spare * 8 > file.size
}

/** Gives back the spare capacity that doubling left, so a stored file holds little more than its size. */
export const trimCapacity = (file: FileInode): void => {
  if (!worthTrimming(file)) return
  const data = Buffer.allocUnsafe(file.size)
  file.data.copy(data, 0, 0, file.size)
  file.data = data
}

/**
 * Writes `bytes` at `position`; a gap past the end reads as zeros.
 * Returns the position after the write.
 */
export const writeAt = (file: FileInode, position: number, bytes: Uint8Array, now: number, most: number): number => {
  const end = position + bytes.length
  ensureCapacity(file, end, most)
  // Spare capacity holds stale bytes (from before a truncation or never set): zero the gap.
  if (position > file.size) file.data.fill(0, file.size, position)
  file.data.set(bytes, position)
  if (end > file.size) file.size = end
  file.mtimeMs = now
  file.ctimeMs = now
  return end
}

/** A copy of at most `size` bytes from `position` (to the end when `size` is undefined). */
export const readAt = (file: FileInode, position: number, size: number | undefined): Buffer => {
  const available = Math.max(0, file.size - position)
  const length = size === undefined ? available : Math.min(size, available)
  // A fresh ArrayBuffer per 8 KiB block cost more than the copy: small reads come from a shared slab.
  const out = allocateFromSlab(length)
  if (length > 0) file.data.copy(out, 0, position, position + length)
  return out
}

export const truncate = (file: FileInode, now: number): void => {
  file.data = EMPTY
  file.size = 0
  file.mtimeMs = now
  file.ctimeMs = now
}
