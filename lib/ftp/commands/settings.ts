/**
 * Commands that only read or set the session: SYST, FEAT, NOOP, OPTS, TYPE,
 * MODE, STRU, ALLO.
 *
 * @since 0.1.0
 */
import { answer, whenRun, type Handler } from '../handler'
import { parseMlstOptions } from '../listingLines'
import { reply } from '../replies'

/**
 * SYST: 215, the answer every client expects to parse LIST.
 *
 * @category handlers
 * @since 0.1.0
 */
export const syst: Handler = () => answer(215, 'UNIX Type: L8')

/**
 * FEAT (RFC 2389): the extensions that are on, as a 211 multi-line reply:
 * each only when its command is in the table; AUTH TLS, PBSZ and PROT only
 * when the server has a certificate; MFMT and SITE UTIME only when the
 * session's record can set times, SITE CHMOD only when it can set modes
 * (its `capabilities`: before login the record is the server's factory's,
 * under a jail and no permission, with the same capabilities); the MLST
 * line with the facts OPTS MLST selected starred.
 *
 * @category handlers
 * @since 0.1.0
 */
export const feat: Handler = (session, pathio) =>
  whenRun(() =>
    reply(
      211,
      'Features:',
      ...Object.values(session.config.commands).flatMap(
        (row) =>
          row.features?.({
            tls: session.config.tls !== undefined,
            capabilities: pathio.capabilities,
            mlstFacts: session.mlstFacts
          }) ?? []
      ),
      'End'
    )
  )

/**
 * NOOP: 200.
 *
 * @category handlers
 * @since 0.1.0
 */
export const noop: Handler = () => answer(200, 'NOOP ok')

/**
 * OPTS (RFC 2389): `UTF8 ON` (names are always UTF-8) and `MLST facts`
 * (RFC 3659 §7.9: the facts MLST and MLSD send from then on, answered with
 * those selected; unknown names are ignored, no list selects none, a
 * malformed list is 501 and changes nothing); anything else is 501.
 *
 * @category handlers
 * @since 0.1.0
 */
export const opts: Handler = (session, _pathio, arg) => {
  const [option] = arg.split(' ')
  switch (option.toUpperCase()) {
    case 'UTF8':
      return answer(200, 'Always in UTF8 mode')
    case 'MLST':
      return whenRun(() => {
        const facts = parseMlstOptions(arg.slice(option.length).replace(/^ /, ''))
        if (facts === undefined) return reply(501, 'Invalid MLST options: send OPTS MLST fact;fact;...')
        session.mlstFacts = facts
        return reply(200, `MLST OPTS ${facts.map((fact) => `${fact};`).join('')}`)
      })
    default:
      return answer(501, `Option not understood: ${option}`)
  }
}

/**
 * TYPE: `A` (optionally `A N`) and `I` (or `L 8`) are accepted, 200; other
 * types 504; nonsense 501. `I`, the default, moves bytes as they are
 * stored; `A` converts line ends on the data connection (CRLF there, LF
 * stored: see RETR and STOR), refuses SIZE (550) and REST (504).
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

const onlyOne =
  (name: string, accepted: string, known: string): Handler =>
  (_session, _pathio, arg) => {
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
 * @category handlers
 * @since 0.1.0
 */
export const mode: Handler = onlyOne('MODE', 'S', 'BC')

/**
 * STRU: only `F` (file) is implemented; `R` and `P` are 504.
 *
 * @category handlers
 * @since 0.1.0
 */
export const stru: Handler = onlyOne('STRU', 'F', 'RP')

/**
 * ALLO: 202, nothing to reserve.
 *
 * @category handlers
 * @since 0.1.0
 */
export const allo: Handler = () => answer(202, 'No storage allocation necessary')
