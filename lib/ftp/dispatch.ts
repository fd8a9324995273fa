/**
 * From a parsed command line to its handler, with every check a row of the
 * command table asks for, made once here (known verb, logged in, argument,
 * permission letter, capability) and the sequencing rules of RNFR/RNTO and
 * REST. No handler checks them again by hand; the session's record checks
 * every file operation again (`withPermissions`).
 *
 * @since 0.1.0
 */
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import type { PathIO } from '../PathIO'
import { answer, pathOf, type Command } from './handler'
import type { CommandLine } from './lineReader'
import { replyForError, type Reply } from './replies'
import { may, type Session } from './session'
import { pathIOError } from '../PathIOError'
import { capabilitiesAt } from '../server/userTrees'

/** The reply dispatch gives instead of running the handler, if any. */
const refusal = (
  row: Command,
  session: Session,
  pathio: PathIO<unknown>,
  verb: string,
  arg: string
): Reply | undefined => {
  const empty = arg.trim() === ''
  if (row.needsLogin && !session.loggedIn) return { code: 530, lines: ['Please login with USER and PASS'] }
  if (row.argument === 'required' && empty) return { code: 501, lines: [`${verb} needs an argument`] }
  if (row.argument === 'none' && !empty) return { code: 501, lines: [`${verb} takes no argument`] }
  // A transfer with no data connection prepared is told so first, whatever else it lacks.
  if (row.usesData && session.dataChannel === undefined)
    return { code: 425, lines: ['Use PORT, EPRT, PASV or EPSV first'] }
  if (row.permission !== undefined) {
    const shown = (row.pathIn ?? ((given: string) => given))(arg)
    if (shown !== undefined) {
      if (!session.loggedIn) return { code: 530, lines: ['Please login with USER and PASS'] }
      if (!may(session, row.permission, pathOf(session, shown)))
        return replyForError(
          pathIOError('PermissionDenied', verb.toLowerCase(), {
            path: shown,
            code: 'EACCES',
            detail: `permission '${row.permission}' is not granted here`
          }),
          shown === '' ? pathOf(session, shown) : shown
        )
    }
  }
  // A user's tree with folders can do at a path what the folder there can (lib/server/userTrees.ts).
  if (row.needs !== undefined && !capabilitiesAt(pathio, pathOf(session, row.pathIn?.(arg) ?? arg))[row.needs])
    return { code: 504, lines: [`${verb} is not supported by this server's storage`] }
  return undefined
}

/**
 * Runs one command of a session against its `PathIO` record: 500 for an
 * unknown verb, then the checks of its row (530, 501, 550, 504), else the
 * handler's reply. A refused command that uses the data connection closes
 * the one prepared for it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const dispatch =
  (commands: Readonly<Record<string, Command>>) =>
  (session: Session, pathio: PathIO<unknown>, { verb, arg }: CommandLine): TE.TaskEither<never, Reply> => {
    const row = Object.prototype.hasOwnProperty.call(commands, verb) ? commands[verb] : undefined
    if (row === undefined) return answer(500, `Unknown command ${verb}`)
    return pipe(
      TE.fromIO(() => {
        // RNTO must follow RNFR at once; REST must come just before its transfer.
        if (verb !== 'RNTO') session.renameFrom = undefined
        const offset = session.restOffset
        if (!row.keepsRest) session.restOffset = 0
        const refused = refusal(row, session, pathio, verb, arg)
        if (refused !== undefined && row.usesData) {
          session.dataChannel?.close()
          session.dataChannel = undefined
          session.restOffset = 0
        } else if (refused !== undefined) session.restOffset = row.keepsRest ? offset : 0
        return refused
      }),
      TE.chain((refused) => (refused !== undefined ? TE.right(refused) : row.handler(session, pathio, arg)))
    )
  }
