/**
 * The session of one control connection: who is logged in, where they are,
 * and what the next command may rely on (REST, RNFR, PASV).
 *
 * @since 0.1.0
 */
import * as posix from 'node:path/posix'
import type { PassiveListener } from './dataConnection'
import type { Reply } from './replies'

/**
 * Checks a user name and password; `anonymous` (any password) is allowed when
 * the server says so.
 *
 * @category model
 * @since 0.1.0
 */
export type Authenticate = (user: string, password: string) => boolean

/**
 * A running data transfer, which ABOR, QUIT or a vanished client can stop.
 *
 * @category model
 * @since 0.1.0
 */
export interface Transfer {
  /** Stops the transfer: the data connection is destroyed, a partial upload removed. */
  readonly abort: () => void
}

/**
 * What every session of one server shares: set once by the server.
 *
 * @category model
 * @since 0.1.0
 */
export interface SessionConfig {
  readonly authenticate: Authenticate
  /** Address the passive listeners bind to and announce. */
  readonly passiveHost: string
  /** How long a transfer waits for the client's data connection, and how long that connection may stay silent. */
  readonly dataTimeout: number
  /** How long a STOR waits after its data connection's end before it commits (see `FtpServerOptions`). */
  readonly commitDelay: number
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
  readonly config: SessionConfig
  /** Sends a preliminary reply (150) before the handler's final one. */
  readonly send: (reply: Reply) => void
  /** The name USER gave, waiting for PASS. */
  user: string | undefined
  loggedIn: boolean
  /** Current directory, a virtual absolute path ('/' is the server's root). */
  cwd: string
  type: 'A' | 'I'
  /** Offset REST set for the next RETR or STOR (0 when none). */
  restOffset: number
  /** The source RNFR named: set only while the very next command may be RNTO. */
  renameFrom: string | undefined
  passive: PassiveListener | undefined
  transfer: Transfer | undefined
  /** The control connection is gone (or going): nothing may be committed any more. */
  closed: boolean
}

/**
 * A fresh session: not logged in, at '/', binary type.
 *
 * @example
 * import { makeSession } from 'fp-pathio/ftp'
 * const s = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => false, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * assert.strictEqual(s.cwd, '/')
 * assert.strictEqual(s.loggedIn, false)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSession = (init: Pick<Session, 'id' | 'remoteAddress' | 'config' | 'send'>): Session => ({
  ...init,
  user: undefined,
  loggedIn: false,
  cwd: '/',
  type: 'I',
  restOffset: 0,
  renameFrom: undefined,
  passive: undefined,
  transfer: undefined,
  closed: false
})

/**
 * A client's path argument as a virtual absolute path: resolved lexically
 * against the session's directory; `..` above '/' stays at '/', so nothing
 * the client types leaves the root (the `withRoot` jail checks again).
 *
 * @example
 * import { virtualPath } from 'fp-pathio/ftp'
 * assert.strictEqual(virtualPath('/pub', '../../etc/passwd'), '/etc/passwd')
 *
 * @category utils
 * @since 0.1.0
 */
export const virtualPath = (cwd: string, arg: string): string => posix.resolve(cwd, arg)
