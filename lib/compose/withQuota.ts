/**
 * `withQuota`: a record that refuses, with `NoSpace` and nothing changed,
 * any change that would take its files' bytes or count above a limit.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { mutates } from '../Operations'
import {
  isFileStat,
  OpenMode,
  type ArgsOf,
  type GivesOf,
  type Middleware,
  type Operation,
  type OperationName,
  type PathIO
} from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { describe, isBytes } from '../internal/arguments'
import { asyncTask } from '../internal/task'
import { wrapOperations } from '../internal/wrap'
import { refusal } from './given'
import { tallyTree } from './walk'

/**
 * What a tree's files use, as `withQuota` counts it: regular files and
 * their sizes (holes included); directories count for nothing. Shared by
 * every record given it (every session of one user over one tree), so they
 * all count against one quota. Its fields are read-only: the middleware
 * keeps them.
 *
 * @category model
 * @since 0.4.0
 */
export interface QuotaUsage {
  /** The sum of the files' sizes, as last measured and kept since. */
  readonly bytes: number
  /** How many regular files. */
  readonly files: number
  /** Whether the tree has been measured (by the first change through a record counting against it). */
  readonly measured: boolean
}

/**
 * Options of `withQuota`. A limit left out is no limit.
 *
 * @category model
 * @since 0.4.0
 */
export interface QuotaOptions {
  /** The most bytes the files may hold in all (a file's size, holes included). */
  readonly maxBytes?: number
  /** The most regular files. */
  readonly maxFiles?: number
  /** The counter to count against (`makeQuotaUsage()`), shared by records over one tree; left out: one of its own per record wrapped. */
  readonly usage?: QuotaUsage
}

/** A file opened for writing through a quota: its size as counted, shared by the handles open on it. */
interface CountedFile {
  size: number
  handles: number
  /** Off once the file was unlinked or replaced: its bytes no longer count. */
  counted: boolean
}

/** What a counter keeps beside its public fields. */
interface Keeping {
  bytes: number
  files: number
  measured: boolean
  /** The walk in progress, which every change waits for. */
  measuring: Promise<E.Either<PathIOError, void>> | undefined
  /** Files open for writing, by path (resolved against `/`). */
  readonly open: Map<string, CountedFile>
}

/** A handle opened for writing through a quota. */
interface Writing {
  readonly usage: Keeping
  readonly file: CountedFile
  readonly append: boolean
  position: number
  closed: boolean
}

const writing = new WeakMap<object, Writing>()

const keepingOf = (usage: QuotaUsage): Keeping => usage as unknown as Keeping

/**
 * A fresh usage counter, not measured yet: give the same one to every
 * record over one tree (each session of one user) so that all count
 * against one quota.
 *
 * @example
 * import { makeQuotaUsage, withQuota, makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const usage = makeQuotaUsage()
 * assert.deepStrictEqual(usage, { bytes: 0, files: 0, measured: false })
 * const tree = makeMemoryPathIO().state
 * const session = () => withQuota({ maxBytes: 10, usage })(makeMemoryPathIO({ state: tree }))
 * await writeFile(session(), '/a', Buffer.from('12345'))()
 * await writeFile(session(), '/b', Buffer.from('123'))()
 * assert.strictEqual(usage.bytes, 8)
 * assert.strictEqual(usage.files, 2)
 *
 * @category constructors
 * @since 0.4.0
 */
export const makeQuotaUsage = (): QuotaUsage => {
  const keeping: Keeping = { bytes: 0, files: 0, measured: false, measuring: undefined, open: new Map() }
  Object.defineProperty(keeping, 'measuring', { enumerable: false })
  Object.defineProperty(keeping, 'open', { enumerable: false })
  return keeping
}

/**
 * Forgets what a counter has counted: the next change through a record
 * counting against it walks the tree again. For a tree that another writer
 * (a process, a record without the quota) has changed behind the counter's
 * back; a server can do it when a user's first session starts.
 *
 * @example
 * import { makeQuotaUsage, remeasure, withQuota, makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const inner = makeMemoryPathIO()
 * const usage = makeQuotaUsage()
 * const io = withQuota({ maxFiles: 10, usage })(inner)
 * await writeFile(io, '/a', Buffer.from('a'))()
 * await writeFile(inner, '/behind-its-back', Buffer.from('bb'))() // not seen
 * assert.strictEqual(usage.files, 1)
 * remeasure(usage)
 * await io.mkdir('/d')() // a change: the tree is walked first
 * assert.strictEqual(usage.files, 2)
 * assert.strictEqual(usage.bytes, 3)
 *
 * @category utils
 * @since 0.4.0
 */
export const remeasure = (usage: QuotaUsage): void => {
  const keeping = keepingOf(usage)
  keeping.measured = false
}

const checkLimit = (value: unknown, name: string): number => {
  if (value === undefined) return Infinity
  if (typeof value !== 'number' || (!(Number.isSafeInteger(value) && value >= 0) && value !== Infinity))
    throw new TypeError(`withQuota: '${name}' must be a non-negative integer, got ${describe(value)}`)
  return value
}

const isUsage = (u: unknown): u is QuotaUsage =>
  typeof u === 'object' && u !== null && (u as Keeping).open instanceof Map && typeof (u as Keeping).bytes === 'number'

/** How a quota sees the paths it is given: resolved against `/`, to find the files open on them. */
const keyOf = (path: unknown): string | undefined =>
  typeof path === 'string' && path !== '' && !path.includes('\0') ? posix.resolve('/', path) : undefined

const shrink = (keeping: Keeping, bytes: number, files: number): void => {
  keeping.bytes = Math.max(0, keeping.bytes - bytes)
  keeping.files = Math.max(0, keeping.files - files)
}

/** What a quota does around one call of `K`: the call, the inner record, and the counter and limits. */
type Accounting<K extends OperationName> = (
  args: ArgsOf<K>,
  next: Operation<K>,
  quota: Quota
) => TaskEither<PathIOError, GivesOf<K>>

interface Quota {
  readonly inner: PathIO<unknown>
  readonly usage: Keeping
  readonly maxBytes: number
  readonly maxFiles: number
}

/** Changes nothing a quota counts. */
const neutral = <K extends OperationName>(args: ArgsOf<K>, next: Operation<K>): TaskEither<PathIOError, GivesOf<K>> =>
  next(...args)

const exceeded = (op: string, path: unknown, quota: Quota, what: 'bytes' | 'files'): PathIOError =>
  refusal(
    'NoSpace',
    op,
    path,
    what === 'bytes'
      ? `quota exceeded: at most ${quota.maxBytes} bytes`
      : `quota exceeded: at most ${quota.maxFiles} files`,
    'EDQUOT'
  )

/** Takes `bytes` more from the quota, or says which limit it would cross. */
const reserve = (quota: Quota, bytes: number, files: number): 'bytes' | 'files' | undefined => {
  const { usage } = quota
  if (files > 0 && usage.files + files > quota.maxFiles) return 'files'
  if (bytes > 0 && usage.bytes + bytes > quota.maxBytes) return 'bytes'
  usage.bytes += bytes
  usage.files += files
  return undefined
}

/** The stat of a path, or `undefined` where there is nothing (or nothing a lookup can say). */
const statOf = async (inner: PathIO<unknown>, path: string) => {
  const stat = await inner.stat(path)()
  return E.isRight(stat) ? stat.right : undefined
}

/**
 * Each operation's effect on a quota. The compiler demands an entry for
 * every operation: a new one must say whether it changes what files hold.
 */
const ACCOUNTING: { readonly [K in OperationName]: Accounting<K> } = {
  exists: neutral,
  realpath: neutral,
  isDir: neutral,
  isFile: neutral,
  stat: neutral,
  list: neutral,
  scan: neutral,
  opendir: neutral,
  readdir: neutral,
  closedir: neutral,
  mkdir: neutral,
  rmdir: neutral,
  utimes: neutral,
  chmod: neutral,
  unlink: ([path], next, { inner, usage }) =>
    asyncTask('unlink', path, async () => {
      const before = usage.measured ? await statOf(inner, path) : undefined
      const removed = await next(path)()
      if (E.isRight(removed) && before !== undefined && isFileStat(before)) {
        const key = keyOf(path) as string
        const open = usage.open.get(key)
        shrink(usage, open?.size ?? before.size, 1)
        if (open !== undefined) {
          open.counted = false
          usage.open.delete(key)
        }
      }
      return removed
    }),
  rename: ([source, destination], next, { inner, usage }) =>
    asyncTask('rename', source, async () => {
      const from = keyOf(source)
      const to = keyOf(destination)
      const replaced = usage.measured && from !== to ? await statOf(inner, destination) : undefined
      const moved = await next(source, destination)()
      if (E.isLeft(moved) || from === undefined || to === undefined || from === to) return moved
      if (replaced !== undefined && isFileStat(replaced)) {
        const open = usage.open.get(to)
        shrink(usage, open?.size ?? replaced.size, 1)
        if (open !== undefined) open.counted = false
        usage.open.delete(to)
      }
      // Files open under the source are now under the destination.
      for (const [key, file] of [...usage.open]) {
        if (key !== from && !key.startsWith(`${from}/`)) continue
        usage.open.delete(key)
        usage.open.set(to + key.slice(from.length), file)
      }
      return moved
    }),
  open: ([path, mode], next, quota) =>
    asyncTask('open', path, async () => {
      const { inner, usage } = quota
      const key = keyOf(path)
      if (mode === undefined || mode === null || mode === 'rb' || !OpenMode.is(mode) || key === undefined)
        return next(path, mode)()
      const known = usage.open.get(key)
      const before = await statOf(inner, path)
      if (before !== undefined && !isFileStat(before)) return next(path, mode)()
      const creating = before === undefined && mode !== 'r+b'
      if (creating) {
        const crossed = reserve(quota, 0, 1)
        if (crossed !== undefined) return E.left(exceeded('open', path, quota, crossed))
      }
      const opened = await next(path, mode)()
      if (E.isLeft(opened)) {
        if (creating) shrink(usage, 0, 1)
        return opened
      }
      const size = known?.size ?? before?.size ?? 0
      const file = known ?? { size, handles: 0, counted: true }
      if (mode === 'wb' && size > 0) {
        // Truncated: what it held is free.
        shrink(usage, size, 0)
        file.size = 0
      }
      file.handles++
      usage.open.set(key, file)
      writing.set(opened.right, { usage, file, append: mode === 'ab', position: 0, closed: false })
      return opened
    }),
  write: ([file, data], next, quota) =>
    asyncTask('write', undefined, async () => {
      const open = typeof file === 'object' && file !== null ? writing.get(file) : undefined
      if (open === undefined || open.closed || !isBytes(data) || data.length === 0) return next(file, data)()
      const { file: counted, usage } = open
      const at = open.append ? counted.size : open.position
      const grows = counted.counted ? Math.max(0, at + data.length - counted.size) : 0
      if (grows > 0) {
        const crossed = reserve({ ...quota, usage }, grows, 0)
        if (crossed !== undefined) return E.left(exceeded('write', undefined, quota, crossed))
        counted.size += grows
      }
      const written = await next(file, data)()
      if (E.isLeft(written)) {
        if (grows > 0) {
          counted.size -= grows
          shrink(usage, grows, 0)
        }
        return written
      }
      open.position = open.append ? counted.size : at + written.right
      return written
    }),
  truncate: ([file, size], next, quota) =>
    asyncTask('truncate', undefined, async () => {
      const open = typeof file === 'object' && file !== null ? writing.get(file) : undefined
      if (open === undefined || open.closed || !Number.isSafeInteger(size) || size < 0 || !open.file.counted)
        return next(file, size)()
      const { file: counted, usage } = open
      const grows = size - counted.size
      if (grows > 0) {
        const crossed = reserve({ ...quota, usage }, grows, 0)
        if (crossed !== undefined) return E.left(exceeded('truncate', undefined, quota, crossed))
      }
      const cut = await next(file, size)()
      if (E.isLeft(cut)) {
        if (grows > 0) shrink(usage, grows, 0)
        return cut
      }
      if (grows < 0) shrink(usage, -grows, 0)
      counted.size = size
      return cut
    }),
  read:
    ([file, size], next) =>
    async () => {
      const read = await next(file, size)()
      const open = typeof file === 'object' && file !== null ? writing.get(file) : undefined
      if (open !== undefined && E.isRight(read)) open.position += read.right.length
      return read
    },
  seek:
    ([file, offset, whence], next) =>
    async () => {
      const moved = await next(file, offset, whence)()
      const open = typeof file === 'object' && file !== null ? writing.get(file) : undefined
      if (open !== undefined && E.isRight(moved)) open.position = moved.right
      return moved
    },
  close:
    ([file], next) =>
    async () => {
      const closed = await next(file)()
      const open = typeof file === 'object' && file !== null ? writing.get(file) : undefined
      if (open !== undefined && E.isRight(closed) && !open.closed) {
        open.closed = true
        if (--open.file.handles === 0)
          for (const [key, counted] of open.usage.open) if (counted === open.file) open.usage.open.delete(key)
      }
      return closed
    }
}

/** The tree measured, once per counter (a walk every change waits for). */
const measured = (inner: PathIO<unknown>, usage: Keeping): Promise<E.Either<PathIOError, void>> => {
  if (usage.measured) return Promise.resolve(E.right(undefined))
  if (usage.measuring !== undefined) return usage.measuring
  const walk = tallyTree(inner, '/').then((tally): E.Either<PathIOError, void> => {
    usage.measuring = undefined
    if (E.isLeft(tally)) return tally
    usage.bytes = tally.right.bytes
    usage.files = tally.right.files
    usage.measured = true
    return E.right(undefined)
  })
  usage.measuring = walk
  return walk
}

/**
 * Refuses, with `NoSpace` (`EDQUOT`) and nothing changed, any change that
 * would take the record's files above `maxBytes` in all (a file's size,
 * holes included) or above `maxFiles` regular files; reaching a limit
 * exactly is allowed. A write that would cross it writes none of its bytes
 * (what the file held stays), an `open` that would make one file too many
 * makes none, a `truncate` that would lengthen past it moves nothing.
 * Directories count for nothing.
 *
 * The usage is measured once, by a walk of the whole record from `/`,
 * before the first change through any record counting against it; from
 * then on the middleware keeps it from its own operations (`open` in `wb`
 * frees what it truncates, `unlink` and a `rename` onto a file free that
 * file). Give several records (every session of one user) one counter,
 * `usage: makeQuotaUsage()`, and they count against one quota; mount
 * several quotas for one per folder, or put one around the mount for one
 * over all. Wrap a record whose whole tree is the user's (`withRoot`
 * around a disk record, a bucket prefix, a memory tree): the walk starts at its `/`.
 *
 * Another writer (a process, a record that does not count against the
 * counter) changes the tree behind its back: its files are not counted
 * until `remeasure(usage)` (or, for one of our handles, from their next
 * write on), so the quota refuses too late after its additions and too
 * early after its deletions; counts never go below zero. Files open through
 * a quota are known by their path resolved against `/`.
 *
 * A limit that is not a non-negative integer (or `Infinity`), or a `usage`
 * not made by `makeQuotaUsage`, is a `TypeError` at once.
 *
 * @example
 * import { withQuota, makeMemoryPathIO, writeFile, readFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = withQuota({ maxBytes: 8, maxFiles: 2 })(makeMemoryPathIO())
 * assert.ok(E.isRight(await writeFile(io, '/a', Buffer.from('12345678'))())) // exactly the limit
 * const opened = await io.open('/a', 'ab')()
 * assert.ok(E.isRight(opened))
 * assert.deepStrictEqual(pipe(await io.write(opened.right, Buffer.from('9'))(), E.mapLeft((e) => e.reason)), E.left('NoSpace'))
 * await io.close(opened.right)()
 * assert.deepStrictEqual(pipe(await readFile(io, '/a')(), E.map(String)), E.right('12345678'))
 * await writeFile(io, '/b', Buffer.alloc(0))()
 * assert.deepStrictEqual(pipe(await io.open('/c', 'wb')(), E.mapLeft((e) => e.reason)), E.left('NoSpace'))
 *
 * @category combinators
 * @since 0.4.0
 */
export const withQuota = (options: QuotaOptions): Middleware => {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`withQuota: options must be a record, got ${describe(options)}`)
  const maxBytes = checkLimit(options.maxBytes, 'maxBytes')
  const maxFiles = checkLimit(options.maxFiles, 'maxFiles')
  if (options.usage !== undefined && !isUsage(options.usage))
    throw new TypeError("withQuota: 'usage' must be made by makeQuotaUsage()")
  return <S>(pathio: PathIO<S>): PathIO<S> => {
    const usage = keepingOf(options.usage ?? makeQuotaUsage())
    return wrapOperations((op, args, next, inner) => {
      const quota: Quota = { inner, usage, maxBytes, maxFiles }
      const account = ACCOUNTING[op] as Accounting<typeof op>
      if (!mutates(op, args)) return account(args, next, quota)
      return async () => {
        const ready = await measured(inner, usage)
        return E.isLeft(ready) ? ready : account(args, next, quota)()
      }
    })(pathio)
  }
}
