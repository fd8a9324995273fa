/**
 * FTPS (RFC 4217): the server's TLS context, and turning a plain socket (a
 * control connection after AUTH TLS, a data connection under PROT P) into a
 * TLS one. TLS 1.2 or newer only.
 *
 * @since 0.1.0
 */
import { constants } from 'node:crypto'
import type * as net from 'node:net'
import * as tls from 'node:tls'

/**
 * The certificate and key (PEM text) the server presents.
 *
 * @category model
 * @since 0.1.0
 */
export interface TlsOptions {
  readonly cert: string | Buffer
  readonly key: string | Buffer
}

/** The oldest protocol the server speaks. */
const MIN_VERSION = 'TLSv1.2'

/**
 * No session tickets: a TLS 1.3 ticket that arrives after the handshake
 * makes Python's ssl refuse to close a short data connection cleanly
 * (SHUTDOWN_WHILE_IN_INIT), and FTP clients do not resume sessions by ticket.
 */
const SECURE_OPTIONS = constants.SSL_OP_NO_TICKET

/** What every TLS socket of the server is made with. */
const contextOptions = (options: TlsOptions): tls.SecureContextOptions => ({
  cert: options.cert,
  key: options.key,
  minVersion: MIN_VERSION,
  secureOptions: SECURE_OPTIONS
})

/**
 * A secure context for the server's certificate; throws a `TypeError` naming
 * what is wrong when the PEM is not a certificate and key that belong together.
 *
 * @example
 * import { makeTlsContext } from 'fp-pathio/ftp'
 * assert.throws(() => makeTlsContext({ cert: 'not a certificate', key: 'nor a key' }), TypeError)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeTlsContext = (options: TlsOptions): tls.SecureContext => {
  try {
    return tls.createSecureContext(contextOptions(options))
  } catch (error) {
    throw new TypeError(`makeFtpServer: option 'tls' must hold a PEM certificate and its key: ${(error as Error).message}`)
  }
}

/**
 * The server-side TLS socket over `socket`, once its handshake is done;
 * `undefined` when the handshake fails or takes longer than `timeoutMs` (the
 * socket is destroyed then).
 *
 * @example
 * import { secureServerSocket } from 'fp-pathio/ftp'
 * // after '234 AUTH TLS okay': const secure = await secureServerSocket(socket, context, 10_000)
 *
 * @category constructors
 * @since 0.1.0
 */
export const secureServerSocket = (socket: net.Socket, context: tls.SecureContext, timeoutMs: number): Promise<tls.TLSSocket | undefined> =>
  new Promise((resolve) => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context })
    const fail = (): void => {
      clearTimeout(timer)
      secure.destroy()
      socket.destroy()
      resolve(undefined)
    }
    const timer = setTimeout(fail, timeoutMs)
    secure.once('error', fail)
    secure.once('close', fail)
    secure.once('secure', () => {
      clearTimeout(timer)
      secure.off('error', fail)
      secure.off('close', fail)
      // Later errors (a reset) show as a closed socket to whoever uses it.
      secure.on('error', () => undefined)
      // One turn of the event loop first, so the TLS 1.3 session tickets leave in
      // their own packet: an OpenSSL client that reads them together with a short
      // reply and its close_notify fails its shutdown (SHUTDOWN_WHILE_IN_INIT).
      setImmediate(() => resolve(secure))
    })
  })

/**
 * Options of the implicit-TLS listener (TLS from the first byte): the same
 * certificate, protocols and options as explicit FTPS.
 *
 * @example
 * import { implicitTlsOptions } from 'fp-pathio/ftp'
 * assert.strictEqual(implicitTlsOptions({ cert: 'c', key: 'k' }).minVersion, 'TLSv1.2')
 *
 * @category utils
 * @since 0.1.0
 */
export const implicitTlsOptions = (options: TlsOptions): tls.TlsOptions => contextOptions(options)
