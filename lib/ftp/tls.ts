/**
 * FTPS (RFC 4217): the server's TLS contexts, and turning a plain socket (a
 * control connection after AUTH TLS or on the implicit-TLS port, a data
 * connection under PROT P) into a TLS one. TLS 1.2 or newer only, and only
 * forward-secret key exchanges.
 *
 * Two things a TLS data connection needs beyond the handshake:
 * - telling a clean end (the client's close_notify) from a cut one (a FIN or
 *   a reset without it): an upload is committed only on a clean end. Node's
 *   TLS socket reports both as the same `'end'`, so a data connection's TLS
 *   runs over a stream of our own that sees the transport's end, and the
 *   two ends are compared (`endedCleanly`);
 * - optionally (`sessionReuse`), proof that it belongs to this control
 *   connection: it must resume the control connection's own TLS session
 *   (vsftpd's `require_ssl_reuse`), looked up in a cache of that connection
 *   only, so a session of another connection (a thief's) never resumes.
 *
 * @since 0.1.0
 */
import { constants } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type * as net from 'node:net'
import { Duplex } from 'node:stream'
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

/**
 * The oldest protocol the server speaks.
 *
 * @category constants
 * @since 0.3.0
 */
export const TLS_MIN_VERSION = 'TLSv1.2'

/**
 * The TLS 1.2 cipher suites the server offers, in its order of preference:
 * ECDHE key exchange only (forward secrecy: a stolen key does not decrypt
 * recorded sessions), AEAD first, AES-128-GCM first (as strong a choice as
 * AES-256 and a quarter cheaper per byte). No static-RSA suites (`AES128-SHA`,
 * `AES128-GCM-SHA256`, ...). TLS 1.3's suites are all forward-secret and stay
 * OpenSSL's.
 *
 * @category constants
 * @since 0.3.0
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384'
].join(':')

/** No session tickets: sessions resume by ID, from a cache the server controls (see `sessionReuse`). */
const SECURE_OPTIONS = constants.SSL_OP_NO_TICKET

/**
 * What every TLS socket of the server is made with: TLS 1.2 or newer, the
 * forward-secret suites of `TLS12_CIPHERS` in the server's order, no tickets.
 *
 * @category utils
 * @since 0.3.0
 */
export const tlsContextOptions = (options: TlsOptions): tls.SecureContextOptions => ({
  cert: options.cert,
  key: options.key,
  minVersion: TLS_MIN_VERSION,
  ciphers: TLS12_CIPHERS,
  secureOptions: SECURE_OPTIONS,
  honorCipherOrder: true
})

/**
 * The server's TLS contexts: one for control connections, one for data
 * connections (TLS 1.2). A TLS 1.3 server sends its session tickets after
 * the handshake; a client that uploads without reading (curl) closes its
 * data connection with those bytes unread, the kernel turns its close into a
 * reset, and the end of the upload is lost (measured: 300 kB uploads cut at
 * 112 KiB); one that reads them with a short reply (Python's ssl) fails its
 * shutdown. TLS 1.2 has nothing after its handshake.
 *
 * With `sessionReuse`, control connections are TLS 1.2 too: a data
 * connection (TLS 1.2) can only resume a TLS 1.2 session.
 *
 * @category model
 * @since 0.1.0
 */
export interface TlsContexts {
  readonly control: tls.SecureContext
  readonly data: tls.SecureContext
  /** Every TLS data connection must resume its control connection's session (else 425). */
  readonly sessionReuse: boolean
}

/**
 * The secure contexts for the server's certificate; throws a `TypeError`
 * naming what is wrong when the PEM is not a certificate and key that belong
 * together.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeTlsContexts = (
  options: TlsOptions,
  { sessionReuse = false }: { readonly sessionReuse?: boolean } = {}
): TlsContexts => {
  try {
    return {
      control: tls.createSecureContext({
        ...tlsContextOptions(options),
        ...(sessionReuse ? { maxVersion: 'TLSv1.2' } : {})
      }),
      data: tls.createSecureContext({ ...tlsContextOptions(options), maxVersion: 'TLSv1.2' }),
      sessionReuse
    }
  } catch (error) {
    throw new TypeError(
      `makeFtpServer: option 'tls' must hold a PEM certificate and its key: ${(error as Error).message}`
    )
  }
}

/**
 * The TLS sessions of one control connection: its control socket stores the
 * sessions it makes; its data sockets may resume those and nothing else (a
 * data connection's own new session is never stored, so a stranger's
 * handshake on our data port cannot plant one).
 *
 * @category model
 * @since 0.3.0
 */
export interface TlsSessions {
  /** The `server` a control connection's TLS socket reports its new sessions to. */
  readonly control: EventEmitter
  /** The `server` a data connection's TLS socket asks to resume a session. */
  readonly data: EventEmitter
}

/** Sessions one control connection keeps at most (it renegotiates rarely, if ever). */
const SESSIONS_KEPT = 4

/**
 * A fresh, empty session cache for one control connection.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeTlsSessions = (): TlsSessions => {
  const sessions = new Map<string, Buffer>()
  const control = new EventEmitter()
  const data = new EventEmitter()
  control.on('newSession', (id: Buffer, session: Buffer, done: () => void) => {
    sessions.set(id.toString('hex'), session)
    if (sessions.size > SESSIONS_KEPT) sessions.delete(sessions.keys().next().value as string)
    done()
  })
  // A control connection never resumes through this cache: only its data connections do.
  control.on('resumeSession', (_id: Buffer, done: (error: null, session: null) => void) => done(null, null))
  data.on('resumeSession', (id: Buffer, done: (error: null, session: Buffer | null) => void) =>
    done(null, sessions.get(id.toString('hex')) ?? null)
  )
  return { control, data }
}

/** How each TLS data socket's transport ended, for `endedCleanly`. */
const transportEnds = new WeakMap<tls.TLSSocket, () => 'open' | 'after-tls' | 'before-tls'>()

/**
 * A stream over `socket` that the TLS layer reads from, so that the
 * transport's end can be seen apart from the TLS layer's: on a socket
 * passed directly, Node's TLS takes the socket's reads over and reports a
 * FIN as it reports a close_notify. `ended` says, once the transport has
 * ended, whether the TLS layer had ended before (it read a close_notify).
 */
const watchedTransport = (
  socket: net.Socket
): { readonly stream: Duplex; readonly bind: (secure: tls.TLSSocket) => void } => {
  let ended: 'open' | 'after-tls' | 'before-tls' = 'open'
  let secure: tls.TLSSocket | undefined
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, encoding, callback) => void socket.write(chunk, encoding, callback),
    // The TLS layer hands over several records at once: one corked batch, one callback.
    writev: (chunks, callback) => {
      socket.cork()
      chunks.forEach(({ chunk }, i) => socket.write(chunk, i === chunks.length - 1 ? callback : undefined))
      socket.uncork()
    },
    final: (callback) => {
      socket.end()
      callback()
    },
    destroy: (error, callback) => {
      socket.destroy()
      callback(error)
    }
  })
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause()
  })
  // Registered before the TLS layer's own listener: it runs just before the TLS layer learns of the end.
  stream.once('end', () => {
    // The TLS layer has ended already only if it read a close_notify.
    ended =
      (secure as unknown as { _readableState?: { ended?: boolean } } | undefined)?._readableState?.ended === true
        ? 'after-tls'
        : 'before-tls'
  })
  socket.on('end', () => stream.push(null))
  socket.on('error', (error) => stream.destroy(error))
  socket.on('close', () => stream.destroy())
  return {
    stream,
    bind: (tlsSocket) => {
      secure = tlsSocket
      transportEnds.set(tlsSocket, () => ended)
    }
  }
}

/**
 * Whether a TLS socket made by `secureServerSocket` with `watchEnd` ended
 * with the client's close_notify, once it has emitted `'end'`: `true` when
 * the TLS layer ended before its transport did (or the transport is still
 * open), `false` when the transport ended first (a FIN or a reset without a
 * close_notify: the data may be cut short), `undefined` for a socket it
 * does not watch.
 *
 * @category utils
 * @since 0.3.0
 */
export const endedCleanly = (socket: net.Socket): boolean | undefined => {
  const ended = socket instanceof tls.TLSSocket ? transportEnds.get(socket) : undefined
  return ended === undefined ? undefined : ended() !== 'before-tls'
}

/**
 * Options of `secureServerSocket`.
 *
 * @category model
 * @since 0.3.0
 */
export interface SecureOptions {
  /** The handshake's deadline: past it the socket is destroyed. */
  readonly timeoutMs: number
  /** The session cache side to use (a control connection's `control`, its data connections' `data`). */
  readonly sessions?: EventEmitter
  /** Refuse (destroy) a connection that did not resume a session from `sessions`. */
  readonly requireResumed?: boolean
  /** Watch the transport's end for `endedCleanly` (data connections: their TLS runs over a stream of ours). */
  readonly watchEnd?: boolean
  /** Told why a handshake failed: OpenSSL's reason (`wrong version number`), or that it timed out or was cut. */
  readonly failed?: (reason: string) => void
}

/** Why a handshake failed, in OpenSSL's words where it has some (`reason`: 'wrong version number', 'no shared cipher'). */
const handshakeFailure = (why: unknown): string => {
  if (typeof why === 'string') return why
  const { reason, code, message } = (why ?? {}) as { reason?: unknown; code?: unknown; message?: unknown }
  return typeof reason === 'string' ? reason : typeof code === 'string' ? code : String(message ?? why)
}

/**
 * The server-side TLS socket over `socket`, once its handshake is done;
 * `undefined` when the handshake fails, takes longer than `timeoutMs`, or
 * does not resume a session when `requireResumed` (the socket is destroyed
 * then, and so is `socket`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const secureServerSocket = (
  socket: net.Socket,
  context: tls.SecureContext,
  options: SecureOptions
): Promise<tls.TLSSocket | undefined> =>
  new Promise((resolve) => {
    const watched = options.watchEnd === true ? watchedTransport(socket) : undefined
    const secure = new tls.TLSSocket(watched?.stream ?? socket, {
      isServer: true,
      secureContext: context,
      ...(options.sessions === undefined ? {} : { server: options.sessions as unknown as net.Server })
    })
    watched?.bind(secure)
    let settled = false
    const fail = (why: unknown): void => {
      clearTimeout(timer)
      if (!settled) options.failed?.(handshakeFailure(why))
      settled = true
      secure.destroy()
      socket.destroy()
      resolve(undefined)
    }
    const timer = setTimeout(() => fail('timed out'), options.timeoutMs)
    secure.once('error', fail)
    const cut = (): void => fail('connection closed during the handshake')
    secure.once('close', cut)
    secure.once('secure', () => {
      settled = true
      clearTimeout(timer)
      secure.off('error', fail)
      secure.off('close', cut)
      if (options.requireResumed === true && !secure.isSessionReused()) {
        // Refused, but closed in order: nothing is ever sent on it, and a client learns no more from a clean close.
        secure.on('error', () => undefined)
        secure.end(() => secure.destroy())
        setTimeout(() => secure.destroy(), 1000).unref()
        return resolve(undefined)
      }
      // Later errors (a reset) show as a closed socket to whoever uses it.
      secure.on('error', () => undefined)
      resolve(secure)
    })
  })
