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
    const server = net.createServer({ pauseOnConnect: true })

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
