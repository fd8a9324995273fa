/**
 * Asking the server: HELP, STAT (the server's status, the transfer in
 * progress, or a listing on the control connection), and SITE: HELP, CHMOD,
 * UTIME.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { isDirectoryStat } from '../../PathIO'
import { answer, deferred, pathOf, replyOrError, type Handler } from '../handler'
import { listLine, parseFtpTime } from '../listingLines'
import { reply, type Reply } from '../replies'
import { type Transfer } from '../session'
import { setMode, setTime } from './files'

/** Verbs in rows of eight, as `HELP` shows them. */
const rows = (verbs: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < verbs.length; i += 8)
    out.push(
      ' ' +
        verbs
          .slice(i, i + 8)
          .map((v) => v.padEnd(5))
          .join(' ')
          .trimEnd()
    )
  return out
}

/**
 * HELP: 214 and every command of the server's table; `HELP verb`: 214 and
 * the verb's syntax, 501 for a verb the server does not know.
 *
 * @category handlers
 * @since 0.1.0
 */
export const help: Handler = (session, _pathio, arg) => {
  const commands = session.config.commands
  const verb = arg.trim().toUpperCase()
  if (verb === '')
    return answer(214, 'The following commands are recognized:', ...rows(Object.keys(commands).sort()), 'Help OK')
  if (!Object.prototype.hasOwnProperty.call(commands, verb)) return answer(501, `Unknown command ${verb}`)
  return answer(214, `Syntax: ${verb}${commands[verb].help === '' ? '' : ' ' + commands[verb].help}`)
}

/**
 * STAT without an argument: 211 and the session's status (peer, user, TLS,
 * type, data channel). With a path (needs `l`): its listing on the control
 * connection, 212 for a directory, 213 for a file.
 *
 * @category handlers
 * @since 0.1.0
 */
export const stat: Handler = deferred((session, pathio, arg) => {
  const shown = arg.trim()
  if (shown === '')
    return answer(
      211,
      'fp-pathio FTP server status:',
      ` Connected from ${session.remoteAddress}`,
      session.loggedIn ? ` Logged in as ${session.account?.name ?? session.user}` : ' Not logged in',
      ` Control connection ${session.secure ? 'TLS' : 'clear'}; data connections ${session.protection === 'P' ? 'TLS' : 'clear'}`,
      ` TYPE: ${session.type === 'A' ? 'ASCII' : 'BINARY'}; STRUcture: File; MODE: Stream`,
      session.dataChannel === undefined ? ' No data connection' : ' Data connection ready',
      'End of status'
    )
  // Dispatch has checked the login and `l` at the path.
  const path = pathOf(session, shown)
  const now = Date.now()
  return pipe(
    pathio.stat(path),
    TE.chain((st) =>
      isDirectoryStat(st)
        ? pipe(
            pathio.scan(path),
            TE.map((entries) =>
              reply(
                212,
                `Status of ${shown}:`,
                ...[...entries]
                  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
                  .map((e) => ' ' + listLine(e.name, e.stat, now)),
                'End of status'
              )
            )
          )
        : TE.right(reply(213, `Status of ${shown}:`, ' ' + listLine(shown, st, now), 'End of status'))
    ),
    replyOrError(shown)
  )
})

/**
 * STAT's answer while a transfer runs (RFC 959: the status of the
 * operation in progress), sent at once on the control connection, before
 * the transfer's own final reply: 213 with the command, the path, which way
 * the bytes go, how many have crossed the data connection so far, and for
 * how long.
 *
 * @category destructors
 * @since 0.4.0
 */
export const transferStatus = (transfer: Transfer, now: number = Date.now()): Reply => {
  const direction = transfer.direction === 'receiving' ? 'receiving from the client' : 'sending to the client'
  const seconds = transfer.startedAt === undefined ? undefined : Math.max(0, now - transfer.startedAt) / 1000
  return reply(
    213,
    'Status of the transfer in progress:',
    ` ${transfer.verb ?? 'Transfer'}${transfer.path === undefined ? '' : ` ${transfer.path}`}: ${direction}`,
    ` ${transfer.bytes?.() ?? 0} bytes so far${seconds === undefined ? '' : `, in ${seconds.toFixed(1)} s`}`,
    'End of status'
  )
}

/** The SITE commands, with their syntax (SITE HELP). */
const SITE_COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['CHMOD', 'CHMOD <sp> mode <sp> path (octal permission bits, 0 to 777; needs M)'],
  ['HELP', 'HELP'],
  [
    'UTIME',
    'UTIME <sp> YYYYMMDDHHMMSS <sp> path, or UTIME <sp> path <sp> atime <sp> mtime <sp> ctime <sp> UTC (needs T)'
  ]
]

/** `mode path`: octal permission bits (1 to 4 digits, none above 0777: no set-id or sticky bits from a client). */
export const parseChmod = (arg: string): { readonly mode: number; readonly path: string } | undefined => {
  const match = /^([0-7]{1,4}) (.+)$/.exec(arg)
  if (match === null) return undefined
  const mode = parseInt(match[1], 8)
  return mode <= 0o777 ? { mode, path: match[2] } : undefined
}

/**
 * SITE UTIME's two forms: `time path` (as MFMT), and ProFTPD's
 * `path atime mtime ctime UTC` (only the modification time is set).
 */
export const parseUtime = (arg: string): { readonly mtimeMs: number; readonly path: string } | undefined => {
  const five = /^(.+) (\S+) (\S+) (\S+) UTC$/i.exec(arg)
  if (five !== null) {
    const mtimeMs = parseFtpTime(five[3])
    if (mtimeMs !== undefined && parseFtpTime(five[2]) !== undefined && parseFtpTime(five[4]) !== undefined)
      return { mtimeMs, path: five[1] }
  }
  const two = /^(\S+) (.+)$/.exec(arg)
  const mtimeMs = two === null ? undefined : parseFtpTime(two[1])
  return two === null || mtimeMs === undefined ? undefined : { mtimeMs, path: two[2] }
}

/**
 * SITE: `SITE HELP` is 214 and the SITE commands; `SITE CHMOD mode path`
 * sets a path's permission bits (octal, at most 0777; needs the letter `M`,
 * not in the default sets): 200; `SITE UTIME time path` (or ProFTPD's
 * `SITE UTIME path atime mtime ctime UTC`) sets its modification time, as
 * MFMT (needs `T`): 200. A malformed argument is 501; a missing path, a
 * refused permission or a record that cannot (S3) 550. Any other SITE
 * command is 501.
 *
 * @category handlers
 * @since 0.1.0
 */
export const site: Handler = (session, pathio, arg) => {
  const text = arg.trim()
  const [command = ''] = text.split(/\s+/)
  const rest = text.slice(command.length).trim()
  switch (command.toUpperCase()) {
    case 'HELP':
      return answer(214, 'SITE commands recognized:', ...SITE_COMMANDS.map(([, syntax]) => ` ${syntax}`), 'Help OK')
    case 'CHMOD': {
      const asked = parseChmod(rest)
      return asked === undefined
        ? answer(501, 'Invalid SITE CHMOD format: SITE CHMOD mode path (octal, 0 to 777)')
        : setMode(session, pathio, asked.path, asked.mode)
    }
    case 'UTIME': {
      const asked = parseUtime(rest)
      return asked === undefined
        ? answer(501, 'Invalid SITE UTIME format: SITE UTIME YYYYMMDDHHMMSS path')
        : setTime(session, pathio, asked.path, asked.mtimeMs, (time) =>
            reply(200, `Modification time of ${asked.path} set to ${time}`)
          )
    }
    default:
      return answer(501, `Unknown SITE command: ${command}`)
  }
}
