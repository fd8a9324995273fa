/**
 * Data connections. Passive (PASV, EPSV): a one-shot listener, on a port of
 * the server's range, that accepts one connection from the control
 * connection's own address and closes when none comes in time. Active (PORT,
 * EPRT): the server connects to the client, only to the control connection's
 * own address (no FTP bounce).
 *
 * @since 0.1.0
 */
import * as net from 'node:net'
import { plainAddress } from '../server/addresses'
import { endedCleanly } from './tls'

/**
 * The data connection a transfer will use, prepared by PASV, EPSV, PORT or EPRT.
 *
 * @category model
 * @since 0.1.0
 */
export interface DataChannel {
  /** The port the client connects to (passive); `undefined` for active mode. */
  readonly port?: number
  /**
   * The data connection: the socket the client connected (passive) or the
   * server's connection to the client (active), or `undefined` if none came
   * within `timeoutMs` or the channel was closed. A channel serves one transfer.
   */
  readonly accept: (timeoutMs: number) => Promise<net.Socket | undefined>
  /** Stops listening, and destroys a socket nobody took. */
  readonly close: () => void
}

/**
 * A passive listener waiting for (or holding) the client's data connection.
 *
 * @category model
 * @since 0.1.0
 */
export interface PassiveListener extends DataChannel {
  readonly port: number
}

/**
 * An inclusive range of ports.
 *
 * @category model
 * @since 0.1.0
 */
export interface PortRange {
  readonly min: number
  readonly max: number
}

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
 * (ECONNRESET, EPIPE) on a reset one. So every `'end'` of a plain socket is
 * checked that way.
 *
 * Under TLS only the client's close_notify is a clean end: a FIN or a reset
 * without it may cut the data short at any byte. A TLS data socket made with
 * `watchEnd` (see `secureServerSocket`) knows which came first, and an end
 * that was not a close_notify rejects.
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
      const settled = (error?: unknown): void => {
        socket.off('error', failed)
        socket.off('close', closed)
        if (error === undefined) resolve()
        else reject(error)
      }
      const tlsClean = endedCleanly(socket)
      if (tlsClean !== undefined)
        return settled(tlsClean ? undefined : new Error('TLS data connection ended without close_notify'))
      probeWithNothing(socket).then(() => settled(), settled)
    })
  })

/**
 * The kernel's verdict on a plain socket whose peer ended: a write of zero
 * bytes succeeds after a FIN and fails (ECONNRESET, EPIPE) after a reset.
 */
const probeWithNothing = (socket: net.Socket): Promise<void> =>
  new Promise((resolve, reject) => socket.write(NOTHING, (error) => (error ? reject(error) : resolve())))

/** Listens on `port` of `host`; resolves with the server, rejects with the bind error. */
const bind = (server: net.Server, host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const failed = (error: Error): void => reject(error)
    server.once('error', failed)
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', failed)
      resolve()
    })
  })

/** The ports of `range` to try, from a random one round the range (clients do not all land on `min`). */
const candidates = (range: PortRange | undefined): ReadonlyArray<number> => {
  if (range === undefined) return [0]
  const count = range.max - range.min + 1
  const first = Math.floor(Math.random() * count)
  return Array.from({ length: count }, (_, i) => range.min + ((first + i) % count))
}

/** Binds a fresh server to the first free port of the range; rejects when every port is taken. */
const bindInRange = async (make: () => net.Server, host: string, range: PortRange | undefined): Promise<net.Server> => {
  let last: unknown
  for (const port of candidates(range)) {
    const server = make()
    try {
      await bind(server, host, port)
      return server
    } catch (error) {
      last = error
      server.close()
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error
    }
  }
  throw last ?? new Error('no port in the passive range')
}

/**
 * Options of a passive listener.
 *
 * @category model
 * @since 0.1.0
 */
export interface PassiveOptions {
  /** The only address a data connection is accepted from. */
  readonly peer: string
  /** Ports to listen on; default any free port. */
  readonly ports?: PortRange
  /** The listener closes if no connection came this many milliseconds after it opened. */
  readonly timeoutMs: number
  /**
   * Makes an accepted connection ready, as soon as it arrives: under PROT P,
   * its TLS handshake (`undefined` when that fails). Clients such as curl
   * start their handshake the moment they connect, before RETR or STOR, and
   * stall their next commands until it is answered.
   */
  readonly secure?: (socket: net.Socket) => Promise<net.Socket | undefined>
  /** The share of the passive range `peer` may hold (see `makePortBudget`). */
  readonly budget?: PortBudget
}

/** Connections from the peer whose TLS handshake may run at once on one listener (a thief's and the client's, say). */
const MAX_CANDIDATES = 4

/**
 * Opens a passive listener on `host`. Connections from any address but
 * `peer` are refused (no third party can steal a transfer). With `secure`,
 * every connection from `peer` is made ready as it arrives and the first one
 * that passes (under PROT P: a TLS handshake, which with session reuse
 * required only the client itself can pass) is the data connection; the
 * others are closed. With no connection within `timeoutMs` it closes on its
 * own, so an idle session holds no listening socket. Rejects when no port
 * of the range is free, or when `budget` refuses the port.
 *
 * @category constructors
 * @since 0.1.0
 */
export const openPassiveListener = async (host: string, options: PassiveOptions): Promise<PassiveListener> => {
  const release = options.budget === undefined ? () => undefined : options.budget.take(options.peer)
  if (release === undefined) throw new Error(`no passive port left for ${options.peer}`)
  let server: net.Server
  try {
    // Half-open allowed: the client's end of an upload must leave our side writable for `peerFinished`'s probe.
    server = await bindInRange(
      () => net.createServer({ pauseOnConnect: true, allowHalfOpen: true }),
      host,
      options.ports
    )
  } catch (error) {
    release()
    throw error
  }
  let accepted: net.Socket | undefined
  let taken = false
  let closed = false
  const contenders = new Set<net.Socket>()
  let deliver: (socket: net.Socket | undefined) => void = () => undefined
  const won = new Promise<net.Socket | undefined>((resolve) => (deliver = resolve))
  const stopListening = (): void => {
    clearTimeout(expiry)
    if (server.listening) server.close()
    release()
  }
  const close = (): void => {
    closed = true
    stopListening()
    for (const candidate of contenders) candidate.destroy()
    contenders.clear()
    if (accepted !== undefined && !taken) accepted.destroy()
    deliver(undefined)
  }
  const win = (socket: net.Socket): void => {
    if (closed || accepted !== undefined) return void socket.destroy()
    accepted = socket
    stopListening()
    for (const candidate of contenders) candidate.destroy()
    contenders.clear()
    deliver(socket)
  }
  // An unused listener does not outlive the data timeout.
  const expiry = setTimeout(() => {
    if (accepted === undefined && !taken) close()
  }, options.timeoutMs)

  server.on('error', () => close())
  server.on('connection', (socket) => {
    // An early reset must not crash the process: the transfer sees it as a closed socket.
    socket.on('error', () => undefined)
    // Small TLS records and the last bytes of a transfer go out at once, not after Nagle's wait.
    socket.setNoDelay(true)
    const stranger = plainAddress(socket.remoteAddress) !== plainAddress(options.peer)
    if (closed || accepted !== undefined || stranger || contenders.size >= MAX_CANDIDATES) return void socket.destroy()
    if (options.secure === undefined) return win(socket)
    contenders.add(socket)
    void options.secure(socket).then((ready) => {
      contenders.delete(socket)
      if (ready !== undefined) win(ready)
    })
  })

  return {
    port: (server.address() as net.AddressInfo).port,
    accept: (timeoutMs) => {
      if (closed || taken) return Promise.resolve(undefined)
      taken = true
      const timer = setTimeout(close, timeoutMs)
      return won.then((socket) => {
        clearTimeout(timer)
        return socket
      })
    },
    close
  }
}

/**
 * How many passive ports each client address may hold at once: at most
 * half of a range, so that one address (one client with many sessions, or
 * many clients behind one NAT) can never take every port and lock the
 * others out.
 *
 * @category model
 * @since 0.3.0
 */
export interface PortBudget {
  /** Takes a port for `address`: the function that gives it back (idempotent), or `undefined` past its share. */
  readonly take: (address: string) => (() => void) | undefined
}

/**
 * The budget of a passive range: each address may hold `floor(size / 2)`
 * ports at once (at least 1). Without a range (any free port) there is no
 * budget to share.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makePortBudget = (range: PortRange): PortBudget => {
  const share = Math.max(1, Math.floor((range.max - range.min + 1) / 2))
  const held = new Map<string, number>()
  return {
    take: (address) => {
      const key = plainAddress(address)
      const mine = held.get(key) ?? 0
      if (mine >= share) return undefined
      held.set(key, mine + 1)
      let given = false
      return () => {
        if (given) return
        given = true
        const left = (held.get(key) ?? 1) - 1
        if (left === 0) held.delete(key)
        else held.set(key, left)
      }
    }
  }
}

/**
 * An active-mode channel: on `accept`, the server connects to `host:port`
 * (the client's listener) from `localAddress`; a refused or slow connection
 * gives `undefined`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const activeChannel = (host: string, port: number, localAddress: string): DataChannel => {
  let closed = false
  let socket: net.Socket | undefined
  return {
    accept: (timeoutMs) =>
      new Promise((done) => {
        if (closed || socket !== undefined) return done(undefined)
        // Half-open allowed, as on passive connections: `peerFinished` probes the end of an upload.
        const connecting = net.connect({ host, port, localAddress, noDelay: true, allowHalfOpen: true })
        socket = connecting
        const fail = (): void => {
          clearTimeout(timer)
          connecting.destroy()
          done(undefined)
        }
        const timer = setTimeout(fail, timeoutMs)
        connecting.once('error', fail)
        connecting.once('connect', () => {
          clearTimeout(timer)
          connecting.off('error', fail)
          connecting.on('error', () => undefined)
          if (closed) return fail()
          done(connecting)
        })
      }),
    close: () => {
      closed = true
      if (socket !== undefined && socket.connecting) socket.destroy()
    }
  }
}
