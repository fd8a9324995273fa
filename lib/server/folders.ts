/**
 * A user's storage beyond the home, as the users file gives it: a `quota`
 * on the home, and virtual `folders` mounted into the user's tree, each on
 * its own storage (a directory under the server's root, a memory tree of
 * its own, an S3 bucket and prefix) with its own permission letters and
 * quota. Checked here, one field at a time, so a bad entry is one line
 * naming the user and the field.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import { PERMISSION_LETTERS, type Permissions } from '../middleware/withPermissions'

/**
 * Limits on what a tree may hold: `bytes` (the files' sizes in all) and
 * `files` (how many regular files); one left out is no limit.
 *
 * @category model
 * @since 0.4.0
 */
export interface QuotaLimits {
  readonly bytes?: number
  readonly files?: number
}

/**
 * Where a folder's files are: `dir`, a directory under the server's root in
 * the server's own backend; `memory`, an in-memory tree of its own (every
 * folder that names the same tree shares it); `s3`, a bucket and key
 * prefix reached with the server's S3 settings (`s3Folder`).
 *
 * @category model
 * @since 0.4.0
 */
export type FolderStorage =
  | { readonly dir: string }
  | { readonly memory: string }
  | { readonly s3: { readonly bucket: string; readonly prefix: string } }

/**
 * A virtual folder: mounted at `path` of the user's tree, on `storage`,
 * under its own permission letters (`perm`; `paths` rules below it refine
 * them) and, when given, its own quota.
 *
 * @category model
 * @since 0.4.0
 */
export interface Folder {
  readonly path: string
  readonly storage: FolderStorage
  readonly perm: string
  readonly quota?: QuotaLimits
}

/**
 * A folder as a users file (or `makeFtpServer`'s `users`) gives it:
 * `perm` defaults to `elr` (read-only), no `quota` is no limit.
 *
 * @category model
 * @since 0.4.0
 */
export interface FolderSpec {
  readonly path: string
  readonly storage: FolderStorage
  readonly perm?: string
  readonly quota?: QuotaLimits
}

/**
 * What an account holds beside its home and permissions: a quota on the
 * home (counted over every session of the user) and virtual folders.
 *
 * @category model
 * @since 0.4.0
 */
export interface UserStorage {
  readonly quota?: QuotaLimits
  readonly folders?: ReadonlyArray<Folder>
}

/** A field that is wrong, and what it must be. */
interface Wrong {
  readonly field: string
  readonly what: string
}

const wrong = (field: string, what: string): E.Either<Wrong, never> => E.left({ field, what })

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const isLimit = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

const isAbsolute = (u: unknown): u is string => typeof u === 'string' && u.startsWith('/') && !u.includes('\0')

/** S3's rule for bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
const isBucketName = (u: unknown): u is string => typeof u === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(u)

const unknownKey = (
  field: string,
  spec: Readonly<Record<string, unknown>>,
  known: ReadonlyArray<string>
): E.Either<Wrong, void> => {
  const unknown = Object.keys(spec).find((key) => !known.includes(key))
  return unknown === undefined
    ? E.right(undefined)
    : wrong(`${field}${field === '' ? '' : '.'}${unknown}`, `is not known (use ${known.join(', ')})`)
}

const checkQuota = (field: string, spec: unknown): E.Either<Wrong, QuotaLimits> => {
  if (!isRecord(spec)) return wrong(field, 'must be an object { "bytes": N, "files": M }')
  const known = unknownKey(field, spec, ['bytes', 'files'])
  if (E.isLeft(known)) return known
  for (const key of ['bytes', 'files'] as const)
    if (spec[key] !== undefined && !isLimit(spec[key]))
      return wrong(`${field}.${key}`, 'must be a non-negative integer')
  return E.right({
    ...(spec.bytes === undefined ? {} : { bytes: spec.bytes as number }),
    ...(spec.files === undefined ? {} : { files: spec.files as number })
  })
}

const STORAGE_SHAPES =
  '{ "dir": "/path/under/the/root" }, { "memory": "name" } or { "s3": { "bucket": "...", "prefix": "..." } }'

const checkStorage = (field: string, spec: unknown): E.Either<Wrong, FolderStorage> => {
  const keys = isRecord(spec) ? Object.keys(spec) : []
  if (!isRecord(spec) || keys.length !== 1) return wrong(field, `must be one of ${STORAGE_SHAPES}`)
  if ('dir' in spec)
    return isAbsolute(spec.dir)
      ? E.right({ dir: posix.resolve(spec.dir) })
      : wrong(`${field}.dir`, 'must be an absolute path under the root')
  if ('memory' in spec)
    return typeof spec.memory === 'string' && spec.memory !== '' && !spec.memory.includes('\0')
      ? E.right({ memory: spec.memory })
      : wrong(`${field}.memory`, "must name the folder's memory tree")
  if ('s3' in spec) {
    const s3 = spec.s3
    if (!isRecord(s3)) return wrong(`${field}.s3`, 'must be an object { "bucket": "...", "prefix": "..." }')
    const known = unknownKey(`${field}.s3`, s3, ['bucket', 'prefix'])
    if (E.isLeft(known)) return known
    if (!isBucketName(s3.bucket)) return wrong(`${field}.s3.bucket`, 'must be a bucket name (3-63 of a-z 0-9 . -)')
    const prefix = s3.prefix ?? ''
    if (typeof prefix !== 'string' || prefix.startsWith('/') || prefix.includes('//') || prefix.includes('\0'))
      return wrong(`${field}.s3.prefix`, "must be a key prefix without a leading '/', '//' or NUL")
    return E.right({ s3: { bucket: s3.bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` } })
  }
  return wrong(`${field}.${keys[0]}`, `is not a storage (use ${STORAGE_SHAPES})`)
}

const isLetters = (u: unknown): u is string =>
  typeof u === 'string' && [...u].every((c) => (PERMISSION_LETTERS as ReadonlyArray<string>).includes(c))

const checkFolder = (field: string, spec: unknown): E.Either<Wrong, Folder> => {
  if (!isRecord(spec)) return wrong(field, 'must be an object { "path", "storage", "perm", "quota" }')
  const known = unknownKey(field, spec, ['path', 'storage', 'perm', 'quota'])
  if (E.isLeft(known)) return known
  if (!isAbsolute(spec.path) || posix.resolve(spec.path) === '/')
    return wrong(`${field}.path`, "must be an absolute path other than '/'")
  const storage = checkStorage(`${field}.storage`, spec.storage)
  if (E.isLeft(storage)) return storage
  if (spec.perm !== undefined && !isLetters(spec.perm)) return wrong(`${field}.perm`, 'must be letters of elradfmw')
  const quota = spec.quota === undefined ? undefined : checkQuota(`${field}.quota`, spec.quota)
  if (quota !== undefined && E.isLeft(quota)) return quota
  return E.right({
    path: posix.resolve(spec.path),
    storage: storage.right,
    perm: (spec.perm as string | undefined) ?? 'elr',
    ...(quota === undefined ? {} : { quota: quota.right })
  })
}

const checkFolders = (spec: unknown, paths: unknown): E.Either<Wrong, ReadonlyArray<Folder>> => {
  if (!Array.isArray(spec)) return wrong('folders', 'must be an array of { "path", "storage", "perm", "quota" }')
  const folders: Array<Folder> = []
  const ruled = isRecord(paths)
    ? Object.keys(paths)
        .filter(isAbsolute)
        .map((dir) => posix.resolve(dir))
    : []
  for (const [index, one] of spec.entries()) {
    const field = `folders[${index}]`
    const folder = checkFolder(field, one)
    if (E.isLeft(folder)) return folder
    const { path } = folder.right
    if (folders.some((other) => other.path === path)) return wrong(`${field}.path`, `mounts ${path} a second time`)
    // One place for a folder's letters: its own 'perm' (a rule below it refines them).
    if (ruled.includes(path))
      return wrong(`${field}.path`, `${path} has letters in 'paths' too: give them as the folder's 'perm'`)
    folders.push(folder.right)
  }
  return E.right(folders)
}

/**
 * The fields `quota` and `folders` of one user of a users file, checked
 * (`paths`: the user's own rules, which must not name a folder's mount
 * point); `Left` is the message naming the user and the field, as
 * `checkUser` gives its own.
 *
 * @example
 * import { checkUserStorage } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * const ok = checkUserStorage('alice', {
 *   quota: { bytes: 1000000 },
 *   folders: [{ path: '/shared', storage: { s3: { bucket: 'team', prefix: 'shared' } }, perm: 'elrw' }]
 * })
 * assert.deepStrictEqual(ok, E.right({
 *   quota: { bytes: 1000000 },
 *   folders: [{ path: '/shared', storage: { s3: { bucket: 'team', prefix: 'shared/' } }, perm: 'elrw' }]
 * }))
 * assert.deepStrictEqual(checkUserStorage('bob', { folders: [{ path: '/x', storage: { dir: 'rel' } }] }),
 *   E.left("user 'bob': field 'folders[0].storage.dir' must be an absolute path under the root"))
 *
 * @category destructors
 * @since 0.4.0
 */
export const checkUserStorage = (
  name: string,
  spec: { readonly quota?: unknown; readonly folders?: unknown; readonly paths?: unknown }
): E.Either<string, UserStorage> => {
  const quota = spec.quota === undefined ? undefined : checkQuota('quota', spec.quota)
  const folders = spec.folders === undefined ? undefined : checkFolders(spec.folders, spec.paths)
  const failed = [quota, folders].find((checked) => checked !== undefined && E.isLeft(checked)) as
    E.Left<Wrong> | undefined
  if (failed !== undefined) return E.left(`user '${name}': field '${failed.left.field}' ${failed.left.what}`)
  return E.right({
    ...(quota === undefined ? {} : { quota: (quota as E.Right<QuotaLimits>).right }),
    ...(folders === undefined || (folders as E.Right<ReadonlyArray<Folder>>).right.length === 0
      ? {}
      : { folders: (folders as E.Right<ReadonlyArray<Folder>>).right })
  })
}

/**
 * A name for where a folder's files are, the same for every folder on the
 * same storage: what the server keys a shared quota counter and a shared
 * record by.
 *
 * @example
 * import { storageKey } from 'fp-pathio/server'
 * assert.strictEqual(storageKey({ s3: { bucket: 'team', prefix: 'shared/' } }), 's3:team/shared/')
 * assert.strictEqual(storageKey({ dir: '/archive' }), 'dir:/archive')
 *
 * @category utils
 * @since 0.4.0
 */
export const storageKey = (storage: FolderStorage): string =>
  'dir' in storage
    ? `dir:${storage.dir}`
    : 'memory' in storage
      ? `memory:${storage.memory}`
      : `s3:${storage.s3.bucket}/${storage.s3.prefix}`

/**
 * The permission set an account's sessions are checked against: its own,
 * with each folder's letters as a rule at the folder's mount point (the
 * user's rules below a folder refine them). What the session record
 * enforces and what a front checks before it starts a command agree.
 *
 * @example
 * import { folderPermissions } from 'fp-pathio/server'
 * import { permits } from 'fp-pathio'
 * const alice = { perm: 'elradfmw', folders: [{ path: '/archive', storage: { dir: '/archive' }, perm: 'elr' }] }
 * const rules = folderPermissions(alice)
 * assert.deepStrictEqual(rules.paths, { '/archive': 'elr' })
 * assert.ok(permits(rules, 'w', '/notes.txt') && !permits(rules, 'w', '/archive/notes.txt'))
 *
 * @category utils
 * @since 0.4.0
 */
export const folderPermissions = <A extends Permissions & UserStorage>(account: A): A & Permissions => {
  const folders = account.folders ?? []
  if (folders.length === 0) return account
  const paths: Record<string, string> = { ...(account.paths ?? {}) }
  for (const folder of folders) paths[folder.path] = folder.perm
  return { ...account, paths }
}
