/**
 * The session of one control connection: who is logged in, where they are,
 * and what the next command may rely on (REST, RNFR, PASV).
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option'
import * as T from 'fp-ts/Task'
import * as posix from 'node:path/posix'
import type { PermissionLetter } from '../middleware/withPermissions'
import { permits } from '../middleware/withPermissions'
import type { PathIO } from '../PathIO'
import { makeMemoryPathIO } from '../backends'
import type { Account, Authenticate } from '../server/accounts'
import type { EventHandler } from '../server/events'
import { silentLogger, type Logger } from '../server/log'
import type { ServerSettings } from '../server/options'
import type { FtpSettings } from './options'
import type { DataChannel, PortBudget } from './dataConnection'
import type { Reply } from './replies'
import type { TlsSessions } from './tls'
import { MLST_FACTS, type MlstFact } from './listingLines'

/**
 * A running data transfer, which ABOR, QUIT or a vanished client can stop,
 * and STAT describes while it runs.
 *
 * @category model
 * @since 0.1.0
 */
export interface Transfer {
  /** Stops the transfer: the data connection is destroyed, a partial upload removed. */
  readonly abort: () => void
  /** The command that runs it (RETR, STOR, LIST, ...), and its path as the session sees it (jailed, absolute). */
  readonly verb?: string
  readonly path?: string
  /** `sending`: the server sends (RETR, listings); `receiving`: the client does (STOR, APPE, STOU). */
  readonly direction?: 'sending' | 'receiving'
  /** When it started (epoch milliseconds). */
  readonly startedAt?: number
  /** Bytes that have crossed the data connection so far. */
  readonly bytes?: () => number
}

/**
 * What every session of one server shares, as one value: the shared
 * settings (`ServerSettings`), FTP's own (`FtpSettings`), and what the
 * server made of them (how users log in, the passive ports' budget, each
 * session's record, the log).
 *
 * @category model
 * @since 0.1.0
 */
export interface SessionConfig extends ServerSettings, FtpSettings {
  readonly authenticate: Authenticate
  /** Whether an address has used its failed-login budget: its logins are refused (421). */
  readonly blocked: (address: string) => boolean
  /** The share of `pasvPorts` each client address may hold at once (shared by every session of the server). */
  readonly pasvBudget?: PortBudget
  /** The record a session uses: the account's jail and permissions; before login, one that may do nothing. */
  readonly sessionPathIO: (account: Account | undefined, connection: unknown) => PathIO<unknown>
  readonly log: Logger
  /** Reports an event (`ServerEvent`): to the log and the server's `onEvent`. */
  readonly emit: EventHandler
}

/**
 * The per-connection state. Handlers read and update it; it is a plain
 * record owned by one connection, so no two handlers race on it (commands
 * of a connection run one after another).
 *
 * @category model
 * @since 0.1.0
 */
export interface Session {
  readonly id: number
  /** The client's address: only it may open data connections. */
  readonly remoteAddress: string
  /** The server's address of the control connection: data connections use it too. */
  readonly localAddress: string
  readonly config: SessionConfig
  /** Sends a preliminary reply (150) before the handler's final one. */
  readonly send: (reply: Reply) => void
  /** The name USER gave, waiting for PASS. */
  user: string | undefined
  loggedIn: boolean
  /** Who logged in: their home and permissions. */
  account: Account | undefined
  /** Failed PASS commands so far. */
  loginFailures: number
  /** The control connection speaks TLS (AUTH TLS done, or an implicit-TLS listener). */
  secure: boolean
  /** The control connection's TLS sessions, which its data connections may resume (set once it speaks TLS). */
  tlsSessions: TlsSessions | undefined
  /** PBSZ 0 was given (RFC 4217: before PROT). */
  protectionBufferSet: boolean
  /** PROT: `P` data connections are TLS, `C` they are clear. */
  protection: 'C' | 'P'
  /** Current directory, a virtual absolute path ('/' is the server's root). */
  cwd: string
  /** TYPE: `A` converts line ends on the data connection (CRLF there, LF stored), `I` moves bytes as they are. */
  type: 'A' | 'I'
  /** The facts MLST and MLSD send (OPTS MLST). */
  mlstFacts: ReadonlyArray<MlstFact>
  /** EPSV ALL was given: only EPSV may set up a data connection, for the rest of the connection (RFC 2428 §4). */
  epsvAll: boolean
  /** Offset REST set for the next RETR or STOR (0 when none). */
  restOffset: number
  /** The source RNFR named: set only while the very next command may be RNTO. */
  renameFrom: string | undefined
  /** The data connection PASV, EPSV, PORT or EPRT prepared for the next transfer. */
  dataChannel: DataChannel | undefined
  transfer: Transfer | undefined
  /** Bytes its data connections received (uploads) and sent (downloads, listings). */
  bytesIn: number
  bytesOut: number
  /** The control connection is gone (or going): nothing may be committed any more. */
  closed: boolean
}

/**
 * A fresh session: not logged in, at '/', binary type, clear data connections.
 *
 * @example
 * import { makeSession, sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * const s = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: COMMANDS }) })
 * assert.strictEqual(s.cwd, '/')
 * assert.strictEqual(s.loggedIn, false)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSession = (
  init: Pick<Session, 'id' | 'remoteAddress' | 'localAddress' | 'config' | 'send'> & {
    readonly secure?: boolean
    /** A session already logged in as this account (for handlers run on their own). */
    readonly account?: Account
  }
): Session => ({
  ...init,
  user: init.account?.name,
  loggedIn: init.account !== undefined,
  account: init.account,
  loginFailures: 0,
  secure: init.secure ?? false,
  tlsSessions: undefined,
  protectionBufferSet: false,
  protection: 'C',
  cwd: '/',
  type: 'I',
  mlstFacts: MLST_FACTS,
  epsvAll: false,
  restOffset: 0,
  renameFrom: undefined,
  dataChannel: undefined,
  transfer: undefined,
  bytesIn: 0,
  bytesOut: 0,
  closed: false
})

/**
 * A session configuration with the server's defaults for what `given` leaves
 * out (nobody can log in): for handlers run on their own, in tests and examples.
 *
 * @example
 * import { sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * const config = sessionConfig({ commands: COMMANDS, dataTimeout: 1000 })
 * assert.strictEqual(config.maxLoginAttempts, 3)
 *
 * @category constructors
 * @since 0.1.0
 */
export const sessionConfig = (given: Partial<SessionConfig> & Pick<SessionConfig, 'commands'>): SessionConfig => ({
  root: '/',
  timeout: 30_000,
  users: [],
  anonymous: 'off',
  anonymousRoot: '/',
  maxConnections: 512,
  maxConnectionsPerIp: 0,
  idleTimeout: 300_000,
  maxLoginAttempts: 3,
  maxLoginFailuresPerIp: 10,
  loginFailureWindow: 600_000,
  loginFailureDelay: 1000,
  maxDownloadRate: 0,
  maxUploadRate: 0,
  dataTimeout: 10_000,
  pasvAddress: undefined,
  pasvPorts: undefined,
  tls: undefined,
  tlsRequired: false,
  handshakeTimeout: 10_000,
  commitDelay: 20,
  maxLineBytes: 4096,
  authenticate: () => T.of(O.none),
  blocked: () => false,
  sessionPathIO: () => makeMemoryPathIO(),
  log: silentLogger,
  emit: () => undefined,
  ...given
})

/**
 * Whether the logged-in user has permission `letter` at the virtual `path`
 * (for the rules no file operation carries: `e` for CWD, `l` for SIZE, MDTM,
 * MLST and STAT path); `false` before login.
 *
 * @category utils
 * @since 0.1.0
 */
export const may = (session: Session, letter: PermissionLetter, path: string): boolean =>
  session.account !== undefined && permits(session.account, letter, path)

/**
 * A client's path argument as a virtual absolute path: resolved lexically
 * against the session's directory; `..` above '/' stays at '/', so nothing
 * the client types leaves the root (the `withRoot` jail checks again).
 *
 * @category utils
 * @since 0.1.0
 */
export const virtualPath = (cwd: string, arg: string): string => posix.resolve(cwd, arg)
