/**
 * The command table: every command the server knows, with its handler and
 * what it needs before it may run.
 *
 * @since 0.1.0
 */
import { command, type Command } from '../handler'
import { pass, quit, rein, user } from './access'
import { eprt, port } from './active'
import { dele, mdtm, mfmt, mkd, mlst, rmd, rnfr, rnto, size } from './files'
import { list, mlsd, nlst } from './listings'
import { cdup, cwd, pwd } from './navigation'
import { epsv, pasv } from './passive'
import { auth, pbsz, prot } from './security'
import { allo, feat, mode, noop, opts, stru, syst, type } from './settings'
import { help, site, stat } from './status'
import { abor, appe, rest, retr, stor, stou } from './transfers'

export * from './access'
export * from './active'
export * from './files'
export * from './listings'
export * from './navigation'
export * from './passive'
export * from './security'
export * from './settings'
export * from './status'
export * from './transfers'

const path = '<sp> pathname'
const file = '<sp> file-name'

/**
 * Every command, by verb, with the syntax HELP shows. A verb not here is
 * 500; a row with `needsLogin` is 530 before PASS; a row with `needsArg` is
 * 501 without an argument.
 *
 * @example
 * import { COMMANDS } from 'fp-pathio/ftp'
 * assert.ok(COMMANDS.RETR.needsLogin)
 * assert.ok(!COMMANDS.AUTH.needsLogin)
 *
 * @category constants
 * @since 0.1.0
 */
export const COMMANDS: Readonly<Record<string, Command>> = {
  USER: command(user, { needsLogin: false, needsArg: true, help: '<sp> user-name' }),
  PASS: command(pass, { needsLogin: false, help: '<sp> password' }),
  QUIT: command(quit, { needsLogin: false, help: '(terminate the session)' }),
  REIN: command(rein, { needsLogin: false, help: '(end the login, keep the connection)' }),
  AUTH: command(auth, { needsLogin: false, needsArg: true, help: '<sp> TLS (secure the control connection)' }),
  PBSZ: command(pbsz, { needsLogin: false, needsArg: true, help: '<sp> 0 (protection buffer size)' }),
  PROT: command(prot, { needsLogin: false, needsArg: true, help: '<sp> P | C (protect the data connections or not)' }),
  SYST: command(syst, { needsLogin: false, help: '(the system type)' }),
  FEAT: command(feat, { needsLogin: false, help: '(the extensions on)' }),
  HELP: command(help, { needsLogin: false, help: '[<sp> command]' }),
  STAT: command(stat, { needsLogin: false, help: `[${path}] (server status, or a listing on the control connection)` }),
  SITE: command(site, { needsArg: true, help: '<sp> HELP | CHMOD mode path | UTIME YYYYMMDDHHMMSS path' }),
  NOOP: command(noop, { needsLogin: false, help: '(no operation)' }),
  OPTS: command(opts, { needsLogin: false, needsArg: true, help: '<sp> UTF8 ON | MLST facts' }),
  TYPE: command(type, { needsArg: true, help: '<sp> A | I' }),
  MODE: command(mode, { needsArg: true, help: '<sp> S' }),
  STRU: command(stru, { needsArg: true, help: '<sp> F' }),
  ALLO: command(allo, { help: '<sp> bytes (nothing to reserve)' }),
  PWD: command(pwd, { help: '(print the current directory)' }),
  XPWD: command(pwd, { help: '(print the current directory)' }),
  CWD: command(cwd, { needsArg: true, help: path }),
  XCWD: command(cwd, { needsArg: true, help: path }),
  CDUP: command(cdup, { help: '(go to the parent directory)' }),
  XCUP: command(cdup, { help: '(go to the parent directory)' }),
  PASV: command(pasv, { help: '(passive mode, IPv4)' }),
  EPSV: command(epsv, { help: '[<sp> 1 | 2 | ALL] (extended passive mode)' }),
  PORT: command(port, { needsArg: true, help: '<sp> h1,h2,h3,h4,p1,p2 (active mode, to your own address)' }),
  EPRT: command(eprt, { needsArg: true, help: '<sp> |proto|address|port| (active mode, to your own address)' }),
  LIST: command(list, { help: `[${path}]` }),
  NLST: command(nlst, { help: `[${path}]` }),
  MLSD: command(mlsd, { help: `[${path}]` }),
  MLST: command(mlst, { help: `[${path}]` }),
  RETR: command(retr, { needsArg: true, help: file }),
  STOR: command(stor, { needsArg: true, help: file }),
  STOU: command(stou, { help: '[<sp> name-prefix] (store under a unique name)' }),
  APPE: command(appe, { needsArg: true, help: file }),
  REST: command(rest, { needsArg: true, help: '<sp> offset' }),
  ABOR: command(abor, { help: '(abort the transfer)' }),
  SIZE: command(size, { needsArg: true, help: file }),
  MDTM: command(mdtm, { needsArg: true, help: file }),
  MFMT: command(mfmt, { needsArg: true, help: `<sp> YYYYMMDDHHMMSS ${file} (set the modification time)` }),
  MKD: command(mkd, { needsArg: true, help: path }),
  XMKD: command(mkd, { needsArg: true, help: path }),
  RMD: command(rmd, { needsArg: true, help: path }),
  XRMD: command(rmd, { needsArg: true, help: path }),
  DELE: command(dele, { needsArg: true, help: file }),
  RNFR: command(rnfr, { needsArg: true, help: file }),
  RNTO: command(rnto, { needsArg: true, help: file })
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
export const KEEP_REST_OFFSET: ReadonlySet<string> = new Set(['REST', 'RETR', 'STOR', 'APPE', 'PASV', 'EPSV', 'PORT', 'EPRT', 'TYPE', 'NOOP'])
