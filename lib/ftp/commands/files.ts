/**
 * Commands on one file or directory: MKD, RMD, DELE, RNFR, RNTO, SIZE, MDTM,
 * MFMT, MLST. Each is one or two `PathIO` calls and the reply.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { isFileStat, type PathIO, type Stat } from '../../PathIO'
import { pathIOError, type PathIOError } from '../../PathIOError'
import { answer, deferred, pathOf, replyOrError, type Handler } from '../handler'
import type { Session } from '../session'
import { ftpTime, mlsxFacts, parseFtpTime } from '../listingLines'
import { quotePath, reply, replyForError, type Reply } from '../replies'

/** The stat of the client's path (dispatch has checked `l` there): what SIZE, MDTM and MLST show. */
const listable = (session: Session, pathio: PathIO<unknown>, arg: string): TE.TaskEither<PathIOError, Stat> =>
  pathio.stat(pathOf(session, arg))

/**
 * MKD: 257 and the new directory's path; 550 if it exists or its parent is
 * missing; 553 for a name that is not allowed.
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

/** The session's root: its home, which no command may remove or replace (the jail says Busy, a 450 a client would retry for ever). */
const isRoot = (path: string): boolean => path === '/'

/**
 * RMD: 250; a directory that is not empty is refused (550) and keeps
 * everything in it; so is the root (`RMD /`), which can never be removed.
 *
 * @category handlers
 * @since 0.1.0
 */
export const rmd: Handler = (session, pathio, arg) =>
  isRoot(pathOf(session, arg))
    ? answer(550, `${arg}: Cannot remove the root directory`)
    : pipe(
        pathio.rmdir(pathOf(session, arg)),
        TE.map(() => reply(250, `Directory ${arg} removed`)),
        replyOrError(arg)
      )

/**
 * DELE: 250; a directory or a missing file is 550.
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
 * 503 without an RNFR just before; 550 when either end is the root, which
 * can never be moved or replaced.
 *
 * @category handlers
 * @since 0.1.0
 */
export const rnto: Handler = deferred((session, pathio, arg) => {
  const source = session.renameFrom
  session.renameFrom = undefined
  if (source === undefined) return answer(503, 'RNFR required first')
  const destination = pathOf(session, arg)
  if (isRoot(source) || isRoot(destination)) return answer(550, `${arg}: Cannot move or replace the root directory`)
  return pipe(
    pathio.rename(source, destination),
    TE.map(() => reply(250, 'Rename successful')),
    replyOrError(arg)
  )
})

/**
 * SIZE (RFC 3659): 213 and the size in bytes of a regular file; 550 for a
 * directory or a missing path. In ASCII mode (TYPE A) 550: the size there
 * is the converted one, which only reading the whole file could tell (RFC
 * 3659 §4 lets a server decline); REST is refused in ASCII mode too.
 *
 * @category handlers
 * @since 0.1.0
 */
export const size: Handler = (session, pathio, arg) =>
  session.type === 'A'
    ? answer(550, 'SIZE not allowed in ASCII mode: use TYPE I')
    : pipe(
        listable(session, pathio, arg),
        TE.filterOrElse(isFileStat, () =>
          pathIOError('IsADirectory', 'size', { path: arg, detail: 'not a regular file' })
        ),
        TE.map((stat) => reply(213, String(stat.size))),
        replyOrError(arg)
      )

/**
 * MDTM (RFC 3659): 213 and the modification time, UTC `YYYYMMDDHHMMSS`.
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
 * MLST (RFC 3659): the facts of one path on the control connection: those
 * OPTS MLST selected (all by default).
 *
 * @category handlers
 * @since 0.1.0
 */
export const mlst: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  return pipe(
    listable(session, pathio, arg),
    TE.map((stat) =>
      reply(250, `Listing ${arg === '' ? path : arg}`, ` ${mlsxFacts(stat, session.mlstFacts)} ${path}`, 'End')
    ),
    replyOrError(arg)
  )
}

/**
 * What a failed `utimes` or `chmod` answers: the reply of its reason, but
 * 550 for `Unsupported` (an object store keeps no settable time or mode:
 * the action can never succeed here, and FEAT did not offer it).
 */
const replyForSetting =
  (shown: string) =>
  (program: TE.TaskEither<PathIOError, Reply>): TE.TaskEither<never, Reply> =>
    pipe(
      program,
      TE.orElse((error) =>
        TE.right(
          error.reason === 'Unsupported' ? reply(550, `${shown}: Not supported here`) : replyForError(error, shown)
        )
      )
    )

/**
 * Sets the modification time of the client's path (`utimes`, which needs
 * `T`) and answers `ok` with the time it now has (read back: a backend may
 * keep less than milliseconds); 550 where the record cannot, or the user
 * may not. For MFMT and SITE UTIME.
 *
 * @category combinators
 * @since 0.4.0
 */
export const setTime = (
  session: Session,
  pathio: PathIO<unknown>,
  shown: string,
  mtimeMs: number,
  ok: (time: string) => Reply
): TE.TaskEither<never, Reply> => {
  const path = pathOf(session, shown)
  if (mtimeMs < 0) return answer(504, `${shown}: times before 1970 are not supported`)
  return pipe(
    pathio.utimes(path, mtimeMs),
    TE.chain(() => pathio.stat(path)),
    TE.map((stat) => ok(ftpTime(stat.mtimeMs))),
    replyForSetting(shown)
  )
}

/**
 * Sets the permission bits of the client's path (`chmod`, which needs
 * `M`): 200; 550 where the record cannot (an object store), or the user
 * may not. For SITE CHMOD.
 *
 * @category combinators
 * @since 0.4.0
 */
export const setMode = (
  session: Session,
  pathio: PathIO<unknown>,
  shown: string,
  mode: number
): TE.TaskEither<never, Reply> =>
  pipe(
    pathio.chmod(pathOf(session, shown), mode),
    TE.map(() => reply(200, `SITE CHMOD command successful: ${shown} is now ${mode.toString(8).padStart(4, '0')}`)),
    replyForSetting(shown)
  )

const TIME_FORMAT = 'Invalid time format; expected: YYYYMMDDHHMMSS[.sss]'

/**
 * MFMT (draft-somers-ftp-mfxx): `MFMT YYYYMMDDHHMMSS[.sss] path` sets the
 * path's modification time (UTC) and answers `213 Modify=time; path` with
 * the time it now has. It needs the permission letter `T` (not in the
 * default sets); a bad time or a missing path argument is 501; a missing
 * path, a refused permission, or a record that cannot set times (S3) is
 * 550. FEAT lists MFMT only where the record's `capabilities.times` holds.
 *
 * @category handlers
 * @since 0.4.0
 */
export const mfmt: Handler = (session, pathio, arg) => {
  const match = /^(\S+) (.+)$/.exec(arg.trim())
  if (match === null) return answer(501, 'Syntax error: MFMT YYYYMMDDHHMMSS path')
  const [, time, shown] = match
  const ms = parseFtpTime(time)
  if (ms === undefined) return answer(501, TIME_FORMAT)
  return setTime(session, pathio, shown, ms, (now) => reply(213, `Modify=${now}; ${shown}`))
}
