/**
 * The command table: every command the server knows, with its handler and
 * what it needs before it may run.
 *
 * @since 0.1.0
 */
import { command, type Command, type FeatureContext } from '../handler'
import { mlstFeature } from '../listingLines'
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

const path = '<sp> pathname'
const file = '<sp> file-name'

/** A command's path is its argument; an empty one is the current directory. */
const whole = (arg: string): string => arg
/** STAT's path, when it has one (without, it is the server's status). */
const given = (arg: string): string | undefined => (arg.trim() === '' ? undefined : arg)
/** CDUP's path: the parent. */
const parent = (): string => '..'
/** STOU's: the name's start, in the current directory. */
const prefix = (arg: string): string => (arg.trim() === '' ? 'stou' : arg.trim())

const only = (line: string) => () => [line]
const withTls = (line: string) => (on: FeatureContext) => (on.tls ? [line] : [])

/**
 * Every command, by verb, with the syntax HELP shows and what dispatch
 * checks before its handler runs: a login (530 before PASS), the argument
 * rule (501), the permission letter at its path (550, pyftpdlib's
 * letters), the capability its record needs (504). The order of the rows
 * is the order of FEAT's lines.
 *
 * @example
 * import { COMMANDS } from 'fp-pathio/ftp'
 * assert.ok(COMMANDS.RETR.needsLogin && COMMANDS.RETR.permission === 'r')
 * assert.ok(!COMMANDS.AUTH.needsLogin)
 * assert.strictEqual(COMMANDS.APPE.needs, 'append')
 *
 * @category constants
 * @since 0.1.0
 */
export const COMMANDS: Readonly<Record<string, Command>> = {
  AUTH: command(auth, {
    needsLogin: false,
    argument: 'required',
    help: '<sp> TLS (secure the control connection)',
    features: withTls(' AUTH TLS')
  }),
  PBSZ: command(pbsz, {
    needsLogin: false,
    argument: 'required',
    help: '<sp> 0 (protection buffer size)',
    features: withTls(' PBSZ')
  }),
  PROT: command(prot, {
    needsLogin: false,
    argument: 'required',
    help: '<sp> P | C (protect the data connections or not)',
    features: withTls(' PROT')
  }),
  EPRT: command(eprt, {
    argument: 'required',
    keepsRest: true,
    help: '<sp> |proto|address|port| (active mode, to your own address)',
    features: only(' EPRT')
  }),
  EPSV: command(epsv, {
    argument: 'optional',
    keepsRest: true,
    help: '[<sp> 1 | 2 | ALL] (extended passive mode)',
    features: only(' EPSV')
  }),
  PASV: command(pasv, { keepsRest: true, help: '(passive mode, IPv4)', features: only(' PASV') }),
  MDTM: command(mdtm, { argument: 'required', permission: 'l', help: file, features: only(' MDTM') }),
  MFMT: command(mfmt, {
    argument: 'required',
    help: `<sp> YYYYMMDDHHMMSS ${file} (set the modification time)`,
    features: (on) => (on.capabilities.times ? [' MFMT'] : [])
  }),
  MLST: command(mlst, {
    argument: 'optional',
    permission: 'l',
    help: `[${path}]`,
    features: (on) => [mlstFeature(on.mlstFacts)]
  }),
  REST: command(rest, { argument: 'required', keepsRest: true, help: '<sp> offset', features: only(' REST STREAM') }),
  SITE: command(site, {
    argument: 'required',
    help: '<sp> HELP | CHMOD mode path | UTIME YYYYMMDDHHMMSS path',
    features: (on) => [
      ...(on.capabilities.modes ? [' SITE CHMOD'] : []),
      ...(on.capabilities.times ? [' SITE UTIME'] : [])
    ]
  }),
  SIZE: command(size, { argument: 'required', permission: 'l', help: file, features: only(' SIZE') }),
  CWD: command(cwd, { argument: 'required', permission: 'e', pathIn: whole, help: path, features: only(' TVFS') }),
  OPTS: command(opts, {
    needsLogin: false,
    argument: 'required',
    help: '<sp> UTF8 ON | MLST facts',
    features: only(' UTF8')
  }),
  USER: command(user, { needsLogin: false, argument: 'required', help: '<sp> user-name' }),
  PASS: command(pass, { needsLogin: false, argument: 'optional', help: '<sp> password' }),
  QUIT: command(quit, { needsLogin: false, help: '(terminate the session)' }),
  REIN: command(rein, { needsLogin: false, help: '(end the login, keep the connection)' }),
  SYST: command(syst, { needsLogin: false, help: '(the system type)' }),
  FEAT: command(feat, { needsLogin: false, help: '(the extensions on)' }),
  HELP: command(help, { needsLogin: false, argument: 'optional', help: '[<sp> command]' }),
  STAT: command(stat, {
    needsLogin: false,
    argument: 'optional',
    permission: 'l',
    pathIn: given,
    help: `[${path}] (server status, or a listing on the control connection)`
  }),
  NOOP: command(noop, { needsLogin: false, keepsRest: true, help: '(no operation)' }),
  TYPE: command(type, { argument: 'required', keepsRest: true, help: '<sp> A | I' }),
  MODE: command(mode, { argument: 'required', help: '<sp> S' }),
  STRU: command(stru, { argument: 'required', help: '<sp> F' }),
  ALLO: command(allo, { argument: 'optional', help: '<sp> bytes (nothing to reserve)' }),
  PWD: command(pwd, { help: '(print the current directory)' }),
  XPWD: command(pwd, { help: '(print the current directory)' }),
  XCWD: command(cwd, { argument: 'required', permission: 'e', help: path }),
  CDUP: command(cdup, { permission: 'e', pathIn: parent, help: '(go to the parent directory)' }),
  XCUP: command(cdup, { permission: 'e', pathIn: parent, help: '(go to the parent directory)' }),
  PORT: command(port, {
    argument: 'required',
    keepsRest: true,
    help: '<sp> h1,h2,h3,h4,p1,p2 (active mode, to your own address)'
  }),
  LIST: command(list, { argument: 'optional', usesData: true, help: `[${path}]` }),
  NLST: command(nlst, { argument: 'optional', usesData: true, help: `[${path}]` }),
  MLSD: command(mlsd, { argument: 'optional', usesData: true, help: `[${path}]` }),
  RETR: command(retr, { argument: 'required', permission: 'r', keepsRest: true, usesData: true, help: file }),
  STOR: command(stor, { argument: 'required', permission: 'w', keepsRest: true, usesData: true, help: file }),
  STOU: command(stou, {
    argument: 'optional',
    permission: 'w',
    pathIn: prefix,
    usesData: true,
    help: '[<sp> name-prefix] (store under a unique name)'
  }),
  APPE: command(appe, {
    argument: 'required',
    permission: 'a',
    needs: 'append',
    keepsRest: true,
    usesData: true,
    help: file
  }),
  ABOR: command(abor, { help: '(abort the transfer)' }),
  MKD: command(mkd, { argument: 'required', help: path }),
  XMKD: command(mkd, { argument: 'required', help: path }),
  RMD: command(rmd, { argument: 'required', help: path }),
  XRMD: command(rmd, { argument: 'required', help: path }),
  DELE: command(dele, { argument: 'required', help: file }),
  RNFR: command(rnfr, { argument: 'required', permission: 'f', help: file }),
  RNTO: command(rnto, { argument: 'required', help: file })
}
