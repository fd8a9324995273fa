/**
 * What a disk backend's file handle stands for: its descriptor, its mode and
 * its own position. The position is ours, not the kernel's (every read and
 * write is positional), so two handles of one file never move each other.
 * The table itself, and its checks, are the one of every backend
 * (`internal/handles`).
 */
import type { OpenMode } from '../../PathIO'

/** One open file. */
export interface DiskFile {
  readonly fd: number
  readonly mode: OpenMode
  position: number
  /** The file size this handle last saw (a hint that spares an `fstat` per read). */
  size: number
  closed: boolean
}

export const makeDiskFile = (fd: number, mode: OpenMode, size: number): DiskFile => ({
  fd,
  mode,
  position: 0,
  size,
  closed: false
})
