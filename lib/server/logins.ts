/**
 * What failed logins cost an address: a budget of failures per window, past
 * which the address is turned away at connect, and password checks that run
 * one at a time per address, so a guesser on many connections neither
 * guesses faster nor takes the hashing threads every other user's login needs.
 *
 * @since 0.3.0
 */
import * as O from 'fp-ts/Option'
import type * as T from 'fp-ts/Task'
import type { Account, Authenticate } from './accounts'
import { plainAddress } from './addresses'

/**
 * Options of `makeLoginFailures`.
 *
 * @category model
 * @since 0.3.0
 */
export interface LoginFailureOptions {
  /** Failed logins one address may make within `windowMs`; past it, it is turned away (0: no budget). */
  readonly max: number
  /** The window the failures are counted over, milliseconds. */
  readonly windowMs: number
  /** The clock (tests give their own). */
  readonly now?: () => number
}

/**
 * The failed logins of every address, shared by every front of a server.
 *
 * @category model
 * @since 0.3.0
 */
export interface LoginFailures {
  /** Whether `address` has used its budget: it is refused (at connect, and at a login) until its oldest failures age out. */
  readonly blocked: (address: string) => boolean
  /** Counts one failed login of `address`; true when this failure used up its budget (log it then, once). */
  readonly fail: (address: string) => boolean
  /** Runs `check` after every earlier check of `address` has finished: one password check at a time per address. */
  readonly serially: <A>(address: string, check: () => Promise<A>) => Promise<A>
}

/** Addresses whose failures are remembered at most: past it the oldest are forgotten (a flood of addresses cannot grow memory without end). */
const ADDRESSES_KEPT = 100_000

/**
 * The failed-login book of a server.
 *
 * @example
 * import { makeLoginFailures } from 'fp-pathio/server'
 * let clock = 0
 * const failures = makeLoginFailures({ max: 2, windowMs: 1000, now: () => clock })
 * assert.strictEqual(failures.fail('10.0.0.1'), false)
 * assert.strictEqual(failures.fail('::ffff:10.0.0.1'), true) // the same address: its budget is used up
 * assert.ok(failures.blocked('10.0.0.1') && !failures.blocked('10.0.0.2'))
 * clock = 1001
 * assert.ok(!failures.blocked('10.0.0.1')) // the window has passed
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeLoginFailures = ({ max, windowMs, now = Date.now }: LoginFailureOptions): LoginFailures => {
  /** Each address's failure times, oldest first, within the window. */
  const failed = new Map<string, Array<number>>()
  const queues = new Map<string, Promise<unknown>>()
  const recent = (key: string): Array<number> => {
    const times = failed.get(key)
    if (times === undefined) return []
    const since = now() - windowMs
    while (times.length > 0 && times[0] <= since) times.shift()
    if (times.length === 0) failed.delete(key)
    return times
  }
  return {
    blocked: (address) => max > 0 && recent(plainAddress(address)).length >= max,
    fail: (address) => {
      if (max <= 0) return false
      const key = plainAddress(address)
      const times = recent(key)
      times.push(now())
      // Re-inserted: the map's order is the order of the latest failure, oldest first.
      failed.delete(key)
      failed.set(key, times)
      if (failed.size > ADDRESSES_KEPT) failed.delete(failed.keys().next().value as string)
      return times.length === max
    },
    serially: (address, check) => {
      const key = plainAddress(address)
      const before = queues.get(key) ?? Promise.resolve()
      const mine = before.then(check, check)
      const tail = mine.then(
        () => undefined,
        () => undefined
      )
      queues.set(key, tail)
      void tail.then(() => {
        if (queues.get(key) === tail) queues.delete(key)
      })
      return mine
    }
  }
}

/**
 * An authenticator whose checks of one address run one at a time, and whose
 * failures count against that address's budget (`onBlocked` is told once,
 * when a failure uses it up). An address past its budget is refused without
 * a check.
 *
 * @example
 * import { guardLogins, makeLoginFailures, makeAuthenticate, hashPassword } from 'fp-pathio/server'
 * import * as O from 'fp-ts/Option'
 * const failures = makeLoginFailures({ max: 1, windowMs: 60_000 })
 * const blocked: Array<string> = []
 * const login = guardLogins(makeAuthenticate([{ name: 'alice', hash: hashPassword('pw'), home: '/', perm: 'elr' }], 'off'),
 *   failures, (address) => blocked.push(address))
 * assert.ok(O.isNone(await login('alice', 'guess', '10.0.0.1')()))
 * assert.deepStrictEqual(blocked, ['10.0.0.1'])
 * assert.ok(O.isNone(await login('alice', 'pw', '10.0.0.1')())) // refused: the address used its budget
 * assert.ok(O.isSome(await login('alice', 'pw', '10.0.0.2')()))
 *
 * @category combinators
 * @since 0.3.0
 */
export const guardLogins =
  (
    authenticate: Authenticate,
    failures: LoginFailures,
    onBlocked: (address: string) => void = () => undefined
  ): Authenticate =>
  (user, password, from = ''): T.Task<O.Option<Account>> =>
  () =>
    failures.serially(from, async () => {
      if (failures.blocked(from)) return O.none
      const account = await authenticate(user, password, from)()
      if (O.isNone(account) && failures.fail(from)) onBlocked(from)
      return account
    })
