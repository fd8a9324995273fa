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
 * import { dispatch, makeSession, COMMANDS } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * const run = dispatch(COMMANDS)
 * assert.deepStrictEqual(await run(session, io, { verb: 'PWD', arg: '' })(), E.right({ code: 530, lines: ['Please login with USER and PASS'] }))
 * session.loggedIn = true
 * assert.deepStrictEqual(await run(session, io, { verb: 'PWD', arg: '' })(), E.right({ code: 257, lines: ['"/" is the current directory'] }))
 * assert.deepStrictEqual(await run(session, io, { verb: 'XYZ', arg: '' })(), E.right({ code: 500, lines: ['Unknown command XYZ'] }))
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
