/**
 * The memory backend's inodes: what a file or directory is, apart from the
 * names it is reachable by (a directory's `children` map holds the links).
 * Keeping the two apart is what lets a file unlinked while open stay
 * readable, and every handle see the same bytes.
 */
import { S_IFDIR, S_IFREG, type Stat } from '../../PathIO'
import type { Content } from './content'

/** A file: its bytes (`Content`: chunks and size) and what `stat` tells. */
export interface FileInode extends Content {
  readonly kind: 'file'
  /** Names that lead to this inode: 1, or 0 once unlinked. */
  nlink: number
  /** Open handles: an unlinked file gives its bytes back when the last one closes. */
  opened: number
  /** Permission bits (`chmod`), reported by `stat` beside the type bits; kept, not enforced. */
  perm: number
  mtimeMs: number
  ctimeMs: number
}

export interface DirInode {
  readonly kind: 'dir'
  /** Name -> inode: a lookup never scans siblings. */
  readonly children: Map<string, Inode>
  /** How many children are directories (for `nlink = 2 + subdirs`). */
  subdirs: number
  /** Permission bits (`chmod`), reported by `stat` beside the type bits; kept, not enforced. */
  perm: number
  mtimeMs: number
  ctimeMs: number
}

export type Inode = FileInode | DirInode

/** What `open` and `mkdir` make, as under a umask of 022. */
const FILE_PERM = 0o644
const DIR_PERM = 0o755
/** What most disks report as a directory's size. */
const DIR_SIZE = 4096
export const newFile = (now: number): FileInode => ({
  kind: 'file',
  chunks: [],
  size: 0,
  nlink: 1,
  opened: 0,
  perm: FILE_PERM,
  mtimeMs: now,
  ctimeMs: now
})

export const newDir = (now: number): DirInode => ({
  kind: 'dir',
  children: new Map(),
  subdirs: 0,
  perm: DIR_PERM,
  mtimeMs: now,
  ctimeMs: now
})

export const statOf = (inode: Inode): Stat =>
  inode.kind === 'file'
    ? {
        size: inode.size,
        mtimeMs: inode.mtimeMs,
        ctimeMs: inode.ctimeMs,
        nlink: inode.nlink,
        mode: S_IFREG | inode.perm
      }
    : {
        size: DIR_SIZE,
        mtimeMs: inode.mtimeMs,
        ctimeMs: inode.ctimeMs,
        nlink: 2 + inode.subdirs,
        mode: S_IFDIR | inode.perm
      }

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
