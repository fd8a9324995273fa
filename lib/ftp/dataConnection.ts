/**
 * Passive data connections (PASV, EPSV): a one-shot listener on a free port
 * that accepts one connection, from the control connection's own address.
 *
 * @since 0.1.0
 */
import * as net from 'node:net'

/**
 * A passive listener waiting for (or holding) the client's data connection.
 *
 * @category model
 * @since 0.1.0
 */
export interface PassiveListener {
  /** The port the client connects to. */
  readonly port: number
  /**
   * The data connection: resolves with the first accepted socket (at once if
   * the client is already connected), or `undefined` if none came within
   * `timeoutMs` or the listener was closed. The listener accepts nothing
   * more after it.
   */
  readonly accept: (timeoutMs: number) => Promise<net.Socket | undefined>
  /** Stops listening and destroys a socket nobody took. */
  readonly close: () => void
}

/**
 * An address without its IPv4-mapped IPv6 prefix: `::ffff:127.0.0.1` and
 * `127.0.0.1` are one peer.
 *
 * @example
 * import { plainAddress } from 'fp-pathio/ftp'
 * assert.strictEqual(plainAddress('::ffff:127.0.0.1'), '127.0.0.1')
 *
 * @category utils
 * @since 0.1.0
 */
export const plainAddress = (address: string | undefined): string =>
  address === undefined ? '' : address.startsWith('::ffff:') ? address.slice(7) : address

const NOTHING = Buffer.alloc(0)

/**
 * Resolves once the peer has finished sending with a clean close (a FIN),
 * rejects when the connection was reset or failed. Call it before anything
 * reads the socket; the socket must allow half-open connections (passive
 * listeners do).
 *
 * An upload in stream mode ends when the client closes the data connection,
 * so a reset must not pass for an end: Node (libuv) reports a reset that
 * arrives while it is still reading queued bytes as a plain `'end'`, with no
 * error. The kernel knows better: a write of zero bytes sends nothing, and
 * succeeds on a connection whose peer only finished sending, but fails
 * (ECONNRESET, EPIPE) on a reset one. So every `'end'` is checked that way.
 *
 * @example
 * import { peerFinished } from 'fp-pathio/ftp'
 * import * as net from 'node:net'
 * const server = net.createServer({ allowHalfOpen: true })
 * await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
 * const accepted = new Promise<net.Socket>((done) => server.once('connection', done))
 * const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
 * const socket = await accepted
 * const finished = peerFinished(socket)
 * socket.resume()
 * client.end('the whole file')
 * const verdict = await finished.then(() => 'finished', () => 'reset')
 * socket.destroy()
 * server.close()
 * assert.strictEqual(verdict, 'finished')
 *
 * @category utils
 * @since 0.1.0
 */
export const peerFinished = (socket: net.Socket): Promise<void> =>
  new Promise((resolve, reject) => {
    const failed = (error: Error): void => {
      socket.off('close', closed)
      reject(error)
    }
    const closed = (): void => failed(new Error('data connection closed before its end'))
    socket.once('error', failed)
    socket.once('close', closed)
    socket.once('end', () => {
      socket.write(NOTHING, (error) => {
        socket.off('error', failed)
        socket.off('close', closed)
        if (error) reject(error)
        else resolve()
      })
    })
  })

/**
 * Opens a passive listener on `host`, port 0 (a free port). Connections from
 * any address but `peer` are refused (so no third party can steal a transfer).
 *
 * @example
 * import { openPassiveListener } from 'fp-pathio/ftp'
 * import * as net from 'node:net'
 * const passive = await openPassiveListener('127.0.0.1', '127.0.0.1') // bind here; accept only this peer
 * const client = net.connect(passive.port, '127.0.0.1')
 * const socket = await passive.accept(10_000) // undefined if no one came in time
 * assert.ok(socket !== undefined)
 * socket.destroy()
 * client.destroy()
 * passive.close()
 *
 * @category constructors
 * @since 0.1.0
 */
export const openPassiveListener = (host: string, peer: string): Promise<PassiveListener> =>
  new Promise((resolve, reject) => {
    let accepted: net.Socket | undefined
    let taken = false
    let closed = false
    let waiter: ((socket: net.Socket | undefined) => void) | undefined
    // Half-open allowed: the client's end of an upload must leave our side writable for `peerFinished`'s probe.
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true })

    const stopListening = (): void => {
      if (server.listening) server.close()
    }

    server.on('connection', (socket) => {
      // An early reset must not crash the process: the transfer sees it as a closed socket.
      socket.on('error', () => undefined)
      if (closed || accepted !== undefined || plainAddress(socket.remoteAddress) !== plainAddress(peer)) {
        socket.destroy()
        return
      }
      accepted = socket
      stopListening()
      if (waiter !== undefined) {
        taken = true
        waiter(socket)
        waiter = undefined
      }
    })
    server.on('error', (error) => {
      if (!server.listening) reject(error)
    })

    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port
      resolve({
        port,
        accept: (timeoutMs) =>
          new Promise((done) => {
            if (closed || waiter !== undefined) return done(undefined)
            if (accepted !== undefined) {
              taken = true
              return done(accepted)
            }
            const timer = setTimeout(() => {
              waiter = undefined
              closed = true
              stopListening()
              done(undefined)
            }, timeoutMs)
            waiter = (socket) => {
              clearTimeout(timer)
              done(socket)
            }
          }),
        close: () => {
          closed = true
          stopListening()
          if (accepted !== undefined && !taken) accepted.destroy()
          if (waiter !== undefined) {
            const w = waiter
            waiter = undefined
            w(undefined)
          }
        }
      })
    })
  })
