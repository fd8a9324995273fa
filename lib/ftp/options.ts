/**
 * The options of `makeFtpServer`, their defaults, and their checks (a bad
 * option is a `TypeError` at once, naming it).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as net from 'node:net'
import * as posix from 'node:path/posix'
import type { PathIOFactory } from '../PathIO'
import { describe } from '../internal/arguments'
import { checkUser, hashPassword, type AnonymousAccess, type StoredUser, type UserSpec } from '../server/accounts'
import type { PortRange } from './dataConnection'
import type { Command } from './handler'
import type { Logger } from './log'
import type { TlsOptions } from './tls'

/**
 * Options of `makeFtpServer`: the same settings `npm start` reads from its
 * environment (README and docs/ftp-server.md name each variable). Times are
 * in milliseconds here (the environment's FTP_IDLE_TIMEOUT is in seconds).
 *
 * @category model
 * @since 0.1.0
 */
export interface FtpServerOptions<S> {
  /** Makes the `PathIO` of each connection; wrapped in `withSharedState`, so all share one state. */
  readonly factory: PathIOFactory<S>
  /** The directory (in the factory's paths) every home is under; anonymous users and plain-password users are jailed here; default '/'. */
  readonly root?: string
  /** Milliseconds after which a file-system operation fails with 451; default 30 000. */
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
  /** The IPv4 address PASV announces (a host behind NAT gives its public one); default the control connection's local address. */
  readonly pasvAddress?: string
  /** Passive ports come only from this range (`{ min, max }` or `'MIN-MAX'`); default any free port. When all are busy, 425. */
  readonly pasvPorts?: PortRange | string
  /** Certificate and key (PEM): explicit FTPS (AUTH TLS), and `listenTls` for implicit FTPS. */
  readonly tls?: TlsOptions
  /** No login before AUTH TLS, no transfer under PROT C; default false (needs `tls`). */
  readonly tlsRequired?: boolean
  /**
   * Every TLS data connection must resume its own control connection's TLS
   * session, else 425 (vsftpd's `require_ssl_reuse`): no other client, not
   * even one on the same address, can take a transfer. Control connections
   * are then TLS 1.2. Default false (Python's ftplib does not resume
   * sessions; curl, lftp and FileZilla do). Needs `tls`.
   */
  readonly tlsSessionReuse?: boolean
  /** Milliseconds a TLS handshake may take (AUTH TLS, the implicit-TLS port, PROT P data connections); default 10 000. */
  readonly handshakeTimeout?: number
  /** Control connections at once; past it, 421 and close; default 512. */
  readonly maxConnections?: number
  /** Control connections at once from one address; 0 (the default): no limit. */
  readonly maxConnectionsPerIp?: number
  /** Milliseconds of silence (with no transfer running) before 421 and hang-up; default 300 000. */
  readonly idleTimeout?: number
  /** Failed logins on one connection before 421 and hang-up; default 3. */
  readonly maxLoginAttempts?: number
  /**
   * Failed logins from one address within `loginFailureWindow` before it is
   * turned away (421 at connect) until the oldest of them is that old; 0: no
   * limit. Default 10. An address's password checks run one at a time.
   */
  readonly maxLoginFailuresPerIp?: number
  /** The window `maxLoginFailuresPerIp` counts over, milliseconds; default 600 000 (10 minutes). */
  readonly loginFailureWindow?: number
  /** Milliseconds before a failed PASS is answered; default 1000. */
  readonly loginFailureDelay?: number
  /** Bytes per second per data connection, downloads and uploads; 0 (the default): no limit. */
  readonly maxDownloadRate?: number
  readonly maxUploadRate?: number
  /** Milliseconds a transfer waits for the client's data connection, and that connection may stay silent; default 10 000. */
  readonly dataTimeout?: number
  /**
   * The longest a STOR waits, after its data connection ended cleanly, for a
   * sign that the client died (its control connection closing) before it
   * renames the upload into place; default 20 ms. A client that dies closes
   * both its connections at once, but the two closes reach the server a
   * moment apart. An upload of 64 KiB or less waits only as long as its
   * bytes took, up to this (`commitWait`): small files do not wait on a
   * timer (see docs/security.md).
   */
  readonly commitDelay?: number
  /** Longest command line in bytes, CRLF included; default 4096. */
  readonly maxLineBytes?: number
  readonly log?: Logger
  /** The command table; default `COMMANDS` (extend it with `{ ...COMMANDS, SITE: ... }`). */
  readonly commands?: Readonly<Record<string, Command>>
}

const fail = (option: string, expected: string, got: unknown): never => {
  throw new TypeError(`makeFtpServer: option '${option}' must be ${expected}, got ${describe(got)}`)
}

/**
 * A non-negative safe integer option, or its default.
 *
 * @example
 * import { countOption } from 'fp-pathio/ftp'
 * assert.strictEqual(countOption('maxConnections', undefined, 512), 512)
 * assert.throws(() => countOption('maxConnections', -1, 512), /maxConnections/)
 *
 * @category utils
 * @since 0.1.0
 */
export const countOption = (option: string, value: unknown, fallback: number): number =>
  value === undefined ? fallback : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fail(option, 'a non-negative integer', value)

/**
 * A port range from `'MIN-MAX'` or `{ min, max }`: 1 ≤ min ≤ max ≤ 65535.
 *
 * @example
 * import { parsePortRange } from 'fp-pathio/ftp'
 * import * as E from 'fp-ts/Either'
 * assert.deepStrictEqual(parsePortRange('50000-50010'), E.right({ min: 50000, max: 50010 }))
 * assert.ok(E.isLeft(parsePortRange('9-1')))
 *
 * @category destructors
 * @since 0.1.0
 */
export const parsePortRange = (value: unknown): E.Either<string, PortRange> => {
  const match = typeof value === 'string' ? /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(value) : null
  const range =
    match !== null
      ? { min: Number(match[1]), max: Number(match[2]) }
      : typeof value === 'object' && value !== null
        ? (value as PortRange)
        : undefined
  const ok =
    range !== undefined && Number.isSafeInteger(range.min) && Number.isSafeInteger(range.max) && range.min >= 1 && range.min <= range.max && range.max <= 65535
  return ok ? E.right({ min: range.min, max: range.max }) : E.left(`a port range MIN-MAX (1 <= MIN <= MAX <= 65535), got ${describe(value)}`)
}

/**
 * Checks the named users, hashing passwords given in clear (the quick
 * start's one user: home '/', every permission, and exempt from the
 * anonymous-root rule, as it says in the server's start line).
 */
const checkUsers = (users: unknown): ReadonlyArray<StoredUser> => {
  if (users === undefined) return []
  if (typeof users !== 'object' || users === null) return fail('users', 'a record of users', users)
  return Object.entries(users).map(([name, spec]) => {
    const given = typeof spec === 'string' ? { password: hashPassword(spec), perm: 'elradfmw', public: true } : spec
    return E.getOrElseW((message: string): never => {
      throw new TypeError(`makeFtpServer: option 'users': ${message}`)
    })(checkUser(name, given))
  })
}

const isAtOrBelow = (path: string, dir: string): boolean => dir === '/' || path === dir || path.startsWith(dir + '/')

/**
 * Refuses a user whose home lies inside the anonymous root (anonymous users
 * could read it) unless the user is `public`.
 */
const checkHomesOutside = (users: ReadonlyArray<StoredUser>, anonymousRoot: string): void => {
  const exposed = users.find((user) => user.public !== true && isAtOrBelow(user.home, anonymousRoot))
  if (exposed !== undefined)
    throw new TypeError(
      `makeFtpServer: user '${exposed.name}' has the home ${exposed.home}, inside the anonymous root ${anonymousRoot}, ` +
        `which anonymous users can read: give anonymous a directory of its own (FTP_ANONYMOUS_ROOT=/pub, option anonymousRoot) ` +
        `or publish the home on purpose ("public": true on that user)`
    )
}

/**
 * The checked options, with every default filled in.
 *
 * @category model
 * @since 0.1.0
 */
export interface Settings {
  readonly root: string
  readonly timeout: number
  readonly users: ReadonlyArray<StoredUser>
  readonly anonymous: AnonymousAccess
  readonly anonymousRoot: string
  readonly pasvAddress: string | undefined
  readonly pasvPorts: PortRange | undefined
  readonly tls: TlsOptions | undefined
  readonly tlsRequired: boolean
  readonly tlsSessionReuse: boolean
  readonly handshakeTimeout: number
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
  readonly commitDelay: number
  readonly maxLineBytes: number
}

/**
 * Checks the options and fills in the defaults; a bad option is a `TypeError`
 * naming it.
 *
 * @example
 * import { checkOptions } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const settings = checkOptions({ factory: makeMemoryPathIO, pasvPorts: '50000-50100' })
 * assert.strictEqual(settings.anonymous, 'read')
 * assert.deepStrictEqual(settings.pasvPorts, { min: 50000, max: 50100 })
 * assert.throws(() => checkOptions({ factory: makeMemoryPathIO, anonymous: 'yes' as never }), /'anonymous'/)
 *
 * @category destructors
 * @since 0.1.0
 */
export const checkOptions = <S>(options: FtpServerOptions<S>): Settings => {
  if (typeof options?.factory !== 'function') fail('factory', 'a PathIOFactory', options?.factory)
  const anonymous = options.anonymous ?? 'read'
  if (anonymous !== 'off' && anonymous !== 'read' && anonymous !== 'write') fail('anonymous', "'off', 'read' or 'write'", anonymous)
  const pasvAddress = options.pasvAddress
  if (pasvAddress !== undefined && !net.isIPv4(pasvAddress)) fail('pasvAddress', 'an IPv4 address', pasvAddress)
  const pasvPorts =
    options.pasvPorts === undefined ? undefined : E.getOrElseW((message: string) => fail('pasvPorts', message, options.pasvPorts))(parsePortRange(options.pasvPorts))
  const tls = options.tls
  if (tls !== undefined && (typeof tls !== 'object' || tls === null || tls.cert === undefined || tls.key === undefined))
    fail('tls', '{ cert, key } (PEM)', tls)
  const tlsRequired = options.tlsRequired ?? false
  if (typeof tlsRequired !== 'boolean') fail('tlsRequired', 'a boolean', tlsRequired)
  if (tlsRequired && tls === undefined) fail('tlsRequired', "used with option 'tls'", tlsRequired)
  const maxLineBytes = countOption('maxLineBytes', options.maxLineBytes, 4096)
  if (maxLineBytes < 512) fail('maxLineBytes', 'at least 512', maxLineBytes)
  const root = options.root ?? '/'
  if (typeof root !== 'string' || !root.startsWith('/')) fail('root', 'an absolute path', root)
  const anonymousRoot = options.anonymousRoot ?? '/'
  if (typeof anonymousRoot !== 'string' || !anonymousRoot.startsWith('/') || anonymousRoot.includes('\0'))
    fail('anonymousRoot', 'an absolute path', anonymousRoot)
  const tlsSessionReuse = options.tlsSessionReuse ?? false
  if (typeof tlsSessionReuse !== 'boolean') fail('tlsSessionReuse', 'a boolean', tlsSessionReuse)
  if (tlsSessionReuse && tls === undefined) fail('tlsSessionReuse', "used with option 'tls'", tlsSessionReuse)
  const users = checkUsers(options.users)
  if (anonymous !== 'off') checkHomesOutside(users, posix.resolve(anonymousRoot))
  return {
    root,
    timeout: countOption('timeout', options.timeout, 30_000),
    users,
    anonymous,
    anonymousRoot: posix.resolve(anonymousRoot),
    pasvAddress,
    pasvPorts,
    tls,
    tlsRequired,
    tlsSessionReuse,
    handshakeTimeout: countOption('handshakeTimeout', options.handshakeTimeout, 10_000),
    maxConnections: countOption('maxConnections', options.maxConnections, 512),
    maxConnectionsPerIp: countOption('maxConnectionsPerIp', options.maxConnectionsPerIp, 0),
    idleTimeout: countOption('idleTimeout', options.idleTimeout, 300_000),
    maxLoginAttempts: countOption('maxLoginAttempts', options.maxLoginAttempts, 3),
    maxLoginFailuresPerIp: countOption('maxLoginFailuresPerIp', options.maxLoginFailuresPerIp, 10),
    loginFailureWindow: countOption('loginFailureWindow', options.loginFailureWindow, 600_000),
    loginFailureDelay: countOption('loginFailureDelay', options.loginFailureDelay, 1000),
    maxDownloadRate: countOption('maxDownloadRate', options.maxDownloadRate, 0),
    maxUploadRate: countOption('maxUploadRate', options.maxUploadRate, 0),
    dataTimeout: countOption('dataTimeout', options.dataTimeout, 10_000),
    commitDelay: countOption('commitDelay', options.commitDelay, 20),
    maxLineBytes
  }
}
