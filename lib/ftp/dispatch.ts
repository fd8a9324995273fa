/**
 * From a parsed command line to its handler, with the checks every command
 * shares (known verb, logged in, argument present) and the sequencing rules
 * of RNFR/RNTO and REST.
 *
 * @since 0.1.0
 */
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
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
 * import { dispatch, makeSession, sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: COMMANDS }) })
 * const run = dispatch(COMMANDS)
 * const before = await run(session, makeMemoryPathIO(), { verb: 'PWD', arg: '' })()
 * assert.deepStrictEqual(before, { _tag: 'Right', right: { code: 530, lines: ['Please login with USER and PASS'] } })
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
    return pipe(
      TE.fromIO(() => {
        // RNTO must follow RNFR at once; REST must come just before its transfer.
        if (verb !== 'RNTO') session.renameFrom = undefined
        if (!KEEP_REST_OFFSET.has(verb)) session.restOffset = 0
      }),
      TE.chain(() => row.handler(session, pathio, arg))
    )
  }
