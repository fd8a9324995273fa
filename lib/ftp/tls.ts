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

/** No session tickets: FTP clients do not resume sessions by ticket. */
const SECURE_OPTIONS = constants.SSL_OP_NO_TICKET

/** What every TLS socket of the server is made with. */
const contextOptions = (options: TlsOptions): tls.SecureContextOptions => ({
  cert: options.cert,
  key: options.key,
  minVersion: MIN_VERSION,
  secureOptions: SECURE_OPTIONS,
  // Node's own order, which puts AES-128-GCM before AES-256-GCM: as strong a choice, and a quarter cheaper per byte.
  honorCipherOrder: true
})

/**
 * The server's TLS contexts: one for control connections (TLS 1.2 or 1.3),
 * one for data connections (TLS 1.2). A TLS 1.3 server sends its session
 * tickets after the handshake; a client that uploads without reading (curl)
 * closes its data connection with those bytes unread, the kernel turns its
 * close into a reset, and the end of the upload is lost (measured: 300 kB
 * uploads cut at 112 KiB); one that reads them with a short reply (Python's
 * ssl) fails its shutdown. TLS 1.2 has nothing after its handshake.
 *
 * @category model
 * @since 0.1.0
 */
export interface TlsContexts {
  readonly control: tls.SecureContext
  readonly data: tls.SecureContext
}

/**
 * The secure contexts for the server's certificate; throws a `TypeError`
 * naming what is wrong when the PEM is not a certificate and key that belong
 * together.
 *
 * @example
 * import { makeTlsContexts } from 'fp-pathio/ftp'
 * assert.throws(() => makeTlsContexts({ cert: 'not a certificate', key: 'nor a key' }), TypeError)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeTlsContexts = (options: TlsOptions): TlsContexts => {
  try {
    return {
      control: tls.createSecureContext(contextOptions(options)),
      data: tls.createSecureContext({ ...contextOptions(options), maxVersion: 'TLSv1.2' })
    }
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
 * import * as net from 'node:net'
 * import * as tls from 'node:tls'
 * const server = net.createServer()
 * await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
 * const accepted = new Promise<net.Socket>((done) => server.once('connection', done))
 * const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
 * client.on('error', () => undefined)
 * client.write('USER not-a-tls-hello\r\n') // a client that never starts TLS
 * const secure = await secureServerSocket(await accepted, tls.createSecureContext(), 5000)
 * assert.strictEqual(secure, undefined)
 * client.destroy()
 * server.close()
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
      resolve(secure)
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
