/**
 * The events of FTP commands (`ServerEvent`), read off each command and its
 * reply once it has run: a login (PASS), a change (MKD, RMD, DELE, RNTO,
 * SITE CHMOD, SITE UTIME, MFMT), a refusal for want of TLS. Transfers are
 * noted where they run (`startTransfer`, with their bytes and time) and
 * reported here.
 * Nothing here changes what a command does.
 *
 * @since 0.4.0
 */
import { ANONYMOUS } from '../server/accounts'
import type { Front, ServerEvent } from '../server/events'
import { parseChmod, parseUtime } from './commands/status'
import type { CommandLine } from './lineReader'
import type { Reply } from './replies'
import { virtualPath, type Session } from './session'
import { takeTransferNote } from './transferNotes'

/**
 * What a command's event needs to know of the session as it was before the
 * command ran (the command may change it: PASS logs in, RNTO forgets RNFR).
 *
 * @category model
 * @since 0.4.0
 */
export interface Before {
  readonly user: string | undefined
  readonly loggedIn: boolean
  readonly cwd: string
  readonly renameFrom: string | undefined
  readonly secure: boolean
}

/**
 * The session's state a command's event depends on, taken before it runs.
 *
 * @category utils
 * @since 0.4.0
 */
export const before = (session: Session): Before => ({
  user: session.user,
  loggedIn: session.loggedIn,
  cwd: session.cwd,
  renameFrom: session.renameFrom,
  secure: session.secure
})

const resultOf = (answer: Reply): 'ok' | 'failed' => (answer.code < 400 ? 'ok' : 'failed')

const change = (
  front: Front,
  session: Session,
  was: Before,
  answer: Reply,
  action: Extract<ServerEvent, { _tag: 'Change' }>['action'],
  path: string,
  to?: string
): ServerEvent => ({
  _tag: 'Change',
  front,
  session: session.id,
  address: session.remoteAddress,
  user: session.account?.name ?? was.user ?? '',
  action,
  path: virtualPath(was.cwd, path),
  ...(to === undefined ? {} : { to: virtualPath(was.cwd, to) }),
  result: resultOf(answer),
  code: answer.code
})

/** SITE CHMOD and SITE UTIME change something; the other SITE commands do not. */
const siteChange = (
  front: Front,
  session: Session,
  was: Before,
  arg: string,
  answer: Reply
): ServerEvent | undefined => {
  const [command = ''] = arg.trim().split(/\s+/)
  const rest = arg.trim().slice(command.length).trim()
  switch (command.toUpperCase()) {
    case 'CHMOD': {
      const asked = parseChmod(rest)
      return asked === undefined ? undefined : change(front, session, was, answer, 'chmod', asked.path)
    }
    case 'UTIME': {
      const asked = parseUtime(rest)
      return asked === undefined ? undefined : change(front, session, was, answer, 'utimes', asked.path)
    }
    default:
      return undefined
  }
}

/**
 * The event a command gave, if any: a login for a PASS that answered a
 * USER, a change for a command that changes the tree (whatever its reply:
 * a refused one is `failed` with its code), a transfer for RETR, STOR, APPE
 * and STOU (refused ones too, with no bytes), a refusal for a command refused
 * because TLS is required. Commands of a session no one has logged in to
 * change nothing and give no change.
 *
 * @category destructors
 * @since 0.4.0
 */
export const commandEvent = (
  session: Session,
  was: Before,
  { verb, arg }: CommandLine,
  answer: Reply,
  ms: number,
  front: Front
): ServerEvent | undefined => {
  const { config } = session
  const note = takeTransferNote(session)
  if (config.tlsRequired && !was.secure && (verb === 'USER' || verb === 'PASS') && answer.code === 530)
    return { _tag: 'Refused', front, session: session.id, address: session.remoteAddress, reason: 'TLS required' }
  if (verb === 'PASS' && was.user !== undefined && !was.loggedIn && answer.code !== 503) {
    const ok = session.loggedIn
    const blocked =
      !ok &&
      answer.code === 421 &&
      config.blocked(session.remoteAddress) &&
      session.loginFailures < config.maxLoginAttempts
    return {
      _tag: 'Login',
      front,
      session: session.id,
      address: session.remoteAddress,
      user: was.user,
      method: was.user === ANONYMOUS ? 'anonymous' : 'password',
      ok,
      // An unknown user and a wrong password read alike: the log never tells which names exist.
      ...(ok ? {} : { reason: blocked ? 'too many failed logins' : 'bad credentials' })
    }
  }
  if (!was.loggedIn) return undefined
  if (answer.code === 521)
    return { _tag: 'Refused', front, session: session.id, address: session.remoteAddress, reason: 'TLS required' }
  switch (verb) {
    case 'RETR':
    case 'STOR':
    case 'APPE':
    case 'STOU':
      return {
        _tag: 'Transfer',
        front,
        session: session.id,
        address: session.remoteAddress,
        user: session.account?.name ?? was.user ?? '',
        command: verb,
        direction: verb === 'RETR' ? 'download' : 'upload',
        path: note?.path ?? virtualPath(was.cwd, arg),
        bytes: note?.bytes ?? 0,
        ms: note?.ms ?? Math.round(ms),
        result: note?.ended === 'done' && answer.code < 300 ? 'ok' : note?.ended === 'aborted' ? 'aborted' : 'failed',
        code: answer.code
      }
    case 'MKD':
      return change(front, session, was, answer, 'mkdir', arg)
    case 'RMD':
      return change(front, session, was, answer, 'rmdir', arg)
    case 'DELE':
      return change(front, session, was, answer, 'delete', arg)
    case 'RNTO':
      return was.renameFrom === undefined
        ? undefined
        : change(front, session, was, answer, 'rename', was.renameFrom, arg)
    case 'MFMT': {
      const match = /^\S+ (.+)$/.exec(arg.trim())
      return match === null ? undefined : change(front, session, was, answer, 'utimes', match[1])
    }
    case 'SITE':
      return siteChange(front, session, was, arg, answer)
    default:
      return undefined
  }
}
