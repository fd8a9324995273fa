/**
 * Active data connections: PORT and EPRT. The server connects to the
 * client, but only to the control connection's own address and to ports
 * 1024 and up, so a client cannot point the server at a third host or a
 * privileged service (the "FTP bounce attack", RFC 2577).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as net from 'node:net'
import { plainAddress } from '../../server/addresses'
import { activeChannel } from '../dataConnection'
import { whenRun, type Handler } from '../handler'
import { reply, type Reply } from '../replies'
import { afterEpsvAll } from './passive'
import type { Session } from '../session'

/**
 * Where a client asks the server to connect.
 *
 * @category model
 * @since 0.1.0
 */
export interface ActiveTarget {
  readonly host: string
  readonly port: number
}

const byte = (s: string): number => (/^\d{1,3}$/.test(s) && Number(s) <= 255 ? Number(s) : Number.NaN)

/**
 * PORT's argument `h1,h2,h3,h4,p1,p2` (RFC 959); `Left` is the 501 reply.
 *
 * @category destructors
 * @since 0.1.0
 */
export const parsePort = (arg: string): E.Either<Reply, ActiveTarget> => {
  const numbers = arg.trim().split(',').map(byte)
  if (numbers.length !== 6 || numbers.some(Number.isNaN)) return E.left(reply(501, 'PORT needs h1,h2,h3,h4,p1,p2'))
  return E.right({ host: numbers.slice(0, 4).join('.'), port: numbers[4] * 256 + numbers[5] })
}

/**
 * EPRT's argument `|proto|address|port|` (RFC 2428, any delimiter); `Left`
 * is the reply: 522 for an unknown protocol, 501 for a malformed argument.
 *
 * @category destructors
 * @since 0.1.0
 */
export const parseEprt = (arg: string): E.Either<Reply, ActiveTarget> => {
  const text = arg.trim()
  const delimiter = text[0]
  const parts = delimiter === undefined ? [] : text.split(delimiter)
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '')
    return E.left(reply(501, 'EPRT needs |proto|address|port|'))
  const [, proto, host, portText] = parts
  if (proto !== '1' && proto !== '2') return E.left(reply(522, 'Network protocol not supported, use (1,2)'))
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN
  const family = proto === '1' ? net.isIPv4(host) : net.isIPv6(host)
  if (!family || !(port >= 1 && port <= 65535)) return E.left(reply(501, 'EPRT: bad address or port'))
  return E.right({ host, port })
}

/** Two spellings of one address (`::1`, `0:0:0:0:0:0:0:1`, `::ffff:127.0.0.1` and `127.0.0.1`) are one host. */
const sameHost = (a: string, b: string): boolean => {
  const pa = plainAddress(a)
  const pb = plainAddress(b)
  if (net.isIP(pa) === 0 || net.isIP(pa) !== net.isIP(pb)) return false
  const family = net.isIPv6(pa) ? 'ipv6' : 'ipv4'
  const list = new net.BlockList()
  list.addAddress(pa, family)
  return list.check(pb, family)
}

/**
 * Accepts a target only at the session's own peer and on a port of 1024 or
 * more; otherwise the 504 reply that says why.
 *
 * @category utils
 * @since 0.1.0
 */
export const checkActiveTarget = (session: Session, target: ActiveTarget): E.Either<Reply, ActiveTarget> =>
  !sameHost(target.host, session.remoteAddress)
    ? E.left(reply(504, 'Active mode connects only to your own address'))
    : target.port < 1024
      ? E.left(reply(504, 'Active mode connects only to ports 1024 and up'))
      : E.right(target)

const active =
  (parse: (arg: string) => E.Either<Reply, ActiveTarget>, verb: string): Handler =>
  (session, _pathio, arg) =>
    whenRun(() => {
      if (session.epsvAll) return afterEpsvAll(verb)
      const target = E.chain((t: ActiveTarget) => checkActiveTarget(session, t))(parse(arg))
      if (E.isLeft(target)) return target.left
      session.dataChannel?.close()
      session.dataChannel = activeChannel(plainAddress(session.remoteAddress), target.right.port, session.localAddress)
      return reply(200, `${verb} command successful. Consider using PASV.`)
    })

/**
 * PORT (RFC 959): the next transfer connects to the client's
 * `h1,h2,h3,h4,p1,p2`: 200; 501 for a malformed argument; 504 for an
 * address other than the client's own or a port under 1024; 501 after
 * EPSV ALL.
 *
 * @category handlers
 * @since 0.1.0
 */
export const port: Handler = active(parsePort, 'PORT')

/**
 * EPRT (RFC 2428): PORT for IPv4 and IPv6, `|1|addr|port|` or `|2|addr|port|`,
 * with the same rules.
 *
 * @category handlers
 * @since 0.1.0
 */
export const eprt: Handler = active(parseEprt, 'EPRT')
