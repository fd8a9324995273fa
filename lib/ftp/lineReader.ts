/**
 * Splits the bytes of a control connection into command lines, with a limit
 * on the length of a line, and decodes them (Telnet IAC sequences removed,
 * UTF-8 strictly).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { reply, type Reply } from './replies'

/**
 * What the reader sees: a line's bytes, or a line longer than the limit (its
 * bytes are dropped up to the next line end).
 *
 * @category model
 * @since 0.1.0
 */
export type LineEvent = { readonly _tag: 'Line'; readonly bytes: Buffer } | { readonly _tag: 'TooLong' }

/**
 * Feeds chunks in; calls `emit` once per line.
 *
 * @category model
 * @since 0.1.0
 */
export interface LineReader {
  readonly push: (chunk: Buffer) => void
}

const LF = 10
const CR = 13

/**
 * A line reader. A line ends at LF, CRLF or a lone CR (Python's `ftplib`
 * sends ABOR's final LF as TCP urgent data, which arrives out of band, so
 * ABOR ends with a bare CR). Empty lines are skipped. A line whose bytes
 * exceed `maxBytes` is reported once as `TooLong`, and the rest of it is
 * dropped without being buffered.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeLineReader = (maxBytes: number, emit: (event: LineEvent) => void): LineReader => {
  let pending: Array<Buffer> = []
  let pendingLength = 0
  let discarding = false

  const endLine = (last: Buffer): void => {
    if (discarding) {
      discarding = false
    } else if (pendingLength + last.length > maxBytes) {
      emit({ _tag: 'TooLong' })
    } else if (pendingLength + last.length > 0) {
      emit({ _tag: 'Line', bytes: pending.length === 0 ? last : Buffer.concat([...pending, last]) })
    }
    pending = []
    pendingLength = 0
  }

  return {
    push: (chunk) => {
      let start = 0
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]
        if (byte !== LF && byte !== CR) continue
        endLine(chunk.subarray(start, i))
        start = i + 1
      }
      if (discarding || start === chunk.length) return
      const rest = chunk.subarray(start)
      if (pendingLength + rest.length > maxBytes) {
        emit({ _tag: 'TooLong' })
        discarding = true
        pending = []
        pendingLength = 0
      } else {
        pending.push(rest)
        pendingLength += rest.length
      }
    }
  }
}

const IAC = 0xff

/**
 * Removes Telnet commands (RFC 854) from a line: `IAC IAC` is a literal 0xFF,
 * `IAC WILL/WONT/DO/DONT x` is three bytes, any other `IAC x` two (clients
 * send `IAC IP IAC DM` before ABOR).
 *
 * @category utils
 * @since 0.1.0
 */
export const stripTelnet = (bytes: Buffer): Buffer => {
  if (!bytes.includes(IAC)) return bytes
  const out: Array<number> = []
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]
    if (byte !== IAC) {
      out.push(byte)
      continue
    }
    const next = bytes[i + 1]
    if (next === IAC) out.push(IAC)
    i += next !== undefined && next >= 0xfb && next <= 0xfe ? 2 : 1
  }
  return Buffer.from(out)
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A command line split into its verb (upper case) and argument (everything
 * after the first space, kept as sent: file names may have spaces).
 *
 * @category model
 * @since 0.1.0
 */
export interface CommandLine {
  readonly verb: string
  readonly arg: string
}

/**
 * Decodes a line's bytes: Telnet commands removed, strict UTF-8 (RFC 2640),
 * no NUL. `Left` is the reply for a line that cannot be a command: 501 for
 * bytes that are not UTF-8 or a NUL, 500 for a verb that is not 3 or 4 letters.
 *
 * @category destructors
 * @since 0.1.0
 */
export const parseCommandLine = (bytes: Buffer): E.Either<Reply, CommandLine> => {
  let text: string
  try {
    text = strictUtf8.decode(stripTelnet(bytes))
  } catch {
    return E.left(reply(501, 'Command is not valid UTF-8'))
  }
  if (text.includes('\0')) return E.left(reply(501, 'Command contains a NUL byte'))
  const space = text.indexOf(' ')
  const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase()
  const arg = space === -1 ? '' : text.slice(space + 1)
  return /^[A-Z]{3,4}$/.test(verb) ? E.right({ verb, arg }) : E.left(reply(500, 'Syntax error, command unrecognized'))
}
