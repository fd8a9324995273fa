/**
 * The one temporary name the library writes beside a file before renaming
 * it into place: `writeFile`'s atomic write and the FTP server's STOR both
 * use it, so a listing can hide every such file and a sweep can find the
 * ones a crash left behind.
 */
import { randomBytes } from 'node:crypto'
import * as posix from 'node:path/posix'

const PREFIX = '.fp-pathio-upload-'
const SUFFIX = '.part'
const PATTERN = /^\.fp-pathio-upload-[0-9a-f]{16}\.part$/

/**
 * `.fp-pathio-upload-<16 hex digits>.part` in the directory of `path`: hidden
 * (a leading dot), unique, and in the same directory so that the final
 * `rename` stays on one file system.
 */
export const temporaryNameFor = (path: string): string =>
  posix.join(posix.dirname(path), `${PREFIX}${randomBytes(8).toString('hex')}${SUFFIX}`)

/** Whether a file name (not a path) is one `temporaryNameFor` makes. */
export const isTemporaryName = (name: string): boolean => PATTERN.test(name)
