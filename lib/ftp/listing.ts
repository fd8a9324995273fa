/**
 * Directory listings from `Entry` and `Stat`: LIST (the `ls -l` shape every
 * client parses), NLST, and the machine-readable facts of MLSD and MLST
 * (RFC 3659).
 *
 * @since 0.1.0
 */
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type Stat } from '../PathIO'
import { isTemporaryName } from '../internal/temporaryName'

/**
 * Whether a listing (LIST, NLST, MLSD) shows a name. Not a name with a CR
 * or LF: written raw it would end its line and forge entries of its own.
 * RFC 3659 §2.2 lets a server either convert such names to a form the client
 * can convert back or omit them; no conversion is one every client knows,
 * and many split lines at a lone CR or LF too, so such a file is omitted
 * (clients cannot make one here: a command line ends at CR or LF). Not an
 * upload's temporary `.fp-pathio-upload-<random>.part` either: it is not a
 * file yet.
 *
 * @example
 * import { isListable } from 'fp-pathio/ftp'
 * assert.ok(isListable('report.pdf'))
 * assert.ok(!isListable('evil\r\n-rw-r--r-- 1 ftp ftp 9 Jan 01 00:00 injected'))
 * assert.ok(!isListable('.fp-pathio-upload-0123456789abcdef.part'))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isListable = (name: string): boolean => !/[\r\n]/.test(name) && !isTemporaryName(name)

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const HALF_A_YEAR_MS = 182 * 24 * 3600 * 1000

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/**
 * A time as RFC 3659's `time-val` (UTC `YYYYMMDDHHMMSS`), for MDTM and the
 * `modify` fact.
 *
 * @example
 * import { ftpTime } from 'fp-pathio/ftp'
 * assert.strictEqual(ftpTime(Date.UTC(2024, 0, 2, 3, 4, 5)), '20240102030405')
 *
 * @category destructors
 * @since 0.1.0
 */
export const ftpTime = (ms: number): string => {
  const d = new Date(Number.isFinite(ms) ? ms : 0)
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds())
  )
}

const kindOf = (mode: number): 'dir' | 'file' | 'link' | 'other' => {
  const type = mode & S_IFMT
  return type === S_IFDIR ? 'dir' : type === S_IFREG ? 'file' : type === S_IFLNK ? 'link' : 'other'
}

const TYPE_CHAR = { dir: 'd', file: '-', link: 'l', other: '?' } as const

const permissions = (mode: number): string => {
  const bits = 'rwxrwxrwx'
  let out = ''
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-'
  return out
}

/**
 * One line of a LIST reply, as `ls -l` prints it (UTC times; a date more than
 * half a year from `now` shows the year instead of the time).
 *
 * @example
 * import { listLine } from 'fp-pathio/ftp'
 * import { S_IFREG } from 'fp-pathio'
 * const t = Date.UTC(2024, 4, 6, 7, 8)
 * const line = listLine('a.txt', { size: 3, mtimeMs: t, ctimeMs: t, nlink: 1, mode: S_IFREG | 0o644 }, t)
 * assert.strictEqual(line, '-rw-r--r-- 1 ftp ftp 3 May 06 07:08 a.txt')
 *
 * @category destructors
 * @since 0.1.0
 */
export const listLine = (name: string, stat: Stat, now: number = Date.now()): string => {
  const d = new Date(stat.mtimeMs)
  const recent = Math.abs(now - stat.mtimeMs) < HALF_A_YEAR_MS
  const when = `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${
    recent ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`
  }`
  return `${TYPE_CHAR[kindOf(stat.mode)]}${permissions(stat.mode)} ${stat.nlink} ftp ftp ${stat.size} ${when} ${name}`
}

/**
 * The MLSD/MLST facts of a stat (RFC 3659 §7): `type`, `size`, `modify`,
 * `perm`, `unix.mode`, each followed by `;`.
 *
 * @example
 * import { mlsxFacts } from 'fp-pathio/ftp'
 * import { S_IFDIR } from 'fp-pathio'
 * const facts = mlsxFacts({ size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 2, mode: S_IFDIR | 0o755 })
 * assert.strictEqual(facts, 'type=dir;size=0;modify=19700101000000;perm=cdeflmp;unix.mode=0755;')
 *
 * @category destructors
 * @since 0.1.0
 */
export const mlsxFacts = (stat: Stat): string => {
  const kind = kindOf(stat.mode)
  const type = kind === 'link' ? 'OS.unix=symlink' : kind === 'other' ? 'OS.unix=special' : kind
  const perm = kind === 'dir' ? 'cdeflmp' : 'adfrw'
  const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0')
  return `type=${type};size=${stat.size};modify=${ftpTime(stat.mtimeMs)};perm=${perm};unix.mode=${mode};`
}

/**
 * One line of an MLSD reply: the facts, a space, the name.
 *
 * @example
 * import { mlsdLine } from 'fp-pathio/ftp'
 * import { S_IFREG } from 'fp-pathio'
 * const line = mlsdLine('a b.txt', { size: 3, mtimeMs: 0, ctimeMs: 0, nlink: 1, mode: S_IFREG | 0o644 })
 * assert.ok(line.endsWith('; a b.txt'))
 *
 * @category destructors
 * @since 0.1.0
 */
export const mlsdLine = (name: string, stat: Stat): string => `${mlsxFacts(stat)} ${name}`

/**
 * The features FEAT may announce (RFC 2389), one per line with a leading
 * space, each with the verb it needs in the command table (`TLS` for those
 * that need a certificate).
 *
 * @example
 * import { FEATURES } from 'fp-pathio/ftp'
 * assert.ok(FEATURES.some(({ line }) => line === ' REST STREAM'))
 *
 * @category constants
 * @since 0.1.0
 */
export const FEATURES: ReadonlyArray<{ readonly line: string; readonly needs: string }> = [
  { line: ' AUTH TLS', needs: 'TLS' },
  { line: ' PBSZ', needs: 'TLS' },
  { line: ' PROT', needs: 'TLS' },
  { line: ' EPRT', needs: 'EPRT' },
  { line: ' EPSV', needs: 'EPSV' },
  { line: ' PASV', needs: 'PASV' },
  { line: ' MDTM', needs: 'MDTM' },
  { line: ' MLST type*;size*;modify*;perm*;unix.mode*;', needs: 'MLST' },
  { line: ' REST STREAM', needs: 'REST' },
  { line: ' SIZE', needs: 'SIZE' },
  { line: ' TVFS', needs: 'CWD' },
  { line: ' UTF8', needs: 'OPTS' }
]

/**
 * The FEAT lines that are on: a feature whose command the table has (and,
 * for AUTH TLS, PBSZ and PROT, a server with TLS and those commands).
 *
 * @example
 * import { featuresOn, COMMANDS } from 'fp-pathio/ftp'
 * assert.ok(featuresOn(COMMANDS, true).includes(' AUTH TLS'))
 * assert.ok(!featuresOn(COMMANDS, false).includes(' PROT'))
 * const { SIZE: _size, ...noSize } = COMMANDS
 * assert.ok(!featuresOn(noSize, false).includes(' SIZE'))
 *
 * @category utils
 * @since 0.1.0
 */
export const featuresOn = (commands: Readonly<Record<string, unknown>>, tls: boolean): ReadonlyArray<string> =>
  FEATURES.filter(({ line, needs }) =>
    needs === 'TLS' ? tls && Object.prototype.hasOwnProperty.call(commands, line.trim().split(' ')[0]) : Object.prototype.hasOwnProperty.call(commands, needs)
  ).map(({ line }) => line)
