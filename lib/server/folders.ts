/**
 * A user's storage beyond the home, as the users file gives it: a `quota`
 * on the home, and virtual `folders` mounted into the user's tree, each on
 * its own storage (a directory under the server's root, a memory tree of
 * its own, an S3 bucket and prefix) with its own permission letters and
 * quota. lib/server/usersFile.ts decodes them (io-ts codecs), so a bad
 * entry is one line naming the user and the field.
 *
 * @since 0.4.0
 */
import type { Permissions } from '../middleware/withPermissions'

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
