/**
 * The FTP server: a `node:net` server whose every control connection gets
 * its own session and its own `PathIO` record, made by one shared-state
 * factory, jailed in the root, with a timeout.
 *
 * @since 0.1.0
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import * as net from 'node:net'
import * as E from 'fp-ts/Either'
import type { PathIO, PathIOFactory } from '../PathIO'
import { withRoot, withSharedState } from '../middleware'
import { COMMANDS } from './commands'
import { plainAddress } from './dataConnection'
import { dispatch } from './dispatch'
import type { Command } from './handler'
import { makeLineReader, parseCommandLine, type CommandLine } from './lineReader'
import { silentLogger, type Logger } from './log'
import { sweepTree } from './uploads'
import { formatReply, reply, type Reply } from './replies'
import { makeSession, type Authenticate, type Session } from './session'

/**
 * Options of `makeFtpServer`.
 *
 * @category model
 * @since 0.1.0
 */
export interface FtpServerOptions<S> {
  /** Makes the `PathIO` of each connection; wrapped in `withSharedState`, so all share one state. */
  readonly factory: PathIOFactory<S>
  /** The directory (in the factory's paths) that clients see as '/'; default '/'. */
  readonly root?: string
  /** Milliseconds after which a file-system operation fails with 451; default 30 000. */
  readonly timeout?: number
  /** Named users and their passwords. */
  readonly users?: Readonly<Record<string, string>>
  /** Whether `anonymous` logs in with any password; default true. */
  readonly anonymous?: boolean
  /** Address passive listeners bind to and announce; default the control connection's local address. */
  readonly passiveHost?: string
  /** Milliseconds a transfer waits for the client's data connection, and that connection may stay silent; default 10 000. */
  readonly dataTimeout?: number
  /**
   * The longest a STOR waits, after its data connection ended cleanly, for a
   * sign that the client died (its control connection closing) before it
   * renames the upload into place; default 20 ms. A client that dies closes
   * both its connections at once, but the two closes reach the server a
   * moment apart. The wait is as long as the upload's bytes took, up to
   * this (`commitWait`): small files do not wait (see docs/security.md).
   */
  readonly commitDelay?: number
  /** Milliseconds of silence (with no transfer running) before the server hangs up; default 300 000. */
  readonly idleTimeout?: number
  /** Longest command line in bytes, CRLF included; default 4096. */
  readonly maxLineBytes?: number
  readonly log?: Logger
  /** The command table; default `COMMANDS` (extend it with `{ ...COMMANDS, SITE: ... }`). */
  readonly commands?: Readonly<Record<string, Command>>
}

/**
 * A running (or ready) server: a plain record.
 *
 * @category model
 * @since 0.1.0
 */
export interface FtpServer<S> {
  /** Starts listening (port 0: a free port); resolves with the address. */
  readonly listen: (port?: number, host?: string) => Promise<net.AddressInfo>
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

/** Compares digests, so a wrong password takes as long as a right one. */
const samePassword = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest())

const makeAuthenticate =
  (users: Readonly<Record<string, string>>, anonymous: boolean): Authenticate =>
  (user, password) =>
    (anonymous && user === 'anonymous') ||
    (Object.prototype.hasOwnProperty.call(users, user) && samePassword(password, users[user]))

/** Commands past this many waiting lines stop the reading of the socket until they are served. */
const QUEUE_HIGH = 64
const QUEUE_LOW = 16

const describeCommand = ({ verb, arg }: CommandLine): string =>
  verb === 'PASS' ? 'PASS ****' : arg === '' ? verb : `${verb} ${arg.length > 200 ? arg.slice(0, 200) + '...' : arg}`

interface Connection {
  /** Stops the connection: aborts its transfer, lets its handler finish, says `farewell`, closes. */
  readonly shutdown: (farewell?: Reply) => Promise<void>
  /** Resolves once the socket has closed and the last handler has finished. */
  readonly gone: Promise<void>
}

/**
 * Makes an FTP server around a `PathIO` factory. Each control connection
 * gets its own session and its own record, `withRoot(root)` over the shared
 * factory's record (made with the server's `timeout`); each command is a
 * handler of the session and the record.
 *
 * @example
 * import { makeFtpServer } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import { once } from 'node:events'
 * import * as net from 'node:net'
 * const server = makeFtpServer({ factory: makeMemoryPathIO, users: { alice: 'secret' } })
 * const { port } = await server.listen(0, '127.0.0.1') // 0: any free port
 * const client = net.connect(port, '127.0.0.1')
 * const [greeting] = await once(client, 'data')
 * assert.match(String(greeting), /^220 /)
 * await server.close() // says 421 to everyone still connected
 * client.destroy()
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeFtpServer = <S>(options: FtpServerOptions<S>): FtpServer<S> => {
  if (typeof options?.factory !== 'function') throw new TypeError("makeFtpServer: option 'factory' must be a PathIOFactory")
  const timeout = options.timeout ?? 30_000
  const root = options.root ?? '/'
  const log = options.log ?? silentLogger
  const maxLineBytes = options.maxLineBytes ?? 4096
  const idleTimeout = options.idleTimeout ?? 300_000
  const dataTimeout = options.dataTimeout ?? 10_000
  const run = dispatch(options.commands ?? COMMANDS)
  const authenticate = makeAuthenticate(options.users ?? {}, options.anonymous ?? true)
  const jail = withRoot(root)
  const shared = withSharedState(options.factory)
  // The first record fixes the state every later connection shares.
  const state = shared({ timeout }).state
  const open = new Set<Connection>()
  let nextId = 1

  const serve = (socket: net.Socket): void => {
    const id = nextId++
    const tag = `#${id}`
    socket.setNoDelay(true)
    socket.on('error', (error) => log('debug', `${tag} control connection error: ${error.message}`))

    const send = (answer: Reply): void => {
      if (!socket.destroyed && socket.writable) socket.write(formatReply(answer))
    }
    const session: Session = makeSession({
      id,
      remoteAddress: plainAddress(socket.remoteAddress),
      send,
      config: {
        authenticate,
        passiveHost: options.passiveHost ?? plainAddress(socket.localAddress),
        dataTimeout,
        commitDelay: options.commitDelay ?? 20
      }
    })
    let pathio: PathIO<unknown>
    try {
      pathio = jail(shared({ timeout, connection: socket })) as PathIO<unknown>
    } catch (error) {
      log('error', `${tag} cannot make a PathIO: ${String(error)}`)
      socket.end(formatReply(reply(421, 'Service not available')))
      return
    }

    const queue: Array<E.Either<Reply, CommandLine>> = []
    let pumping: Promise<void> = Promise.resolve()
    let busy = false
    let done = false

    const finish = (farewell?: Reply): void => {
      if (done) return
      done = true
      if (farewell !== undefined) send(farewell)
      socket.end()
      // A client that does not close its side is not waited for.
      setTimeout(() => socket.destroy(), 1000).unref()
    }

    const serveOne = async (item: E.Either<Reply, CommandLine>): Promise<void> => {
      if (E.isLeft(item)) {
        log('info', `${tag} (bad line) -> ${item.left.code}`)
        return send(item.left)
      }
      const line = item.right
      let answer: Reply
      try {
        const result = await run(session, pathio, line)()
        answer = E.isRight(result) ? result.right : reply(451, 'Local error in processing')
      } catch (error) {
        log('error', `${tag} ${line.verb} threw: ${String(error)}`)
        answer = reply(451, 'Local error in processing')
      }
      log('info', `${tag} ${describeCommand(line)} -> ${answer.code}`)
      send(answer)
      if (line.verb === 'QUIT') finish()
    }

    const pump = async (): Promise<void> => {
      busy = true
      while (queue.length > 0 && !session.closed && !done) {
        await serveOne(queue.shift() as E.Either<Reply, CommandLine>)
        if (socket.writableNeedDrain)
          await new Promise<void>((resolve) => {
            socket.once('drain', resolve)
            socket.once('close', resolve)
          })
        if (queue.length <= QUEUE_LOW && socket.isPaused()) socket.resume()
      }
      busy = false
    }

    const reader = makeLineReader(maxLineBytes - 2, (event) => {
      if (done || session.closed) return
      const item =
        event._tag === 'TooLong' ? E.left(reply(500, `Command line too long (over ${maxLineBytes} bytes)`)) : parseCommandLine(event.bytes)
      // ABOR must reach a running transfer now, not after it.
      if (E.isRight(item) && item.right.verb === 'ABOR' && session.loggedIn) session.transfer?.abort()
      queue.push(item)
      if (queue.length >= QUEUE_HIGH) socket.pause()
      if (!busy) pumping = pump()
    })

    let markGone = (): void => undefined
    const connection: Connection = {
      gone: new Promise<void>((resolve) => (markGone = resolve)),
      shutdown: async (farewell) => {
        session.closed = true
        session.transfer?.abort()
        await pumping
        session.passive?.close()
        session.passive = undefined
        finish(farewell)
      }
    }
    open.add(connection)
    log('debug', `${tag} connected from ${socket.remoteAddress}:${socket.remotePort}`)

    socket.on('data', (chunk: Buffer) => reader.push(chunk))
    socket.on('end', () => void connection.shutdown())
    socket.on('close', () => {
      // Counted until its last handler has finished (a partial upload removed, its handles closed).
      void connection.shutdown().then(() => {
        open.delete(connection)
        log('debug', `${tag} closed`)
        markGone()
      })
    })
    socket.setTimeout(idleTimeout, () => {
      if (session.transfer === undefined && !busy) void connection.shutdown(reply(421, 'Idle timeout, closing control connection'))
    })
    send(reply(220, 'fp-pathio FTP server ready'))
  }

  const server = net.createServer(serve)
  server.on('error', (error) => log('error', `server error: ${error.message}`))

  return {
    state,
    connections: () => open.size,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        const failed = (error: Error): void => reject(error)
        server.once('error', failed)
        server.listen(port, host, () => {
          server.off('error', failed)
          resolve(server.address() as net.AddressInfo)
          // What a server killed mid-upload left behind, removed in the background.
          void sweepTree(jail(shared({ timeout })) as PathIO<unknown>, '/', { maxAgeMs: dataTimeout, stopped: () => !server.listening }).then(
            (removed) => log(removed > 0 ? 'info' : 'debug', `start: removed ${removed} stale upload temporaries`),
            (error) => log('warn', `sweeping stale upload temporaries failed: ${String(error)}`)
          )
        })
      }),
    close: async () => {
      const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
      const closing = [...open]
      await Promise.all(closing.map((connection) => connection.shutdown(reply(421, 'Service closing control connection'))))
      await stopped
      await Promise.all(closing.map((connection) => connection.gone))
    }
  }
}
