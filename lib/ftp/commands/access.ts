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
 * import { user } from 'fp-pathio/ftp'
 * // await user(session, pathio, 'anonymous')() -> right({ code: 331, ... })
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
 * import { pass } from 'fp-pathio/ftp'
 * // await pass(session, pathio, 'secret')() -> right({ code: 230, ... })
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
 * import { quit } from 'fp-pathio/ftp'
 * // await quit(session, pathio, '')() -> right({ code: 221, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const quit: Handler = () => answer(221, 'Goodbye')
