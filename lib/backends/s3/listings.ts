/**
 * The S3 backend's listings: `opendir` asks the first page (ListObjectsV2
 * with delimiter `/`), `readdir` the next ones as its buffer runs dry, one
 * request per page. `list` and `scan` are `makePathIO`'s, made of these:
 * the same requests, page by page.
 */
import * as E from 'fp-ts/Either'
import { makeDirHandle, type Entry } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import { joinChild } from '../../internal/arguments'
import { lookup, register, release } from '../../internal/handleTable'
import { asyncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { fromS3Error, onS3Path, refuse } from './errors'
import { dirPrefix, isRoot, objectKey } from './keys'
import { missing } from './lookup'
import type { S3Settings } from './options'
import { inTurn } from './openObject'
import { childrenOf, pageShowsDir, pagesOf, type S3Dir } from './pages'
import { headObject } from './requests'
import type { S3State } from './state'

/** S3's largest page. */
const MAX_PAGE = 1000

type Answer<A> = Promise<E.Either<PathIOError, A>>

type ListingOperations = Pick<PathIOCore<S3State>, 'opendir' | 'readdir' | 'closedir'>

/** The listings of an S3 record. */
export const s3Listings = (settings: S3Settings): ListingOperations => {
  const { state, prefix, cwd } = settings

  /** The first page of a directory, or why it cannot be listed (`NotFound`, `NotADirectory`). */
  const firstPage = async (op: string, path: unknown, resolved: string, max?: number) => {
    const pages = pagesOf(state, dirPrefix(prefix, resolved))
    const page = await pages.next(max)
    if (page === undefined || (!pageShowsDir(page) && !isRoot(resolved))) {
      const file = await headObject(state, objectKey(prefix, resolved))
      return file !== undefined ? refuse('NotADirectory', op, path) : missing(settings, op, path, resolved)
    }
    return E.right({ pages, children: [...childrenOf(dirPrefix(prefix, resolved), page)] })
  }

  return {
    opendir: (path) =>
      onS3Path(cwd, 'opendir', path, async (resolved) => {
        const first = await firstPage('opendir', path, resolved)
        if (E.isLeft(first)) return first
        const listing: S3Dir = {
          path,
          dirKey: dirPrefix(prefix, resolved),
          pages: first.right.pages,
          buffer: first.right.children,
          closed: false,
          queue: Promise.resolve()
        }
        return E.right(register(state.dirs, makeDirHandle(), listing))
      }),
    readdir: (dir, max) =>
      asyncTask(
        'readdir',
        undefined,
        async () => {
          if (max !== undefined && max !== null && !(typeof max === 'number' && Number.isSafeInteger(max) && max > 0))
            return refuse('InvalidArgument', 'readdir', undefined, 'max must be a positive safe integer')
          const found = lookup(state.dirs, 'readdir', dir)
          if (E.isLeft(found)) return found
          const open = found.right
          const limit = max ?? MAX_PAGE
          return inTurn(open, async (): Answer<ReadonlyArray<Entry>> => {
            // A page may hold only the directory's own marker: ask on until a name or the end.
            while (open.buffer.length === 0) {
              const page = await open.pages.next(Math.min(limit, MAX_PAGE))
              if (page === undefined) return E.right([])
              open.buffer.push(...childrenOf(open.dirKey, page))
            }
            return E.right(
              open.buffer.splice(0, limit).map((child) => ({ path: joinChild(open.path, child.name), ...child }))
            )
          })
        },
        fromS3Error('readdir')
      ),
    closedir: (dir) =>
      asyncTask('closedir', undefined, async () =>
        release(state.dirs, 'closedir', dir, (listing) => {
          listing.buffer.length = 0
          return E.right(undefined)
        })
      )
  }
}
