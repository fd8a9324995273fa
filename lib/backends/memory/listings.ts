/**
 * The memory backend's listings: `opendir`, `readdir`, `closedir`, and its
 * own `list` and `scan` (one pass over the directory's `Map`, faster than
 * going page by page).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { makeDirHandle, type Entry } from '../../PathIO'
import { checkMax, joinChild } from '../../internal/arguments'
import { lookup, register, release } from '../../internal/handleTable'
import { syncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { statOf, type Inode } from './inode'
import type { MemorySettings } from './options'
import { directoryAt } from './paths'
import type { MemoryTree, OpenListing } from './tree'

/** What a closed listing iterates: nothing (and it lets go of the directory's map). */
const FINISHED: Iterator<[string, Inode]> = new Map<string, Inode>().entries()

/** The next `max` children of a listing, each as `scan` gives it. */
const nextPage = (listing: OpenListing, max: number): Array<Entry> => {
  const page: Array<Entry> = []
  while (page.length < max) {
    const next = listing.children.next()
    if (next.done === true) break
    const [name, inode] = next.value
    page.push({ path: joinChild(listing.path, name), name, stat: statOf(inode) })
  }
  return page
}

type ListingOperations = Pick<PathIOCore<MemoryTree>, 'list' | 'scan' | 'opendir' | 'readdir' | 'closedir'>

/** The listings of a memory record. */
export const memoryListings = (settings: MemorySettings): ListingOperations => {
  const { tree } = settings
  return {
    list: (path) =>
      syncTask('list', path, () =>
        pipe(
          directoryAt(settings, 'list', path),
          E.map((dir) => Array.from(dir.children.keys(), (name) => joinChild(path, name)))
        )
      ),
    scan: (path) =>
      syncTask('scan', path, () =>
        pipe(
          directoryAt(settings, 'scan', path),
          E.map((dir) =>
            Array.from(dir.children, ([name, inode]): Entry => ({
              path: joinChild(path, name),
              name,
              stat: statOf(inode)
            }))
          )
        )
      ),
    opendir: (path) =>
      syncTask('opendir', path, () =>
        pipe(
          directoryAt(settings, 'opendir', path),
          E.map((dir) =>
            register(tree.dirs, makeDirHandle(), { path, children: dir.children.entries(), closed: false })
          )
        )
      ),
    readdir: (dir, max) =>
      syncTask('readdir', undefined, () => {
        const listing = lookup(tree.dirs, 'readdir', dir)
        if (E.isLeft(listing)) return listing
        const most = checkMax(max)
        return E.isLeft(most) ? most : E.right(nextPage(listing.right, most.right))
      }),
    closedir: (dir) =>
      syncTask('closedir', undefined, () =>
        release(tree.dirs, 'closedir', dir, (listing) => {
          listing.children = FINISHED
          return E.right(undefined)
        })
      )
  }
}
