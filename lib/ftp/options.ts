/**
 * The options of the FTP front beyond the shared ones (`ServerOptions`):
 * passive mode, FTPS, the commit wait, the line limit and the command
 * table; their defaults and their checks (a bad option is a `TypeError` at
 * once, naming it).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as net from 'node:net'
import { describe } from '../internal/arguments'
import { badOption, countOption, type ServerOptions } from '../server/options'
import type { PortRange } from './dataConnection'
import type { Command } from './handler'
import { makeTlsContexts, type TlsContexts, type TlsOptions } from './tls'

/**
 * What only FTP has: the options of `makeFtpFront`, and with the shared
 * `ServerOptions` those of `makeFtpServer`.
 *
 * @category model
 * @since 0.3.0
 */
export interface FtpOptions {
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
  /** The command table; default `COMMANDS` (extend it with `{ ...COMMANDS, SITE: ... }`). */
  readonly commands?: Readonly<Record<string, Command>>
}

/**
 * Options of `makeFtpServer`: the shared ones and FTP's own.
 *
 * @category model
 * @since 0.1.0
 */
export interface FtpServerOptions<S> extends ServerOptions<S>, FtpOptions {}

/**
 * FTP's own options, checked, every default filled in (TLS contexts made).
 *
 * @category model
 * @since 0.3.0
 */
export interface FtpSettings {
  readonly pasvAddress: string | undefined
  readonly pasvPorts: PortRange | undefined
  /** The server's TLS contexts when FTPS is on. */
  readonly tls: TlsContexts | undefined
  readonly tlsRequired: boolean
  readonly handshakeTimeout: number
  readonly commitDelay: number
  readonly maxLineBytes: number
  readonly commands: Readonly<Record<string, Command>>
}

/**
 * A port range from `'MIN-MAX'` or `{ min, max }`: 1 ≤ min ≤ max ≤ 65535.
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
    range !== undefined &&
    Number.isSafeInteger(range.min) &&
    Number.isSafeInteger(range.max) &&
    range.min >= 1 &&
    range.min <= range.max &&
    range.max <= 65535
  return ok
    ? E.right({ min: range.min, max: range.max })
    : E.left(`a port range MIN-MAX (1 <= MIN <= MAX <= 65535), got ${describe(value)}`)
}

/**
 * Checks FTP's own options and fills in the defaults; a bad option is a
 * `TypeError` naming it. `commands` is the table to use when the options
 * give none.
 *
 * @category destructors
 * @since 0.3.0
 */
export const checkFtpOptions = (
  where: string,
  options: FtpOptions,
  commands: Readonly<Record<string, Command>>
): FtpSettings => {
  const fail = badOption(where)
  const pasvAddress = options.pasvAddress
  if (pasvAddress !== undefined && !net.isIPv4(pasvAddress)) fail('pasvAddress', 'an IPv4 address', pasvAddress)
  const pasvPorts =
    options.pasvPorts === undefined
      ? undefined
      : E.getOrElseW((message: string) => fail('pasvPorts', message, options.pasvPorts))(
          parsePortRange(options.pasvPorts)
        )
  const tls = options.tls
  if (tls !== undefined && (typeof tls !== 'object' || tls === null || tls.cert === undefined || tls.key === undefined))
    fail('tls', '{ cert, key } (PEM)', tls)
  const tlsRequired = options.tlsRequired ?? false
  if (typeof tlsRequired !== 'boolean') fail('tlsRequired', 'a boolean', tlsRequired)
  if (tlsRequired && tls === undefined) fail('tlsRequired', "used with option 'tls'", tlsRequired)
  const tlsSessionReuse = options.tlsSessionReuse ?? false
  if (typeof tlsSessionReuse !== 'boolean') fail('tlsSessionReuse', 'a boolean', tlsSessionReuse)
  if (tlsSessionReuse && tls === undefined) fail('tlsSessionReuse', "used with option 'tls'", tlsSessionReuse)
  const maxLineBytes = countOption(where, 'maxLineBytes', options.maxLineBytes, 4096)
  if (maxLineBytes < 512) fail('maxLineBytes', 'at least 512', maxLineBytes)
  const table = options.commands ?? commands
  if (typeof table !== 'object' || table === null) fail('commands', 'a command table', table)
  return {
    pasvAddress,
    pasvPorts,
    tls: tls === undefined ? undefined : makeTlsContexts(tls, { sessionReuse: tlsSessionReuse }),
    tlsRequired,
    handshakeTimeout: countOption(where, 'handshakeTimeout', options.handshakeTimeout, 10_000),
    commitDelay: countOption(where, 'commitDelay', options.commitDelay, 20),
    maxLineBytes,
    commands: table
  }
}
