/**
 * From a parsed command line to its handler, with the checks every command
 * shares (known verb, logged in, argument present) and the sequencing rules
 * of RNFR/RNTO and REST.
 *
 * @since 0.1.0
 */
import type * as TE from 'fp-ts/TaskEither'
import type { PathIO } from '../PathIO'
import { KEEP_REST_OFFSET } from './commands'
import { answer, type Command } from './handler'
import type { CommandLine } from './lineReader'
import type { Reply } from './replies'
import type { Session } from './session'

/**
 * Runs one command of a session against its `PathIO` record: 500 for an
 * unknown verb, 530 before login, 501 for a missing argument, else the
 * handler's reply.
 *
 * @example
 * import { dispatch, COMMANDS } from 'fp-pathio/ftp'
 * // await dispatch(COMMANDS)(session, pathio, { verb: 'PWD', arg: '' })() -> right({ code: 257, ... })
 *
 * @category combinators
 * @since 0.1.0
 */
export const dispatch =
  (commands: Readonly<Record<string, Command>>) =>
  (session: Session, pathio: PathIO<unknown>, { verb, arg }: CommandLine): TE.TaskEither<never, Reply> => {
    const row = Object.prototype.hasOwnProperty.call(commands, verb) ? commands[verb] : undefined
    if (row === undefined) return answer(500, `Unknown command ${verb}`)
    if (row.needsLogin && !session.loggedIn) return answer(530, 'Please login with USER and PASS')
    if (row.needsArg && arg.trim() === '') return answer(501, `${verb} needs an argument`)
    // RNTO must follow RNFR at once; REST must come just before its transfer.
    if (verb !== 'RNTO') session.renameFrom = undefined
    if (!KEEP_REST_OFFSET.has(verb)) session.restOffset = 0
    return row.handler(session, pathio, arg)
  }
