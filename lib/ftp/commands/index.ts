/**
 * The command table: every command the server knows, with its handler and
 * what it needs before it may run.
 *
 * @since 0.1.0
 */
import type { Command } from '../handler'
import { command } from '../handler'
import { pass, quit, user } from './access'
import { dele, mdtm, mkd, mlst, rmd, rnfr, rnto, size } from './files'
import { list, mlsd, nlst } from './listings'
import { cdup, cwd, pwd } from './navigation'
import { activeMode, epsv, pasv } from './passive'
import { allo, feat, mode, noop, opts, stru, syst, type } from './settings'
import { abor, appe, rest, retr, stor } from './transfers'

export * from './access'
export * from './files'
export * from './listings'
export * from './navigation'
export * from './passive'
export * from './settings'
export * from './transfers'

const anytime = { needsLogin: false } as const
const withArg = { needsArg: true } as const

/**
 * Every command, by verb. A verb not here is 500; a row with `needsLogin`
 * is 530 before PASS; a row with `needsArg` is 501 without an argument.
 *
 * @example
 * import { COMMANDS } from 'fp-pathio/ftp'
 * assert.ok(COMMANDS.RETR.needsLogin)
 *
 * @category constants
 * @since 0.1.0
 */
export const COMMANDS: Readonly<Record<string, Command>> = {
  USER: command(user, { needsLogin: false, needsArg: true }),
  PASS: command(pass, anytime),
  QUIT: command(quit, anytime),
  SYST: command(syst, anytime),
  FEAT: command(feat, anytime),
  NOOP: command(noop, anytime),
  OPTS: command(opts, { needsLogin: false, needsArg: true }),
  TYPE: command(type, withArg),
  MODE: command(mode, withArg),
  STRU: command(stru, withArg),
  ALLO: command(allo),
  PWD: command(pwd),
  XPWD: command(pwd),
  CWD: command(cwd, withArg),
  XCWD: command(cwd, withArg),
  CDUP: command(cdup),
  XCUP: command(cdup),
  PASV: command(pasv),
  EPSV: command(epsv),
  PORT: command(activeMode),
  EPRT: command(activeMode),
  LIST: command(list),
  NLST: command(nlst),
  MLSD: command(mlsd),
  MLST: command(mlst),
  RETR: command(retr, withArg),
  STOR: command(stor, withArg),
  APPE: command(appe, withArg),
  REST: command(rest, withArg),
  ABOR: command(abor),
  SIZE: command(size, withArg),
  MDTM: command(mdtm, withArg),
  MKD: command(mkd, withArg),
  XMKD: command(mkd, withArg),
  RMD: command(rmd, withArg),
  XRMD: command(rmd, withArg),
  DELE: command(dele, withArg),
  RNFR: command(rnfr, withArg),
  RNTO: command(rnto, withArg)
}

/**
 * Verbs that do not cancel a pending REST (RFC 3659: REST must come just
 * before the transfer; these may sit between them harmlessly).
 *
 * @example
 * import { KEEP_REST_OFFSET } from 'fp-pathio/ftp'
 * assert.ok(KEEP_REST_OFFSET.has('PASV') && !KEEP_REST_OFFSET.has('PWD'))
 *
 * @category constants
 * @since 0.1.0
 */
export const KEEP_REST_OFFSET: ReadonlySet<string> = new Set(['REST', 'RETR', 'STOR', 'APPE', 'PASV', 'EPSV', 'TYPE', 'NOOP'])
