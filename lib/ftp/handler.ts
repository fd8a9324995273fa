/**
 * The shape of a command handler, and the small helpers every handler uses.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { reply, replyForError, type Reply } from './replies'
import { may, virtualPath, type Session } from './session'
import type { PermissionLetter } from '../middleware/withPermissions'

/**
 * A command handler: a plain function of the connection's session, its
 * `PathIO` record and the command's argument, giving the final reply. It
 * never fails (`never`): every `PathIOError` has become a reply already.
 *
 * @example
 * import { makeSession, reply, type Handler, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const where: Handler = (session) => TE.right(reply(257, `You are in ${session.cwd}`))
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
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
  /** The syntax HELP shows for the verb. */
  readonly help: string
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
  help: options.help ?? '',
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
 * A reply computed when the task runs, not when the handler is called: the
 * way a handler changes its session (so a handler called and never run
 * changes nothing).
 *
 * @example
 * import { whenRun, reply } from 'fp-pathio/ftp'
 * let count = 0
 * const task = whenRun(() => { count += 1; return reply(200, 'ok') })
 * assert.strictEqual(count, 0)
 * await task()
 * assert.strictEqual(count, 1)
 *
 * @category constructors
 * @since 0.1.0
 */
export const whenRun =
  (compute: () => Reply): TE.TaskEither<never, Reply> =>
  () =>
    Promise.resolve(E.right(compute()))

/**
 * A handler whose body runs when its task runs, not when it is called:
 * everything it reads or changes in the session (REST's offset, the data
 * channel) is read or changed then.
 *
 * @example
 * import { deferred, reply } from 'fp-pathio/ftp'
 * import * as TE from 'fp-ts/TaskEither'
 * let calls = 0
 * const h = deferred(() => { calls += 1; return TE.right(reply(200, 'ok')) })
 * const task = h(undefined as never, undefined as never, '')
 * assert.strictEqual(calls, 0)
 * await task()
 * assert.strictEqual(calls, 1)
 *
 * @category combinators
 * @since 0.1.0
 */
export const deferred =
  (handler: Handler): Handler =>
  (session, pathio, arg) =>
  () =>
    handler(session, pathio, arg)()

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
 * `Right` when the logged-in user has permission `letter` at `path`, else a
 * `PermissionDenied` naming the client's path: the check a command makes
 * before its 150, so a refused transfer is a plain 550 (the session's
 * `withPermissions` record refuses the operation anyway).
 *
 * @example
 * import { requirePermission, makeSession, sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * const s = makeSession({ id: 1, remoteAddress: '::1', localAddress: '::1', send: () => undefined, config: sessionConfig({ commands: COMMANDS }) })
 * s.account = { name: 'anonymous', home: '/', perm: 'elr' }
 * const refused = await requirePermission(s, 'w', '/up.bin', 'up.bin')()
 * assert.ok(refused._tag === 'Left' && refused.left.reason === 'PermissionDenied')
 *
 * @category combinators
 * @since 0.1.0
 */
export const requirePermission = (session: Session, letter: PermissionLetter, path: string, shown: string): TE.TaskEither<PathIOError, void> =>
  may(session, letter, path)
    ? TE.right(undefined)
    : TE.left(pathIOError('PermissionDenied', letter, { path: shown, code: 'EACCES', detail: `permission '${letter}' is not granted here` }))

/**
 * The client's path argument resolved against the session's directory.
 *
 * @example
 * import { makeSession, pathOf, sessionConfig } from 'fp-pathio/ftp'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * session.cwd = '/pub'
 * assert.strictEqual(pathOf(session, 'a.txt'), '/pub/a.txt')
 * assert.strictEqual(pathOf(session, '../../etc/x'), '/etc/x') // never above '/'
 *
 * @category utils
 * @since 0.1.0
 */
export const pathOf = (session: Session, arg: string): string => virtualPath(session.cwd, arg)
