/**
 * A `Stat` as SFTP gives it: the ATTRS of STAT, FSTAT and READDIR, and the
 * `ls -l` line (`longname`) a READDIR entry carries, which OpenSSH's
 * `sftp` prints for `ls -l` as it is.
 *
 * @since 0.3.0
 */
import { S_IFDIR, S_IFLNK, S_IFMT, type Stat } from '../PathIO'

/**
 * ATTRS with every field SFTP v3 knows (flags SIZE, UIDGID, PERMISSIONS, ACMODTIME).
 *
 * @category model
 * @since 0.3.0
 */
export interface Attributes {
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly size: number
  readonly atime: number
  readonly mtime: number
}

/**
 * The attributes of a stat (times in whole seconds; owner and group 0: a
 * record has none).
 *
 * @example
 * import { attributesOf } from 'fp-pathio/sftp'
 * const stat = { size: 5, mtimeMs: 1_700_000_000_500, ctimeMs: 0, nlink: 1, mode: 0o100644 }
 * assert.deepStrictEqual(attributesOf(stat), { mode: 0o100644, uid: 0, gid: 0, size: 5, atime: 1_700_000_000, mtime: 1_700_000_000 })
 *
 * @category constructors
 * @since 0.3.0
 */
export const attributesOf = (stat: Stat): Attributes => {
  const seconds = Math.floor(stat.mtimeMs / 1000)
  return { mode: stat.mode, uid: 0, gid: 0, size: stat.size, atime: seconds, mtime: seconds }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const HALF_A_YEAR_MS = 182 * 24 * 3600 * 1000

const typeLetter = (mode: number): string =>
  (mode & S_IFMT) === S_IFDIR ? 'd' : (mode & S_IFMT) === S_IFLNK ? 'l' : '-'

const permissionLetters = (mode: number): string =>
  [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1]
    .map((bit, i) => ((mode & bit) === 0 ? '-' : 'rwx'[i % 3]))
    .join('')

/** OpenSSH's `ls_file` date: time of day within half a year, else the year. */
const dateOf = (mtimeMs: number, now: number): string => {
  const date = new Date(mtimeMs)
  const day = `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2)}`
  const recent = Math.abs(now - mtimeMs) < HALF_A_YEAR_MS
  const pad = (n: number): string => String(n).padStart(2, '0')
  return recent ? `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}` : `${day}  ${date.getUTCFullYear()}`
}

/**
 * The `ls -l` line of an entry, as OpenSSH's sftp-server writes it (times in UTC).
 *
 * @example
 * import { longnameOf } from 'fp-pathio/sftp'
 * const stat = { size: 5, mtimeMs: Date.UTC(2020, 0, 2, 3, 4), ctimeMs: 0, nlink: 1, mode: 0o100644 }
 * assert.strictEqual(longnameOf('a b.txt', stat, 'alice', Date.UTC(2020, 0, 3)),
 *   '-rw-r--r--    1 alice    alice           5 Jan  2 03:04 a b.txt')
 *
 * @category constructors
 * @since 0.3.0
 */
export const longnameOf = (name: string, stat: Stat, owner: string, now: number = Date.now()): string =>
  `${typeLetter(stat.mode)}${permissionLetters(stat.mode)} ${String(stat.nlink).padStart(4)} ${owner.padEnd(8)} ${owner.padEnd(8)} ${String(
    stat.size
  ).padStart(8)} ${dateOf(stat.mtimeMs, now)} ${name}`
