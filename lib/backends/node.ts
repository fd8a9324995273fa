/**
 * `makeNodePathIO`: synchronous `node:fs` calls lifted into `TaskEither`
 * (aioftp's blocking `PathIO`). The fastest per call; a call blocks the event
 * loop while it runs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import { makeDirHandle, makeFileHandle, type DirHandle, type FactoryContext, type FileHandle, type PathIO } from '../PathIO'
import { pathIOError, toPathIOError, type PathIOError } from '../PathIOError'
import {
  checkCwdOption,
  checkData,
  checkMax,
  isBytes,
  checkOffset,
  checkSize,
  checkWhence,
  seekTarget
} from '../internal/arguments'
import { applyContext, checkContext } from '../internal/context'
import { markNormalised } from '../internal/normalised'
import { declareRooting } from '../internal/traits'
import { settled } from '../internal/settled'
import { syncTask } from '../internal/task'
import * as disk from './disk/operations'
import { makeDiskFile, type DiskFile } from './disk/handles'
import { heldBy, lookup, makeHandleTable, readable, register, release, writable } from '../internal/handles'
import { allocateFromSlab } from '../internal/slab'

/**
 * Options of `makeNodePathIO`: the factory context plus `cwd`.
 *
 * @example
 * import { makeNodePathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const io = makeNodePathIO({ cwd: '/tmp', timeout: 30_000 })
 * assert.deepStrictEqual(await io.isDir('.')(), E.right(true)) // '.' is /tmp
 *
 * @category model
 * @since 0.1.0
 */
export interface NodeOptions extends FactoryContext<undefined> {
  /** Absolute path that relative paths resolve against (default `process.cwd()` when the record is made). */
  readonly cwd?: string
}

/**
 * One table for every Node record: descriptors are process-wide, so a handle
 * works on any two Node records.
 */
const HANDLES = makeHandleTable<DiskFile>('file handle')

/** One open listing of a Node record: its directory stream, until the end is read or it is closed. */
interface NodeListing extends disk.DiskListing {
  /** The directory as given to `opendir`. */
  readonly path: string
  /** The end was read: the stream is closed already, and every page is `[]`. */
  finished: boolean
  closed: boolean
}

/** Listings, process-wide as descriptors are. */
const LISTINGS = makeHandleTable<NodeListing>('directory handle')

/** Closes a listing's stream once, whether its end was read or it is closed first. */
const finish = (listing: NodeListing): E.Either<PathIOError, void> => {
  if (listing.finished) return E.right(undefined)
  listing.finished = true
  return disk.closeListing(listing)
}

/** The `Left` of a handle check the hot path saw fail (the shared helpers word the error). */
const refusal = (op: string, checked: E.Either<PathIOError, unknown>): E.Either<PathIOError, never> =>
  E.isLeft(checked) ? checked : E.left(pathIOError('BadHandle', op, { code: 'EBADF' }))

/**
 * The record on paths resolved against `cwd`; with `root`, its rooted form:
 * the same operations, none of which ever acts outside that real directory
 * (`withRoot` uses it, see `./disk/confined`).
 */
const nodeRecord = (cwd: string, root?: string): PathIO<undefined> => {
  const at = disk.targetIn(cwd, root)

  const onPath =
    <A>(op: string, body: (target: disk.Target) => E.Either<PathIOError, A>) =>
    (path: string): TaskEither<PathIOError, A> =>
      syncTask(op, path, () => pipe(at(op, path), E.chain(body)))

  const pathio: PathIO<undefined> = {
    state: undefined,
    exists: onPath('exists', (target) => disk.probe('exists', target)),
    isDir: onPath('isDir', (target) => disk.probe('isDir', target)),
    isFile: onPath('isFile', (target) => disk.probe('isFile', target)),
    stat: onPath('stat', disk.stat),
    mkdir: (path, options) =>
      syncTask('mkdir', path, () =>
        pipe(
          disk.mkdirArguments(at, path, options),
          E.chain(({ target, flags }) => disk.mkdir(target, flags.parents, flags.existOk))
        )
      ),
    rmdir: onPath('rmdir', disk.rmdir),
    unlink: onPath('unlink', disk.unlink),
    rename: (source, destination) =>
      syncTask('rename', source, () =>
        pipe(
          disk.renameArguments(at, source, destination),
          E.chain(({ from, to }) => disk.rename(from, to)),
          E.map(() => destination)
        )
      ),
    list: (path) =>
      syncTask('list', path, () =>
        pipe(
          at('list', path),
          E.chain((target) => disk.readNames('list', target)),
          E.map((names) => names.map((name) => disk.joinChild(path, name)))
        )
      ),
    scan: (path) =>
      syncTask('scan', path, () =>
        pipe(
          at('scan', path),
          E.chain(disk.scan),
          E.map((columns) => disk.entriesOf(path, columns))
        )
      ),
    open: (path, mode) =>
      syncTask('open', path, () =>
        pipe(
          disk.openArguments(at, path, mode),
          E.chain(({ target, mode }) =>
            pipe(
              disk.open(target, mode),
              E.map(({ fd, size }): FileHandle => register(HANDLES, makeFileHandle(), makeDiskFile(fd, mode, size)))
            )
          )
        )
      ),
    // The hot path: plain checks (the Either helpers only to word an error), no copies, one `pread` or `pwrite`.
    read: (file, size) => () => {
      try {
        const open = heldBy(HANDLES, file)
        if (open === undefined || open.closed || (open.mode !== 'rb' && open.mode !== 'r+b'))
          return settled(refusal('read', pipe(lookup(HANDLES, 'read', file), E.chain(readable))))
        if (size !== undefined && size !== null && !(Number.isSafeInteger(size) && size >= 0))
          return settled(checkSize(size) as E.Either<PathIOError, never>)
        const bytes = disk.readBlock(open, size ?? undefined, allocateFromSlab)
        open.position += bytes.length
        return settled(E.right(bytes))
      } catch (thrown) {
        return settled(E.left(toPathIOError('read')(thrown)))
      }
    },
    write: (file, data) => () => {
      try {
        const open = heldBy(HANDLES, file)
        if (open === undefined || open.closed || open.mode === 'rb')
          return settled(refusal('write', pipe(lookup(HANDLES, 'write', file), E.chain(writable))))
        if (!isBytes(data)) return settled(checkData(data) as E.Either<PathIOError, never>)
        const length = data.length
        if (length > 0) open.position = disk.writeBlock(open, data, open.mode === 'ab')
        return settled(E.right(length))
      } catch (thrown) {
        return settled(E.left(toPathIOError('write')(thrown)))
      }
    },
    seek: (file, offset, whence) =>
      syncTask('seek', undefined, () =>
        pipe(
          E.Do,
          E.apS('handle', lookup(HANDLES, 'seek', file)),
          E.apS('offset', checkOffset(offset)),
          E.apS('whence', checkWhence(whence)),
          E.chain(({ handle, offset, whence }) =>
            pipe(
              whence === 2 ? disk.sizeOf(handle.fd) : E.right(handle.size),
              E.chain((size) => seekTarget(handle.position, size, offset, whence)),
              E.map((target) => (handle.position = target))
            )
          )
        )
      ),
    close: (file) =>
      // Marked closed first: even if close(2) fails the descriptor is gone (Linux frees it anyway).
      syncTask('close', undefined, () => release(HANDLES, 'close', file, (handle) => disk.close(handle.fd))),
    opendir: (path) =>
      syncTask('opendir', path, () =>
        pipe(
          at('opendir', path),
          E.chain(disk.opendir),
          E.map((listing): DirHandle => register(LISTINGS, makeDirHandle(), { ...listing, path, finished: false, closed: false }))
        )
      ),
    readdir: (dir, max) =>
      syncTask('readdir', undefined, () =>
        pipe(
          E.Do,
          E.apS('listing', lookup(LISTINGS, 'readdir', dir)),
          E.apS('max', checkMax(max)),
          E.chain(({ listing, max }) =>
            listing.finished
              ? E.right([])
              : pipe(
                  disk.readPage(listing, max),
                  // A short page is the end: the stream is closed at once, not when the caller gets round to it.
                  E.chainFirst(({ names }) => (names.length < max ? finish(listing) : E.right(undefined))),
                  E.map((columns) => disk.entriesOf(listing.path, columns))
                )
          )
        )
      ),
    closedir: (dir) =>
      syncTask('closedir', undefined, () => release(LISTINGS, 'closedir', dir, finish))
  }
  return markNormalised(pathio)
}

/**
 * A `PathIO` on the local disk through synchronous `node:fs` calls. `state`
 * is `undefined`; handles work on every Node record of the process.
 *
 * @example
 * import { makeNodePathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as fs from 'node:fs'
 * import * as os from 'node:os'
 * import * as path from 'node:path'
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-'))
 * const io = makeNodePathIO({ cwd: dir })
 * const names = pipe(io.mkdir('pub', { existOk: true }), TE.chain(() => io.list('.')))
 * assert.deepStrictEqual(await names(), E.right(['./pub']))
 * fs.rmSync(dir, { recursive: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeNodePathIO = (options?: NodeOptions): PathIO<undefined> => {
  const context = checkContext<undefined>(options, 'makeNodePathIO')
  const given = options?.cwd
  const cwd = checkCwdOption(given === undefined ? process.cwd() : given, 'makeNodePathIO')
  return applyContext(declareRooting(nodeRecord(cwd), (root) => nodeRecord(cwd, root)), context)
}
