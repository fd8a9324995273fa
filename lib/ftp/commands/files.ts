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
 * import { mkd } from 'fp-pathio/ftp'
 * // await mkd(session, pathio, 'pub')() -> right({ code: 257, lines: ['"/pub" created'] })
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
 * import { rmd } from 'fp-pathio/ftp'
 * // await rmd(session, pathio, 'pub')() -> right({ code: 250, ... })
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
 * import { dele } from 'fp-pathio/ftp'
 * // await dele(session, pathio, 'a.txt')() -> right({ code: 250, ... })
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
 *
 * @example
 * import { rnfr } from 'fp-pathio/ftp'
 * // await rnfr(session, pathio, 'a.txt')() -> right({ code: 350, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const rnfr: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  return pipe(
    pathio.stat(path),
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
 * import { rnto } from 'fp-pathio/ftp'
 * // await rnto(session, pathio, 'b.txt')() -> right({ code: 250, ... })
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
 * import { size } from 'fp-pathio/ftp'
 * // await size(session, pathio, 'a.txt')() -> right({ code: 213, lines: ['3'] })
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
 * import { mdtm } from 'fp-pathio/ftp'
 * // await mdtm(session, pathio, 'a.txt')() -> right({ code: 213, lines: ['20240102030405'] })
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
 * import { mlst } from 'fp-pathio/ftp'
 * // await mlst(session, pathio, 'a.txt')() -> right({ code: 250, lines: ['Listing a.txt', ' type=file;size=3;...; /a.txt', 'End'] })
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
