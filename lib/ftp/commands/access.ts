/**
 * Logging in and out: USER, PASS, QUIT, REIN.
 *
 * @since 0.1.0
 */
import * as O from 'fp-ts/Option'
import { ANONYMOUS } from '../../server/accounts'
import { whenRun, type Handler } from '../handler'
import { reply, replyThen, type Reply } from '../replies'
import type { Session } from '../session'
import { MLST_FACTS } from '../listingLines'
import { dropPassive } from '../dataTransfer'

const TLS_FIRST = reply(530, 'TLS required: send AUTH TLS first')

const mustSecureFirst = (session: Session): boolean => session.config.tlsRequired && !session.secure

/**
 * USER: remembers the name and asks for the password (331). A new USER logs
 * the session out first. When TLS is required, 530 until AUTH TLS.
 *
 * @category handlers
 * @since 0.1.0
 */
export const user: Handler = (session, _pathio, arg) =>
  whenRun(() => {
    if (mustSecureFirst(session)) return TLS_FIRST
    session.user = arg
    session.loggedIn = false
    session.account = undefined
    // The same words for every name: the reply does not say whether a user exists.
    return reply(331, arg === ANONYMOUS ? 'Anonymous login okay, send your e-mail as password' : 'Password required')
  })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * PASS: 230 when the server's `authenticate` accepts the pair; else, after
 * the server's failure delay, 530 (the same for an unknown user and a wrong
 * password), and 421 with the connection closed once the failures reach the
 * limit. 503 without a USER first.
 *
 * @category handlers
 * @since 0.1.0
 */
export const pass: Handler = (session, _pathio, arg) => async () => {
  const done = (r: Reply) => ({ _tag: 'Right' as const, right: r })
  if (mustSecureFirst(session)) return done(TLS_FIRST)
  const name = session.user
  if (name === undefined) return done(reply(503, 'Login with USER first'))
  if (session.loggedIn) return done(reply(230, 'Already logged in'))
  const account = await session.config.authenticate(name, arg, session.remoteAddress)()
  // This address used its failed-login budget (here or on another connection): no more guesses from it.
  if (O.isNone(account) && session.config.blocked(session.remoteAddress)) {
    await sleep(session.config.loginFailureDelay)
    return done(replyThen(reply(421, 'Too many failed logins from your address, closing control connection'), 'close'))
  }
  if (O.isNone(account)) {
    session.user = undefined
    session.loginFailures += 1
    // Slows a password guesser down; the connection's other commands wait behind it.
    await sleep(session.config.loginFailureDelay)
    return done(
      session.loginFailures >= session.config.maxLoginAttempts
        ? replyThen(reply(421, 'Too many failed logins, closing control connection'), 'close')
        : reply(530, 'Login incorrect')
    )
  }
  session.account = account.value
  session.loggedIn = true
  session.cwd = '/'
  return done(reply(230, `User ${name} logged in`))
}

/**
 * QUIT: 221; the connection closes once the reply is out.
 *
 * @category handlers
 * @since 0.1.0
 */
export const quit: Handler = () => whenRun(() => replyThen(reply(221, 'Goodbye'), 'close'))

/**
 * REIN (RFC 959): ends the login and puts the session back as it was when
 * the connection opened (no user, `/`, TYPE I, every MLST fact, no REST, RNFR
 * or prepared data connection, PBSZ and PROT unset), then 220: the client
 * may log in again, as the same user or another. The connection stays, and
 * so does its TLS (the control connection stays secure). Two things stay
 * too: the failed logins counted on the connection (a REIN does not buy a
 * password guesser more tries) and EPSV ALL (RFC 2428: for the rest of the
 * connection). Commands run in order, so a REIN sent during a transfer
 * runs once the transfer has ended, as RFC 959 asks.
 *
 * @category handlers
 * @since 0.4.0
 */
export const rein: Handler = (session) =>
  whenRun(() => {
    dropPassive(session)
    session.user = undefined
    session.loggedIn = false
    session.account = undefined
    session.cwd = '/'
    session.type = 'I'
    session.mlstFacts = MLST_FACTS
    session.restOffset = 0
    session.renameFrom = undefined
    session.protectionBufferSet = false
    session.protection = 'C'
    return reply(220, 'Service ready for new user')
  })
