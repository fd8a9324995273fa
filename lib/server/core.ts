/**
 * What every front of one server shares: the backend's state, the accounts
 * and how they log in, the connection limits and the failed-login budget
 * (counted across fronts), each session's record, and the start-up work
 * (homes made, stale upload temporaries swept). A front (FTP, SFTP) holds
 * only its protocol and asks its core for the rest.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as T from 'fp-ts/Task'
import * as posix from 'node:path/posix'
import type { PathIO } from '../PathIO'
import {
  sweepTemporaries,
  withAtomicWrites,
  withPermissions,
  withRoot,
  withSharedState,
  withSignal
} from '../middleware'
import { ANONYMOUS, makeAuthenticate, type Account, type Authenticate } from './accounts'
import { plainAddress } from './addresses'
import { makeConnectionLimits } from './limits'
import { makeEmitter, type EventHandler } from './events'
import { silentLogger, type Logger } from './log'
import { guardLogins, makeLoginFailures, type LoginFailures } from './logins'
import { checkServerOptions, type ServerOptions, type ServerSettings } from './options'
import { makeUserTrees } from './userTrees'
import { folderPermissions } from './folders'

/**
 * Why a connection is turned away before it is served.
 *
 * @category model
 * @since 0.3.0
 */
export type Refusal = 'too many connections' | 'too many failed logins'

/**
 * The shared part of a server, made once and given to each front.
 *
 * @category model
 * @since 0.3.0
 */
export interface ServerCore<S> {
  readonly settings: ServerSettings
  /** The state every session's record shares (the memory tree, the pool). */
  readonly state: S
  readonly log: Logger
  /** Logs an event (at `info`) and hands it to the `onEvent` option; never throws. */
  readonly emit: EventHandler
  /** Checks a user name and password; one address's checks run one at a time and count against its budget. */
  readonly authenticate: Authenticate
  /** The failed logins of every address, across fronts. */
  readonly failures: LoginFailures
  /** Takes a place for a new connection from `address` (every front counts together): the function that gives it back, or why not. */
  readonly admit: (address: string | undefined) => E.Either<Refusal, () => void>
  /**
   * The record of a session: the shared state, jailed in the account's home
   * (anonymous: in the anonymous root), `wb` writes atomic with hidden
   * temporaries, under the account's permissions (before a login: none),
   * and, given a `signal`, stopped when it aborts. A user with a `quota`
   * or `folders` gets the home under its quota and each folder mounted at
   * its path (`mount`), with its own letters and quota (see `makeUserTrees`).
   */
  readonly sessionPathIO: (
    account: Account | undefined,
    context?: { readonly connection?: unknown; readonly signal?: AbortSignal }
  ) => PathIO<unknown>
  /** Makes the homes, the anonymous root and the folders' directories, and checks S3 folders answer (once); rejects naming what could not be made. */
  readonly prepare: () => Promise<void>
  /** Sweeps stale upload temporaries under the root, in the background, once; resolves with how many it removed. */
  readonly sweep: () => Promise<number>
  /** Stops the work in the background (the sweep) at its next step. */
  readonly stop: () => void
}

/** An account as its sessions are checked: its folders' letters among its rules (what the record and a front's checks agree on). */
const withFolderPermissions =
  (authenticate: Authenticate): Authenticate =>
  (user, password, from) =>
    T.map(O.map(folderPermissions))(authenticate(user, password, from))

/** Permissions of a session no one has logged in to: nothing. */
const NOBODY = { name: '', home: '/', perm: '' } as const

/**
 * The core of a server, from the shared options (checked at once: a bad one
 * is a `TypeError` naming it and `where`).
 *
 * @example
 * import { makeServerCore } from 'fp-pathio/server'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as O from 'fp-ts/Option'
 * const core = makeServerCore('example', { factory: makeMemoryPathIO, users: { alice: 'wonderland' }, maxConnections: 1 })
 * await core.prepare()
 * const alice = await core.authenticate('alice', 'wonderland', '10.0.0.1')()
 * assert.ok(O.isSome(alice))
 * const io = core.sessionPathIO(alice.value)
 * assert.ok(E.isRight(await io.mkdir('/docs')()))
 * const place = core.admit('10.0.0.1')
 * assert.ok(E.isRight(place))
 * assert.deepStrictEqual(core.admit('10.0.0.2'), E.left('too many connections'))
 * place.right()
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeServerCore = <S>(where: string, options: ServerOptions<S>): ServerCore<S> => {
  const settings = checkServerOptions(where, options)
  const log = options.log ?? silentLogger
  const shared = withSharedState(options.factory)
  // The first record fixes the state every later session shares.
  const first = shared({ timeout: settings.timeout })
  const realHome = (home: string): string => posix.join(posix.resolve(settings.root), home)
  const failures = makeLoginFailures({ max: settings.maxLoginFailuresPerIp, windowMs: settings.loginFailureWindow })
  const limits = makeConnectionLimits(settings.maxConnections, settings.maxConnectionsPerIp)
  const trees = makeUserTrees({ settings, where, real: realHome, s3Folder: options.s3Folder })
  let stopping = false

  let prepared: Promise<void> | undefined
  let swept: Promise<number> | undefined
  return {
    settings,
    state: first.state,
    log,
    emit: makeEmitter(log, options.onEvent),
    failures,
    authenticate: guardLogins(
      withFolderPermissions(makeAuthenticate(settings.users, settings.anonymous)),
      failures,
      (address) =>
        log(
          'warn',
          `${address} failed to log in ${settings.maxLoginFailuresPerIp} times: refused for up to ${settings.loginFailureWindow / 1000} s`
        )
    ),
    admit: (address) => {
      const key = plainAddress(address)
      if (failures.blocked(key)) return E.left('too many failed logins')
      const release = limits.admit(key)
      return release === undefined ? E.left('too many connections') : E.right(release)
    },
    sessionPathIO: (account, context = {}) => {
      const base = shared({
        timeout: settings.timeout,
        ...(context.connection === undefined ? {} : { connection: context.connection })
      })
      const who = account ?? NOBODY
      const anonymous = account?.name === ANONYMOUS
      const home = anonymous ? settings.anonymousRoot : who.home
      // Uploads are atomic and their temporaries hidden below the permissions: the user asks for a store, never a rename.
      // A named user's tree: the home with its quota and folders (lib/server/userTrees.ts).
      const record =
        account === undefined || anonymous
          ? withPermissions(who)(
              withAtomicWrites({ staleAfterMs: settings.dataTimeout })(withRoot(realHome(home))(base))
            )
          : trees.record(account, base)
      return context.signal === undefined ? record : withSignal(context.signal)(record)
    },
    prepare: () =>
      (prepared ??= (async () => {
        for (const user of settings.users) {
          const made = await first.mkdir(realHome(user.home), { parents: true, existOk: true })()
          if (E.isLeft(made)) throw new Error(`cannot create the home of user '${user.name}': ${made.left.message}`)
        }
        if (settings.anonymous !== 'off') {
          const made = await first.mkdir(realHome(settings.anonymousRoot), { parents: true, existOk: true })()
          if (E.isLeft(made))
            throw new Error(`cannot create the anonymous root ${settings.anonymousRoot}: ${made.left.message}`)
        }
        await trees.prepare(first)
      })()),
    sweep: () =>
      (swept ??= sweepTemporaries(withRoot(posix.resolve(settings.root))(first) as PathIO<unknown>, '/', {
        staleAfterMs: settings.dataTimeout,
        stopped: () => stopping
      }).then(
        (removed) => {
          log(removed > 0 ? 'info' : 'debug', `start: removed ${removed} stale upload temporaries`)
          return removed
        },
        (error) => {
          log('warn', `sweeping stale upload temporaries failed: ${String(error)}`)
          return 0
        }
      )),
    stop: () => {
      stopping = true
    }
  }
}
