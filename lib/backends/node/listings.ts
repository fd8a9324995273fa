/**
 * The Node backend's listings: `opendir`, `readdir`, `closedir` over the
 * kernel's directory stream, and its own `list` and `scan` (one `readdir`,
 * and a stat per child, in one call).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { makeDirHandle, type DirHandle } from '../../PathIO'
import { checkMax } from '../../internal/arguments'
import { lookup, register, release } from '../../internal/handleTable'
import { syncTask } from '../../internal/task'
import * as disk from '../disk/syscalls'
import type { PathIOCore } from '../makePathIO'
import { finish, LISTINGS } from './descriptors'

type ListingOperations = Pick<PathIOCore<undefined>, 'list' | 'scan' | 'opendir' | 'readdir' | 'closedir'>

/** The listings of a Node record whose paths `at` resolves. */
export const nodeListings = (at: disk.Locate): ListingOperations => ({
  list: (path) =>
    syncTask('list', path, () =>
      pipe(
        at('list', path),
        E.chain((target) => disk.readNames('list', target)),
        E.map((names) => names.map((name) => disk.joinChild(path, name)))
      )
    ),
  scan: (path) =>
    syncTask('scan', path, () =>
      pipe(
        at('scan', path),
        E.chain(disk.scan),
        E.map((columns) => disk.entriesOf(path, columns))
      )
    ),
  opendir: (path) =>
    syncTask('opendir', path, () =>
      pipe(
        at('opendir', path),
        E.chain(disk.opendir),
        E.map((listing): DirHandle =>
          register(LISTINGS, makeDirHandle(), { ...listing, path, finished: false, closed: false })
        )
      )
    ),
  readdir: (dir, max) =>
    syncTask('readdir', undefined, () =>
      pipe(
        E.Do,
        E.apS('listing', lookup(LISTINGS, 'readdir', dir)),
        E.apS('max', checkMax(max)),
        E.chain(({ listing, max }) =>
          listing.finished
            ? E.right([])
            : pipe(
                disk.readPage(listing, max),
                // A short page is the end: the stream is closed at once, not when the caller gets round to it.
                E.chainFirst(({ names }) => (names.length < max ? finish(listing) : E.right(undefined))),
                E.map((columns) => disk.entriesOf(listing.path, columns))
              )
        )
      )
    ),
  closedir: (dir) => syncTask('closedir', undefined, () => release(LISTINGS, 'closedir', dir, finish))
})
