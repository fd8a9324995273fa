/**
 * The pool backend's listings: a listing lives in the worker that opened it
 * (its directory stream cannot move), which serves all its pages, one job
 * per page; and its own `list` and `scan`, one job each however many
 * entries.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { makeDirHandle, type DirHandle } from '../../PathIO'
import { checkMax, joinChild } from '../../internal/arguments'
import { register, release } from '../../internal/handleTable'
import { asyncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { checkedEntries, closedHandle, exclusive, failure, left, listingOf, onPath, type PoolSettings } from './jobs'
import { submit, type PoolListing, type WorkerPool } from './workerPool'

type ListingOperations = Pick<PathIOCore<WorkerPool>, 'list' | 'scan' | 'opendir' | 'readdir' | 'closedir'>

/** The listings of a pool record. */
export const poolListings = (settings: PoolSettings): ListingOperations => {
  const { internals, at, signal } = settings
  const job = onPath(settings)
  const readdirFailure = failure('readdir', undefined, true)
  return {
    list: (path) =>
      pipe(
        job('list', (target) => ({ op: 'list', target }))(path),
        TE.map((names) => names.map((name) => joinChild(path, name)))
      ),
    scan: (path) =>
      pipe(
        job('scan', (target) => ({ op: 'scan', target }))(path),
        TE.chainEitherK((columns) => checkedEntries('scan', path, columns))
      ),
    opendir: (path) =>
      asyncTask('opendir', path, () => {
        const target = at('opendir', path)
        if (E.isLeft(target)) return left(target.left)
        return submit(
          internals,
          { op: 'opendir', target: target.right },
          failure('opendir', path),
          undefined,
          undefined,
          signal
        ).then(
          E.map(({ id, thread }): DirHandle => {
            const listing: PoolListing = { path, thread, id, finished: false, closed: false, busy: false, waiting: [] }
            return register(internals.listings, makeDirHandle(), listing)
          })
        )
      }),
    // One page is one job, on the worker that holds the listing; pages of one listing are asked one at a time.
    readdir: (dir, max) =>
      asyncTask('readdir', undefined, () => {
        const found = listingOf(internals, 'readdir', dir)
        if (E.isLeft(found)) return left(found.left)
        const most = checkMax(max)
        if (E.isLeft(most)) return left(most.left)
        const listing = found.right
        return exclusive(listing, () => {
          if (listing.closed) return left(closedHandle('readdir'))
          if (listing.finished) return Promise.resolve(E.right([]))
          const request = { op: 'readdir', dir: listing.id, max: most.right } as const
          return submit(internals, request, readdirFailure, undefined, undefined, signal, listing.thread).then(
            E.chain((columns) => {
              // A short page is the end: the worker has closed the stream already.
              if (columns.names.length < most.right) listing.finished = true
              return checkedEntries('readdir', listing.path, columns)
            })
          )
        })
      }),
    closedir: (dir) =>
      asyncTask('closedir', undefined, () =>
        Promise.resolve(
          release(
            internals.listings,
            'closedir',
            dir,
            (listing) =>
              exclusive(listing, () => {
                if (listing.closed) return Promise.resolve(E.right(undefined))
                listing.closed = true
                // Read to its end, or held by a worker that is gone (its streams went with it), or the pool closed: nothing to free.
                if (listing.finished || internals.closed) return Promise.resolve(E.right(undefined))
                const request = { op: 'closedir', dir: listing.id } as const
                return submit(
                  internals,
                  request,
                  failure('closedir', undefined, true),
                  undefined,
                  undefined,
                  undefined,
                  listing.thread
                ).then((closed) => (E.isLeft(closed) && closed.left.reason === 'Unknown' ? E.right(undefined) : closed))
              }),
            false
          )
        )
      )
  }
}
