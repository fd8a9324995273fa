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
import type { CapabilityFlag, Capabilities } from '../Capabilities'
import type { PermissionLetter } from '../middleware/withPermissions'
import type { MlstFact } from './listingLines'

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
 * What FEAT knows when it asks a command which features it announces.
 *
 * @category model
 * @since 0.3.0
 */
export interface FeatureContext {
  /** The server has a certificate (AUTH TLS, PBSZ and PROT work). */
  readonly tls: boolean
  /** What the session's record can do (MFMT needs `times`, SITE CHMOD `modes`). */
  readonly capabilities: Capabilities
  /** The MLST facts the session selected (OPTS MLST), starred in MLST's line. */
  readonly mlstFacts: ReadonlyArray<MlstFact>
}

/**
 * A command's argument: none (an argument is 501), optional, or required
 * (none is 501).
 *
 * @category model
 * @since 0.3.0
 */
export type ArgumentRule = 'none' | 'optional' | 'required'

/**
 * A row of the command table: the handler, and what dispatch checks once
 * before it runs (login, argument, permission, capability) so that no
 * handler checks them by hand.
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
  /** Whether it takes an argument (501 when the rule is broken). */
  readonly argument: ArgumentRule
  /**
   * The permission letter the user needs at the command's path, checked
   * before the handler runs (550 otherwise, before any data connection is
   * used). The session's record checks every file operation again.
   */
  readonly permission?: PermissionLetter
  /** The part of the argument that names the path `permission` is checked at (default: all of it; `undefined`: no path, no check). */
  readonly pathIn?: (arg: string) => string | undefined
  /** A REST offset set just before survives this command (the transfers, and what may come between REST and them). */
  readonly keepsRest: boolean
  /** It sets up or uses the data connection: a refusal closes the one PASV, EPSV, PORT or EPRT prepared. */
  readonly usesData: boolean
  /** A capability the session's record must have (APPE: `append`): 504 before the command runs when it lacks it. */
  readonly needs?: CapabilityFlag
  /** The FEAT lines it announces (RFC 2389), none by default. */
  readonly features?: (on: FeatureContext) => ReadonlyArray<string>
}

/**
 * A table row; by default the command needs a login, takes no argument,
 * needs no letter and announces no feature.
 *
 * @example
 * import { command, reply } from 'fp-pathio/ftp'
 * import * as TE from 'fp-ts/TaskEither'
 * const syst = command(() => TE.right(reply(215, 'UNIX Type: L8')), { needsLogin: false })
 * assert.strictEqual(syst.needsLogin, false)
 * assert.strictEqual(syst.argument, 'none') // the default
 *
 * @category constructors
 * @since 0.1.0
 */
export const command = (handler: Handler, options: Partial<Omit<Command, 'handler'>> = {}): Command => ({
  handler,
  help: options.help ?? '',
  needsLogin: options.needsLogin ?? true,
  argument: options.argument ?? 'none',
  keepsRest: options.keepsRest ?? false,
  usesData: options.usesData ?? false,
  ...(options.permission === undefined ? {} : { permission: options.permission }),
  ...(options.pathIn === undefined ? {} : { pathIn: options.pathIn }),
  ...(options.needs === undefined ? {} : { needs: options.needs }),
  ...(options.features === undefined ? {} : { features: options.features })
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
