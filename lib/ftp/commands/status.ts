/**
 * Asking the server: HELP, STAT (the server's status, or a listing on the
 * control connection), SITE HELP.
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { isDirectoryStat } from '../../PathIO'
import { answer, deferred, pathOf, replyOrError, whenRun, type Handler } from '../handler'
import { listLine } from '../listing'
import { reply } from '../replies'
import { may } from '../session'

/** Verbs in rows of eight, as `HELP` shows them. */
const rows = (verbs: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < verbs.length; i += 8) out.push(' ' + verbs.slice(i, i + 8).map((v) => v.padEnd(5)).join(' ').trimEnd())
  return out
}

/**
 * HELP: 214 and every command of the server's table; `HELP verb`: 214 and
 * the verb's syntax, 501 for a verb the server does not know.
 *
 * @example
 * import { help, makeSession, sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * const session = makeSession({ id: 1, remoteAddress: '::1', localAddress: '::1', send: () => undefined, config: sessionConfig({ commands: COMMANDS }) })
 * const all = await help(session, undefined as never, '')()
 * assert.ok(all._tag === 'Right' && all.right.code === 214 && all.right.lines.some((l) => l.includes('RETR')))
 * const one = await help(session, undefined as never, 'stou')()
 * assert.ok(one._tag === 'Right' && one.right.lines[0].startsWith('Syntax: STOU'))
 *
 * @category handlers
 * @since 0.1.0
 */
export const help: Handler = (session, _pathio, arg) => {
  const commands = session.config.commands
  const verb = arg.trim().toUpperCase()
  if (verb === '') return answer(214, 'The following commands are recognized:', ...rows(Object.keys(commands).sort()), 'Help OK')
  if (!Object.prototype.hasOwnProperty.call(commands, verb)) return answer(501, `Unknown command ${verb}`)
  return answer(214, `Syntax: ${verb}${commands[verb].help === '' ? '' : ' ' + commands[verb].help}`)
}

/**
 * STAT without an argument: 211 and the session's status (peer, user, TLS,
 * type, data channel). With a path (needs `l`): its listing on the control
 * connection, 212 for a directory, 213 for a file.
 *
 * @example
 * import { stat, makeSession, sessionConfig, COMMANDS } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * const session = makeSession({ id: 1, remoteAddress: '::1', localAddress: '::1', send: () => undefined, config: sessionConfig({ commands: COMMANDS }) })
 * const r = await stat(session, makeMemoryPathIO(), '')()
 * assert.ok(r._tag === 'Right' && r.right.code === 211 && r.right.lines.includes(' Connected from ::1'))
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
  if (!session.loggedIn) return answer(530, 'Please login with USER and PASS')
  const path = pathOf(session, shown)
  if (!may(session, 'l', path))
    return answer(550, `${shown}: Permission denied`)
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
                ...[...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => ' ' + listLine(e.name, e.stat, now)),
                'End of status'
              )
            )
          )
        : TE.right(reply(213, `Status of ${shown}:`, ' ' + listLine(shown, st, now), 'End of status'))
    ),
    replyOrError(shown)
  )
})

/** The SITE commands: only HELP. */
const SITE_COMMANDS: ReadonlyArray<string> = ['HELP']

/**
 * SITE: `SITE HELP` is 214 and the SITE commands; any other is 501.
 *
 * @example
 * import { site } from 'fp-pathio/ftp'
 * const r = await site(undefined as never, undefined as never, 'help')()
 * assert.ok(r._tag === 'Right' && r.right.code === 214)
 * const other = await site(undefined as never, undefined as never, 'CHMOD 777 x')()
 * assert.ok(other._tag === 'Right' && other.right.code === 501)
 *
 * @category handlers
 * @since 0.1.0
 */
export const site: Handler = (_session, _pathio, arg) =>
  whenRun(() => {
    const [command = ''] = arg.trim().split(/\s+/)
    return command.toUpperCase() === 'HELP'
      ? reply(214, 'SITE commands recognized:', ...SITE_COMMANDS.map((c) => ` ${c}`), 'Help OK')
      : reply(501, `Unknown SITE command: ${command}`)
  })
