/**
 * File transfers: RETR, STOR, APPE, with REST, and ABOR. The bytes move
 * through the library's stream adapters (`toReadable`, `toWritable`) with
 * backpressure on both sides.
 *
 * STOR writes to a temporary name in the target's directory and renames it
 * onto the target only when the data connection ended cleanly (the client's
 * FIN, checked against a reset: `peerFinished`) and the control connection
 * is still there; otherwise the temporary file is removed and the reply is
 * 426. APPE and REST+STOR write in place: the client asked to continue a
 * file, so what arrived is kept, but a reset is still 426, never 226.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { pipeline } from 'node:stream/promises'
import type { Socket } from 'node:net'
import type { Readable, Writable } from 'node:stream'
import { coalesce } from '../coalesce'
import { isDirectoryStat, isFileStat, type PathIO, type Stat } from '../../PathIO'
import { pathIOError, type PathIOError } from '../../PathIOError'
import { temporaryNameFor } from '../../internal/temporaryName'
import { toReadable, toWritable } from '../../helpers'
import { peerFinished } from '../dataConnection'
import { answer, pathOf, type Handler } from '../handler'
import { reply, type Reply } from '../replies'
import type { Session } from '../session'
import { commitWait, dropPassive, settle, startTransfer, type Move, type TransferOutcome } from '../transfer'
import { sweepOnWrite, trackUpload } from '../uploads'

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

const typeName = (session: Session): string => (session.type === 'A' ? 'ASCII' : 'BINARY')

/** RFC 3659 §5.5: a REST offset past the end of the file. */
const REST_PAST_END: Reply = reply(554, 'Requested action not taken: invalid REST parameter (past the end of the file)')

/**
 * RETR: the file's bytes (from the REST offset) over the data connection,
 * 226 at the end; 550 for a directory or a missing file; 554 for a REST
 * offset past the end (before any data connection is used); 426 when the
 * data connection breaks or ABOR stops it.
 *
 * @example
 * import { makeSession, epsv, retr } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as net from 'node:net'
 * import { text } from 'node:stream/consumers'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * await epsv(session, io, '')()
 * const data = net.connect(session.passive?.port ?? 0, '127.0.0.1') // the client's data connection
 * const [done, received] = await Promise.all([retr(session, io, 'a.txt')(), text(data)])
 * assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.strictEqual(received, 'hello')
 *
 * @category handlers
 * @since 0.1.0
 */
export const retr: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  const start = takeRestOffset(session)
  return startTransfer(
    session,
    arg,
    pipe(
      pathio.stat(path),
      TE.filterOrElseW(isFileStat, () => pathIOError('IsADirectory', 'retr', { path: arg })),
      TE.filterOrElseW((stat) => start <= stat.size, () => REST_PAST_END)
    ),
    (stat) => reply(150, `Opening ${typeName(session)} mode data connection for ${arg} (${stat.size} bytes)`),
    () => async (socket) => {
      const source = toReadable(pathio, path, { start, highWaterMark: READ_AHEAD })
      try {
        await pipeline(source, socket)
      } finally {
        await closed(source)
      }
    }
  )
}

/** An upload may go where no directory is and where the parent is a directory. */
const checkUploadTarget = (
  pathio: PathIO<unknown>,
  path: string,
  shown: string
): TE.TaskEither<PathIOError, void> =>
  pipe(
    pathio.stat(path),
    TE.chain((stat: Stat) =>
      isDirectoryStat(stat) ? TE.left(pathIOError('IsADirectory', 'stor', { path: shown })) : TE.right(undefined)
    ),
    TE.orElse((error) =>
      error.reason !== 'NotFound'
        ? TE.left(error)
        : pipe(
            pathio.stat(posix.dirname(path)),
            TE.chain((parent) =>
              isDirectoryStat(parent) ? TE.right(undefined) : TE.left(pathIOError('NotADirectory', 'stor', { path: shown }))
            )
          )
    )
  )

const ABORTED = Symbol('aborted')

/** Moves the socket's bytes into `sink`; resolves only if every byte was written and the client ended cleanly (no reset). */
const receive = async (socket: Socket, sink: Writable): Promise<void> => {
  const finished = peerFinished(socket)
  // Awaited below only if the bytes got through; a failed pipeline is the error that counts.
  finished.catch(() => undefined)
  try {
    await pipeline(socket, coalesce(WRITE_BLOCK), sink)
  } finally {
    await closed(sink)
  }
  await finished
}

const upload =
  (how: 'replace' | 'append'): Handler =>
  (session, pathio, arg) => {
    const path = pathOf(session, arg)
    const start = takeRestOffset(session)
    const inPlace = how === 'append' || start > 0
    const target = inPlace ? path : temporaryNameFor(path)
    let untrack = (): void => undefined
    const move: Move = async (socket, wanted) => {
      if (!inPlace) untrack = trackUpload(target)
      const began = performance.now()
      await receive(socket, toWritable(pathio, target, how === 'append' ? { append: true } : inPlace ? { start } : {}))
      if (inPlace) return
      // A client that died closed its control connection a moment after this one: that close is handled before the commit.
      await settle(commitWait(session.config.commitDelay, performance.now() - began))
      if (!wanted()) throw ABORTED
      const renamed = await pathio.rename(target, path)()
      if (renamed._tag === 'Left') throw renamed.left
    }
    const cleanup = async (outcome: TransferOutcome): Promise<void> => {
      if (!inPlace && outcome._tag !== 'Done') await pathio.unlink(target)()
      untrack()
    }
    return startTransfer(
      session,
      arg,
      pipe(
        checkUploadTarget(pathio, path, arg),
        // Writing into a directory is when its left-over temporaries are swept.
        TE.chainFirst(() => TE.fromTask(() => sweepOnWrite(session, pathio, posix.dirname(path))))
      ),
      () => reply(150, `Ok to send data (${typeName(session)} mode)`),
      () => move,
      cleanup
    )
  }

/**
 * STOR: receives a file (atomically: a temporary name renamed on a clean
 * end; see the module comment); with REST, writes in place from the offset.
 *
 * @example
 * import { makeSession, epsv, stor } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, readFile, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as net from 'node:net'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('old'))()
 * await epsv(session, io, '')()
 * const data = net.connect(session.passive?.port ?? 0, '127.0.0.1') // the client's data connection
 * data.end('new')
 * assert.deepStrictEqual(await stor(session, io, 'a.txt')(), E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.deepStrictEqual(pipe(await readFile(io, '/a.txt')(), E.map(String)), E.right('new'))
 *
 * @category handlers
 * @since 0.1.0
 */
export const stor: Handler = upload('replace')

/**
 * APPE: appends what arrives to the file (creating it), in place.
 *
 * @example
 * import { makeSession, epsv, appe } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, readFile, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as net from 'node:net'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('one '))()
 * await epsv(session, io, '')()
 * const data = net.connect(session.passive?.port ?? 0, '127.0.0.1') // the client's data connection
 * data.end('two')
 * assert.deepStrictEqual(await appe(session, io, 'a.txt')(), E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.deepStrictEqual(pipe(await readFile(io, '/a.txt')(), E.map(String)), E.right('one two'))
 *
 * @category handlers
 * @since 0.1.0
 */
export const appe: Handler = upload('append')

/**
 * REST (RFC 3659 STREAM): the offset where the next RETR or STOR starts; 350.
 *
 * @example
 * import { makeSession, rest } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * assert.deepStrictEqual(await rest(session, io, '1024')(), E.right({ code: 350, lines: ['Restarting at 1024. Send STOR or RETR'] }))
 * assert.strictEqual(session.restOffset, 1024) // where the next RETR or STOR starts
 *
 * @category handlers
 * @since 0.1.0
 */
export const rest: Handler = (session, _pathio, arg) => {
  const offset = /^\d{1,16}$/.test(arg.trim()) ? Number(arg.trim()) : Number.NaN
  if (!Number.isSafeInteger(offset)) return answer(501, 'REST needs a non-negative integer')
  session.restOffset = offset
  return answer(350, `Restarting at ${offset}. Send STOR or RETR`)
}

/**
 * ABOR: the server stops a running transfer as soon as ABOR arrives (the
 * transfer replies 426); this handler then gives ABOR's own 226 and closes
 * an unused data connection.
 *
 * @example
 * import { makeSession, abor, epsv } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * await epsv(session, io, '')()
 * assert.deepStrictEqual(await abor(session, io, '')(), E.right({ code: 226, lines: ['ABOR command successful'] }))
 * assert.strictEqual(session.passive, undefined) // the unused data connection is closed
 *
 * @category handlers
 * @since 0.1.0
 */
export const abor: Handler = (session) => {
  session.transfer?.abort()
  dropPassive(session)
  return answer(226, 'ABOR command successful')
}
