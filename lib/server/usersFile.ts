/**
 * The users file as io-ts codecs: one codec per record (user, quota,
 * folder, storage), each failure carrying what the field must be, and a
 * reporter that turns the first failure into one line naming the user and
 * the field (`user 'bob': field 'folders[0].storage.dir' must be ...`).
 * The file is decoded once, into the `StoredUser`s the server uses.
 *
 * Each codec decodes to a normalised spec (homes resolved, letters
 * defaulted, S3 prefixes ending in '/') that decodes to itself, so `is`
 * is "decodes" and `encode` is the identity.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as posix from 'node:path/posix'
import * as t from 'io-ts'
import { PERMISSION_LETTERS } from '../middleware/withPermissions'
import { ANONYMOUS, isPasswordHash, type StoredUser, type UserSpec } from './accounts'
import type { Folder, FolderSpec, FolderStorage, QuotaLimits, UserStorage } from './folders'
import { checkKeys } from './keys'

type Validate<A> = (u: unknown, c: t.Context) => t.Validation<A>

/** A decode-only codec whose output decodes to itself. */
const codec = <A>(name: string, validate: Validate<A>): t.Type<A, A, unknown> =>
  new t.Type(
    name,
    (u): u is A => E.isRight(validate(u, [{ key: '', type: t.unknown, actual: u }])),
    validate,
    t.identity
  )

/** A leaf: `parse` says what the value must be when it is not. */
const leaf = <A>(name: string, parse: (u: unknown) => E.Either<string, A>): t.Type<A, A, unknown> =>
  codec(name, (u, c) => E.match((what: string) => t.failure<A>(u, c, what), t.success<A>)(parse(u)))

/** One failure, as a list to push. */
const failed = (u: unknown, c: t.Context, what: string): t.Errors => [{ value: u, context: c, message: what }]

const must =
  <A>(what: string, is: (u: unknown) => u is A) =>
  (u: unknown): E.Either<string, A> =>
    is(u) ? E.right(u) : E.left(what)

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const isAbsolute = (u: unknown): u is string => typeof u === 'string' && u.startsWith('/') && !u.includes('\0')

const isLetters = (u: unknown): u is string =>
  typeof u === 'string' && [...u].every((c) => (PERMISSION_LETTERS as ReadonlyArray<string>).includes(c))

const isLimit = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

/** S3's rule for bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
const isBucketName = (u: unknown): u is string => typeof u === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(u)

type Codecs = Readonly<Record<string, t.Mixed>>

/** What a struct decodes to: its required fields, and the others when given. */
type Struct<P extends Codecs, R extends keyof P> = { readonly [K in R]: t.TypeOf<P[K]> } & {
  readonly [K in Exclude<keyof P, R>]?: t.TypeOf<P[K]>
}

/**
 * An object with known fields only (an unknown one fails, named), checked in
 * the order of `props`; a field left out is skipped unless `required`
 * (then its codec says what it must be). `known` is the list the
 * unknown-field message gives (default: the fields in order).
 */
const struct = <P extends Codecs, R extends keyof P = never>(
  name: string,
  what: string,
  props: P,
  {
    required = [],
    known = Object.keys(props)
  }: { readonly required?: ReadonlyArray<R>; readonly known?: ReadonlyArray<string> } = {}
): t.Type<Struct<P, R>, Struct<P, R>, unknown> =>
  codec(name, (u, c) => {
    if (!isRecord(u)) return t.failure(u, c, what)
    const unknown = Object.keys(u).find((key) => !known.includes(key))
    if (unknown !== undefined)
      return t.failure(
        u[unknown],
        t.appendContext(c, unknown, t.unknown, u[unknown]),
        `is not known (use ${known.join(', ')})`
      )
    const errors: Array<t.ValidationError> = []
    const fields: Record<string, unknown> = {}
    for (const [key, field] of Object.entries(props)) {
      if (u[key] === undefined && !(required as ReadonlyArray<string>).includes(key)) continue
      const decoded = field.validate(u[key], t.appendContext(c, key, field, u[key]))
      if (E.isLeft(decoded)) errors.push(...decoded.left)
      else fields[key] = decoded.right
    }
    return errors.length > 0 ? t.failures(errors) : t.success(fields as Struct<P, R>)
  })

const Letters = leaf('Letters', must('must be letters of elradfmw', isLetters))

const Limit = leaf('Limit', must('must be a non-negative integer', isLimit))

/** A quota: `{ "bytes": N, "files": M }`. */
const Quota: t.Type<QuotaLimits, QuotaLimits, unknown> = struct<{ bytes: typeof Limit; files: typeof Limit }>(
  'Quota',
  'must be an object { "bytes": N, "files": M }',
  { bytes: Limit, files: Limit }
)

const STORAGE_SHAPES =
  '{ "dir": "/path/under/the/root" }, { "memory": "name" } or { "s3": { "bucket": "...", "prefix": "..." } }'

const Dir = leaf('Dir', (u) =>
  isAbsolute(u) ? E.right(posix.resolve(u)) : E.left('must be an absolute path under the root')
)

const MemoryName = leaf(
  'MemoryName',
  must("must name the folder's memory tree", (u): u is string => typeof u === 'string' && u !== '' && !u.includes('\0'))
)

const Bucket = leaf('Bucket', must('must be a bucket name (3-63 of a-z 0-9 . -)', isBucketName))

/** A key prefix, ending in '/' unless empty. */
const Prefix = leaf('Prefix', (given) => {
  const u = given ?? '' // null is no prefix, as left out
  return typeof u !== 'string' || u.startsWith('/') || u.includes('//') || u.includes('\0')
    ? E.left("must be a key prefix without a leading '/', '//' or NUL")
    : E.right(u === '' || u.endsWith('/') ? u : `${u}/`)
})

const S3Place = codec('S3Place', (u, c) =>
  E.map(({ bucket, prefix = '' }: { readonly bucket: string; readonly prefix?: string }) => ({ bucket, prefix }))(
    struct(
      'S3Place',
      'must be an object { "bucket": "...", "prefix": "..." }',
      { bucket: Bucket, prefix: Prefix },
      {
        required: ['bucket']
      }
    ).validate(u, c)
  )
)

const STORAGES: Codecs = { dir: Dir, memory: MemoryName, s3: S3Place }

/** Where a folder's files are: an object with exactly one of `dir`, `memory`, `s3`. */
const Storage: t.Type<FolderStorage, FolderStorage, unknown> = codec('Storage', (u, c) => {
  const keys = isRecord(u) ? Object.keys(u) : []
  if (!isRecord(u) || keys.length !== 1) return t.failure(u, c, `must be one of ${STORAGE_SHAPES}`)
  const [kind] = keys
  if (!Object.prototype.hasOwnProperty.call(STORAGES, kind))
    return t.failure(u, t.appendContext(c, kind, t.unknown, u[kind]), `is not a storage (use ${STORAGE_SHAPES})`)
  const place = STORAGES[kind]
  return E.map((value) => ({ [kind]: value }) as FolderStorage)(
    place.validate(u[kind], t.appendContext(c, kind, place, u[kind]))
  )
})

const MountPoint = leaf('MountPoint', (u) =>
  isAbsolute(u) && posix.resolve(u) !== '/'
    ? E.right(posix.resolve(u))
    : E.left("must be an absolute path other than '/'")
)

/** A virtual folder: `perm` defaults to `elr`. */
const FolderCodec: t.Type<Folder, Folder, unknown> = codec('Folder', (u, c) =>
  E.map((folder: FolderSpec): Folder => ({ ...folder, perm: folder.perm ?? 'elr' }))(
    struct(
      'Folder',
      'must be an object { "path", "storage", "perm", "quota" }',
      { path: MountPoint, storage: Storage, perm: Letters, quota: Quota },
      { required: ['path', 'storage'] }
    ).validate(u, c)
  )
)

/**
 * A user's folders; `ruled`: the mount points the user's `paths` already
 * gives letters to (one place for a folder's letters: its own `perm`).
 */
const Folders = (ruled: ReadonlyArray<string>): t.Type<ReadonlyArray<Folder>, ReadonlyArray<Folder>, unknown> =>
  codec('Folders', (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, 'must be an array of { "path", "storage", "perm", "quota" }')
    const errors: Array<t.ValidationError> = []
    const folders: Array<Folder> = []
    for (const [index, one] of u.entries()) {
      const at = t.appendContext(c, String(index), FolderCodec, one)
      const folder = FolderCodec.validate(one, at)
      if (E.isLeft(folder)) {
        errors.push(...folder.left)
        continue
      }
      const { path } = folder.right
      const place = t.appendContext(at, 'path', MountPoint, path)
      if (folders.some((other) => other.path === path))
        errors.push(...failed(path, place, `mounts ${path} a second time`))
      else if (ruled.includes(path))
        errors.push(...failed(path, place, `${path} has letters in 'paths' too: give them as the folder's 'perm'`))
      else folders.push(folder.right)
    }
    return errors.length > 0 ? t.failures(errors) : t.success(folders)
  })

/** The mount points a user's `paths` rules name. */
const ruledBy = (paths: unknown): ReadonlyArray<string> =>
  isRecord(paths)
    ? Object.keys(paths)
        .filter(isAbsolute)
        .map((dir) => posix.resolve(dir))
    : []

/** `paths`: letters by absolute directory (a record: its fields are named `paths["/dir"]`). */
const PathRules: t.Type<
  Readonly<Record<string, string>>,
  Readonly<Record<string, string>>,
  unknown
> = new t.DictionaryType(
  'PathRules',
  (u): u is Readonly<Record<string, string>> =>
    isRecord(u) && Object.entries(u).every(([dir, letters]) => isAbsolute(dir) && isLetters(letters)),
  (u, c) => {
    if (!isRecord(u)) return t.failure(u, c, 'must be an object { "/dir": "letters" }')
    const errors: Array<t.ValidationError> = []
    for (const [dir, letters] of Object.entries(u)) {
      const at = t.appendContext(c, dir, Letters, letters)
      if (!isAbsolute(dir)) errors.push(...failed(letters, at, 'must be keyed by an absolute path'))
      else if (!isLetters(letters)) errors.push(...failed(letters, at, 'must be letters of elradfmw'))
    }
    return errors.length > 0 ? t.failures(errors) : t.success(u as Readonly<Record<string, string>>)
  },
  t.identity,
  t.string,
  Letters
)

const Password = leaf(
  'Password',
  must(
    "must be a hash from 'npm run passwd' (scrypt$...), not a password",
    (u): u is string => typeof u === 'string' && isPasswordHash(u)
  )
)

const Home = leaf('Home', (u) => (isAbsolute(u) ? E.right(posix.resolve(u)) : E.left('must be an absolute path')))

const Public = leaf(
  'Public',
  must('must be true or false', (u): u is boolean => typeof u === 'boolean')
)

const Keys = leaf('Keys', checkKeys)

/** A user as `UserSpec` gives it, normalised: `home` resolved (default `/`), `perm` defaulted to `elr`. */
type DecodedUser = UserSpec & { readonly home: string; readonly perm: string }

const userFields = (ruled: ReadonlyArray<string>) =>
  struct(
    'User',
    'must be an object { password, home, perm, paths }',
    {
      password: Password,
      home: Home,
      perm: Letters,
      paths: PathRules,
      public: Public,
      keys: Keys,
      quota: Quota,
      folders: Folders(ruled)
    },
    { required: ['password'], known: ['password', 'home', 'perm', 'paths', 'public', 'quota', 'folders', 'keys'] }
  )

/**
 * A bad rule inside `paths` comes after `public` and `keys` (a `paths` that
 * is no object comes in its place): the order the users file has always
 * been checked in, so the first failure reported is the one it always was.
 */
const reportedLater =
  (depth: number) =>
  (error: t.ValidationError): number =>
    error.context.length > depth + 1 && error.context[depth].key === 'paths' ? 1 : 0

const inCheckOrder =
  (depth: number) =>
  (errors: t.Errors): t.Errors => {
    const later = reportedLater(depth)
    const before = errors.filter((error) => later(error) === 0)
    const firstStorage = before.findIndex((error) => ['quota', 'folders'].includes(error.context[depth]?.key))
    const at = firstStorage === -1 ? before.length : firstStorage
    return [...before.slice(0, at), ...errors.filter((error) => later(error) === 1), ...before.slice(at)]
  }

/** One user of a users file (the name is the key it is found under). */
const UserCodec: t.Type<DecodedUser, DecodedUser, unknown> = codec('User', (u, c) =>
  E.bimap(inCheckOrder(c.length), ({ home = '/', perm = 'elr', ...rest }: UserSpec): DecodedUser => ({
    ...rest,
    home,
    perm
  }))(userFields(ruledBy(isRecord(u) ? u.paths : undefined)).validate(u, c))
)

/** Why a user's name is refused, if it is. */
const badName = (name: string): string | undefined =>
  name === '' || /[\s\0]/.test(name)
    ? 'a name must be non-empty, without spaces'
    : name === ANONYMOUS
      ? 'the name is reserved (FTP_ANONYMOUS sets what anonymous may do)'
      : undefined

/** A user under its name: `c` ends at the name. */
const validateUser = (name: string, spec: unknown, c: t.Context): t.Validation<DecodedUser> => {
  const bad = badName(name)
  return bad === undefined ? UserCodec.validate(spec, c) : t.failure(spec, c, bad)
}

/**
 * The content of a users file, users by name, decoded: each user's fields
 * checked and normalised (`home` resolved, `perm` defaulted to `elr`,
 * folders' paths resolved and S3 prefixes ending in '/'). `reportUsersFile`
 * turns its failures into the one line the server prints.
 *
 * @example
 * import { UsersFileCodec, hashPassword } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * const users = UsersFileCodec.decode({ alice: { password: hashPassword('x'), home: '/home/alice/' } })
 * assert.ok(E.isRight(users) && users.right.alice.home === '/home/alice' && users.right.alice.perm === 'elr')
 * assert.ok(E.isLeft(UsersFileCodec.decode({ alice: { password: hashPassword('x'), perm: 'xyz' } })))
 *
 * @category codecs
 * @since 0.4.0
 */
export const UsersFileCodec: t.Type<
  Readonly<Record<string, DecodedUser>>,
  Readonly<Record<string, DecodedUser>>,
  unknown
> = codec('UsersFileCodec', (u, c) => {
  if (!isRecord(u)) return t.failure(u, c, 'the users file must hold a JSON object { "name": { ... } }')
  const errors: Array<t.ValidationError> = []
  const users: Record<string, DecodedUser> = {}
  for (const [name, spec] of Object.entries(u)) {
    const user = validateUser(name, spec, t.appendContext(c, name, UserCodec, spec))
    if (E.isLeft(user)) errors.push(...user.left)
    else Object.defineProperty(users, name, { value: user.right, enumerable: true })
  }
  return errors.length > 0 ? t.failures(errors) : t.success(users)
})

/** The field a context names below its first `from` entries: `folders[0].storage.s3.bucket`, `paths["/x"]`. */
const fieldOf = (context: t.Context, from: number): string =>
  context.slice(from).reduce((field, entry, index) => {
    const parent = context[from + index - 1]
    if (Array.isArray(parent.actual)) return `${field}[${entry.key}]`
    if (parent.type instanceof t.DictionaryType) return `${field}["${entry.key}"]`
    return field === '' ? entry.key : `${field}.${entry.key}`
  }, '')

/**
 * The one line a users file's first failure is: what is wrong with the
 * file, or which user and which field, and what the field must be.
 *
 * @example
 * import { UsersFileCodec, reportUsersFile } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * const decoded = UsersFileCodec.decode({ bob: { password: 'plain' } })
 * assert.ok(E.isLeft(decoded))
 * assert.strictEqual(reportUsersFile(decoded.left),
 *   "user 'bob': field 'password' must be a hash from 'npm run passwd' (scrypt$...), not a password")
 *
 * @category destructors
 * @since 0.4.0
 */
export const reportUsersFile = (errors: t.Errors): string => {
  const [first] = errors
  if (first === undefined) return 'the users file is not valid'
  const what = first.message ?? 'is not valid'
  const user = first.context[1]
  if (user === undefined) return what
  const field = fieldOf(first.context, 2)
  return `user '${user.key}': ${field === '' ? '' : `field '${field}' `}${what}`
}

const stored = (name: string, { password, keys, folders, public: published, ...rest }: DecodedUser): StoredUser => ({
  name,
  hash: password,
  ...rest,
  ...(published === true ? { public: true } : {}),
  ...(keys === undefined ? {} : { keys }),
  ...(folders === undefined || folders.length === 0 ? {} : { folders: folders as ReadonlyArray<Folder> })
})

/**
 * Checks one user of a users file; `Left` is a message naming the user and the field.
 *
 * @example
 * import { checkUser, hashPassword } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * assert.ok(E.isRight(checkUser('alice', { password: hashPassword('x'), home: '/home/alice' })))
 * assert.deepStrictEqual(checkUser('bob', { password: 'plain' }),
 *   E.left("user 'bob': field 'password' must be a hash from 'npm run passwd' (scrypt$...), not a password"))
 *
 * @category destructors
 * @since 0.1.0
 */
export const checkUser = (name: string, spec: unknown): E.Either<string, StoredUser> => {
  const c: t.Context = [
    { key: '', type: UsersFileCodec, actual: undefined },
    { key: name, type: UserCodec, actual: spec }
  ]
  return E.bimap(reportUsersFile, (user: DecodedUser) => stored(name, user))(validateUser(name, spec, c))
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
  const fields = struct('UserStorage', 'must be an object { quota, folders }', {
    quota: Quota,
    folders: Folders(ruledBy(spec.paths))
  })
  const given = { quota: spec.quota, folders: spec.folders }
  const c: t.Context = [
    { key: '', type: UsersFileCodec, actual: undefined },
    { key: name, type: fields, actual: given }
  ]
  return E.bimap(reportUsersFile, ({ quota, folders }: UserStorage) => ({
    ...(quota === undefined ? {} : { quota }),
    ...(folders === undefined || folders.length === 0 ? {} : { folders })
  }))(fields.validate(given, c))
}

/**
 * Checks the content of a users file (`{ "alice": { "password": ..., ... } }`).
 *
 * @example
 * import { parseUsers } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * assert.ok(E.isLeft(parseUsers('{ "alice": { "home": "/x" } }')))
 * assert.deepStrictEqual(parseUsers('[]'), E.left('the users file must hold a JSON object { "name": { ... } }'))
 *
 * @category destructors
 * @since 0.1.0
 */
export const parseUsers = (json: string): E.Either<string, ReadonlyArray<StoredUser>> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (error) {
    return E.left(`the users file is not JSON: ${(error as Error).message}`)
  }
  return E.bimap(reportUsersFile, (users: Readonly<Record<string, DecodedUser>>) =>
    Object.entries(users).map(([name, user]) => stored(name, user))
  )(UsersFileCodec.decode(parsed))
}

/**
 * Reads and checks a users file; `Left` is one line saying what is wrong.
 *
 * @example
 * import { loadUsersFile } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * const missing = loadUsersFile('/nonexistent/users.json')
 * assert.ok(E.isLeft(missing) && missing.left.includes('/nonexistent/users.json'))
 *
 * @category destructors
 * @since 0.1.0
 */
export const loadUsersFile = (file: string): E.Either<string, ReadonlyArray<StoredUser>> => {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    return E.left(`cannot read the users file ${file}: ${(error as Error).message}`)
  }
  return E.mapLeft((message: string) => `${file}: ${message}`)(parseUsers(text))
}
