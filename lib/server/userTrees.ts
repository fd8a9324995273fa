/**
 * The tree a logged-in user sees: the home, and each virtual folder
 * mounted on it (`mount`), every part jailed in its own storage, with its
 * own quota (one usage counter per user for the home, one per storage for
 * a folder, shared by every session) and atomic uploads, under the
 * user's permissions and each folder's letters. No protocol here: every
 * front gets it through the core's `sessionPathIO`.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import type { PathIO, PathIOFactory } from '../PathIO'
import { makeMemoryPathIO, type MemoryTree } from '../backends/memory'
import { makeQuotaUsage, mount, mountOf, withQuota, type MountTable, type QuotaUsage } from '../compose'
import { withAtomicWrites, withPermissions, withRoot, withSharedState } from '../middleware'
import type { Account, StoredUser } from './accounts'
import { folderPermissions, storageKey, type Folder, type QuotaLimits } from './folders'
import type { Capabilities } from '../Capabilities'
import type { ServerSettings } from './options'

/**
 * Makes the records of S3 folders: given a folder's bucket and prefix, the
 * factory of its records, with the program's endpoint, region and
 * credentials (those of PATHIO_BACKEND=s3). The server shares one state
 * (one client) among the sessions of each bucket and prefix.
 *
 * @category model
 * @since 0.4.0
 */
export type S3FolderFactory = (place: { readonly bucket: string; readonly prefix: string }) => PathIOFactory<unknown>

/** The mount tables of users' trees: a session record whose state is one of them has folders. */
const trees = new WeakSet<MountTable>()

/**
 * What the record can do at `path` (an absolute path of the session's
 * tree): for a session with folders, the capabilities of the folder (or
 * home) the path lands in, else the record's own. A front asks it before
 * it starts a transfer (APPE on a disk home works though an S3 folder
 * cannot append).
 *
 * @example
 * import { capabilitiesAt } from 'fp-pathio/server'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * assert.strictEqual(capabilitiesAt(io, '/a.txt'), io.capabilities)
 *
 * @category utils
 * @since 0.4.0
 */
export const capabilitiesAt = (record: PathIO<unknown>, path: string): Capabilities =>
  typeof record.state === 'object' && record.state !== null && trees.has(record.state as MountTable)
    ? mountOf(record.state as MountTable, path).record.capabilities
    : record.capabilities

/** The most bytes a memory folder's tree holds (as FTP_MEMORY_LIMIT's default): past it, `NoSpace` (452); a quota limits it further. */
const MEMORY_FOLDER_SIZE = 2 ** 30

/** What the core asks of a user's tree. */
export interface UserTrees {
  /** The record of a session of `account` (not anonymous), on `base` (the session's record of the server's backend). */
  readonly record: (account: Account, base: PathIO<unknown>) => PathIO<unknown>
  /** Makes every folder's directory (and its mount point's parent in the home) and checks every S3 folder answers; rejects with one line. */
  readonly prepare: (first: PathIO<unknown>) => Promise<void>
}

interface Where {
  readonly settings: ServerSettings
  readonly where: string
  /** The path of a directory under the root, in the backend's paths. */
  readonly real: (dir: string) => string
  readonly s3Folder: S3FolderFactory | undefined
}

const isAtOrBelow = (path: string, dir: string): boolean => dir === '/' || path === dir || path.startsWith(dir + '/')

const foldersOf = (user: { readonly folders?: ReadonlyArray<unknown> }): ReadonlyArray<Folder> =>
  (user.folders ?? []) as ReadonlyArray<Folder>

/** Refuses at once what cannot be served: an S3 folder without `s3Folder`, a folder directory anonymous users could read. */
const checkFolders = ({ settings, where, s3Folder }: Where): void => {
  if (s3Folder !== undefined && typeof s3Folder !== 'function')
    throw new TypeError(
      `${where}: option 's3Folder' must be a function ({ bucket, prefix }) => PathIOFactory, got ${typeof s3Folder}`
    )
  for (const user of settings.users)
    for (const folder of foldersOf(user)) {
      const { storage } = folder
      if ('s3' in storage && s3Folder === undefined)
        throw new TypeError(
          `${where}: user '${user.name}': folder ${folder.path} is on S3, which needs the option 's3Folder' (the S3 settings)`
        )
      if (
        'dir' in storage &&
        settings.anonymous !== 'off' &&
        user.public !== true &&
        isAtOrBelow(storage.dir, settings.anonymousRoot)
      )
        throw new TypeError(
          `${where}: user '${user.name}': folder ${folder.path} is the directory ${storage.dir}, inside the anonymous root ` +
            `${settings.anonymousRoot}, which anonymous users can read: move it, or publish the user on purpose ("public": true)`
        )
    }
}

const quotaOptions = (limits: QuotaLimits, usage: QuotaUsage) => ({
  usage,
  ...(limits.bytes === undefined ? {} : { maxBytes: limits.bytes }),
  ...(limits.files === undefined ? {} : { maxFiles: limits.files })
})

/** A message for a `Left` of a start-up step. */
const told = (result: E.Either<{ readonly message: string }, unknown>): string | undefined =>
  E.isLeft(result) ? result.left.message : undefined

/**
 * The user trees of one server core: the shared pieces (quota counters,
 * memory trees, S3 factories) made once, the options checked at once (a
 * `TypeError` naming `where`, the user and the folder).
 */
export const makeUserTrees = (context: Where): UserTrees => {
  checkFolders(context)
  const { settings, real, s3Folder } = context
  const usages = new Map<string, QuotaUsage>()
  const usageOf = (key: string): QuotaUsage => {
    const known = usages.get(key)
    if (known !== undefined) return known
    const made = makeQuotaUsage()
    usages.set(key, made)
    return made
  }
  const memoryTrees = new Map<string, MemoryTree>()
  const s3Factories = new Map<string, PathIOFactory<unknown>>()
  const upload = withAtomicWrites({ staleAfterMs: settings.dataTimeout })

  /** A folder's storage as a record of this session (a directory jailed as a home is). */
  const storageRecord = (folder: Folder, base: PathIO<unknown>): PathIO<unknown> => {
    const { storage } = folder
    if ('dir' in storage) return withRoot(real(storage.dir))(base)
    if ('memory' in storage) {
      const tree = memoryTrees.get(storage.memory)
      const record = makeMemoryPathIO({
        timeout: settings.timeout,
        ...(tree === undefined ? { maxTotalSize: MEMORY_FOLDER_SIZE } : { state: tree })
      })
      memoryTrees.set(storage.memory, record.state)
      return record
    }
    const key = storageKey(storage)
    let factory = s3Factories.get(key)
    if (factory === undefined) {
      factory = withSharedState((s3Folder as S3FolderFactory)(storage.s3))
      s3Factories.set(key, factory)
    }
    return factory({ timeout: settings.timeout })
  }

  /** A part of the tree: quota below the atomic uploads, so an upload cut short frees what its temporary took. */
  const part = (record: PathIO<unknown>, limits: QuotaLimits | undefined, key: string): PathIO<unknown> =>
    upload(limits === undefined ? record : withQuota(quotaOptions(limits, usageOf(key)))(record))

  return {
    record: (account, base) => {
      const home = part(withRoot(real(account.home))(base), account.quota, `user:${account.name}`)
      const folders = foldersOf(account)
      if (folders.length === 0) return withPermissions(account)(home)
      const table: Record<string, PathIO<unknown>> = { '/': home }
      for (const folder of folders)
        table[folder.path] = part(storageRecord(folder, base), folder.quota, `folder:${storageKey(folder.storage)}`)
      const joined = mount(table)
      trees.add(joined.state)
      // Each folder's letters are a rule at its mount point; the user's own rules below it refine them.
      return withPermissions(folderPermissions(account))(joined)
    },
    prepare: async (first) => {
      for (const user of settings.users as ReadonlyArray<StoredUser>) {
        const folders = foldersOf(user)
        for (const folder of folders) {
          const { storage } = folder
          const failure = `user '${user.name}': folder ${folder.path}`
          // A mount point whose parent is in the home: the parent is made there, so the folder is listed and reached.
          const parent = posix.dirname(folder.path)
          if (parent !== '/' && !folders.some((other) => other !== folder && isAtOrBelow(parent, other.path))) {
            const made = told(
              await first.mkdir(posix.join(real(user.home), parent), { parents: true, existOk: true })()
            )
            if (made !== undefined) throw new Error(`${failure}: cannot create its parent in the home: ${made}`)
          }
          if ('dir' in storage) {
            const made = told(await first.mkdir(real(storage.dir), { parents: true, existOk: true })())
            if (made !== undefined) throw new Error(`${failure}: cannot create the directory ${storage.dir}: ${made}`)
          } else if ('s3' in storage) {
            const problem = await reachable(storageRecord(folder, first))
            if (problem !== undefined)
              throw new Error(
                `${failure}: S3 bucket ${storage.s3.bucket} (prefix '${storage.s3.prefix}') does not answer: ${problem}`
              )
          }
        }
      }
    }
  }
}

/** Whether a store answers a listing of its `/` (one page of one entry): `undefined`, or what went wrong. */
const reachable = async (record: PathIO<unknown>): Promise<string | undefined> => {
  const opened = await record.opendir('/')()
  if (E.isLeft(opened)) return opened.left.message
  const page = await record.readdir(opened.right, 1)()
  await record.closedir(opened.right)()
  return told(page)
}
