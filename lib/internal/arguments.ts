/**
 * Checks of a caller's arguments, shared by every backend so that each one
 * refuses the same input with the same reason before it touches anything.
 * (The pool runs these on the main thread, before a job reaches a worker.)
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import type { OpenMode, Whence } from '../PathIO'
import { PathIOError, pathIOError } from '../PathIOError'

/** Linux's limits: a name of 255 bytes, a path of 4095 bytes (UTF-8). */
export const NAME_MAX = 255
export const PATH_MAX = 4095

const invalidArgument = (op: string, path: unknown, detail: string): PathIOError =>
  pathIOError('InvalidArgument', op, { path, detail })

const invalid = (op: string, path: unknown, detail: string): E.Either<PathIOError, never> =>
  E.left(invalidArgument(op, path, detail))

/** A path already in canonical form: absolute, no `.`/`..` segment, no `//`, no trailing `/`. */
const isCanonical = (path: string): boolean =>
  path.charCodeAt(0) === 47 &&
  (path.length === 1 || path.charCodeAt(path.length - 1) !== 47) &&
  !path.includes('//') &&
  !path.includes('/.')

const utf8Length = (s: string): number => (s.length * 3 <= NAME_MAX ? s.length : Buffer.byteLength(s))

const withinLimits = (op: string, given: string, resolved: string): string | PathIOError => {
  if (resolved.length > PATH_MAX / 3 && Buffer.byteLength(resolved) > PATH_MAX)
    return invalidArgument(op, given, `path longer than ${PATH_MAX} bytes`)
  if (resolved.length > NAME_MAX / 3) {
    for (const name of resolved.split('/')) {
      if (utf8Length(name) > NAME_MAX) return invalidArgument(op, given, `name longer than ${NAME_MAX} bytes`)
    }
  }
  return resolved
}

/**
 * Resolves `path` lexically against `cwd` (as `path.posix.resolve` does) and
 * checks it: a string, not empty, no NUL byte, Linux's name and path limits.
 */
export const resolvePath = (op: string, cwd: string, path: unknown): E.Either<PathIOError, string> => {
  const resolved = resolvedOrError(op, cwd, path)
  return typeof resolved === 'string' ? E.right(resolved) : E.left(resolved)
}

/**
 * `resolvePath` without the `Either`, for the hot paths of the memory
 * backend: the resolved path (a string), or why there is none.
 */
export const resolvedOrError = (op: string, cwd: string, path: unknown): string | PathIOError => {
  if (typeof path !== 'string') return invalidArgument(op, undefined, `path must be a string, got ${typeName(path)}`)
  if (path.length === 0) return invalidArgument(op, path, 'path is empty')
  if (path.includes('\0')) return invalidArgument(op, path, 'path contains a NUL byte')
  const resolved = isCanonical(path) ? path : posix.resolve(cwd, path)
  return withinLimits(op, path, resolved)
}

/** A directory path as given joined with a child's name: what `list` and `scan` give (relative stays relative). */
export const joinChild = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`)

/** Checks a factory's `cwd` option: an absolute path, or a `TypeError` at once. */
export const checkCwdOption = (cwd: unknown, factory: string): string => {
  if (typeof cwd !== 'string' || !posix.isAbsolute(cwd) || cwd.includes('\0'))
    throw new TypeError(`${factory}: option 'cwd' must be an absolute path string, got ${describe(cwd)}`)
  return posix.resolve(cwd)
}

export const checkMode = (path: unknown, mode: unknown): E.Either<PathIOError, OpenMode> => {
  const checked = modeOrError(path, mode)
  return typeof checked === 'string' ? E.right(checked) : E.left(checked)
}

/** `checkMode` without the `Either`: the mode (`rb` when left out), or why it is not one. */
export const modeOrError = (path: unknown, mode: unknown): OpenMode | PathIOError =>
  mode === undefined || mode === null
    ? 'rb'
    : mode === 'rb' || mode === 'wb' || mode === 'ab' || mode === 'r+b'
      ? mode
      : invalidArgument('open', path, `mode must be one of rb, wb, ab, r+b, got ${describe(mode)}`)

/** `undefined`/`null` mean "to the end"; otherwise a non-negative safe integer. */
export const checkSize = (size: unknown): E.Either<PathIOError, number | undefined> =>
  size === undefined || size === null
    ? E.right(undefined)
    : typeof size === 'number' && Number.isSafeInteger(size) && size >= 0
      ? E.right(size)
      : invalid('read', undefined, `size must be a non-negative safe integer, got ${describe(size)}`)

/** `utimes`'s time: epoch milliseconds, a non-negative safe integer. */
export const checkTime = (op: string, path: unknown, time: unknown): E.Either<PathIOError, number> =>
  typeof time === 'number' && Number.isSafeInteger(time) && time >= 0
    ? E.right(time)
    : invalid(op, path, `the time must be a non-negative safe integer (epoch milliseconds), got ${describe(time)}`)

/** The most permission bits `chmod` takes: the permissions, setuid, setgid and sticky. */
export const PERMISSION_BITS = 0o7777

/** `chmod`'s mode: an integer from 0 to 0o7777 (permission bits only: no file-type bits). */
export const checkPermissionBits = (op: string, path: unknown, mode: unknown): E.Either<PathIOError, number> =>
  typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= PERMISSION_BITS
    ? E.right(mode)
    : invalid(op, path, `mode must be an integer from 0 to 0o7777, got ${describe(mode)}`)

/** `truncate`'s size: a non-negative safe integer. */
export const checkLength = (op: string, size: unknown): E.Either<PathIOError, number> =>
  typeof size === 'number' && Number.isSafeInteger(size) && size >= 0
    ? E.right(size)
    : invalid(op, undefined, `size must be a non-negative safe integer, got ${describe(size)}`)

/** The entries a `readdir` gives when its `max` is left out: one page. */
export const DEFAULT_PAGE_SIZE = 1000

/** `readdir`'s `max`: `undefined`/`null` mean one page; otherwise a positive safe integer. */
export const checkMax = (max: unknown): E.Either<PathIOError, number> =>
  max === undefined || max === null
    ? E.right(DEFAULT_PAGE_SIZE)
    : typeof max === 'number' && Number.isSafeInteger(max) && max > 0
      ? E.right(max)
      : invalid('readdir', undefined, `max must be a positive safe integer, got ${describe(max)}`)

/**
 * A `Uint8Array` (a `Buffer` is one), told without ever throwing: `isView`
 * first, so a proxy (whose `getPrototypeOf` trap may throw) is never asked.
 */
export const isBytes = (data: unknown): data is Uint8Array => {
  try {
    return ArrayBuffer.isView(data) && data instanceof Uint8Array
  } catch {
    return false
  }
}

export const checkData = (data: unknown): E.Either<PathIOError, Uint8Array> => {
  const refused = dataError(data)
  return refused === undefined ? E.right(data as Uint8Array) : E.left(refused)
}

/** `checkData` without the `Either`: why `data` is not a `Uint8Array`, or `undefined` when it is one. */
export const dataError = (data: unknown): PathIOError | undefined =>
  isBytes(data) ? undefined : invalidArgument('write', undefined, `data must be a Uint8Array, got ${typeName(data)}`)

export const checkWhence = (whence: unknown): E.Either<PathIOError, Whence> =>
  whence === undefined || whence === null
    ? E.right(0)
    : whence === 0 || whence === 1 || whence === 2
      ? E.right(whence)
      : invalid('seek', undefined, `whence must be 0, 1 or 2, got ${describe(whence)}`)

export const checkOffset = (offset: unknown): E.Either<PathIOError, number> =>
  typeof offset === 'number' && Number.isSafeInteger(offset)
    ? E.right(offset)
    : invalid('seek', undefined, `offset must be a safe integer, got ${describe(offset)}`)

/** The position `lseek(2)` would give, or `InvalidArgument` before 0 or past a safe integer. */
export const seekTarget = (
  position: number,
  size: number,
  offset: number,
  whence: Whence
): E.Either<PathIOError, number> => {
  const base = whence === 0 ? 0 : whence === 1 ? position : size
  const target = base + offset
  return target < 0 || !Number.isSafeInteger(target)
    ? invalid('seek', undefined, `resulting position ${target} is out of range`)
    : E.right(target)
}

export const checkMkdirOptions = (
  path: unknown,
  options: unknown
): E.Either<PathIOError, { readonly parents: boolean; readonly existOk: boolean }> => {
  if (options === undefined || options === null) return E.right({ parents: false, existOk: false })
  if (typeof options !== 'object') return invalid('mkdir', path, `options must be an object, got ${typeName(options)}`)
  let parents: unknown, existOk: unknown
  try {
    ;({ parents, existOk } = options as { parents?: unknown; existOk?: unknown })
  } catch {
    // A getter that throws (or a hostile proxy) is bad input, not a crash.
    return invalid('mkdir', path, 'options could not be read')
  }
  const flag = (v: unknown): v is boolean | null | undefined => v === undefined || v === null || typeof v === 'boolean'
  return flag(parents) && flag(existOk)
    ? E.right({ parents: parents === true, existOk: existOk === true })
    : invalid('mkdir', path, 'options parents and existOk must be booleans')
}

export const typeName = (u: unknown): string => (u === null ? 'null' : Array.isArray(u) ? 'array' : typeof u)

/** A short, safe description of a value for a message (never throws). */
export const describe = (u: unknown): string => {
  if (typeof u === 'string') return JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}...` : u)
  if (typeof u === 'number' || typeof u === 'boolean' || u === undefined || u === null || typeof u === 'bigint')
    return String(u)
  return typeName(u)
}
