/**
 * Directory listings: ListObjectsV2 under `dir/` with delimiter `/`, one
 * request per page of up to 1,000 names. Files come with their size and
 * time; subdirectories as common prefixes (so a directory another tool made
 * without a marker lists like one made by `mkdir`). Nothing is asked per
 * child.
 */
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3'
import { S_IFDIR, S_IFREG, type Stat } from '../../PathIO'
import { listPage, toMtimeMs } from './requests'
import type { S3State } from './state'

/** What a directory's `stat` says: object stores keep no directory times, link counts or modes. */
export const DIR_STAT: Stat = Object.freeze({ size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 2, mode: S_IFDIR | 0o755 })

export const fileStat = (size: number, mtimeMs: number): Stat => ({
  size,
  mtimeMs,
  ctimeMs: mtimeMs,
  nlink: 1,
  mode: S_IFREG | 0o644
})

export interface Child {
  readonly name: string
  readonly stat: Stat
}

/**
 * The children a page shows under `dirKey`: its marker left out, names that
 * are no path segment (empty: `a//b`) skipped, and a name that is both a
 * file and a directory shown once, as the file (as `stat` sees it).
 */
export const childrenOf = (dirKey: string, page: ListObjectsV2CommandOutput): ReadonlyArray<Child> => {
  const files = new Map<string, Child>()
  for (const object of page.Contents ?? []) {
    const name = object.Key?.slice(dirKey.length) ?? ''
    if (name === '' || name.includes('/')) continue
    files.set(name, { name, stat: fileStat(object.Size ?? 0, toMtimeMs(object.LastModified)) })
  }
  const children: Array<Child> = [...files.values()]
  for (const common of page.CommonPrefixes ?? []) {
    const name = common.Prefix?.slice(dirKey.length, -1) ?? ''
    if (name !== '' && !name.includes('/') && !files.has(name)) children.push({ name, stat: DIR_STAT })
  }
  return children
}

/** Whether a page shows the directory exists: any key under it, its marker included (not `KeyCount`: some stores leave common prefixes out of it). */
export const pageShowsDir = (page: ListObjectsV2CommandOutput): boolean =>
  (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0) > 0

/** A cursor over a directory's pages: each call to `next` is one request (none after the last page). */
export interface Pages {
  readonly next: (max?: number) => Promise<ListObjectsV2CommandOutput | undefined>
}

export const pagesOf = (state: S3State, dirKey: string): Pages => {
  let token: string | undefined
  let done = false
  return {
    next: async (max) => {
      if (done) return undefined
      const page = await listPage(state, dirKey, {
        delimiter: true,
        ...(max === undefined ? {} : { max }),
        ...(token === undefined ? {} : { token })
      })
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
      done = token === undefined
      return page
    }
  }
}

/** A directory being listed: the pages still to ask for and the names of the last one not yet given. */
export interface S3Dir {
  /** The path as given to `opendir`: entries' paths join it. */
  readonly path: string
  /** The key prefix of its children. */
  readonly dirKey: string
  readonly pages: Pages
  readonly buffer: Array<Child>
  closed: boolean
  queue: Promise<unknown>
}
