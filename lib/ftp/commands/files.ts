/**
 * Commands on one file or directory: MKD, RMD, DELE, RNFR, RNTO, SIZE, MDTM,
 * MLST. Each is one or two `PathIO` calls and the reply.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { isFileStat, type PathIO, type Stat } from '../../PathIO'
import { pathIOError, type PathIOError } from '../../PathIOError'
import { answer, deferred, pathOf, replyOrError, requirePermission, type Handler } from '../handler'
import type { Session } from '../session'
import { ftpTime, mlsxFacts } from '../listing'
import { quotePath, reply } from '../replies'

/** The stat of the client's path, where the user may list (`l`): what SIZE, MDTM and MLST show. */
const listable = (session: Session, pathio: PathIO<unknown>, arg: string): TE.TaskEither<PathIOError, Stat> => {
  const path = pathOf(session, arg)
  return pipe(
    requirePermission(session, 'l', path, arg),
    TE.chain(() => pathio.stat(path))
  )
}

/**
 * MKD: 257 and the new directory's path; 550 if it exists or its parent is
 * missing; 553 for a name that is not allowed.
 *
 * @example
 * import { makeSession, mkd, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * assert.deepStrictEqual(await mkd(session, io, 'pub')(), E.right({ code: 257, lines: ['"/pub" created'] }))
 * assert.deepStrictEqual(await io.isDir('/pub')(), E.right(true))
 *
 * @category handlers
 * @since 0.1.0
 */
export const mkd: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  return pipe(
    pathio.mkdir(path),
    TE.map(() => reply(257, `${quotePath(path)} created`)),
    replyOrError(arg)
  )
}

/**
 * RMD: 250; a directory that is not empty is refused (550) and keeps
 * everything in it.
 *
 * @example
 * import { makeSession, rmd, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await io.mkdir('/pub')()
 * assert.deepStrictEqual(await rmd(session, io, 'pub')(), E.right({ code: 250, lines: ['Directory pub removed'] }))
 * assert.deepStrictEqual(await rmd(session, io, 'pub')(), E.right({ code: 550, lines: ['pub: No such file or directory'] }))
 *
 * @category handlers
 * @since 0.1.0
 */
export const rmd: Handler = (session, pathio, arg) =>
  pipe(
    pathio.rmdir(pathOf(session, arg)),
    TE.map(() => reply(250, `Directory ${arg} removed`)),
    replyOrError(arg)
  )

/**
 * DELE: 250; a directory or a missing file is 550.
 *
 * @example
 * import { makeSession, dele, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * assert.deepStrictEqual(await dele(session, io, 'a.txt')(), E.right({ code: 250, lines: ['File a.txt deleted'] }))
 *
 * @category handlers
 * @since 0.1.0
 */
export const dele: Handler = (session, pathio, arg) =>
  pipe(
    pathio.unlink(pathOf(session, arg)),
    TE.map(() => reply(250, `File ${arg} deleted`)),
    replyOrError(arg)
  )

/**
 * RNFR: 350 when the source exists, and the very next command may be RNTO.
 * A user without `f` there is refused (550) before anything is looked up:
 * the answer then says nothing of what exists.
 *
 * @example
 * import { makeSession, rnfr, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * assert.deepStrictEqual(await rnfr(session, io, 'a.txt')(), E.right({ code: 350, lines: ['Ready for RNTO'] }))
 * assert.strictEqual(session.renameFrom, '/a.txt') // for the RNTO that must come next
 *
 * @category handlers
 * @since 0.1.0
 */
export const rnfr: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  return pipe(
    requirePermission(session, 'f', path, arg),
    TE.chain(() => pathio.stat(path)),
    TE.map(() => {
      session.renameFrom = path
      return reply(350, 'Ready for RNTO')
    }),
    replyOrError(arg)
  )
}

/**
 * RNTO: renames what RNFR named (POSIX `rename`: a file replaces a file);
 * 503 without an RNFR just before.
 *
 * @example
 * import { makeSession, rnfr, rnto, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * await rnfr(session, io, 'a.txt')()
 * assert.deepStrictEqual(await rnto(session, io, 'b.txt')(), E.right({ code: 250, lines: ['Rename successful'] }))
 * assert.deepStrictEqual(await io.list('/')(), E.right(['/b.txt']))
 *
 * @category handlers
 * @since 0.1.0
 */
export const rnto: Handler = deferred((session, pathio, arg) => {
  const source = session.renameFrom
  session.renameFrom = undefined
  if (source === undefined) return answer(503, 'RNFR required first')
  return pipe(
    pathio.rename(source, pathOf(session, arg)),
    TE.map(() => reply(250, 'Rename successful')),
    replyOrError(arg)
  )
})

/**
 * SIZE (RFC 3659): 213 and the size in bytes of a regular file; 550 for a
 * directory or a missing path.
 *
 * @example
 * import { makeSession, size, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * assert.deepStrictEqual(await size(session, io, 'a.txt')(), E.right({ code: 213, lines: ['5'] }))
 *
 * @category handlers
 * @since 0.1.0
 */
export const size: Handler = (session, pathio, arg) =>
  pipe(
    listable(session, pathio, arg),
    TE.filterOrElse(isFileStat, () => pathIOError('IsADirectory', 'size', { path: arg, detail: 'not a regular file' })),
    TE.map((stat) => reply(213, String(stat.size))),
    replyOrError(arg)
  )

/**
 * MDTM (RFC 3659): 213 and the modification time, UTC `YYYYMMDDHHMMSS`.
 *
 * @example
 * import { makeSession, mdtm, ftpTime, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * const modified = pipe(writeFile(io, '/a.txt', Buffer.from('hello')), TE.chain(() => io.stat('/a.txt')))
 * const stat = await modified()
 * assert.ok(E.isRight(stat))
 * assert.deepStrictEqual(await mdtm(session, io, 'a.txt')(), E.right({ code: 213, lines: [ftpTime(stat.right.mtimeMs)] }))
 *
 * @category handlers
 * @since 0.1.0
 */
export const mdtm: Handler = (session, pathio, arg) =>
  pipe(
    listable(session, pathio, arg),
    TE.map((stat) => reply(213, ftpTime(stat.mtimeMs))),
    replyOrError(arg)
  )

/**
 * MLST (RFC 3659): the facts of one path on the control connection.
 *
 * @example
 * import { makeSession, mlst, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello'))()
 * const facts = await mlst(session, io, 'a.txt')()
 * assert.ok(facts._tag === 'Right' && facts.right.code === 250)
 * assert.match(facts.right.lines[1], /^ type=file;size=5;modify=\d{14};perm=[a-z]+;unix\.mode=0\d{3}; \/a\.txt$/)
 *
 * @category handlers
 * @since 0.1.0
 */
export const mlst: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  return pipe(
    listable(session, pathio, arg),
    TE.map((stat) => reply(250, `Listing ${arg === '' ? path : arg}`, ` ${mlsxFacts(stat)} ${path}`, 'End')),
    replyOrError(arg)
  )
}
