/**
 * What Node records hold open: file handles and listings, each in one table
 * for every Node record of the process (descriptors are process-wide, so a
 * handle works on any two Node records).
 */
import * as E from 'fp-ts/Either'
import { pathIOError, type PathIOError } from '../../PathIOError'
import { makeHandleTable } from '../../internal/handleTable'
import type { DiskFile } from '../disk/diskFile'
import * as disk from '../disk/syscalls'

/** Open files: descriptor, mode, position. */
export const HANDLES = makeHandleTable<DiskFile>('file handle')

/** One open listing of a Node record: its directory stream, until the end is read or it is closed. */
export interface NodeListing extends disk.DiskListing {
  /** The directory as given to `opendir`. */
  readonly path: string
  /** The end was read: the stream is closed already, and every page is `[]`. */
  finished: boolean
  closed: boolean
}

/** Listings, process-wide as descriptors are. */
export const LISTINGS = makeHandleTable<NodeListing>('directory handle')

/** Closes a listing's stream once, whether its end was read or it is closed first. */
export const finish = (listing: NodeListing): E.Either<PathIOError, void> => {
  if (listing.finished) return E.right(undefined)
  listing.finished = true
  return disk.closeListing(listing)
}

/** The `Left` of a handle check the hot path saw fail (the shared helpers word the error). */
export const refusal = (op: string, checked: E.Either<PathIOError, unknown>): E.Either<PathIOError, never> =>
  E.isLeft(checked) ? checked : E.left(pathIOError('BadHandle', op, { code: 'EBADF' }))
