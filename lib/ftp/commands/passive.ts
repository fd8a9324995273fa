/**
 * Data connections: PASV and EPSV open a passive listener; active mode
 * (PORT, EPRT) is not offered.
 *
 * @since 0.1.0
 */
import * as net from 'node:net'
import { answer, fromPromise, type Handler } from '../handler'
import { openPassiveListener, type PassiveListener } from '../dataConnection'
import { reply } from '../replies'
import type { Session } from '../session'

/** Replaces the session's passive listener with a fresh one. */
const listen = async (session: Session): Promise<PassiveListener> => {
  session.passive?.close()
  session.passive = undefined
  const passive = await openPassiveListener(session.config.passiveHost, session.remoteAddress)
  if (session.closed) {
    passive.close()
    throw new Error('session closed')
  }
  session.passive = passive
  return passive
}

/**
 * PASV: 227 with the listener's IPv4 address and port, `(h1,h2,h3,h4,p1,p2)`.
 *
 * @example
 * import { makeSession, pasv, dropPassive } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const entered = await pasv(session, makeMemoryPathIO(), '')()
 * assert.ok(entered._tag === 'Right' && entered.right.code === 227)
 * const port = session.passive?.port ?? 0 // where the client connects: p1 * 256 + p2
 * assert.deepStrictEqual(entered.right.lines, [`Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})`])
 * dropPassive(session) // the listener, unused
 *
 * @category handlers
 * @since 0.1.0
 */
export const pasv: Handler = (session) => {
  const host = session.config.passiveHost
  if (!net.isIPv4(host)) return answer(502, 'PASV needs IPv4; use EPSV')
  return fromPromise(() =>
    listen(session).then(
      ({ port }) => reply(227, `Entering Passive Mode (${host.replace(/\./g, ',')},${port >> 8},${port & 255})`),
      () => reply(425, "Can't open passive connection")
    )
  )
}

/**
 * EPSV (RFC 2428): 229 with the port, `(|||port|)`; `EPSV ALL` is 200; a
 * network protocol other than the listener's is 522.
 *
 * @example
 * import { makeSession, epsv, dropPassive } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const entered = await epsv(session, makeMemoryPathIO(), '')()
 * const port = session.passive?.port ?? 0
 * assert.deepStrictEqual(entered, E.right({ code: 229, lines: [`Entering Extended Passive Mode (|||${port}|)`] }))
 * dropPassive(session) // the listener, unused
 *
 * @category handlers
 * @since 0.1.0
 */
export const epsv: Handler = (session, _pathio, arg) => {
  const family = net.isIPv6(session.config.passiveHost) ? '2' : '1'
  const protocol = arg.trim().toUpperCase()
  if (protocol === 'ALL') return answer(200, 'EPSV ALL okay')
  if (protocol !== '' && protocol !== family)
    return /^\d+$/.test(protocol)
      ? answer(522, `Network protocol not supported, use (${family})`)
      : answer(501, `Unrecognised EPSV argument: ${arg}`)
  return fromPromise(() =>
    listen(session).then(
      ({ port }) => reply(229, `Entering Extended Passive Mode (|||${port}|)`),
      () => reply(425, "Can't open passive connection")
    )
  )
}

/**
 * PORT and EPRT: 502. Active mode lets a client point the server at any
 * host (the "FTP bounce"); passive mode does all a client needs.
 *
 * @example
 * import { makeSession, activeMode } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', send: () => undefined,
 *   config: { authenticate: () => true, passiveHost: '127.0.0.1', dataTimeout: 10_000, commitDelay: 20 } })
 * const io = makeMemoryPathIO()
 * assert.deepStrictEqual(await activeMode(session, io, '127,0,0,1,4,1')(), E.right({ code: 502, lines: ['Active mode is not supported; use PASV or EPSV'] }))
 *
 * @category handlers
 * @since 0.1.0
 */
export const activeMode: Handler = () => answer(502, 'Active mode is not supported; use PASV or EPSV')
