/**
 * The shape of a command handler, and the small helpers every handler uses.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { reply, replyForError, type Reply } from './replies'
import { virtualPath, type Session } from './session'

/**
 * A command handler: a plain function of the connection's session, its
 * `PathIO` record and the command's argument, giving the final reply. It
 * never fails (`never`): every `PathIOError` has become a reply already.
 *
 * @example
 * import { makeSession, reply, type Handler } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const where: Handler = (session) => TE.right(reply(257, `You are in ${session.cwd}`))
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * assert.deepStrictEqual(await where(session, makeMemoryPathIO(), '')(), E.right({ code: 257, lines: ['You are in /'] }))
 *
 * @category model
 * @since 0.1.0
 */
export type Handler = (session: Session, pathio: PathIO<unknown>, arg: string) => TE.TaskEither<never, Reply>

/**
 * A row of the command table.
 *
 * @category model
 * @since 0.1.0
 */
export interface Command {
  readonly handler: Handler
  /** Refused with 530 until the client has logged in. */
  readonly needsLogin: boolean
  /** Refused with 501 when the argument is empty. */
  readonly needsArg: boolean
}

/**
 * A table row; by default the command needs a login and no argument.
 *
 * @example
 * import { command, reply } from 'fp-pathio/ftp'
 * import * as TE from 'fp-ts/TaskEither'
 * const syst = command(() => TE.right(reply(215, 'UNIX Type: L8')), { needsLogin: false })
 * assert.strictEqual(syst.needsLogin, false)
 * assert.strictEqual(syst.needsArg, false) // the default
 *
 * @category constructors
 * @since 0.1.0
 */
export const command = (handler: Handler, options: Partial<Omit<Command, 'handler'>> = {}): Command => ({
  handler,
  needsLogin: options.needsLogin ?? true,
  needsArg: options.needsArg ?? false
})

/**
 * A reply that needs no I/O.
 *
 * @example
 * import { answer } from 'fp-pathio/ftp'
 * import * as E from 'fp-ts/Either'
 * assert.deepStrictEqual(await answer(200, 'Command okay')(), E.right({ code: 200, lines: ['Command okay'] }))
 *
 * @category constructors
 * @since 0.1.0
 */
export const answer = (code: number, ...lines: ReadonlyArray<string>): TE.TaskEither<never, Reply> =>
  TE.right(reply(code, ...lines))

/**
 * Turns the failure of a `PathIO` program into its reply (naming the path
 * the client gave), so the handler's type says it cannot fail.
 *
 * @example
 * import { replyOrError, reply } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as E from 'fp-ts/Either'
 * const io = makeMemoryPathIO()
 * const rmd = pipe(io.rmdir('/nope'), TE.map(() => reply(250, 'Removed')), replyOrError('/nope'))
 * assert.deepStrictEqual(await rmd(), E.right({ code: 550, lines: ['/nope: No such file or directory'] }))
 *
 * @category combinators
 * @since 0.1.0
 */
export const replyOrError =
  (shown?: string) =>
  (program: TE.TaskEither<PathIOError, Reply>): TE.TaskEither<never, Reply> =>
    pipe(
      program,
      TE.orElse((error) => TE.right(replyForError(error, shown)))
    )

/**
 * Lifts a promise-returning step (a data transfer) into a handler's result;
 * a rejection, which should not happen, becomes 451 rather than a crash.
 *
 * @example
 * import { fromPromise, reply } from 'fp-pathio/ftp'
 * import * as E from 'fp-ts/Either'
 * const later = fromPromise(async () => reply(226, 'Transfer complete'))
 * assert.deepStrictEqual(await later(), E.right({ code: 226, lines: ['Transfer complete'] }))
 * const broken = fromPromise(() => Promise.reject(new Error('bug')))
 * assert.deepStrictEqual(await broken(), E.right({ code: 451, lines: ['Local error in processing'] }))
 *
 * @category combinators
 * @since 0.1.0
 */
export const fromPromise =
  (run: () => Promise<Reply>): TE.TaskEither<never, Reply> =>
  () =>
    run().then(E.right, () => E.right(reply(451, 'Local error in processing')))

/**
 * The client's path argument resolved against the session's directory.
 *
 * @example
 * import { makeSession, pathOf } from 'fp-pathio/ftp'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * session.cwd = '/pub'
 * assert.strictEqual(pathOf(session, 'a.txt'), '/pub/a.txt')
 * assert.strictEqual(pathOf(session, '../../etc/x'), '/etc/x') // never above '/'
 *
 * @category utils
 * @since 0.1.0
 */
export const pathOf = (session: Session, arg: string): string => virtualPath(session.cwd, arg)
