/**
 * Explicit FTPS (RFC 4217): AUTH TLS, PBSZ, PROT.
 *
 * @since 0.1.0
 */
import { whenRun, type Handler } from '../handler'
import { reply, replyThen } from '../replies'

/**
 * AUTH TLS (or `SSL`, `TLS-C`): 234, then the control connection's TLS
 * handshake; 502 when the server has no certificate, 503 when the
 * connection is already secure, 504 for another mechanism. AUTH logs the
 * session out (RFC 4217 §4: the login must happen over the secure connection).
 *
 * @category handlers
 * @since 0.1.0
 */
export const auth: Handler = (session, _pathio, arg) =>
  whenRun(() => {
    if (session.config.tls === undefined) return reply(502, 'TLS is not configured on this server')
    if (session.secure) return reply(503, 'Already using TLS')
    const mechanism = arg.trim().toUpperCase()
    if (mechanism !== 'TLS' && mechanism !== 'TLS-C' && mechanism !== 'SSL')
      return reply(504, `AUTH ${arg} not supported; use AUTH TLS`)
    session.user = undefined
    session.loggedIn = false
    session.account = undefined
    return replyThen(reply(234, 'AUTH TLS successful'), 'startTls')
  })

/**
 * PBSZ (RFC 4217): only `0` makes sense for TLS, 200 `PBSZ=0`; 503 before AUTH TLS.
 *
 * @category handlers
 * @since 0.1.0
 */
export const pbsz: Handler = (session, _pathio, arg) =>
  whenRun(() => {
    if (!session.secure) return reply(503, 'PBSZ needs AUTH TLS first')
    if (!/^\d+$/.test(arg.trim())) return reply(501, 'PBSZ needs a number')
    session.protectionBufferSet = true
    return reply(200, 'PBSZ=0')
  })

/**
 * PROT (RFC 4217): `P` data connections are TLS, `C` clear (534 when the
 * server requires TLS); `S` and `E` are 536; 503 before PBSZ.
 *
 * @category handlers
 * @since 0.1.0
 */
export const prot: Handler = (session, _pathio, arg) =>
  whenRun(() => {
    if (!session.secure) return reply(503, 'PROT needs AUTH TLS first')
    if (!session.protectionBufferSet) return reply(503, 'PROT needs PBSZ first')
    const level = arg.trim().toUpperCase()
    if (level === 'P' || level === 'C') {
      if (level === 'C' && session.config.tlsRequired)
        return reply(534, 'Data connections must be protected on this server')
      session.protection = level
      return reply(200, `Protection level set to ${level}`)
    }
    return level === 'S' || level === 'E'
      ? reply(536, `PROT ${level} not supported`)
      : reply(504, `Unknown protection level: ${arg}`)
  })
