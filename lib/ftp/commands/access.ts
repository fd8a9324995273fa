/**
 * Logging in and out: USER, PASS, QUIT.
 *
 * @since 0.1.0
 */
import { answer, type Handler } from '../handler'

/**
 * USER: remembers the name and asks for the password (331). A new USER logs
 * the session out first.
 *
 * @example
 * import { makeSession, user } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * assert.deepStrictEqual(await user(session, io, 'anonymous')(), E.right({ code: 331, lines: ['Anonymous login okay, send any password'] }))
 * assert.strictEqual(session.user, 'anonymous')
 *
 * @category handlers
 * @since 0.1.0
 */
export const user: Handler = (session, _pathio, arg) => {
  session.user = arg
  session.loggedIn = false
  return answer(331, arg === 'anonymous' ? 'Anonymous login okay, send any password' : `Password required for ${arg}`)
}

/**
 * PASS: 230 when the server's `authenticate` accepts the pair, 530 when it
 * does not, 503 without a USER first.
 *
 * @example
 * import { makeSession, user, pass } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const authenticate = (name: string, password: string) => name === 'alice' && password === 'secret'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * await user(session, io, 'alice')()
 * assert.deepStrictEqual(await pass(session, io, 'secret')(), E.right({ code: 230, lines: ['User alice logged in'] }))
 * assert.ok(session.loggedIn)
 *
 * @category handlers
 * @since 0.1.0
 */
export const pass: Handler = (session, _pathio, arg) => {
  const name = session.user
  if (name === undefined) return answer(503, 'Login with USER first')
  if (session.loggedIn) return answer(230, 'Already logged in')
  if (!session.config.authenticate(name, arg)) {
    session.user = undefined
    return answer(530, 'Login incorrect')
  }
  session.loggedIn = true
  session.cwd = '/'
  return answer(230, `User ${name} logged in`)
}

/**
 * QUIT: 221; the server closes the connection once the reply is out.
 *
 * @example
 * import { makeSession, quit } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * assert.deepStrictEqual(await quit(session, io, '')(), E.right({ code: 221, lines: ['Goodbye'] }))
 *
 * @category handlers
 * @since 0.1.0
 */
export const quit: Handler = () => answer(221, 'Goodbye')
