/**
 * One control connection: reading command lines, running them one after
 * another against the session's `PathIO` record (but for ABOR and STAT,
 * which reach a running transfer at once), the idle timeout, and the switch
 * to TLS after AUTH TLS.
 *
 * @since 0.1.0
 */
import type * as net from 'node:net'
import * as E from 'fp-ts/Either'
import type { Account } from '../server/accounts'
import { plainAddress } from '../server/addresses'
import { transferStatus } from './commands/status'
import { dispatch } from './dispatch'
import { before, commandEvent } from './events'
import { makeLineReader, parseCommandLine, type CommandLine } from './lineReader'
import { formatReply, reply, type Reply } from './replies'
import { makeSession, type Session, type SessionConfig } from './session'
import { makeTlsSessions, secureServerSocket } from './tls'

/**
 * A control connection as the server sees it.
 *
 * @category model
 * @since 0.1.0
 */
export interface Connection {
  /** Stops the connection: aborts its transfer, lets its handler finish, says `farewell`, closes. */
  readonly shutdown: (farewell?: Reply) => Promise<void>
  /** Resolves once the socket has closed and the last handler has finished. */
  readonly gone: Promise<void>
}

/** Commands past this many waiting lines stop the reading of the socket until they are served. */
const QUEUE_HIGH = 64
const QUEUE_LOW = 16

/** The longest delay a timer takes: an idle timeout of 0 means never. */
const NEVER = 2 ** 31 - 1

const describeCommand = ({ verb, arg }: CommandLine): string =>
  verb === 'PASS' ? 'PASS ****' : arg === '' ? verb : `${verb} ${arg.length > 200 ? arg.slice(0, 200) + '...' : arg}`

/**
 * Serves one control connection (`implicitTls`: it is TLS from the first
 * byte, an implicit-FTPS listener's: the handshake comes first). Says 220,
 * then runs each command line in order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serveControl = (raw: net.Socket, id: number, implicitTls: boolean, config: SessionConfig): Connection => {
  const { log, emit } = config
  const tag = `#${id}`
  const connectedAt = performance.now()
  const front = implicitTls ? 'ftps' : 'ftp'
  const run = dispatch(config.commands)
  let stream: net.Socket = raw
  raw.setNoDelay(true)
  raw.on('error', (error) => log('debug', `${tag} control connection error: ${error.message}`))

  const send = (answer: Reply): void => {
    if (!stream.destroyed && stream.writable) stream.write(formatReply(answer))
    idle.refresh()
  }
  const session: Session = makeSession({
    id,
    remoteAddress: plainAddress(raw.remoteAddress),
    localAddress: plainAddress(raw.localAddress),
    send,
    config
  })
  // One record per account (the jail and the permissions of whoever logged in).
  let pathio = config.sessionPathIO(undefined, raw)
  let pathioOf: Account | undefined

  const queue: Array<E.Either<Reply, CommandLine>> = []
  let pumping: Promise<void> = Promise.resolve()
  let busy = false
  let done = false

  const finish = (farewell?: Reply): void => {
    if (done) return
    done = true
    clearTimeout(idle)
    if (farewell !== undefined) send(farewell)
    stream.end()
    // A client that does not close its side is not waited for.
    setTimeout(() => {
      stream.destroy()
      raw.destroy()
    }, 1000).unref()
  }

  /**
   * The control connection's TLS handshake (after AUTH TLS, or at once on
   * the implicit-TLS port): nothing received before it may run, or be
   * joined to a line, as if it came over TLS. Resolves false when the
   * handshake failed or took longer than the deadline (the socket is gone).
   */
  const startTls = async (): Promise<boolean> => {
    const tlsContext = config.tls
    if (tlsContext === undefined) return false
    queue.length = 0
    raw.off('data', onData)
    reader = newReader()
    const sessions = makeTlsSessions()
    let why = 'failed'
    const upgraded = await secureServerSocket(raw, tlsContext.control, {
      timeoutMs: config.handshakeTimeout,
      sessions: sessions.control,
      failed: (reason) => (why = reason)
    })
    if (upgraded === undefined) {
      emit({ _tag: 'Refused', front, session: id, address: session.remoteAddress, reason: `TLS handshake: ${why}` })
      void connection.shutdown()
      return false
    }
    stream = upgraded
    session.secure = true
    session.tlsSessions = sessions
    upgraded.on('data', onData)
    upgraded.on('end', () => void connection.shutdown())
    upgraded.on('close', closed)
    log('debug', `${tag} control connection is TLS (${upgraded.getProtocol() ?? '?'})`)
    return true
  }

  const serveOne = async (item: E.Either<Reply, CommandLine>): Promise<void> => {
    if (E.isLeft(item)) {
      log('info', `${tag} (bad line) -> ${item.left.code}`)
      return send(item.left)
    }
    const line = item.right
    if (session.account !== pathioOf) {
      pathioOf = session.account
      pathio = config.sessionPathIO(session.account, raw)
    }
    const was = before(session)
    const began = performance.now()
    let answer: Reply
    try {
      const result = await run(session, pathio, line)()
      answer = E.isRight(result) ? result.right : reply(451, 'Local error in processing')
    } catch (error) {
      log('error', `${tag} ${line.verb} threw: ${String(error)}`)
      answer = reply(451, 'Local error in processing')
    }
    log('debug', `${tag} ${describeCommand(line)} -> ${answer.code}`)
    const event = commandEvent(session, was, line, answer, performance.now() - began, front)
    if (event !== undefined) emit(event)
    if (answer.after === 'close') return finish(answer)
    send(answer)
    if (answer.after === 'startTls') await startTls()
  }

  const pump = async (): Promise<void> => {
    busy = true
    while (queue.length > 0 && !session.closed && !done) {
      await serveOne(queue.shift() as E.Either<Reply, CommandLine>)
      if (stream.writableNeedDrain)
        await new Promise<void>((resolve) => {
          stream.once('drain', resolve)
          stream.once('close', resolve)
        })
      if (queue.length <= QUEUE_LOW && stream.isPaused()) stream.resume()
    }
    busy = false
    idle.refresh()
  }

  const maxLineBytes = config.maxLineBytes
  const newReader = () =>
    makeLineReader(maxLineBytes - 2, (event) => {
      if (done || session.closed) return
      idle.refresh()
      const item =
        event._tag === 'TooLong'
          ? E.left(reply(500, `Command line too long (over ${maxLineBytes} bytes)`))
          : parseCommandLine(event.bytes)
      // ABOR must reach a running transfer now, not after it.
      if (E.isRight(item) && item.right.verb === 'ABOR' && session.loggedIn) session.transfer?.abort()
      // STAT during a transfer (nothing else waiting) is answered now with its progress (RFC 959), while the data
      // keeps flowing; the transfer's own final reply still comes after it.
      const running = session.transfer
      if (
        E.isRight(item) &&
        item.right.verb === 'STAT' &&
        item.right.arg.trim() === '' &&
        session.loggedIn &&
        running !== undefined &&
        queue.length === 0
      ) {
        log('info', `${tag} STAT (during ${running.verb ?? 'a transfer'}) -> 213`)
        return send(transferStatus(running))
      }
      queue.push(item)
      if (queue.length >= QUEUE_HIGH) stream.pause()
      if (!busy) pumping = pump()
    })
  let reader = newReader()
  const onData = (chunk: Buffer): void => reader.push(chunk)

  let markGone = (): void => undefined
  const connection: Connection = {
    gone: new Promise<void>((resolve) => (markGone = resolve)),
    shutdown: async (farewell) => {
      session.closed = true
      session.transfer?.abort()
      await pumping
      session.dataChannel?.close()
      session.dataChannel = undefined
      finish(farewell)
    }
  }
  let gone = false
  const closed = (): void => {
    if (gone) return
    gone = true
    // Counted until its last handler has finished (a partial upload removed, its handles closed).
    void connection.shutdown().then(() => {
      emit({
        _tag: 'Close',
        front,
        session: id,
        address: session.remoteAddress,
        ...(session.account === undefined ? {} : { user: session.account.name }),
        ms: Math.round(performance.now() - connectedAt),
        bytesIn: session.bytesIn,
        bytesOut: session.bytesOut
      })
      markGone()
    })
  }

  // Silence (no command, no transfer) for idleTimeout: 421 and hang up.
  const idle: NodeJS.Timeout = setTimeout(
    function expire() {
      if (session.transfer !== undefined || busy) return void idle.refresh()
      log('info', `${tag} idle for ${config.idleTimeout} ms`)
      void connection.shutdown(reply(421, 'Idle timeout, closing control connection'))
    },
    Math.min(config.idleTimeout || NEVER, NEVER)
  )
  idle.unref()

  emit({ _tag: 'Connect', front, session: id, address: session.remoteAddress, port: raw.remotePort ?? 0 })
  raw.on('end', () => void connection.shutdown())
  raw.on('close', closed)
  if (implicitTls)
    // TLS from the first byte: the greeting waits for the handshake, which has the same deadline as AUTH TLS's.
    void startTls().then((ok) => ok && send(reply(220, 'fp-pathio FTP server ready')))
  else {
    raw.on('data', onData)
    send(reply(220, 'fp-pathio FTP server ready'))
  }
  return connection
}
