/**
 * The SFTP server: SSH connections (`ssh2`), counted with every other
 * front of the core, logins by password or public key against the core's
 * accounts and failure budget, and one SFTP channel after another served
 * on the session's record.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as net from 'node:net'
import {
  Server,
  utils,
  type AuthContext,
  type Connection,
  type ParsedKey,
  type ServerChannel,
  type SFTPWrapper
} from 'ssh2'
import type { PathIO } from '../PathIO'
import { ANONYMOUS, type Account } from '../server/accounts'
import { plainAddress } from '../server/addresses'
import { makeServerCore, type ServerCore } from '../server/core'
import { folderPermissions } from '../server/folders'
import { checkSftpOptions, type SftpOptions, type SftpServerOptions } from './options'
import { serveSftp } from './session'
import { allowRepeatedUserauth, announceExtensions, exitChannel } from './quirks'

/**
 * A running (or ready) SFTP server: a plain record.
 *
 * @category model
 * @since 0.3.0
 */
export interface SftpServer<S> {
  /** Creates the homes that are missing, then listens (port 0: a free port; host default 127.0.0.1); resolves with the address. */
  readonly listen: (port?: number, host?: string) => Promise<net.AddressInfo>
  /** Stops listening, closes every connection (uploads not closed by their clients are abandoned) and waits until every handle is closed. */
  readonly close: () => Promise<void>
  /** The state every connection's record shares (the memory tree, the pool). */
  readonly state: S
  /** How many SSH connections are open. */
  readonly connections: () => number
  /** The host key's fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string
}

/** What OpenSSH's LoginGraceTime defaults to: a connection that has not logged in by then is closed. */
const LOGIN_GRACE_MS = 120_000

/** The extensions VERSION announces. */
const EXTENSIONS = { 'posix-rename@openssh.com': '1', 'limits@openssh.com': '1' }

/** A user's public keys, parsed once: what a client offers is compared by its SSH wire form. */
interface KeyedAccount {
  readonly account: Account
  readonly keys: ReadonlyArray<ParsedKey>
}

const parsedKeys = (lines: ReadonlyArray<string>): ReadonlyArray<ParsedKey> =>
  lines.flatMap((line) => {
    const parsed = utils.parseKey(line)
    return parsed instanceof Error ? [] : Array.isArray(parsed) ? parsed : [parsed]
  })

/** A connection as it arrived: its number in the events, its address, when, and its bytes so far. */
interface Arrival {
  readonly session: number
  readonly address: string
  readonly since: number
  readonly bytes: () => { readonly bytesIn: number; readonly bytesOut: number }
}

interface Open {
  readonly client: Connection
  readonly channels: Set<() => Promise<void>>
}

/**
 * Makes an SFTP server around a `PathIO` factory: `makeSftpFront` on a
 * core of its own (`makeServerCore`). Takes the options of
 * `makeFtpServer` that every front shares, and `hostKey`.
 *
 * @example
 * import { makeSftpServer } from 'fp-pathio/sftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as net from 'node:net'
 * const server = makeSftpServer({ factory: makeMemoryPathIO, users: { alice: 'secret' } })
 * const { port } = await server.listen(0, '127.0.0.1')
 * const client = net.connect(port, '127.0.0.1')
 * const banner = await new Promise<string>((done) => client.once('data', (b) => done(b.toString())))
 * assert.ok(banner.startsWith('SSH-2.0-'))
 * client.destroy()
 * await server.close()
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeSftpServer = <S>(options: SftpServerOptions<S>): SftpServer<S> => {
  checkSftpOptions('makeSftpServer', options)
  return makeSftpFront(makeServerCore('makeSftpServer', options), options)
}

/**
 * The SFTP front of a server core: its listener and SSH connections, with
 * the core's accounts (passwords and public keys; no anonymous over SSH),
 * limits (counted with every other front of the core), failed-login budget
 * and session records.
 *
 * @example
 * import { makeSftpFront } from 'fp-pathio/sftp'
 * import { makeServerCore } from 'fp-pathio/server'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const core = makeServerCore('example', { factory: makeMemoryPathIO, maxConnections: 8 })
 * const sftp = makeSftpFront(core, {})
 * assert.strictEqual(sftp.state, core.state)
 * await sftp.close()
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeSftpFront = <S>(core: ServerCore<S>, options: SftpOptions = {}): SftpServer<S> => {
  const { hostKey, fingerprint } = checkSftpOptions('makeSftpServer', options)
  const { settings, log } = core
  const users = new Map<string, KeyedAccount>(
    // A key login gets the account a password login gets: its folders' letters among its rules.
    settings.users.map(({ hash: _hash, keys, ...account }) => [
      account.name,
      { account: folderPermissions(account), keys: parsedKeys(keys ?? []) }
    ])
  )
  const maxAttempts = Math.max(1, settings.maxLoginAttempts)
  const open = new Set<Open>()

  const authenticate = (
    client: Connection,
    address: string,
    accepted: (ctx: AuthContext, account: Account, method: 'password' | 'key') => void,
    refused: (user: string, method: 'password' | 'key') => void
  ): ((ctx: AuthContext) => void) => {
    let failed = 0
    const refuse = (ctx: AuthContext, counted: boolean): void => {
      if (counted) failed++
      if (failed >= maxAttempts) {
        ctx.reject([])
        client.end()
        return
      }
      ctx.reject(['publickey', 'password'])
    }
    return (ctx) => {
      if (core.failures.blocked(address)) return refuse(ctx, true)
      if (ctx.method === 'password') {
        // No anonymous over SSH: the name is checked as an unknown one, at the same cost.
        const name = ctx.username === ANONYMOUS ? '' : ctx.username
        void core
          .authenticate(name, ctx.password, address)()
          .then((account) => {
            if (O.isSome(account)) return accepted(ctx, account.value, 'password')
            refused(ctx.username, 'password')
            setTimeout(() => refuse(ctx, true), settings.loginFailureDelay)
          })
        return
      }
      if (ctx.method === 'publickey') {
        const user = users.get(ctx.username)
        const offered = ctx.key.data
        const key = user?.keys.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(offered))
        // A key the account does not hold (or no such account) is the same quiet no; only a bad signature counts.
        if (user === undefined || key === undefined) return refuse(ctx, false)
        if (ctx.signature === undefined || ctx.blob === undefined) return ctx.accept()
        if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return accepted(ctx, user.account, 'key')
        refused(ctx.username, 'key')
        if (core.failures.fail(address))
          log('warn', `${address} failed to log in ${settings.maxLoginFailuresPerIp} times: refused for a while`)
        setTimeout(() => refuse(ctx, true), settings.loginFailureDelay)
        return
      }
      refuse(ctx, false)
    }
  }

  const refuseChannel = (channel: ServerChannel): void => {
    channel.stderr.write('This server serves SFTP only.\n')
    channel.exit(1)
    channel.end()
  }

  /** The SFTP channel of a logged-in session, until the client ends it or goes. */
  const serveChannel = (
    sftp: SFTPWrapper,
    account: Account,
    client: Connection,
    channels: Set<() => Promise<void>>,
    who: Arrival
  ): void => {
    announceExtensions(sftp, EXTENSIONS)
    const signal = new AbortController()
    let modeIO: PathIO<unknown> | undefined
    const { paths: _paths, ...jail } = account
    const served = serveSftp(sftp, {
      io: core.sessionPathIO(account, { connection: client, signal: signal.signal }),
      modeIO: () =>
        (modeIO ??= core.sessionPathIO({ ...jail, perm: 'M' }, { connection: client, signal: signal.signal })),
      account,
      maxDownloadRate: settings.maxDownloadRate,
      maxUploadRate: settings.maxUploadRate,
      log,
      emit: core.emit,
      session: who.session,
      address: who.address
    })
    const end = (): Promise<void> => served.end()
    channels.add(end)
    // The client's EOF ends the channel: an exit status first (or `ssh` exits 255 and `scp` calls a full transfer a failure), then the close (or `sftp -b` waits for ever).
    sftp.once('end', () => {
      void served.end().then(() => exitChannel(sftp))
    })
    sftp.once('close', () => {
      channels.delete(end)
      signal.abort()
      void served.end()
    })
  }

  const onClient = (client: Connection, info: { readonly ip: string; readonly port: number }): void => {
    const address = plainAddress(info.ip)
    const key = `${info.ip}|${info.port}`
    const who = arrivals.get(key) ?? {
      session: nextSession++,
      address,
      since: performance.now(),
      bytes: () => ({ bytesIn: 0, bytesOut: 0 })
    }
    arrivals.delete(key)
    const entry: Open = { client, channels: new Set() }
    open.add(entry)
    let account: Account | undefined
    const grace = setTimeout(() => account === undefined && client.end(), LOGIN_GRACE_MS)
    grace.unref()
    allowRepeatedUserauth(client)
    client.on('error', (error: Error) => log('debug', `sftp ${address}: ${error.message}`))
    client.on(
      'authentication',
      authenticate(
        client,
        address,
        (ctx, user, method) => {
          account = user
          clearTimeout(grace)
          core.emit({ _tag: 'Login', front: 'sftp', session: who.session, address, user: user.name, method, ok: true })
          ctx.accept()
        },
        (name, method) =>
          core.emit({
            _tag: 'Login',
            front: 'sftp',
            session: who.session,
            address,
            user: name,
            method,
            ok: false,
            reason: 'bad credentials'
          })
      )
    )
    client.on('ready', () =>
      client.on('session', (acceptSession) => {
        const session = acceptSession()
        session.on('pty', (_accept, reject) => reject?.())
        session.on('env', (_accept, reject) => reject?.())
        session.on('shell', (acceptShell) => refuseChannel(acceptShell()))
        session.on('exec', (acceptExec) => refuseChannel(acceptExec()))
        session.on('subsystem', (_accept, reject) => reject())
        session.on('sftp', (acceptSftp) => {
          if (account === undefined) return
          serveChannel(acceptSftp(), account, client, entry.channels, who)
        })
      })
    )
    client.on('close', () => {
      clearTimeout(grace)
      open.delete(entry)
      // The Close event once every channel has given back its handles (an upload cut short removed).
      void Promise.all([...entry.channels].map((end) => end())).then(() =>
        core.emit({
          _tag: 'Close',
          front: 'sftp',
          session: who.session,
          address,
          ...(account === undefined ? {} : { user: account.name }),
          ms: Math.round(performance.now() - who.since),
          ...who.bytes()
        })
      )
    })
  }

  /** Sockets admitted and not yet seen by ssh2 as a connection, by their remote address and port. */
  const arrivals = new Map<string, Arrival>()
  let nextSession = 1

  const ssh = new Server({ hostKeys: [hostKey], ident: 'fp-pathio' }, onClient)
  const listeners: Array<net.Server> = []

  const accept = (socket: net.Socket): void => {
    const address = plainAddress(socket.remoteAddress)
    const place = core.admit(address)
    if (E.isLeft(place)) {
      core.emit({ _tag: 'Refused', front: 'sftp', address, reason: place.left })
      socket.on('error', () => undefined)
      return void socket.destroy()
    }
    socket.once('close', place.right)
    const who: Arrival = {
      session: nextSession++,
      address,
      since: performance.now(),
      bytes: () => ({ bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten })
    }
    const key = `${socket.remoteAddress}|${socket.remotePort}`
    arrivals.set(key, who)
    // A socket that closes before its SSH banner never becomes a connection: forget it.
    socket.once('close', () => arrivals.delete(key))
    core.emit({ _tag: 'Connect', front: 'sftp', session: who.session, address, port: socket.remotePort ?? 0 })
    // Nagle would hold each small answer for the client's delayed ACK (some 40 ms a request).
    socket.setNoDelay(true)
    if (settings.idleTimeout > 0)
      socket.setTimeout(settings.idleTimeout, () => {
        log('info', `sftp ${address}: idle for ${settings.idleTimeout / 1000} s, closed`)
        socket.destroy()
      })
    ssh.injectSocket(socket)
  }

  return {
    state: core.state,
    fingerprint,
    connections: () => open.size,
    listen: async (port = 0, host = '127.0.0.1') => {
      await core.prepare()
      const server = net.createServer(accept)
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          server.on('error', (error) => log('error', `sftp server error: ${error.message}`))
          listeners.push(server)
          const bound = server.address() as net.AddressInfo
          core.emit({ _tag: 'Listening', front: 'sftp', address: bound.address, port: bound.port })
          resolve(bound)
          void core.sweep()
        })
      })
    },
    close: async () => {
      core.stop()
      const stopped = Promise.all(
        listeners.map(
          (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
        )
      )
      const ending = [...open].flatMap(({ client, channels }) => {
        const ends = [...channels].map((end) => end())
        client.end()
        return ends
      })
      await Promise.all(ending)
      await stopped
    }
  }
}
