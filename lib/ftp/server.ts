/**
 * The FTP server: listeners (plain, and implicit TLS), connection limits,
 * and the record each session gets: the shared factory's record, jailed in
 * the user's home (`withRoot`), under the user's permissions
 * (`withPermissions`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as net from 'node:net'
import { plainAddress } from '../server/addresses'
import { makeServerCore, type ServerCore } from '../server/core'
import { COMMANDS } from './commands'
import { serveControl, type Connection } from './control'
import { makePortBudget } from './dataConnection'
import { checkFtpOptions, type FtpOptions, type FtpServerOptions } from './options'
import { formatReply, reply, type Reply } from './replies'
import type { SessionConfig } from './session'

export type { FtpOptions, FtpServerOptions } from './options'

/**
 * A running (or ready) server: a plain record.
 *
 * @category model
 * @since 0.1.0
 */
export interface FtpServer<S> {
  /**
   * Creates the homes that are missing, then listens (port 0: a free port;
   * host default 127.0.0.1; `::` and `0.0.0.0` listen everywhere); resolves
   * with the address.
   */
  readonly listen: (port?: number, host?: string) => Promise<net.AddressInfo>
  /** Listens for implicit FTPS (TLS from the first byte, as on port 990); needs the `tls` option. */
  readonly listenTls: (port?: number, host?: string) => Promise<net.AddressInfo>
  /**
   * Stops listening, aborts running transfers, waits until every handler has
   * finished (so every file handle is closed), says 421 and closes every
   * connection. The shared state (a pool) is the caller's to close after.
   */
  readonly close: () => Promise<void>
  /** The state every connection's record shares (the memory tree, the pool). */
  readonly state: S
  /** How many connections are open, or closed but still finishing their last command. */
  readonly connections: () => number
}

/**
 * Makes an FTP server around a `PathIO` factory: `makeFtpFront` on a core
 * of its own (`makeServerCore`). Each control connection gets its own
 * session and its own record: the shared factory's record (made with the
 * server's `timeout`), jailed with `withRoot` in the user's home under
 * `root`, its uploads atomic, under `withPermissions` of the user's
 * letters; each command is a handler of the session and that record. A bad
 * option is a `TypeError` at once, naming it.
 *
 * @example
 * import { makeFtpServer } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as net from 'node:net'
 * const server = makeFtpServer({ factory: makeMemoryPathIO, users: { alice: 'secret' }, anonymous: 'off' })
 * const { port } = await server.listen(0, '127.0.0.1')
 * const client = net.connect(port, '127.0.0.1')
 * const greeting = await new Promise<string>((done) => client.once('data', (b) => done(b.toString())))
 * assert.ok(greeting.startsWith('220 '))
 * client.destroy()
 * await server.close()
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeFtpServer = <S>(options: FtpServerOptions<S>): FtpServer<S> => {
  // FTP's own options are checked before the core makes anything.
  checkFtpOptions('makeFtpServer', options, COMMANDS)
  return makeFtpFront(makeServerCore('makeFtpServer', options), options)
}

/**
 * The FTP front of a server core: its listeners and control connections,
 * with the core's accounts, limits (counted with every other front of the
 * core), failed-login budget and session records. A program that serves FTP
 * and SFTP together gives both fronts one core.
 *
 * @example
 * import { makeFtpFront } from 'fp-pathio/ftp'
 * import { makeServerCore } from 'fp-pathio/server'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const core = makeServerCore('example', { factory: makeMemoryPathIO, maxConnections: 8 })
 * const ftp = makeFtpFront(core, { pasvPorts: '50000-50009' })
 * assert.strictEqual(ftp.state, core.state)
 * await ftp.close()
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeFtpFront = <S>(core: ServerCore<S>, options: FtpOptions = {}): FtpServer<S> => {
  const ftp = checkFtpOptions('makeFtpServer', options, COMMANDS)
  const { log } = core
  const config: SessionConfig = {
    ...core.settings,
    ...ftp,
    maxLoginAttempts: Math.max(1, core.settings.maxLoginAttempts),
    authenticate: core.authenticate,
    blocked: core.failures.blocked,
    ...(ftp.pasvPorts === undefined ? {} : { pasvBudget: makePortBudget(ftp.pasvPorts) }),
    sessionPathIO: (account, connection) => core.sessionPathIO(account, { connection }),
    log,
    emit: core.emit
  }
  const open = new Set<Connection>()
  let nextId = 1

  /** Says `farewell` (in clear: no TLS has started) and hangs up, whatever the client does. */
  const turnAway = (socket: net.Socket, farewell: Reply): void => {
    socket.on('error', () => undefined)
    socket.end(formatReply(farewell))
    setTimeout(() => socket.destroy(), 1000).unref()
  }

  // Every accepted socket counts from its first byte, on both ports: a socket that never finishes its TLS
  // handshake holds a place until the handshake deadline destroys it, and no longer.
  const serve = (implicitTls: boolean) => (socket: net.Socket) => {
    const address = plainAddress(socket.remoteAddress)
    const place = core.admit(address)
    if (E.isLeft(place)) {
      core.emit({ _tag: 'Refused', front: implicitTls ? 'ftps' : 'ftp', address, reason: place.left })
      return turnAway(
        socket,
        reply(
          421,
          place.left === 'too many failed logins'
            ? 'Too many failed logins from your address, try again later'
            : 'Too many connections, try again later'
        )
      )
    }
    socket.once('close', place.right)
    const connection = serveControl(socket, nextId++, implicitTls, config)
    open.add(connection)
    void connection.gone.then(() => open.delete(connection))
  }

  const servers: Array<net.Server> = []
  const listenOn = async (
    server: net.Server,
    front: 'ftp' | 'ftps',
    port: number,
    host: string
  ): Promise<net.AddressInfo> => {
    await core.prepare()
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error)
      server.once('error', failed)
      server.listen(port, host, () => {
        server.off('error', failed)
        server.on('error', (error) => log('error', `server error: ${error.message}`))
        servers.push(server)
        const bound = server.address() as net.AddressInfo
        core.emit({ _tag: 'Listening', front, address: bound.address, port: bound.port })
        resolve(bound)
        // What a server killed mid-upload left behind, removed in the background once the first listener is up.
        void core.sweep()
      })
    })
  }

  return {
    state: core.state,
    connections: () => open.size,
    listen: (port = 0, host = '127.0.0.1') => listenOn(net.createServer(serve(false)), 'ftp', port, host),
    listenTls: (port = 0, host = '127.0.0.1') => {
      if (ftp.tls === undefined) return Promise.reject(new TypeError("makeFtpServer: listenTls needs the option 'tls'"))
      // A plain listener: each session makes its own handshake, counted and under a deadline like AUTH TLS's.
      return listenOn(net.createServer(serve(true)), 'ftps', port, host)
    },
    close: async () => {
      core.stop()
      const stopped = Promise.all(
        servers.map(
          (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
        )
      )
      const closing = [...open]
      await Promise.all(
        closing.map((connection) => connection.shutdown(reply(421, 'Service closing control connection')))
      )
      await stopped
      await Promise.all(closing.map((connection) => connection.gone))
    }
  }
}
