/**
 * Upload temporaries: STOR writes `.fp-pathio-upload-<random>.part` beside
 * its target and renames it into place at the end. Listings never show those
 * files (see `isListable`); this module remembers which ones an upload of
 * this process is writing, and removes the ones a crash or a directory
 * renamed mid-upload left behind: stale ones, untouched for longer than the
 * data timeout and written by no upload here.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import { isDirectoryStat, type PathIO } from '../PathIO'
import { isTemporaryName } from '../internal/temporaryName'
import type { Session } from './session'

/**
 * The temporaries uploads of this process are writing now, by name (the
 * random part makes a name unique): process-wide, so that two servers over
 * one directory never remove each other's running uploads, whatever their roots.
 */
const writing = new Set<string>()

/**
 * Marks the upload temporary `temporary` (a path `temporaryNameFor` made)
 * as being written; call the function it returns once the temporary has
 * been renamed or removed. A marked temporary is never removed as stale,
 * however long its client stays silent.
 *
 * @example
 * import { trackUpload, removeStaleUploads } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * const temporary = '/.fp-pathio-upload-00000000000000aa.part'
 * await writeFile(io, temporary, Buffer.from('half'))()
 * await new Promise((later) => setTimeout(later, 5))
 * const untrack = trackUpload(temporary)
 * assert.strictEqual(await removeStaleUploads(io, [temporary], 1), 0)
 * untrack()
 * assert.strictEqual(await removeStaleUploads(io, [temporary], 1), 1)
 *
 * @category utils
 * @since 0.1.0
 */
export const trackUpload = (temporary: string): (() => void) => {
  const name = posix.basename(temporary)
  writing.add(name)
  return () => void writing.delete(name)
}

/**
 * Removes, among `paths`, the upload temporaries that no upload of this
 * process is writing and that nothing has touched for `maxAgeMs`; resolves
 * with how many it removed. Anything else in `paths` is left alone, and a
 * failure (the file gone meanwhile, a refusal) just leaves that file.
 *
 * @example
 * import { removeStaleUploads } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/.fp-pathio-upload-0123456789abcdef.part', Buffer.from('half'))()
 * await writeFile(io, '/kept.txt', Buffer.from('whole'))()
 * await new Promise((later) => setTimeout(later, 5))
 * const removed = await removeStaleUploads(io, ['/.fp-pathio-upload-0123456789abcdef.part', '/kept.txt'], 1)
 * assert.strictEqual(removed, 1)
 * assert.deepStrictEqual(await io.list('/')(), { _tag: 'Right', right: ['/kept.txt'] })
 *
 * @category utils
 * @since 0.1.0
 */
export const removeStaleUploads = async (
  pathio: PathIO<unknown>,
  paths: ReadonlyArray<string>,
  maxAgeMs: number
): Promise<number> => {
  let removed = 0
  for (const path of paths) {
    const name = posix.basename(path)
    if (!isTemporaryName(name) || writing.has(name)) continue
    const stat = await pathio.stat(path)()
    if (E.isLeft(stat) || Date.now() - stat.right.mtimeMs <= maxAgeMs || writing.has(name)) continue
    if (E.isRight(await pathio.unlink(path)())) removed++
  }
  return removed
}

/** Directories each session has swept on a write already: the first STOR into one sweeps it, the next ones do not pay for it. */
const sweptBy = new WeakMap<Session, Set<string>>()

/** A session uploading into more directories than this forgets the oldest (it only sweeps them again). */
const SWEPT_PER_SESSION = 1024

/**
 * Removes the stale upload temporaries of `dir` the first time `session`
 * writes into it (later writes of that session into it cost nothing).
 *
 * @example
 * import { sweepOnWrite, makeSession, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {}, dataTimeout: 1 }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/.fp-pathio-upload-0123456789abcdef.part', Buffer.from('half'))()
 * await new Promise((later) => setTimeout(later, 5))
 * assert.strictEqual(await sweepOnWrite(session, io, '/'), 1)
 * await writeFile(io, '/.fp-pathio-upload-0123456789abcdee.part', Buffer.from('half'))()
 * await new Promise((later) => setTimeout(later, 5))
 * assert.strictEqual(await sweepOnWrite(session, io, '/'), 0) // swept once per session
 *
 * @category utils
 * @since 0.1.0
 */
export const sweepOnWrite = async (session: Session, pathio: PathIO<unknown>, dir: string): Promise<number> => {
  const swept = sweptBy.get(session) ?? new Set<string>()
  sweptBy.set(session, swept)
  if (swept.has(dir)) return 0
  if (swept.size >= SWEPT_PER_SESSION) swept.clear()
  swept.add(dir)
  const listed = await pathio.list(dir)()
  return E.isRight(listed) ? removeStaleUploads(pathio, listed.right, session.config.dataTimeout) : 0
}

/**
 * Options of `sweepTree`.
 *
 * @category model
 * @since 0.1.0
 */
export interface SweepOptions {
  /** A temporary untouched for longer than this is stale (the server's data timeout). */
  readonly maxAgeMs: number
  /** Directories visited at most (a link to an ancestor cannot make it loop for ever); default 10 000. */
  readonly maxDirectories?: number
  /** Checked between directories: the walk stops once it is true (the server is closing). */
  readonly stopped?: () => boolean
}

/**
 * Walks the tree from `root`, one `scan` per directory, and removes the stale
 * upload temporaries it finds (what a server killed mid-upload left); resolves
 * with how many. The server runs it in the background when it starts.
 *
 * @example
 * import { sweepTree } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * await io.mkdir('/a/b', { parents: true })()
 * await writeFile(io, '/a/b/.fp-pathio-upload-0123456789abcdef.part', Buffer.from('half'))()
 * await new Promise((later) => setTimeout(later, 5))
 * assert.strictEqual(await sweepTree(io, '/', { maxAgeMs: 1 }), 1)
 * assert.deepStrictEqual(await io.list('/a/b')(), { _tag: 'Right', right: [] })
 *
 * @category utils
 * @since 0.1.0
 */
export const sweepTree = async (pathio: PathIO<unknown>, root: string, options: SweepOptions): Promise<number> => {
  const { maxAgeMs, maxDirectories = 10_000, stopped = () => false } = options
  const waiting = [root]
  let removed = 0
  for (let next = 0; next < waiting.length && next < maxDirectories && !stopped(); next++) {
    const scanned = await pathio.scan(waiting[next])()
    if (E.isLeft(scanned)) continue
    for (const entry of scanned.right) if (isDirectoryStat(entry.stat)) waiting.push(entry.path)
    removed += await removeStaleUploads(
      pathio,
      scanned.right.map((entry) => entry.path),
      maxAgeMs
    )
  }
  return removed
}
