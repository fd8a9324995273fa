/**
 * Commands that only read or set the session: SYST, FEAT, NOOP, OPTS, TYPE,
 * MODE, STRU, ALLO.
 *
 * @since 0.1.0
 */
import { answer, whenRun, type Handler } from '../handler'
import { featuresOn } from '../listing'
import { reply } from '../replies'

/**
 * SYST: 215, the answer every client expects to parse LIST.
 *
 * @example
 * import { syst } from 'fp-pathio/ftp'
 * // await syst(session, pathio, '')() -> right({ code: 215, lines: ['UNIX Type: L8'] })
 *
 * @category handlers
 * @since 0.1.0
 */
export const syst: Handler = () => answer(215, 'UNIX Type: L8')

/**
 * FEAT (RFC 2389): the extensions that are on, as a 211 multi-line reply:
 * each only when its command is in the table, and AUTH TLS, PBSZ and PROT
 * only when the server has a certificate.
 *
 * @example
 * import { feat, makeSession, sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * const session = makeSession({ id: 1, remoteAddress: '::1', localAddress: '::1', send: () => undefined, config: sessionConfig({ commands: COMMANDS }) })
 * const r = await feat(session, undefined as never, '')()
 * assert.ok(r._tag === 'Right' && r.right.lines.includes(' EPRT') && !r.right.lines.includes(' AUTH TLS'))
 *
 * @category handlers
 * @since 0.1.0
 */
export const feat: Handler = (session) =>
  answer(211, 'Features:', ...featuresOn(session.config.commands, session.config.tls !== undefined), 'End')

/**
 * NOOP: 200.
 *
 * @example
 * import { noop } from 'fp-pathio/ftp'
 * // await noop(session, pathio, '')() -> right({ code: 200, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const noop: Handler = () => answer(200, 'NOOP ok')

/**
 * OPTS (RFC 2389): `UTF8 ON` (names are always UTF-8) and `MLST` facts (all
 * facts are always sent) are accepted; anything else is 501.
 *
 * @example
 * import { opts } from 'fp-pathio/ftp'
 * // await opts(session, pathio, 'UTF8 ON')() -> right({ code: 200, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const opts: Handler = (_session, _pathio, arg) => {
  const [option] = arg.split(' ')
  switch (option.toUpperCase()) {
    case 'UTF8':
      return answer(200, 'Always in UTF8 mode')
    case 'MLST':
      return answer(200, 'MLST OPTS type;size;modify;perm;unix.mode;')
    default:
      return answer(501, `Option not understood: ${option}`)
  }
}

/**
 * TYPE: `A` (optionally `A N`) and `I` (or `L 8`) are accepted, 200; other
 * types 504; nonsense 501. Both types send the bytes as they are stored
 * (no CRLF conversion, as vsftpd does by default).
 *
 * @example
 * import { type } from 'fp-pathio/ftp'
 * // await type(session, pathio, 'I')() -> right({ code: 200, ... }); session.type === 'I'
 *
 * @category handlers
 * @since 0.1.0
 */
export const type: Handler = (session, _pathio, arg) =>
  whenRun(() => {
    const spec = arg.toUpperCase().trim().replace(/\s+/g, ' ')
    if (spec === 'A' || spec === 'A N') {
      session.type = 'A'
      return reply(200, 'Switching to ASCII mode')
    }
    if (spec === 'I' || spec === 'L 8') {
      session.type = 'I'
      return reply(200, 'Switching to Binary mode')
    }
    return /^(A [TC]|E( [NTC])?|L \d+)$/.test(spec)
      ? reply(504, `Type ${spec} not implemented`)
      : reply(501, `Unrecognised TYPE: ${arg}`)
  })

const onlyOne = (name: string, accepted: string, known: string): Handler => (_session, _pathio, arg) => {
  const value = arg.trim().toUpperCase()
  return value === accepted
    ? answer(200, `${name} set to ${accepted}`)
    : value.length === 1 && known.includes(value)
      ? answer(504, `${name} ${value} not implemented`)
      : answer(501, `Unrecognised ${name}: ${arg}`)
}

/**
 * MODE: only `S` (stream) is implemented; `B` and `C` are 504.
 *
 * @example
 * import { mode } from 'fp-pathio/ftp'
 * // await mode(session, pathio, 'S')() -> right({ code: 200, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const mode: Handler = onlyOne('MODE', 'S', 'BC')

/**
 * STRU: only `F` (file) is implemented; `R` and `P` are 504.
 *
 * @example
 * import { stru } from 'fp-pathio/ftp'
 * // await stru(session, pathio, 'F')() -> right({ code: 200, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const stru: Handler = onlyOne('STRU', 'F', 'RP')

/**
 * ALLO: 202, nothing to reserve.
 *
 * @example
 * import { allo } from 'fp-pathio/ftp'
 * // await allo(session, pathio, '1024')() -> right({ code: 202, ... })
 *
 * @category handlers
 * @since 0.1.0
 */
export const allo: Handler = () => answer(202, 'No storage allocation necessary')
