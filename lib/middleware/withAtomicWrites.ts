/**
 * `withAtomicWrites`: a file opened `wb` appears under its name whole, at
 * `close`, or not at all. The one implementation of atomic writes: the
 * servers' uploads and `writeFile(..., { atomic: true })` both use it.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { isDirectoryStat, type Entry, type FileHandle, type Middleware, type PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { resolvePath } from '../internal/arguments'
import { createsAt, pathArguments } from '../Operations'
import { answerForNothing } from '../internal/calls'
import { isTemporaryName, temporaryNameFor } from '../internal/temporaryName'
import { wrapOperations } from '../internal/wrap'

/** A write in progress: where its bytes go, where they belong, and whether they are wanted. */
interface AtomicWrite {
  readonly temporary: string
  readonly target: string
  abandoned: boolean
}

/** Every atomic write of this process, by its handle. */
const writes = new WeakMap<object, AtomicWrite>()

/**
 * The temporaries being written now in this process, by name (the random
 * part makes a name unique): process-wide, so that two records (or two
 * servers) over one directory never remove each other's running writes.
 */
const writing = new Set<string>()

/**
 * Marks a file that a `withAtomicWrites` record opened `wb` as unwanted: its
 * `close` then removes the temporary and leaves the target as it was (an
 * upload cut short, a write that failed half-way). Gives `true` for such a
 * handle, `false` for any other (whose close is unchanged).
 *
 * @example
 * import { withAtomicWrites, abandonWrite, makeMemoryPathIO, writeFile, readFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = withAtomicWrites()(makeMemoryPathIO())
 * await writeFile(io, '/a.txt', Buffer.from('old'))()
 * const opened = await io.open('/a.txt', 'wb')()
 * assert.ok(E.isRight(opened))
 * await io.write(opened.right, Buffer.from('half'))()
 * assert.strictEqual(abandonWrite(opened.right), true)
 * await io.close(opened.right)()
 * assert.deepStrictEqual(pipe(await readFile(io, '/a.txt')(), E.map(String)), E.right('old'))
 *
 * @category combinators
 * @since 0.3.0
 */
export const abandonWrite = (file: FileHandle): boolean => {
  const write = typeof file === 'object' && file !== null ? writes.get(file) : undefined
  if (write === undefined) return false
  write.abandoned = true
  return true
}

/**
 * Options of `withAtomicWrites`.
 *
 * @category model
 * @since 0.3.0
 */
export interface AtomicWriteOptions {
  /**
   * With it, a temporary untouched for longer than this, and written by no
   * record of this process, is stale (a crash left it): removed when a
   * listing meets it, and the first time a write goes into its directory (a
   * server's housekeeping). Without it (the default), temporaries are only
   * hidden, and no listing or write does more than it was asked.
   */
  readonly staleAfterMs?: number
}

/** Removes `path`, a temporary, if no record of this process is writing it and nothing has touched it for `staleAfterMs`. */
const removeIfStale = async (
  pathio: PathIO<unknown>,
  path: string,
  staleAfterMs: number,
  mtimeMs?: number
): Promise<boolean> => {
  if (writing.has(baseName(path))) return false
  let modified = mtimeMs
  if (modified === undefined) {
    const stat = await pathio.stat(path)()
    if (E.isLeft(stat)) return false
    modified = stat.right.mtimeMs
  }
  if (Date.now() - modified <= staleAfterMs || writing.has(baseName(path))) return false
  return E.isRight(await pathio.unlink(path)())
}

/**
 * Options of `sweepTemporaries`.
 *
 * @category model
 * @since 0.3.0
 */
export interface SweepOptions {
  /** A temporary untouched for longer than this is stale. */
  readonly staleAfterMs: number
  /** Directories visited at most (a link to an ancestor cannot make it loop for ever); default 10 000. */
  readonly maxDirectories?: number
  /** Checked between directories: the walk stops once it is true (a server closing). */
  readonly stopped?: () => boolean
}

/**
 * Walks the tree from `root` of a record without `withAtomicWrites` (where
 * temporaries show), one `scan` per directory, and removes the stale
 * temporaries it finds (what a process killed mid-write left); resolves
 * with how many. A server runs it in the background when it starts.
 *
 * @example
 * import { sweepTemporaries, makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * await io.mkdir('/a/b', { parents: true })()
 * await writeFile(io, '/a/b/.fp-pathio-upload-0123456789abcdef.part', Buffer.from('half'))()
 * await new Promise((later) => setTimeout(later, 5))
 * assert.strictEqual(await sweepTemporaries(io, '/', { staleAfterMs: 1 }), 1)
 * assert.deepStrictEqual(await io.list('/a/b')(), { _tag: 'Right', right: [] })
 *
 * @category helpers
 * @since 0.3.0
 */
export const sweepTemporaries = async <S>(pathio: PathIO<S>, root: string, options: SweepOptions): Promise<number> => {
  const { staleAfterMs, maxDirectories = 10_000, stopped = () => false } = options
  const io = pathio as PathIO<unknown>
  const waiting = [root]
  let removed = 0
  for (let next = 0; next < waiting.length && next < maxDirectories && !stopped(); next++) {
    const scanned = await io.scan(waiting[next])()
    if (E.isLeft(scanned)) continue
    for (const entry of scanned.right) {
      if (isDirectoryStat(entry.stat)) waiting.push(entry.path)
      else if (isTemporaryName(entry.name) && (await removeIfStale(io, entry.path, staleAfterMs, entry.stat.mtimeMs)))
        removed++
    }
  }
  return removed
}

const baseName = (path: string): string => posix.basename(posix.resolve('/', path))

const isTemporaryPath = (path: unknown): boolean =>
  typeof path === 'string' && path !== '' && isTemporaryName(baseName(path))

/** An error about the temporary is told about the caller's path: the temporary name means nothing to them. */
const aboutTarget =
  (temporary: string, target: string) =>
  (error: PathIOError): PathIOError =>
    error.path === temporary
      ? { ...error, path: target, message: error.message.split(`'${temporary}'`).join(`'${target}'`) }
      : error

/**
 * Writes `wb` atomically: `open(p, 'wb')` writes to a hidden temporary
 * beside `p` (`.fp-pathio-upload-<16 hex digits>.part`, in the same
 * directory so the rename stays on one file system), and `close` renames it
 * onto `p`, so a reader sees the old content or the new, never half; a
 * `close` after `abandonWrite` removes it instead. `open(p, 'wb')` still
 * fails as it would on `p` (a directory is `IsADirectory`, a missing parent
 * `NotFound`); `ab` and `r+b` write in place, as asked. The new file is a
 * new entry: it does not keep the old one's permission bits, and a handle
 * open on the old file keeps reading the old content.
 *
 * Temporaries are invisible and untouchable by name through this record: no
 * listing shows them (nor anything else named like one), a lookup of one
 * finds nothing (`NotFound`, `false`), and creating such a name is
 * `InvalidArgument`. With `staleAfterMs`, stale ones are removed when a
 * listing meets them and the first time a write goes into their directory.
 * Close a handle through the record that opened it (another record of the
 * same state closes the temporary without renaming it).
 *
 * @example
 * import { withAtomicWrites, makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const inner = makeMemoryPathIO()
 * const io = withAtomicWrites()(inner)
 * const opened = await io.open('/report.txt', 'wb')()
 * assert.ok(E.isRight(opened))
 * await io.write(opened.right, Buffer.from('all of it'))()
 * assert.deepStrictEqual(await io.list('/')(), E.right([])) // nothing shows until close
 * assert.strictEqual((await inner.list('/')() as E.Right<ReadonlyArray<string>>).right.length, 1) // the temporary
 * await io.close(opened.right)()
 * assert.deepStrictEqual(await io.list('/')(), E.right(['/report.txt']))
 *
 * @category combinators
 * @since 0.3.0
 */
export const withAtomicWrites = (options: AtomicWriteOptions = {}): Middleware => {
  const staleAfterMs = options.staleAfterMs
  if (staleAfterMs !== undefined && !(typeof staleAfterMs === 'number' && staleAfterMs >= 0))
    throw new TypeError(
      `withAtomicWrites: option 'staleAfterMs' must be a non-negative number, got ${String(staleAfterMs)}`
    )

  return <S>(pathio: PathIO<S>): PathIO<S> => {
    const inner = pathio as PathIO<unknown>
    /** Directories a write of this record has swept already. */
    const swept = new Set<string>()

    /** What a listing may show: no temporary, the stale ones removed on the way. */
    const visibleEntries = async (entries: ReadonlyArray<Entry>): Promise<ReadonlyArray<Entry>> => {
      if (!entries.some((entry) => isTemporaryName(entry.name))) return entries
      if (staleAfterMs !== undefined)
        for (const entry of entries)
          if (isTemporaryName(entry.name)) await removeIfStale(inner, entry.path, staleAfterMs, entry.stat.mtimeMs)
      return entries.filter((entry) => !isTemporaryName(entry.name))
    }
    const visiblePaths = async (paths: ReadonlyArray<string>): Promise<ReadonlyArray<string>> => {
      if (!paths.some(isTemporaryPath)) return paths
      if (staleAfterMs !== undefined)
        for (const path of paths) if (isTemporaryPath(path)) await removeIfStale(inner, path, staleAfterMs)
      return paths.filter((path) => !isTemporaryPath(path))
    }
    const sweepOnce = async (dir: string): Promise<void> => {
      const key = posix.resolve('/', dir)
      if (staleAfterMs === undefined || swept.has(key)) return
      swept.add(key)
      const listed = await inner.list(dir)()
      if (E.isRight(listed)) await visiblePaths(listed.right)
    }

    const openAtomically =
      (target: string): TE.TaskEither<PathIOError, FileHandle> =>
      async () => {
        const existing = await inner.stat(target)()
        if (E.isRight(existing) && isDirectoryStat(existing.right))
          return E.left(pathIOError('IsADirectory', 'open', { path: target, code: 'EISDIR' }))
        // Told as the open it is (a file in the way of the path: NotADirectory).
        if (E.isLeft(existing) && existing.left.reason !== 'NotFound')
          return E.left({ ...existing.left, op: 'open', message: existing.left.message.replace(/^stat /, 'open ') })
        await sweepOnce(posix.dirname(target))
        const temporary = temporaryNameFor(target)
        writing.add(baseName(temporary))
        const opened = await inner.open(temporary, 'wb')()
        if (E.isLeft(opened)) {
          writing.delete(baseName(temporary))
          return E.left(aboutTarget(temporary, target)(opened.left))
        }
        writes.set(opened.right, { temporary, target, abandoned: false })
        return opened
      }

    const closeAtomically =
      (file: FileHandle, write: AtomicWrite): TE.TaskEither<PathIOError, void> =>
      async () => {
        const closed = await inner.close(file)()
        writes.delete(file)
        const { temporary, target } = write
        const kept = E.isRight(closed) && !write.abandoned ? await inner.rename(temporary, target)() : undefined
        if (kept === undefined || E.isLeft(kept)) await inner.unlink(temporary)()
        writing.delete(baseName(temporary))
        if (E.isLeft(closed)) return E.left(aboutTarget(temporary, target)(closed.left))
        return kept !== undefined && E.isLeft(kept)
          ? E.left(aboutTarget(temporary, target)(kept.left))
          : E.right(undefined)
      }

    /** An operation that names a temporary: it finds nothing there, and cannot make one. */
    const refuseTemporary = (op: string, path: unknown, creates: boolean): TE.TaskEither<PathIOError, never> =>
      TE.left(
        creates
          ? pathIOError('InvalidArgument', op, { path, detail: 'the name is reserved for temporary files' })
          : pathIOError('NotFound', op, { path, code: 'ENOENT' })
      )

    return wrapOperations(
      (op, args, next) => {
        const given = args as ReadonlyArray<unknown>
        const paths = pathArguments(op, args)
        const named = paths.findIndex(isTemporaryPath)
        if (named >= 0) {
          const lookup = answerForNothing(op)
          if (lookup !== undefined) return TE.right(lookup.answer)
          return refuseTemporary(op, paths[named], createsAt(op, args, named))
        }
        switch (op) {
          case 'open':
            return given[1] === 'wb' && E.isRight(resolvePath('open', '/', given[0]))
              ? (openAtomically(given[0] as string) as never)
              : next(...args)
          case 'close': {
            const write = typeof given[0] === 'object' && given[0] !== null ? writes.get(given[0]) : undefined
            return write === undefined ? next(...args) : (closeAtomically(given[0] as FileHandle, write) as never)
          }
          case 'list':
            return (async () => {
              const listed = await next(...args)()
              return E.isLeft(listed) ? listed : E.right(await visiblePaths(listed.right as ReadonlyArray<string>))
            }) as never
          case 'scan':
            return (async () => {
              const scanned = await next(...args)()
              return E.isLeft(scanned) ? scanned : E.right(await visibleEntries(scanned.right as ReadonlyArray<Entry>))
            }) as never
          case 'readdir':
            return (async () => {
              // A page of nothing but temporaries is not the end of the listing: read on.
              for (;;) {
                const page = await next(...args)()
                if (E.isLeft(page) || (page.right as ReadonlyArray<Entry>).length === 0) return page
                const visible = await visibleEntries(page.right as ReadonlyArray<Entry>)
                if (visible.length > 0) return E.right(visible)
              }
            }) as never
          default:
            return next(...args)
        }
        // A 'wb' file appears whole at close, not as it is written.
      },
      (capabilities) => Object.freeze({ ...capabilities, visibleWhileWriting: false })
    )(pathio)
  }
}
