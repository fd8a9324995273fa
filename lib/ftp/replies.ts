/**
 * FTP replies: the record a handler returns, its wire format, and the one
 * total function from a `PathIOError` reason to a reply code.
 *
 * @since 0.1.0
 */
import type { PathIOError, Reason } from '../PathIOError'

/**
 * One reply on the control connection. `lines` has at least one line; more
 * than one makes a multi-line reply (RFC 959 §4.2): `code-first`, the middle
 * lines as given (start them with a space), `code last`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Reply {
  readonly code: number
  readonly lines: ReadonlyArray<string>
  /**
   * What the control connection does once the reply is out: `startTls`
   * begins the TLS handshake (AUTH TLS), `close` hangs up (QUIT, too many
   * failed logins).
   */
  readonly after?: 'startTls' | 'close'
}

/**
 * Builds a reply.
 *
 * @example
 * import { reply } from 'fp-pathio/ftp'
 * assert.deepStrictEqual(reply(250, 'Directory changed to /pub'), { code: 250, lines: ['Directory changed to /pub'] })
 *
 * @category constructors
 * @since 0.1.0
 */
export const reply = (code: number, ...lines: ReadonlyArray<string>): Reply => ({
  code,
  lines: lines.length === 0 ? [''] : lines
})

/**
 * The same reply, followed by `after` (see `Reply`).
 *
 * @example
 * import { reply, replyThen } from 'fp-pathio/ftp'
 * assert.strictEqual(replyThen(reply(221, 'Goodbye'), 'close').after, 'close')
 *
 * @category combinators
 * @since 0.1.0
 */
export const replyThen = (answer: Reply, after: NonNullable<Reply['after']>): Reply => ({ ...answer, after })

/** A CR or LF inside a reply would let a file name forge a reply line: replace them. */
const oneLine = (text: string): string => text.replace(/[\r\n]/g, ' ')

/**
 * The reply as it goes on the wire, each line ended by CRLF.
 *
 * @category destructors
 * @since 0.1.0
 */
export const formatReply = ({ code, lines }: Reply): string => {
  if (lines.length <= 1) return `${code} ${oneLine(lines[0] ?? '')}\r\n`
  const middle = lines.slice(1, -1).map((line) => {
    const safe = oneLine(line)
    // A middle line must not start like a final reply line ("211 ...").
    return /^\d{3}[ -]/.test(safe) ? ` ${safe}` : safe
  })
  return (
    [`${code}-${oneLine(lines[0])}`, ...middle, `${code} ${oneLine(lines[lines.length - 1])}`].join('\r\n') + '\r\n'
  )
}

/**
 * The reply code for every reason (RFC 959 §4.2.1): 550 where the path is
 * missing, a directory or a file in the wrong place, or not empty; 553 for a
 * name that is not allowed; 452 for no space (a quota's `EDQUOT` is 552:
 * see `replyForError`); 451 for a failure of the disk,
 * a bad handle or a timeout; 450 for a busy file; 504 for what the backend
 * cannot do.
 *
 * @category constants
 * @since 0.1.0
 */
export const REPLY_CODE_BY_REASON: Readonly<Record<Reason, number>> = {
  NotFound: 550,
  AlreadyExists: 550,
  NotADirectory: 550,
  IsADirectory: 550,
  NotEmpty: 550,
  PermissionDenied: 550,
  ReadOnly: 550,
  InvalidArgument: 553,
  NoSpace: 452,
  Busy: 450,
  Timeout: 451,
  BadHandle: 451,
  Unknown: 451,
  Unsupported: 504,
  // A stopped transfer says 426 where the transfer is answered; anything else stopped is a local failure.
  Cancelled: 451
}

/**
 * The reply code of a reason: a total function (the table has a key for every
 * reason, and the compiler checks it).
 *
 * @category destructors
 * @since 0.1.0
 */
export const replyCodeFor = (reason: Reason): number => REPLY_CODE_BY_REASON[reason]

const WORDING: Readonly<Record<Reason, string>> = {
  NotFound: 'No such file or directory',
  AlreadyExists: 'File exists',
  NotADirectory: 'Not a directory',
  IsADirectory: 'Is a directory',
  NotEmpty: 'Directory not empty',
  PermissionDenied: 'Permission denied',
  ReadOnly: 'Read-only file system',
  InvalidArgument: 'File name not allowed',
  NoSpace: 'Insufficient storage space',
  Busy: 'File busy, try again later',
  Timeout: 'Local error: the operation timed out',
  BadHandle: 'Local error in processing',
  Unknown: 'Local error in processing',
  Unsupported: 'Not supported here',
  Cancelled: 'Operation cancelled'
}

/**
 * Failures of one reason a client must tell apart, by their errno code: a
 * quota (`withQuota`'s `EDQUOT`) is the user's allocation used up, 552
 * (RFC 959: exceeded storage allocation), while a full store (the memory
 * tree's `ENOSPC`, a full disk) stays 452 (insufficient storage space); a
 * rename across the folders of a user's tree (`mount`'s `EXDEV`) stays 504
 * and says what to do instead.
 */
const BY_CODE: Readonly<Record<string, { readonly code?: number; readonly text: string }>> = {
  'NoSpace/EDQUOT': { code: 552, text: 'Exceeded storage allocation (quota)' },
  'Unsupported/EXDEV': { text: 'Cannot rename across folders: copy, then delete' }
}

/**
 * The reply for a failed operation. The text names the path the client gave
 * (`shown`), never a path on the disk. The code is the reason's, but for a
 * quota used up (`NoSpace` with `EDQUOT`): 552, where a full store is 452.
 *
 * @example
 * import { replyForError } from 'fp-pathio/ftp'
 * import { pathIOError } from 'fp-pathio'
 * const r = replyForError(pathIOError('NotFound', 'stat', { path: '/x' }), '/x')
 * assert.deepStrictEqual(r, { code: 550, lines: ['/x: No such file or directory'] })
 * const quota = replyForError(pathIOError('NoSpace', 'write', { code: 'EDQUOT' }), '/big')
 * assert.deepStrictEqual(quota, { code: 552, lines: ['/big: Exceeded storage allocation (quota)'] })
 * const full = replyForError(pathIOError('NoSpace', 'write', { code: 'ENOSPC' }), '/big')
 * assert.deepStrictEqual(full, { code: 452, lines: ['/big: Insufficient storage space'] })
 *
 * @category destructors
 * @since 0.1.0
 */
export const replyForError = (error: PathIOError, shown?: string): Reply => {
  const special = BY_CODE[`${error.reason}/${error.code}`]
  const code = special?.code ?? replyCodeFor(error.reason)
  const text = special?.text ?? WORDING[error.reason]
  return reply(code, shown === undefined ? text : `${shown}: ${text}`)
}

/**
 * A path quoted as RFC 959 asks in a 257 reply: inside double quotes, a quote doubled.
 *
 * @category utils
 * @since 0.1.0
 */
export const quotePath = (path: string): string => `"${path.replace(/"/g, '""')}"`
