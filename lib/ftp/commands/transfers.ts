/**
 * File transfers: RETR, STOR, APPE, with REST, and ABOR. The bytes move
 * through the library's stream adapters (`toReadable`, `toWritable`) with
 * backpressure on both sides.
 *
 * STOR writes through the session's `withAtomicWrites` record: its bytes go
 * to a hidden temporary, renamed onto the target at close only when the
 * data connection ended cleanly (the client's FIN checked against a reset,
 * or under TLS its close_notify: `peerFinished`) and the control connection
 * is still there; otherwise the write is abandoned (the temporary removed,
 * the target as it was) and the reply is 426. APPE and REST+STOR write in
 * place: the client asked to continue a file, so what arrived is kept, but
 * a cut connection is still 426, never 226.
 *
 * In ASCII mode (TYPE A) the data connection carries CRLF line ends and the
 * server stores LF: RETR converts LF to CRLF, STOR, STOU and APPE CRLF to LF
 * (`toNetworkAscii`, `fromNetworkAscii`, stages of the data path). A REST
 * offset would count converted bytes, which only reading the file from its
 * start could map: REST is refused in ASCII mode (504), and so is a
 * transfer that a REST given in binary mode precedes.
 *
 * @since 0.1.0
 */
import { randomBytes } from 'node:crypto'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import type { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isDirectoryStat, isFileStat, type PathIO, type Stat } from '../../PathIO'
import { isPathIOError, pathIOError, type PathIOError } from '../../PathIOError'
import { toReadable, toWritable } from '../../helpers'
import { fromNetworkAscii, toNetworkAscii } from '../ascii'
import { peerFinished } from '../dataConnection'
import { endedCleanly } from '../tls'
import { deferred, pathOf, whenRun, type Handler } from '../handler'
import { throttle, throttledPipeline } from '../../server/throttle'
import { reply, replyForError, type Reply } from '../replies'
import type { Session } from '../session'
import { commitWait, dropPassive, settle, startTransfer, type Move } from '../dataTransfer'

/** Resolves once a stream has closed (its handle is closed by then), whatever happened. */
const closed = (stream: Readable | Writable): Promise<void> =>
  stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()))

const takeRestOffset = (session: Session): number => {
  const offset = session.restOffset
  session.restOffset = 0
  return offset
}

/**
 * Bytes a RETR reads ahead of the client, and its largest block: 16 times
 * the adapter's default, for fewer, larger reads (a pool backend pays a
 * message to a worker for each). The memory it costs is per transfer.
 */
const READ_AHEAD = 1024 * 1024

/** Bytes an upload gathers before one backend `write`: 16 of the socket's 64 KiB chunks. */
const WRITE_BLOCK = 1024 * 1024

const representationName = (session: Session): string => (session.type === 'A' ? 'ASCII' : 'BINARY')

/** RFC 3659 §5.5: a REST offset past the end of the file. */
const REST_PAST_END: Reply = reply(554, 'Requested action not taken: invalid REST parameter (past the end of the file)')

/** A REST offset in ASCII mode would count converted bytes: not offered. */
const REST_IN_ASCII: Reply = reply(504, 'REST not supported in ASCII mode: use TYPE I')

/**
 * `pipeline(from, ...stages, to)`, held to `bytesPerSecond` (0: no limit,
 * and no stage for it), counting with `moved` the bytes handed to `to`.
 * With no stage at all it is `throttledPipeline`'s plain pipe.
 */
const dataPath = (
  from: Readable,
  stages: ReadonlyArray<Transform>,
  bytesPerSecond: number,
  to: Writable,
  moved?: (bytes: number) => void
): Promise<void> => {
  const all: ReadonlyArray<Readable> = [from, ...stages, ...(bytesPerSecond > 0 ? [throttle(bytesPerSecond)] : [])]
  if (moved !== undefined) all[all.length - 1].on('data', (chunk: Buffer) => moved(chunk.length))
  return all.length === 1 ? throttledPipeline(from, 0, to) : pipeline([...all, to])
}

/**
 * RETR: the file's bytes (from the REST offset) over the data connection,
 * 226 at the end; 550 for a directory or a missing file; 554 for a REST
 * offset past the end, 504 for one in ASCII mode (before any data
 * connection is used); 426 when the data connection breaks or ABOR stops
 * it. In ASCII mode LF goes out as CRLF.
 *
 * @category handlers
 * @since 0.1.0
 */
export const retr: Handler = deferred((session, pathio, arg) => {
  const path = pathOf(session, arg)
  const start = takeRestOffset(session)
  const ascii = session.type === 'A'
  return startTransfer(
    session,
    arg,
    pipe(
      ascii && start > 0
        ? TE.left<PathIOError | Reply, void>(REST_IN_ASCII)
        : TE.right<PathIOError | Reply, void>(undefined),
      TE.chainW(() => pathio.stat(path)),
      TE.filterOrElseW(isFileStat, () => pathIOError('IsADirectory', 'retr', { path: arg })),
      TE.filterOrElseW(
        (stat) => start <= stat.size,
        () => REST_PAST_END
      )
    ),
    // In ASCII mode the size on the wire is not the stored one: no byte count a client would hold the transfer to.
    (stat) =>
      reply(
        150,
        `Opening ${representationName(session)} mode data connection for ${arg}${ascii ? '' : ` (${stat.size} bytes)`}`
      ),
    () => async (socket, _wanted, _signal, moved) => {
      const source = toReadable(pathio, path, { start, highWaterMark: READ_AHEAD })
      try {
        await dataPath(source, ascii ? [toNetworkAscii()] : [], session.config.maxDownloadRate, socket, moved)
      } finally {
        await closed(source)
      }
    },
    undefined,
    { verb: 'RETR', direction: 'sending' }
  )
})

/**
 * An upload may go where no directory is and where the parent is a
 * directory; after REST, only onto a file that reaches the offset (a
 * missing file, or one that ends before it, is 554 and stays as it was:
 * resuming there would fill the gap with zeros).
 */
const checkUploadTarget = (
  pathio: PathIO<unknown>,
  path: string,
  shown: string,
  start: number
): TE.TaskEither<PathIOError | Reply, void> =>
  pipe(
    pathio.stat(path),
    TE.mapLeft((error): PathIOError | Reply => error),
    TE.chain((stat: Stat): TE.TaskEither<PathIOError | Reply, void> =>
      isDirectoryStat(stat)
        ? TE.left(pathIOError('IsADirectory', 'stor', { path: shown }))
        : stat.size < start
          ? TE.left(REST_PAST_END)
          : TE.right(undefined)
    ),
    TE.orElse((error): TE.TaskEither<PathIOError | Reply, void> =>
      !isPathIOError(error) || error.reason !== 'NotFound'
        ? TE.left(error)
        : start > 0
          ? TE.left(REST_PAST_END)
          : pipe(
              pathio.stat(posix.dirname(path)),
              TE.chain((parent) =>
                isDirectoryStat(parent)
                  ? TE.right(undefined)
                  : TE.left(pathIOError('NotADirectory', 'stor', { path: shown }))
              )
            )
    )
  )

const ABORTED = Symbol('aborted')

const upload = (how: 'replace' | 'append', verb: string, preliminary?: string): Handler =>
  deferred((session, pathio, arg) => {
    const path = pathOf(session, arg)
    const start = takeRestOffset(session)
    const ascii = session.type === 'A'
    // A whole-file STOR is atomic (the session's record writes 'wb' through withAtomicWrites): it appears only when closed.
    const atomic = how === 'replace' && start === 0
    const move: Move = async (socket, wanted, _signal, moved) => {
      const finished = peerFinished(socket)
      // Awaited before the close; a failed pipeline is the error that counts.
      finished.catch(() => undefined)
      // From the first byte to the last: a client can only be cut off between bytes it sends, not while it waits
      // for the 150, nor while its close waits on the network (a client's Nagle held for our delayed ACK: 40 ms).
      let began = performance.now()
      let last = began
      socket.once('data', () => (began = performance.now()))
      socket.on('data', (chunk: Buffer) => {
        last = performance.now()
        moved(chunk.length)
      })
      /** Whether what arrived is the whole upload, decided before the file is closed (a veto abandons an atomic write). */
      const beforeClose = async (): Promise<void> => {
        await finished
        if (!atomic) return
        // A client that died closed its control connection a moment after this one: that close is handled before
        // the commit. A TLS close_notify is a deliberate end (a killed client sends none): one poll is enough then.
        const deliberate = endedCleanly(socket) === true
        await settle(deliberate ? 0 : commitWait(session.config.commitDelay, last - began, socket.bytesRead))
        if (!wanted()) throw ABORTED
      }
      const where = how === 'append' ? { append: true } : atomic ? {} : { start }
      const file = toWritable(pathio, path, { blockSize: WRITE_BLOCK, beforeClose, ...where })
      await dataPath(socket, ascii ? [fromNetworkAscii()] : [], session.config.maxUploadRate, file)
    }
    return startTransfer(
      session,
      arg,
      pipe(
        ascii && start > 0
          ? TE.left<PathIOError | Reply, void>(REST_IN_ASCII)
          : TE.right<PathIOError | Reply, void>(undefined),
        TE.chainW(() => checkUploadTarget(pathio, path, arg, start))
      ),
      () => reply(150, preliminary ?? `Ok to send data (${representationName(session)} mode)`),
      () => move,
      undefined,
      { verb, direction: 'receiving' }
    )
  })

/**
 * STOR: receives a file (atomically: a temporary name renamed on a clean
 * end; see the module comment); with REST, writes in place from the offset,
 * which must not lie past the end of the file (else 554, before the data
 * connection is used, the file as it was; a missing file too).
 *
 * @category handlers
 * @since 0.1.0
 */
export const stor: Handler = upload('replace', 'STOR')

/** A name in the directory of `path` that nothing has yet: `path` plus a random suffix. */
const uniqueName = (pathio: PathIO<unknown>, path: string, tries = 8): TE.TaskEither<PathIOError, string> => {
  const candidate = `${path}.${randomBytes(4).toString('hex')}`
  return pipe(
    pathio.exists(candidate),
    TE.chain((taken) =>
      !taken
        ? TE.right(candidate)
        : tries > 1
          ? uniqueName(pathio, path, tries - 1)
          : TE.left(pathIOError('AlreadyExists', 'stou', { path, detail: 'no unique name found' }))
    )
  )
}

/**
 * STOU (RFC 959, RFC 1123): stores the upload under a name nothing has yet
 * in the current directory (the argument, when given, is the name's start),
 * named in the 150 reply (`FILE: name`) and in the final 226.
 *
 * @category handlers
 * @since 0.1.0
 */
export const stou: Handler = deferred((session, pathio, arg) => {
  const base = arg.trim() === '' ? 'stou' : arg.trim()
  return pipe(
    uniqueName(pathio, pathOf(session, base)),
    TE.chainW((path) => {
      const name = posix.basename(path)
      return pipe(
        upload('replace', 'STOU', `FILE: ${name}`)(session, pathio, path),
        TE.map((answer) => (answer.code === 226 ? reply(226, `Transfer complete; stored as ${name}`) : answer))
      )
    }),
    TE.orElse((error) => {
      dropPassive(session)
      return TE.right(replyForError(error, base))
    })
  )
})

/**
 * APPE: appends what arrives to the file (creating it), in place; after a
 * REST past the end of the file (or on a missing one), 554, as STOR.
 *
 * @category handlers
 * @since 0.1.0
 */
export const appe: Handler = upload('append', 'APPE')

/**
 * REST (RFC 3659 STREAM): the offset where the next RETR or STOR starts;
 * 350. In ASCII mode 504 (the offset would count converted bytes).
 *
 * @category handlers
 * @since 0.1.0
 */
export const rest: Handler = (session, _pathio, arg) =>
  whenRun(() => {
    if (session.type === 'A') {
      session.restOffset = 0
      return REST_IN_ASCII
    }
    const offset = /^\d{1,16}$/.test(arg.trim()) ? Number(arg.trim()) : Number.NaN
    if (!Number.isSafeInteger(offset)) return reply(501, 'REST needs a non-negative integer')
    session.restOffset = offset
    return reply(350, `Restarting at ${offset}. Send STOR or RETR`)
  })

/**
 * ABOR: the server stops a running transfer as soon as ABOR arrives (the
 * transfer replies 426); this handler then gives ABOR's own 226 and closes
 * an unused data connection.
 *
 * @category handlers
 * @since 0.1.0
 */
export const abor: Handler = (session) =>
  whenRun(() => {
    session.transfer?.abort()
    dropPassive(session)
    return reply(226, 'ABOR command successful')
  })
