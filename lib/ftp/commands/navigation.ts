/**
 * Moving around: PWD, CWD, CDUP. The directory is a virtual path in the
 * session; the `PathIO` record only checks that it is a directory.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { isDirectoryStat, type PathIO } from '../../PathIO'
import { pathIOError } from '../../PathIOError'
import { answer, deferred, pathOf, replyOrError, type Handler } from '../handler'
import { quotePath, reply } from '../replies'
import type { Session } from '../session'

/**
 * PWD: 257 and the quoted directory.
 *
 * @category handlers
 * @since 0.1.0
 */
export const pwd: Handler = (session) => answer(257, `${quotePath(session.cwd)} is the current directory`)

const changeTo = (session: Session, pathio: PathIO<unknown>, target: string, shown: string) =>
  pipe(
    pathio.stat(target),
    TE.filterOrElse(isDirectoryStat, () => pathIOError('NotADirectory', 'cwd', { path: shown })),
    TE.map(() => {
      session.cwd = target
      return reply(250, `Directory changed to ${target}`)
    }),
    replyOrError(shown)
  )

/**
 * CWD: 250 into an existing directory; 550 for a missing path or a file.
 *
 * @category handlers
 * @since 0.1.0
 */
export const cwd: Handler = deferred((session, pathio, arg) => changeTo(session, pathio, pathOf(session, arg), arg))

/**
 * CDUP: CWD to the parent ('/' stays '/').
 *
 * @category handlers
 * @since 0.1.0
 */
export const cdup: Handler = deferred((session, pathio) => changeTo(session, pathio, posix.dirname(session.cwd), '..'))
