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
import * as posix from 'node:path/posix'
import type { PathIO } from '../PathIO'
import { sweepTemporaries, withAtomicWrites, withPermissions, withRoot, withSharedState } from '../middleware'
import { ANONYMOUS, makeAuthenticate, type Account } from '../server/accounts'
import { plainAddress } from '../server/addresses'
import { makeConnectionLimits } from '../server/limits'
import { guardLogins, makeLoginFailures } from '../server/logins'
import { COMMANDS } from './commands'
import { serveControl, type Connection, type ControlContext } from './control'
import { makePortBudget } from './dataConnection'
import { silentLogger } from './log'
import { checkOptions, type FtpServerOptions } from './options'
import { formatReply, reply, type Reply } from './replies'
import { sessionConfig } from './session'
import { makeTlsContexts } from './tls'

export type { FtpServerOptions } from './options'

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

/** A record that refuses everything: a session's before anyone logged in. */
const NOBODY = { perm: '' } as const

/**
 * Makes an FTP server around a `PathIO` factory. Each control connection
 * gets its own session and its own record: the shared factory's record (made
 * with the server's `timeout`), jailed with `withRoot` in the user's home
 * under `root`, under `withPermissions` of the user's letters; each command
 * is a handler of the session and that record. A bad option is a `TypeError`
 * at once, naming it.
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
  const settings = checkOptions(options)
  const log = options.log ?? silentLogger
  const commands = options.commands ?? COMMANDS
  const secureContext = settings.tls === undefined ? undefined : makeTlsContexts(settings.tls, { sessionReuse: settings.tlsSessionReuse })
  const shared = withSharedState(options.factory)
  // The first record fixes the state every later connection shares.
  const first = shared({ timeout: settings.timeout })
  const state = first.state
  const homeOf = (account: Account): string => posix.join(posix.resolve(settings.root), account.home)
  const anonymousHome = settings.anonymousRoot
  const loginFailures = makeLoginFailures({ max: settings.maxLoginFailuresPerIp, windowMs: settings.loginFailureWindow })
  const authenticate = guardLogins(makeAuthenticate(settings.users, settings.anonymous), loginFailures, (address) =>
    log('warn', `${address} failed to log in ${settings.maxLoginFailuresPerIp} times: refused for up to ${settings.loginFailureWindow / 1000} s`)
  )

  const context: ControlContext = {
    config: sessionConfig({
      commands,
      authenticate,
      blocked: loginFailures.blocked,
      pasvAddress: settings.pasvAddress,
      pasvPorts: settings.pasvPorts,
      ...(settings.pasvPorts === undefined ? {} : { pasvBudget: makePortBudget(settings.pasvPorts) }),
      dataTimeout: settings.dataTimeout,
      handshakeTimeout: settings.handshakeTimeout,
      commitDelay: settings.commitDelay,
      tls: secureContext,
      tlsRequired: settings.tlsRequired,
      maxLoginAttempts: Math.max(1, settings.maxLoginAttempts),
      loginFailureDelay: settings.loginFailureDelay,
      maxDownloadRate: settings.maxDownloadRate,
      maxUploadRate: settings.maxUploadRate
    }),
    commands,
    log,
    idleTimeout: settings.idleTimeout,
    maxLineBytes: settings.maxLineBytes,
    pathioFor: (account, socket) => {
      const base = shared({ timeout: settings.timeout, connection: socket }) as PathIO<unknown>
      const who = account ?? { ...NOBODY, home: '/' }
      const home = account?.name === ANONYMOUS ? anonymousHome : who.home
      // Uploads are atomic and their temporaries hidden below the permissions: the user asks for a store, never for a rename.
      return withPermissions(who)(withAtomicWrites({ staleAfterMs: settings.dataTimeout })(withRoot(homeOf({ name: '', ...who, home }))(base)))
    }
  }

  const limits = makeConnectionLimits(settings.maxConnections, settings.maxConnectionsPerIp)
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
    if (loginFailures.blocked(address)) {
      log('debug', `refused a connection from ${address}: too many failed logins`)
      return turnAway(socket, reply(421, 'Too many failed logins from your address, try again later'))
    }
    const release = limits.admit(address)
    if (release === undefined) {
      log('warn', `refused a connection from ${address}: too many connections`)
      return turnAway(socket, reply(421, 'Too many connections, try again later'))
    }
    socket.once('close', release)
    const connection = serveControl(socket, nextId++, implicitTls, context)
    open.add(connection)
    void connection.gone.then(() => open.delete(connection))
  }

  const servers: Array<net.Server> = []
  let stopping = false
  // What a server killed mid-upload left behind, removed in the background once the first listener is up.
  let swept: Promise<void> | undefined
  const sweep = (): Promise<void> =>
    (swept ??= sweepTemporaries(withRoot(posix.resolve(settings.root))(first) as PathIO<unknown>, '/', {
      staleAfterMs: settings.dataTimeout,
      stopped: () => stopping
    }).then(
      (removed) => log(removed > 0 ? 'info' : 'debug', `start: removed ${removed} stale upload temporaries`),
      (error) => log('warn', `sweeping stale upload temporaries failed: ${String(error)}`)
    ))
  const listenOn = async (server: net.Server, port: number, host: string): Promise<net.AddressInfo> => {
    await createHomes()
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error)
      server.once('error', failed)
      server.listen(port, host, () => {
        server.off('error', failed)
        server.on('error', (error) => log('error', `server error: ${error.message}`))
        servers.push(server)
        resolve(server.address() as net.AddressInfo)
        void sweep()
      })
    })
  }

  let homesMade: Promise<void> | undefined
  const createHomes = (): Promise<void> =>
    (homesMade ??= (async () => {
      for (const user of settings.users) {
        const made = await first.mkdir(homeOf(user), { parents: true, existOk: true })()
        if (E.isLeft(made)) throw new Error(`cannot create the home of user '${user.name}': ${made.left.message}`)
      }
      if (settings.anonymous !== 'off') {
        const made = await first.mkdir(homeOf({ name: ANONYMOUS, home: anonymousHome, perm: '' }), { parents: true, existOk: true })()
        if (E.isLeft(made)) throw new Error(`cannot create the anonymous root ${anonymousHome}: ${made.left.message}`)
      }
    })())

  return {
    state,
    connections: () => open.size,
    listen: (port = 0, host = '127.0.0.1') => listenOn(net.createServer(serve(false)), port, host),
    listenTls: (port = 0, host = '127.0.0.1') => {
      if (settings.tls === undefined) return Promise.reject(new TypeError("makeFtpServer: listenTls needs the option 'tls'"))
      // A plain listener: each session makes its own handshake, counted and under a deadline like AUTH TLS's.
      return listenOn(net.createServer(serve(true)), port, host)
    },
    close: async () => {
      stopping = true
      const stopped = Promise.all(
        servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())))
      )
      const closing = [...open]
      await Promise.all(closing.map((connection) => connection.shutdown(reply(421, 'Service closing control connection'))))
      await stopped
      await Promise.all(closing.map((connection) => connection.gone))
    }
  }
}
