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
import { answer, fromPromise, pathOf } from './handler'
import { reply, replyForError, type Reply } from './replies'
import { secureServerSocket } from './tls'
import type { Session } from './session'
import * as E from 'fp-ts/Either'
import { noteTransfer } from './transferNotes'

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
 * `signal` aborts at the same moment (ABOR, the control connection closed,
 * the server shutting down), for the library calls of a move: a listing's
 * `readdir` under `withSignal(signal)` answers at once instead of running on.
 * `moved(n)` counts bytes that crossed the data connection, for STAT during
 * the transfer.
 *
 * @category model
 * @since 0.1.0
 */
export type Move = (
  socket: net.Socket,
  wanted: () => boolean,
  signal: AbortSignal,
  moved: (bytes: number) => void
) => Promise<void>

/**
 * What a transfer is, for STAT while it runs: the command, the path (as
 * the session sees it) and which way the bytes go.
 *
 * @category model
 * @since 0.4.0
 */
export interface TransferAbout {
  readonly verb: string
  readonly path: string
  readonly direction: 'sending' | 'receiving'
}

/**
 * The reply for the end of a transfer. A `PathIOError` keeps its own code
 * (452 no space, 451 timeout, ...); any other failure is the data connection's.
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
 * Resolves after `ms` milliseconds (at least one: a timer's least) when `ms`
 * is half a millisecond or more, with no timer below that, then after the event loop has polled for I/O once more. A client
 * that dies closes both its sockets at once, its data connection first, and
 * the control connection's close reaches the server a moment after the data
 * connection's end: an upload lets what has arrived meanwhile be handled
 * before it commits.
 *
 * @category utils
 * @since 0.1.0
 */
export const settle = (ms: number): Promise<void> =>
  new Promise((resolve) =>
    // An immediate runs after the poll phase of this turn of the loop; the one it schedules runs after the next poll.
    ms >= 0.5 ? setTimeout(() => setImmediate(resolve), ms) : setImmediate(() => setImmediate(resolve))
  )

/** Bytes a client hands its kernel in one go for a small file: an upload this size is not sent piecemeal. */
const ONE_SEND = 64 * 1024

/**
 * How long an upload that ended cleanly waits for a sign that its client
 * died before it commits. A client that dies closes its control connection
 * a moment after its data connection; that moment grows with how slowly
 * the client runs (a loaded machine, a slow link). An upload larger than
 * one socket buffer (64 KiB) waits the full `commitDelay`: its client sent
 * it piece by piece and may have died between two pieces. A smaller one,
 * sent in one go, waits as long as its bytes took to arrive, from the
 * first to the end (at most `commitDelay`):
 * a small file sent in a fraction of a millisecond waits for no timer at
 * all, only one more poll of the event loop.
 *
 * @category utils
 * @since 0.1.0
 */
export const commitWait = (commitDelay: number, tookMs: number, bytes: number): number =>
  bytes > ONE_SEND ? commitDelay : Math.min(commitDelay, Math.max(0, tookMs))

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
 * A data connection's TLS under PROT P: the data context (TLS 1.2), within
 * the handshake deadline, its end watched (only a close_notify ends an
 * upload cleanly), and, when the server requires session reuse, only if it
 * resumes this control connection's own session. `undefined` when that
 * fails (the socket is destroyed).
 *
 * @category utils
 * @since 0.3.0
 */
export const secureDataConnection = (session: Session, socket: net.Socket): Promise<tls.TLSSocket | undefined> => {
  const contexts = session.config.tls
  if (contexts === undefined) {
    socket.destroy()
    return Promise.resolve(undefined)
  }
  return secureServerSocket(socket, contexts.data, {
    timeoutMs: session.config.handshakeTimeout,
    watchEnd: true,
    ...(session.tlsSessions === undefined ? {} : { sessions: session.tlsSessions.data }),
    requireResumed: contexts.sessionReuse
  })
}

/**
 * Runs one transfer on the session's passive connection (the caller has
 * checked there is one): consumes it, sends `preliminary` (150), waits for
 * the client's connection, runs `move`, and closes the data socket whatever
 * happened.
 *
 * @category combinators
 * @since 0.1.0
 */
export const runTransfer = async (
  session: Session,
  preliminary: Reply,
  move: Move,
  about?: TransferAbout
): Promise<TransferOutcome> => {
  const passive = session.dataChannel
  session.dataChannel = undefined
  if (passive === undefined) return { _tag: 'NoConnection' }
  let aborted = false
  let socket: net.Socket | undefined
  let bytes = 0
  const moved = (n: number): void => void (bytes += n)
  const stop = new AbortController()
  const wanted = (): boolean => !aborted && !session.closed
  session.transfer = {
    ...about,
    startedAt: Date.now(),
    bytes: () => bytes,
    abort: () => {
      aborted = true
      stop.abort()
      passive.close()
      socket?.destroy()
    }
  }
  try {
    session.send(preliminary)
    socket = await passive.accept(session.config.dataTimeout)
    const secured = socket instanceof tls.TLSSocket
    if (socket !== undefined && session.protection === 'P' && session.config.tls !== undefined && !secured) {
      // PROT P came after PASV: the handshake starts now, within the data timeout.
      const raw = socket
      socket = await secureDataConnection(session, raw)
      if (socket === undefined) raw.destroy()
    } else if (secured && session.protection === 'C') {
      // PROT C came after PASV, and the connection already speaks TLS: it cannot carry clear data.
      socket?.destroy()
      socket = undefined
    }
    if (!wanted()) return { _tag: 'Aborted' }
    if (socket === undefined) return { _tag: 'NoConnection' }
    // A client that vanishes without a word (no FIN, no RST) must not hold the transfer forever.
    const idle = socket
    idle.setTimeout(session.config.dataTimeout, () => idle.destroy(new Error('data connection idle')))
    try {
      await move(socket, wanted, stop.signal, moved)
      if (socket instanceof tls.TLSSocket) {
        await closeTls(socket, session.config.dataTimeout)
        socket = undefined // closing on its own
      }
      return { _tag: 'Done' }
    } catch (error) {
      return wanted() ? { _tag: 'Failed', error } : { _tag: 'Aborted' }
    }
  } finally {
    if (about?.direction === 'receiving') session.bytesIn += bytes
    else session.bytesOut += bytes
    session.transfer = undefined
    passive.close()
    socket?.destroy()
  }
}

/**
 * Closes the session's data channel (and a data connection nobody took):
 * it is of no use after a refused transfer.
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
 * PASV/EPSV first; then `check` (its failure, a `PathIOError` or a reply of
 * its own, is the only reply, and the data connection is closed); then the
 * transfer and its final reply. `about` says what the transfer is, for
 * STAT while it runs (its path: default the client's `shown`, resolved).
 *
 * @category combinators
 * @since 0.1.0
 */
export const startTransfer =
  <A>(
    session: Session,
    shown: string,
    check: TE.TaskEither<PathIOError | Reply, A>,
    preliminary: (a: A) => Reply,
    move: (a: A) => Move,
    cleanup: (outcome: TransferOutcome, a: A) => Promise<void> = async () => undefined,
    about?: { readonly verb: string; readonly direction: TransferAbout['direction']; readonly path?: string }
  ): TE.TaskEither<never, Reply> =>
  // Everything, the session's data channel included, is looked at and changed when the task runs, not when it is made.
  () => {
    const began = performance.now()
    const path = about?.path ?? pathOf(session, shown)
    const counted = { bytes: 0, outcome: undefined as TransferOutcome | undefined }
    // For the command's Transfer event: what moved, how long it took, how it ended.
    const report = (answer: Reply): Reply => {
      const ended =
        counted.outcome?._tag === 'Done' ? 'done' : counted.outcome?._tag === 'Aborted' ? 'aborted' : 'failed'
      noteTransfer(session, { path, bytes: counted.bytes, ms: Math.round(performance.now() - began), ended })
      return answer
    }
    if (session.dataChannel === undefined)
      return answer(425, 'Use PORT, EPRT, PASV or EPSV first')().then(E.map(report))
    if (session.config.tlsRequired && session.protection !== 'P') {
      dropPassive(session)
      return answer(521, 'Data connections must be protected: send PBSZ 0 and PROT P')()
    }
    return pipe(
      check,
      TE.chainW((a) =>
        fromPromise(async () => {
          const described = about === undefined ? undefined : { ...about, path }
          const bytesBefore = session.bytesIn + session.bytesOut
          const outcome = await runTransfer(session, preliminary(a), move(a), described)
          counted.bytes = session.bytesIn + session.bytesOut - bytesBefore
          counted.outcome = outcome
          await cleanup(outcome, a)
          return outcomeReply(outcome, shown)
        })
      ),
      TE.orElse((refusal) => {
        dropPassive(session)
        return TE.right(isPathIOError(refusal) ? replyForError(refusal, shown) : refusal)
      }),
      TE.map(report)
    )()
  }
