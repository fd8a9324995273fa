/**
 * Passive data connections: PASV and EPSV open a listener on the server's
 * passive range; the client connects to it.
 *
 * @since 0.1.0
 */
import * as net from 'node:net'
import * as TE from 'fp-ts/TaskEither'
import { answer, fromPromise, whenRun, type Handler } from '../handler'
import { openPassiveListener, type PassiveListener } from '../dataConnection'
import { reply, type Reply } from '../replies'
import { secureDataConnection } from '../dataTransfer'
import type { Session } from '../session'

/**
 * Replaces the session's data channel with a fresh passive listener on the
 * control connection's local address: one session holds one at most.
 */
const listen = async (session: Session): Promise<PassiveListener> => {
  session.dataChannel?.close()
  session.dataChannel = undefined
  const passive = await openPassiveListener(session.localAddress, {
    peer: session.remoteAddress,
    ports: session.config.pasvPorts,
    timeoutMs: session.config.dataTimeout,
    ...(session.config.pasvBudget === undefined ? {} : { budget: session.config.pasvBudget }),
    ...(session.protection === 'P' && session.config.tls !== undefined
      ? { secure: (socket: net.Socket) => secureDataConnection(session, socket) }
      : {})
  })
  if (session.closed) {
    passive.close()
    throw new Error('session closed')
  }
  session.dataChannel = passive
  return passive
}

const CANNOT = reply(425, "Can't open passive connection: no free port")

/**
 * The reply to PASV, PORT or EPRT after EPSV ALL (RFC 2428 §4: the server
 * MUST refuse every data-connection command but EPSV from then on, for the
 * rest of the connection).
 *
 * @category constructors
 * @since 0.4.0
 */
export const afterEpsvAll = (verb: string): Reply => reply(501, `${verb} not allowed after EPSV ALL: use EPSV`)

/**
 * PASV: 227 with an IPv4 address and the listener's port,
 * `(h1,h2,h3,h4,p1,p2)`. The address is the server's `pasvAddress` (a host
 * behind NAT announces its public one) or the control connection's local
 * address; over IPv6, 502 (use EPSV); 425 when no port of the range is free;
 * 501 after EPSV ALL.
 *
 * @category handlers
 * @since 0.1.0
 */
export const pasv: Handler = (session) => {
  if (session.epsvAll) return TE.right(afterEpsvAll('PASV'))
  const host = session.config.pasvAddress ?? session.localAddress
  if (!net.isIPv4(session.localAddress) || !net.isIPv4(host)) return answer(502, 'PASV needs IPv4; use EPSV')
  return fromPromise(() =>
    listen(session).then(
      ({ port }) => reply(227, `Entering Passive Mode (${host.replace(/\./g, ',')},${port >> 8},${port & 255})`),
      () => CANNOT
    )
  )
}

/**
 * EPSV (RFC 2428): 229 with the port, `(|||port|)`, over IPv4 and IPv6;
 * `EPSV ALL` is 200, and from then on PASV, PORT and EPRT are refused (501)
 * for the rest of the connection; a network protocol other than the
 * connection's is 522.
 *
 * @category handlers
 * @since 0.1.0
 */
export const epsv: Handler = (session, _pathio, arg) => {
  const family = net.isIPv6(session.localAddress) ? '2' : '1'
  const protocol = arg.trim().toUpperCase()
  if (protocol === 'ALL')
    return whenRun(() => {
      session.epsvAll = true
      return reply(200, 'EPSV ALL okay: only EPSV from now on')
    })
  if (protocol !== '' && protocol !== family)
    return /^\d+$/.test(protocol)
      ? answer(522, `Network protocol not supported, use (${family})`)
      : answer(501, `Unrecognised EPSV argument: ${arg}`)
  return fromPromise(() =>
    listen(session).then(
      ({ port }) => reply(229, `Entering Extended Passive Mode (|||${port}|)`),
      () => CANNOT
    )
  )
}
