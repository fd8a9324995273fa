/**
 * The options every front shares (accounts, homes, limits, rates, times),
 * their defaults, and their checks: checked once into `ServerSettings`, the
 * one value a server passes down. A bad option is a `TypeError` at once,
 * naming it. Each front adds its own options to these.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import type { PathIOFactory } from '../PathIO'
import { describe } from '../internal/arguments'
import { hashPassword, type AnonymousAccess, type StoredUser, type UserSpec } from './accounts'
import type { EventHandler } from './events'
import type { Logger } from './log'
import { checkUser } from './usersFile'
import type { S3FolderFactory } from './userTrees'

/**
 * Options of every server (`makeFtpServer`, `makeSftpServer`, a shared
 * `makeServerCore`): the same settings `npm start` reads from its
 * environment (docs/ftp-server.md names each variable). Times are in
 * milliseconds here (the environment's FTP_IDLE_TIMEOUT is in seconds).
 *
 * @category model
 * @since 0.3.0
 */
export interface ServerOptions<S> {
  /** Makes the `PathIO` of each session; wrapped in `withSharedState`, so all share one state. */
  readonly factory: PathIOFactory<S>
  /** The directory (in the factory's paths) every home is under; default '/'. */
  readonly root?: string
  /** Milliseconds after which a file-system operation fails (451, SSH_FX_FAILURE); default 30 000. */
  readonly timeout?: number
  /**
   * Named users: a `UserSpec` (a password hash, home under `root`,
   * permissions), or a password in clear, hashed at once (home `/`, every
   * permission: what FTP_USER/FTP_PASS give).
   */
  readonly users?: Readonly<Record<string, string | UserSpec>>
  /** What `anonymous` may do: `off`, `read` (list and download; the default) or `write`. */
  readonly anonymous?: AnonymousAccess
  /**
   * Where anonymous users are jailed, a directory under `root` (made at
   * start); default '/'. A named user whose home lies inside it is refused
   * at start (a `TypeError`) unless the user is `public`: homes are
   * published on purpose, never by default. Users given as a password in
   * clear (FTP_USER/FTP_PASS) are exempt.
   */
  readonly anonymousRoot?: string
  /** Connections at once, every front together; past it, refused at once; default 512. */
  readonly maxConnections?: number
  /** Connections at once from one address, every front together; 0 (the default): no limit. */
  readonly maxConnectionsPerIp?: number
  /** Milliseconds of silence (with no transfer running) before a session is closed; default 300 000 (0: never). */
  readonly idleTimeout?: number
  /** Failed logins on one connection before it is closed; default 3. */
  readonly maxLoginAttempts?: number
  /**
   * Failed logins from one address within `loginFailureWindow` before it is
   * turned away at connect until the oldest of them is that old; 0: no
   * limit. Default 10. An address's password checks run one at a time.
   */
  readonly maxLoginFailuresPerIp?: number
  /** The window `maxLoginFailuresPerIp` counts over, milliseconds; default 600 000 (10 minutes). */
  readonly loginFailureWindow?: number
  /** Milliseconds before a failed login is answered; default 1000. */
  readonly loginFailureDelay?: number
  /** Bytes per second per transfer (a data connection, an open file), downloads and uploads; 0 (the default): no limit. */
  readonly maxDownloadRate?: number
  readonly maxUploadRate?: number
  /**
   * Milliseconds a transfer may stay silent (FTP: also how long it waits for
   * the client's data connection); an upload temporary untouched for longer
   * and written by no session is stale; default 10 000.
   */
  readonly dataTimeout?: number
  readonly log?: Logger
  /**
   * Called after the fact with each event of every front (connect, login,
   * transfer, change, close, refused; `ServerEvent`), the objects a JSON log
   * prints. One that throws is logged and never breaks a session.
   */
  readonly onEvent?: EventHandler
  /**
   * Makes the records of the users' S3 folders from their bucket and
   * prefix (the program's endpoint, region and credentials); needed when a
   * user has one (else a `TypeError` at once). Not checked by `checkServerOptions`: `makeServerCore` checks it.
   */
  readonly s3Folder?: S3FolderFactory
}

/**
 * The checked options every front shares, every default filled in.
 *
 * @category model
 * @since 0.3.0
 */
export interface ServerSettings {
  readonly root: string
  readonly timeout: number
  readonly users: ReadonlyArray<StoredUser>
  readonly anonymous: AnonymousAccess
  readonly anonymousRoot: string
  readonly maxConnections: number
  readonly maxConnectionsPerIp: number
  readonly idleTimeout: number
  readonly maxLoginAttempts: number
  readonly maxLoginFailuresPerIp: number
  readonly loginFailureWindow: number
  readonly loginFailureDelay: number
  readonly maxDownloadRate: number
  readonly maxUploadRate: number
  readonly dataTimeout: number
}

/**
 * A `TypeError` naming the option, for the checker of `where`
 * (`makeFtpServer`, `makeSftpServer`).
 *
 * @example
 * import { badOption } from 'fp-pathio/server'
 * assert.throws(() => badOption('makeFtpServer')('port', 'a port', -1), /makeFtpServer: option 'port' must be a port, got -1/)
 *
 * @category utils
 * @since 0.3.0
 */
export const badOption =
  (where: string) =>
  (option: string, expected: string, got: unknown): never => {
    throw new TypeError(`${where}: option '${option}' must be ${expected}, got ${describe(got)}`)
  }

/**
 * A non-negative safe integer option, or its default.
 *
 * @example
 * import { countOption } from 'fp-pathio/server'
 * assert.strictEqual(countOption('makeFtpServer', 'maxConnections', undefined, 512), 512)
 * assert.throws(() => countOption('makeFtpServer', 'maxConnections', -1, 512), /maxConnections/)
 *
 * @category utils
 * @since 0.1.0
 */
export const countOption = (where: string, option: string, value: unknown, fallback: number): number =>
  value === undefined
    ? fallback
    : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? value
      : badOption(where)(option, 'a non-negative integer', value)

/**
 * Checks the named users, hashing passwords given in clear (the quick
 * start's one user: home '/', every permission, and exempt from the
 * anonymous-root rule, as it says in the server's start line).
 */
const checkUsers = (where: string, users: unknown): ReadonlyArray<StoredUser> => {
  if (users === undefined) return []
  if (typeof users !== 'object' || users === null) return badOption(where)('users', 'a record of users', users)
  return Object.entries(users).map(([name, spec]) => {
    const given = typeof spec === 'string' ? { password: hashPassword(spec), perm: 'elradfmw', public: true } : spec
    return E.getOrElseW((message: string): never => {
      throw new TypeError(`${where}: option 'users': ${message}`)
    })(checkUser(name, given))
  })
}

const isAtOrBelow = (path: string, dir: string): boolean => dir === '/' || path === dir || path.startsWith(dir + '/')

/** Refuses a user whose home lies inside the anonymous root (anonymous users could read it) unless the user is `public`. */
const checkHomesOutside = (where: string, users: ReadonlyArray<StoredUser>, anonymousRoot: string): void => {
  const exposed = users.find((user) => user.public !== true && isAtOrBelow(user.home, anonymousRoot))
  if (exposed !== undefined)
    throw new TypeError(
      `${where}: user '${exposed.name}' has the home ${exposed.home}, inside the anonymous root ${anonymousRoot}, ` +
        `which anonymous users can read: give anonymous a directory of its own (FTP_ANONYMOUS_ROOT=/pub, option anonymousRoot) ` +
        `or publish the home on purpose ("public": true on that user)`
    )
}

/**
 * Checks the shared options and fills in their defaults; a bad option is a
 * `TypeError` naming it (and `where`, the front that was given it).
 *
 * @example
 * import { checkServerOptions } from 'fp-pathio/server'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const settings = checkServerOptions('makeFtpServer', { factory: makeMemoryPathIO, idleTimeout: 60_000 })
 * assert.strictEqual(settings.anonymous, 'read')
 * assert.strictEqual(settings.idleTimeout, 60_000)
 * assert.throws(() => checkServerOptions('makeFtpServer', { factory: makeMemoryPathIO, anonymous: 'yes' as never }), /'anonymous'/)
 *
 * @category destructors
 * @since 0.3.0
 */
export const checkServerOptions = <S>(where: string, options: ServerOptions<S>): ServerSettings => {
  const fail = badOption(where)
  const count = (option: keyof ServerOptions<S>, fallback: number): number =>
    countOption(where, option, options[option], fallback)
  if (typeof options?.factory !== 'function') fail('factory', 'a PathIOFactory', options?.factory)
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    fail('onEvent', 'a function', options.onEvent)
  const anonymous = options.anonymous ?? 'read'
  if (anonymous !== 'off' && anonymous !== 'read' && anonymous !== 'write')
    fail('anonymous', "'off', 'read' or 'write'", anonymous)
  const root = options.root ?? '/'
  if (typeof root !== 'string' || !root.startsWith('/')) fail('root', 'an absolute path', root)
  const anonymousRoot = options.anonymousRoot ?? '/'
  if (typeof anonymousRoot !== 'string' || !anonymousRoot.startsWith('/') || anonymousRoot.includes('\0'))
    fail('anonymousRoot', 'an absolute path', anonymousRoot)
  const users = checkUsers(where, options.users)
  if (anonymous !== 'off') checkHomesOutside(where, users, posix.resolve(anonymousRoot))
  return {
    root,
    timeout: count('timeout', 30_000),
    users,
    anonymous,
    anonymousRoot: posix.resolve(anonymousRoot),
    maxConnections: count('maxConnections', 512),
    maxConnectionsPerIp: count('maxConnectionsPerIp', 0),
    idleTimeout: count('idleTimeout', 300_000),
    maxLoginAttempts: count('maxLoginAttempts', 3),
    maxLoginFailuresPerIp: count('maxLoginFailuresPerIp', 10),
    loginFailureWindow: count('loginFailureWindow', 600_000),
    loginFailureDelay: count('loginFailureDelay', 1000),
    maxDownloadRate: count('maxDownloadRate', 0),
    maxUploadRate: count('maxUploadRate', 0),
    dataTimeout: count('dataTimeout', 10_000)
  }
}
