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

/**
 * RFC 3659's `time-val` (UTC `YYYYMMDDHHMMSS`, optionally `.` and fractions
 * of a second), as MFMT and SITE UTIME take it: epoch milliseconds (before
 * 1970: negative), or `undefined` for anything else (a date that does not
 * exist, a wrong length, a letter).
 *
 * @category destructors
 * @since 0.4.0
 */
export const parseFtpTime = (text: string): number | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?$/.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number)
  const ms = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000)
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, ms)
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  return same ? date.getTime() : undefined
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
 * The facts MLST and MLSD can send (RFC 3659 §7.5), in the order they are
 * sent and FEAT lists them.
 *
 * @category constants
 * @since 0.4.0
 */
export const MLST_FACTS = ['type', 'size', 'modify', 'perm', 'unix.mode'] as const

/**
 * One of `MLST_FACTS`.
 *
 * @category model
 * @since 0.4.0
 */
export type MlstFact = (typeof MLST_FACTS)[number]

/**
 * `OPTS MLST`'s argument (RFC 3659 §7.9): the facts it selects, in the
 * server's order; unknown fact names are ignored, names are
 * case-insensitive, and no argument selects none. `undefined` for an
 * argument that is not `1*(factname ";")` (a name not ended by `;`, an
 * empty name, a space, an `=`): the 501 case, which changes nothing.
 *
 * @category destructors
 * @since 0.4.0
 */
export const parseMlstOptions = (arg: string): ReadonlyArray<MlstFact> | undefined => {
  if (arg === '') return []
  if (!/^(?:[!-:<>-~]+;)+$/.test(arg)) return undefined
  const asked = new Set(arg.toLowerCase().split(';'))
  return MLST_FACTS.filter((fact) => asked.has(fact))
}

/**
 * The MLSD/MLST facts of a stat (RFC 3659 §7): of `type`, `size`, `modify`,
 * `perm`, `unix.mode`, those in `facts` (default: all), each followed by `;`.
 *
 * @category destructors
 * @since 0.1.0
 */
export const mlsxFacts = (stat: Stat, facts: ReadonlyArray<MlstFact> = MLST_FACTS): string => {
  const kind = kindOf(stat.mode)
  const value: Record<MlstFact, () => string> = {
    type: () => (kind === 'link' ? 'OS.unix=symlink' : kind === 'other' ? 'OS.unix=special' : kind),
    size: () => String(stat.size),
    modify: () => ftpTime(stat.mtimeMs),
    perm: () => (kind === 'dir' ? 'cdeflmp' : 'adfrw'),
    'unix.mode': () => (stat.mode & 0o7777).toString(8).padStart(4, '0')
  }
  return MLST_FACTS.filter((fact) => facts.includes(fact))
    .map((fact) => `${fact}=${value[fact]()};`)
    .join('')
}

/**
 * One line of an MLSD reply: the facts (those in `facts`, default all), a
 * space, the name.
 *
 * @category destructors
 * @since 0.1.0
 */
export const mlsdLine = (name: string, stat: Stat, facts: ReadonlyArray<MlstFact> = MLST_FACTS): string =>
  `${mlsxFacts(stat, facts)} ${name}`

/**
 * FEAT's MLST line: every fact MLST can send, the selected ones marked
 * with `*` (RFC 3659 §7.8).
 *
 * @category destructors
 * @since 0.4.0
 */
export const mlstFeature = (selected: ReadonlyArray<MlstFact>): string =>
  ' MLST ' + MLST_FACTS.map((fact) => `${fact}${selected.includes(fact) ? '*' : ''};`).join('')
