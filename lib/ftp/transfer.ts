/**
 * Running one data transfer: take the passive connection, send the
 * preliminary reply, move the bytes, and say how it ended. ABOR, QUIT, a
 * vanished client and server shutdown all stop it through `session.transfer`.
 *
 * @since 0.1.0
 */
import type * as net from 'node:net'
import * as tls from 'node:tls'
import { isPathIOError } from '../PathIOError'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { PathIOError } from '../PathIOError'
import { answer, fromPromise } from './handler'
import { reply, replyForError, type Reply } from './replies'
import { secureServerSocket } from './tls'
import type { Session } from './session'

/**
 * How a transfer ended.
 *
 * @category model
 * @since 0.1.0
 */
export type TransferOutcome =
  | { readonly _tag: 'Done' }
  /** No data connection came in time. */
  | { readonly _tag: 'NoConnection' }
  /** ABOR, the control connection closed, or the server is shutting down. */
  | { readonly _tag: 'Aborted' }
  | { readonly _tag: 'Failed'; readonly error: unknown }

/**
 * Moves the bytes over the data socket. `wanted()` turns false once the
 * transfer has been aborted: an upload checks it before it commits.
 *
 * @category model
 * @since 0.1.0
 */
export type Move = (socket: net.Socket, wanted: () => boolean) => Promise<void>

/**
 * The reply for the end of a transfer. A `PathIOError` keeps its own code
 * (452 no space, 451 timeout, ...); any other failure is the data connection's.
 *
 * @example
 * import { outcomeReply } from 'fp-pathio/ftp'
 * assert.strictEqual(outcomeReply({ _tag: 'Aborted' }).code, 426)
 *
 * @category destructors
 * @since 0.1.0
 */
export const outcomeReply = (outcome: TransferOutcome, shown?: string): Reply => {
  switch (outcome._tag) {
    case 'Done':
      return reply(226, 'Transfer complete')
    case 'NoConnection':
      return reply(425, "Can't open data connection")
    case 'Aborted':
      return reply(426, 'Connection closed; transfer aborted')
    case 'Failed':
      return isPathIOError(outcome.error)
        ? replyForError(outcome.error, shown)
        : reply(426, 'Data connection failed; transfer aborted')
  }
}

/**
 * Resolves after `ms` milliseconds, and at least one pass of the event loop's
 * I/O. A client that dies closes both its sockets at once, but the server
 * may see the data connection's end an event-loop turn before the control
 * connection's: an upload settles for a moment before it commits.
 *
 * @example
 * import { settle } from 'fp-pathio/ftp'
 * const order: Array<string> = []
 * setImmediate(() => order.push('a turn of I/O'))
 * await settle(20)
 * order.push('settled')
 * assert.deepStrictEqual(order, ['a turn of I/O', 'settled'])
 *
 * @category utils
 * @since 0.1.0
 */
export const settle = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(() => setImmediate(resolve), ms))

/**
 * Ends a TLS data connection the way RFC 4217 §10 asks: our close_notify goes
 * out (resolves once it is written), and the socket is left to the client's
 * own close_notify and close, with `timeoutMs` at most. The final reply does
 * not wait for that: a client such as curl closes only after it has read 226.
 */
const closeTls = (socket: tls.TLSSocket, timeoutMs: number): Promise<void> =>
  new Promise((resolve) => {
    if (socket.destroyed) return resolve()
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    timer.unref()
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.resume()
    socket.end(resolve)
  })

/**
 * Runs one transfer on the session's passive connection (the caller has
 * checked there is one): consumes it, sends `preliminary` (150), waits for
 * the client's connection, runs `move`, and closes the data socket whatever
 * happened.
 *
 * @example
 * import { makeSession, epsv, runTransfer, reply, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as net from 'node:net'
 * import { text } from 'node:stream/consumers'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * const hello = (socket: net.Socket) => new Promise<void>((done) => socket.end('hello', done))
 * assert.deepStrictEqual(await runTransfer(session, reply(150, 'Here it comes'), hello), { _tag: 'NoConnection' })
 * await epsv(session, io, '')()
 * const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
 * const [outcome, received] = await Promise.all([runTransfer(session, reply(150, 'Here it comes'), hello), text(data)])
 * assert.deepStrictEqual(outcome, { _tag: 'Done' })
 * assert.strictEqual(received, 'hello')
 *
 * @category combinators
 * @since 0.1.0
 */
export const runTransfer = async (session: Session, preliminary: Reply, move: Move): Promise<TransferOutcome> => {
  const passive = session.dataChannel
  session.dataChannel = undefined
  if (passive === undefined) return { _tag: 'NoConnection' }
  let aborted = false
  let socket: net.Socket | undefined
  const wanted = (): boolean => !aborted && !session.closed
  session.transfer = {
    abort: () => {
      aborted = true
      passive.close()
      socket?.destroy()
    }
  }
  try {
    session.send(preliminary)
    socket = await passive.accept(session.config.dataTimeout)
    if (socket !== undefined && session.protection === 'P' && session.config.tls !== undefined) {
      // PROT P: the data connection is TLS, its handshake within the data timeout.
      const raw = socket
      socket = await secureServerSocket(raw, session.config.tls.data, session.config.dataTimeout)
      if (socket === undefined) raw.destroy()
    }
    if (!wanted()) return { _tag: 'Aborted' }
    if (socket === undefined) return { _tag: 'NoConnection' }
    // A client that vanishes without a word (no FIN, no RST) must not hold the transfer forever.
    const idle = socket
    idle.setTimeout(session.config.dataTimeout, () => idle.destroy(new Error('data connection idle')))
    try {
      await move(socket, wanted)
      if (socket instanceof tls.TLSSocket) {
        await closeTls(socket, session.config.dataTimeout)
        socket = undefined // closing on its own
      }
      return { _tag: 'Done' }
    } catch (error) {
      return wanted() ? { _tag: 'Failed', error } : { _tag: 'Aborted' }
    }
  } finally {
    session.transfer = undefined
    passive.close()
    socket?.destroy()
  }
}

/**
 * Closes the session's data channel (and a data connection nobody took):
 * it is of no use after a refused transfer.
 *
 * @example
 * import { makeSession, epsv, dropPassive, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * await epsv(session, makeMemoryPathIO(), '')()
 * assert.ok(session.dataChannel !== undefined)
 * dropPassive(session)
 * assert.strictEqual(session.dataChannel, undefined)
 *
 * @category utils
 * @since 0.1.0
 */
export const dropPassive = (session: Session): void => {
  session.dataChannel?.close()
  session.dataChannel = undefined
}

/**
 * The skeleton of every command that uses the data connection: 425 without
 * PASV/EPSV first; then `check` (its failure is the only reply, and the data
 * connection is closed); then the transfer and its final reply.
 *
 * @example
 * import { makeSession, epsv, startTransfer, reply, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as net from 'node:net'
 * import { text } from 'node:stream/consumers'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * const send = (words: string) => (socket: net.Socket) => new Promise<void>((done) => socket.end(words, done))
 * const hello = () => startTransfer(session, 'x', TE.right('hello'), () => reply(150, 'Here it comes'), send)
 * assert.deepStrictEqual(await hello()(), E.right({ code: 425, lines: ['Use PORT, EPRT, PASV or EPSV first'] }))
 * await epsv(session, io, '')()
 * const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
 * const [done, received] = await Promise.all([hello()(), text(data)])
 * assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.strictEqual(received, 'hello')
 *
 * @category combinators
 * @since 0.1.0
 */
export const startTransfer = <A>(
  session: Session,
  shown: string,
  check: TE.TaskEither<PathIOError, A>,
  preliminary: (a: A) => Reply,
  move: (a: A) => Move,
  cleanup: (outcome: TransferOutcome) => Promise<void> = async () => undefined
): TE.TaskEither<never, Reply> => {
  if (session.dataChannel === undefined) return answer(425, 'Use PORT, EPRT, PASV or EPSV first')
  if (session.config.tlsRequired && session.protection !== 'P') {
    dropPassive(session)
    return answer(521, 'Data connections must be protected: send PBSZ 0 and PROT P')
  }
  return pipe(
    check,
    TE.chainW((a) =>
      fromPromise(async () => {
        const outcome = await runTransfer(session, preliminary(a), move(a))
        await cleanup(outcome)
        return outcomeReply(outcome, shown)
      })
    ),
    TE.orElse((error) => {
      dropPassive(session)
      return TE.right(replyForError(error, shown))
    })
  )
}

