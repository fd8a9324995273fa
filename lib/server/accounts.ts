/**
 * Accounts: who may log in, with which password (a salted scrypt hash, never
 * the password), where they are jailed and what they may do there.
 *
 * @since 0.1.0
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto'
import * as O from 'fp-ts/Option'
import type * as T from 'fp-ts/Task'
import type { Permissions } from '../middleware/withPermissions'
import type { FolderSpec, QuotaLimits, UserStorage } from './folders'

/**
 * One user: a home (a directory under the server's root, which the user sees
 * as `/`) and a permission set.
 *
 * @category model
 * @since 0.1.0
 */
export interface Account extends Permissions, UserStorage {
  readonly name: string
  readonly home: string
  /** The home is published on purpose: it may lie inside the anonymous root (see `anonymousRoot`). */
  readonly public?: boolean
}

/**
 * A user as the users file (or `makeFtpServer`'s `users`) gives it:
 * `password` is a hash from `hashPassword`; `home` defaults to `/`, `perm`
 * to `elr`.
 *
 * @category model
 * @since 0.1.0
 */
export interface UserSpec {
  readonly password: string
  readonly home?: string
  readonly perm?: string
  readonly paths?: Readonly<Record<string, string>>
  /** The home may lie inside the anonymous root, published to anonymous users on purpose. */
  readonly public?: boolean
  /** Public keys (`authorized_keys` lines, without options) that log in over SSH; FTP ignores them. */
  readonly keys?: ReadonlyArray<string>
  /** A quota on the home, counted over every session of the user (see lib/server/folders.ts). */
  readonly quota?: QuotaLimits
  /** Virtual folders mounted into the user's tree. */
  readonly folders?: ReadonlyArray<FolderSpec>
}

/** A user with the hash of their password (and their public keys, checked: see `checkKeys`); lib/server/usersFile.ts decodes them. */
export interface StoredUser extends Account {
  readonly hash: string
  readonly keys?: ReadonlyArray<string>
}

/**
 * What anonymous users may do: `off` (no anonymous login), `read` (list and
 * download: `elr`), `write` (everything: `elradfmw`).
 *
 * @category model
 * @since 0.1.0
 */
export type AnonymousAccess = 'off' | 'read' | 'write'

/** scrypt's cost: N = 2^14, r = 8, p = 1 (16 MiB of memory, some tens of milliseconds a hash). */
const N = 16384
const R = 8
const P = 1
const KEY_BYTES = 32
const SCRYPT_LIMITS = { N, r: R, p: P, maxmem: 64 * 1024 * 1024 }

/**
 * A salted scrypt hash of a password, `scrypt$N$r$p$salt$key` (base64): the
 * form a users file stores.
 *
 * @example
 * import { hashPassword, verifyPassword } from 'fp-pathio/server'
 * const hash = hashPassword('wonderland')
 * assert.ok(hash.startsWith('scrypt$16384$8$1$'))
 * assert.ok(await verifyPassword(hash, 'wonderland'))
 * assert.ok(!(await verifyPassword(hash, 'wrong')))
 *
 * @category constructors
 * @since 0.1.0
 */
export const hashPassword = (password: string): string => {
  const salt = randomBytes(16)
  const key = scryptSync(password, salt, KEY_BYTES, SCRYPT_LIMITS)
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$')
}

interface ParsedHash {
  readonly N: number
  readonly r: number
  readonly p: number
  readonly salt: Buffer
  readonly key: Buffer
}

const parseHash = (hash: string): O.Option<ParsedHash> => {
  const parts = hash.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return O.none
  const [n, r, p] = parts.slice(1, 4).map(Number)
  const salt = Buffer.from(parts[4], 'base64')
  const key = Buffer.from(parts[5], 'base64')
  // Exactly the server's own cost: a cheaper hash is cheap to crack if the file leaks, a dearer one costs every
  // login of it a fortune, and either would answer in its own time (an unknown user is checked at this cost).
  const sane = n === N && r === R && p === P && salt.length >= 8 && key.length >= 16
  return sane ? O.some({ N: n, r, p, salt, key }) : O.none
}

/**
 * Whether a string is a password hash `verifyPassword` understands.
 *
 * @example
 * import { isPasswordHash, hashPassword } from 'fp-pathio/server'
 * assert.ok(isPasswordHash(hashPassword('x')) && !isPasswordHash('secret'))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isPasswordHash = (hash: string): boolean => O.isSome(parseHash(hash))

/**
 * Whether `password` matches `hash`: scrypt runs off the event loop, and the
 * keys are compared in constant time. A malformed hash matches nothing.
 *
 * @example
 * import { hashPassword, verifyPassword } from 'fp-pathio/server'
 * assert.ok(await verifyPassword(hashPassword('s3cret'), 's3cret'))
 *
 * @category utils
 * @since 0.1.0
 */
export const verifyPassword = (hash: string, password: string): Promise<boolean> => {
  const parsed = parseHash(hash)
  if (O.isNone(parsed)) return Promise.resolve(false)
  const { N: n, r, p, salt, key } = parsed.value
  return new Promise((resolve) =>
    scrypt(password, salt, key.length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (error, derived) =>
      resolve(error === null && timingSafeEqual(derived, key))
    )
  )
}

/**
 * Checks a user name and password (`from`: the client's address, for
 * authenticators that count failures per address): `some(account)` when
 * they match, `none` otherwise. An unknown user costs the same hash work as
 * a wrong password, so neither the reply nor its timing tells them apart.
 *
 * @category model
 * @since 0.1.0
 */
export type Authenticate = (user: string, password: string, from?: string) => T.Task<O.Option<Account>>

/**
 * Options of `makeAuthenticate`.
 *
 * @category model
 * @since 0.3.0
 */
export interface AuthenticateOptions {
  /** Checks a password against a hash (default `verifyPassword`); a test counts the hashes computed with its own. */
  readonly verify?: (hash: string, password: string) => Promise<boolean>
}

/**
 * The user name anonymous logins use (any password).
 *
 * @example
 * import { ANONYMOUS } from 'fp-pathio/server'
 * assert.strictEqual(ANONYMOUS, 'anonymous')
 *
 * @category constants
 * @since 0.1.0
 */
export const ANONYMOUS = 'anonymous'

const ANONYMOUS_PERM: Readonly<Record<Exclude<AnonymousAccess, 'off'>, string>> = { read: 'elr', write: 'elradfmw' }

/**
 * The authenticator of a set of users and an anonymous policy. The dummy hash
 * an unknown user is checked against is made once, with the same cost.
 *
 * @example
 * import { makeAuthenticate, hashPassword } from 'fp-pathio/server'
 * import * as O from 'fp-ts/Option'
 * const login = makeAuthenticate([{ name: 'alice', hash: hashPassword('pw'), home: '/', perm: 'elr' }], 'read')
 * assert.ok(O.isSome(await login('alice', 'pw')()))
 * assert.ok(O.isNone(await login('alice', 'nope')()))
 * assert.ok(O.isNone(await login('mallory', 'pw')()))
 * const anonymous = await login('anonymous', 'me@example.com')()
 * assert.ok(O.isSome(anonymous) && anonymous.value.perm === 'elr')
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeAuthenticate = (
  users: ReadonlyArray<StoredUser>,
  anonymous: AnonymousAccess,
  { verify = verifyPassword }: AuthenticateOptions = {}
): Authenticate => {
  const byName = new Map(users.map((user) => [user.name, user]))
  const dummy = hashPassword(randomBytes(16).toString('hex'))
  return (name, password) => async () => {
    if (name === ANONYMOUS && !byName.has(name))
      return anonymous === 'off' ? O.none : O.some({ name, home: '/', perm: ANONYMOUS_PERM[anonymous] })
    const user = byName.get(name)
    // Hashed whether or not the user exists: an unknown name costs what a wrong password costs.
    const matches = await verify(user?.hash ?? dummy, password)
    if (user === undefined || !matches) return O.none
    const { hash: _hash, ...account } = user
    return O.some(account)
  }
}
