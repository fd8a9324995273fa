/**
 * Moving around: PWD, CWD, CDUP. The directory is a virtual path in the
 * session; the `PathIO` record only checks that it is a directory.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { isDirectoryStat } from '../../PathIO'
import { pathIOError } from '../../PathIOError'
import { answer, deferred, pathOf, replyOrError, requirePermission, type Handler } from '../handler'
import { quotePath, reply } from '../replies'
import type { Session } from '../session'
import type { PathIO } from '../../PathIO'

/**
 * PWD: 257 and the quoted directory.
 *
 * @example
 * import { pwd } from 'fp-pathio/ftp'
 * // await pwd(session, pathio, '')() -> right({ code: 257, lines: ['"/" is the current directory'] })
 *
 * @category handlers
 * @since 0.1.0
 */
export const pwd: Handler = (session) => answer(257, `${quotePath(session.cwd)} is the current directory`)

const changeTo = (session: Session, pathio: PathIO<unknown>, target: string, shown: string) =>
  pipe(
    requirePermission(session, 'e', target, shown),
    TE.chain(() => pathio.stat(target)),
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
 * @example
 * import { cwd } from 'fp-pathio/ftp'
 * // await cwd(session, pathio, 'pub')() -> right({ code: 250, ... }); session.cwd === '/pub'
 *
 * @category handlers
 * @since 0.1.0
 */
export const cwd: Handler = deferred((session, pathio, arg) => changeTo(session, pathio, pathOf(session, arg), arg))

/**
 * CDUP: CWD to the parent ('/' stays '/').
 *
 * @example
 * import { cdup } from 'fp-pathio/ftp'
 * // await cdup(session, pathio, '')() -> right({ code: 250, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const cdup: Handler = deferred((session, pathio) => changeTo(session, pathio, posix.dirname(session.cwd), '..'))
