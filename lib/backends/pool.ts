/**
 * `makePoolPathIO`: the Node backend's operations run on a pool of
 * `worker_threads`, so the event loop never waits for the disk (aioftp's
 * `AsyncPathIO`). Arguments are checked and paths resolved on the main
 * thread; each operation is then one job in a worker.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { makeDirHandle, makeFileHandle, type DirHandle, type FactoryContext, type FileHandle, type PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import {
  checkCwdOption,
  checkData,
  checkMax,
  checkOffset,
  checkSize,
  checkWhence,
  seekTarget
} from '../internal/arguments'
import { applyContext, checkContext } from '../internal/context'
import { markNormalised } from '../internal/normalised'
import { asyncTask } from '../internal/task'
import { declareRooting } from '../internal/traits'
import { entriesOf, joinChild, mkdirArguments, openArguments, renameArguments, STAT_FIELDS, targetIn, type ScanColumns, type Target } from './disk/operations'
import { makeDiskFile } from './disk/handles'
import { badHandle, lookup, readable, register, release, writable, type HandleTable, type Held } from '../internal/handles'
import {
  checkSizeOption,
  dropJobs,
  internalsOf,
  isWorkerPool,
  makeWorkerPool,
  submit,
  type Exclusive,
  type Failure,
  type PoolFile,
  type PoolListing,
  type WorkerPool
} from './pool/workerPool'
import type { Request, RequestOp, ResultOf } from './pool/protocol'
import { take } from './pool/bufferBank'
import { onAbort } from '../internal/signal'

export { makeWorkerPool, type WorkerPool, type WorkerPoolOptions } from './pool/workerPool'

/**
 * Options of `makePoolPathIO`: the factory context plus `cwd` and `size`.
 *
 * @example
 * import { makePoolPathIO } from 'fp-pathio'
 * const first = makePoolPathIO({ cwd: '/srv/ftp', size: 2 })
 * const second = makePoolPathIO({ cwd: '/srv/ftp', state: first.state }) // same pool
 * assert.strictEqual(second.state, first.state)
 * assert.strictEqual(first.state.size, 2)
 * await first.state.close()
 *
 * @category model
 * @since 0.1.0
 */
export interface PoolOptions extends FactoryContext<WorkerPool> {
  /** Absolute path that relative paths resolve against (default `process.cwd()` when the record is made). */
  readonly cwd?: string
  /** Threads of a new pool (default: available parallelism, at least 4). Ignored when `state` gives a pool. */
  readonly size?: number
}

type Answer<A> = Promise<E.Either<PathIOError, A>>

const left = <A = never>(error: PathIOError): Answer<A> => Promise.resolve(E.left(error))

const closedHandle = (op: string): PathIOError => badHandle(op, 'the handle is closed')

/**
 * What a job gives when the pool cannot run it: after `close`, a handle
 * operation is `BadHandle` and any other `Busy`; a job dropped because its
 * record's signal aborted is `Cancelled`; a worker that died or answered
 * nonsense is `Unknown` (whether the operation happened is unknown).
 */
const failure =
  (op: string, path?: string, onHandle = false): Failure =>
  (why, detail) =>
    pathIOError(why === 'closed' ? (onHandle ? 'BadHandle' : 'Busy') : why === 'cancelled' ? 'Cancelled' : 'Unknown', op, {
      path,
      detail
    })

/** `scan`'s or a page's columns as entries, or `Unknown` if the worker's columns do not match. */
const checkedEntries = (op: string, path: string, columns: ScanColumns) =>
  columns.stats.length === columns.names.length * STAT_FIELDS
    ? E.right(entriesOf(path, columns))
    : E.left(pathIOError('Unknown', op, { path, detail: 'the worker sent a malformed reply' }))

/**
 * Orders the calls on one handle as a synchronous backend would: each starts
 * when the one before it has finished (two reads never read the same bytes).
 * The usual case, one call at a time, runs at once.
 */
const exclusive = <A>(file: Exclusive, body: () => Answer<A>): Answer<A> =>
  file.busy ? new Promise((resolve) => file.waiting.push(() => resolve(runExclusive(file, body)))) : runExclusive(file, body)

const runExclusive = <A>(file: Exclusive, body: () => Answer<A>): Answer<A> => {
  file.busy = true
  const run = body()
  const next = (): void => {
    const waiting = file.waiting.shift()
    if (waiting === undefined) file.busy = false
    else waiting()
  }
  run.then(next, next)
  return run
}

/**
 * The record on `pool`, paths resolved against `cwd`; with `root`, its
 * rooted form: the same operations, none of which ever acts outside that
 * real directory (`withRoot` uses it; the workers run `./disk/confined`).
 * Its jobs carry `signal`, so that the pool can drop them once it aborts.
 */
const poolRecord = (pool: WorkerPool, cwd: string, root: string | undefined, signal: AbortSignal | undefined): PathIO<WorkerPool> => {
  const internals = internalsOf(pool)
  const at = targetIn(cwd, root)

  /** Resolves the path, then runs one job. */
  const onPath =
    <K extends RequestOp>(op: K & string, request: (target: Target) => Extract<Request, { op: K }>) =>
    (path: string): TE.TaskEither<PathIOError, ResultOf<K>> =>
      asyncTask(op, path, () => {
        const target = at(op, path)
        return E.isLeft(target) ? left(target.left) : submit<K>(internals, request(target.right), failure(op, path), undefined, undefined, signal)
      })

  /**
   * What `table` holds for `handle`, open; after the pool closed, nothing is. Plain branches, not
   * `pipe(..., E.chain(...))`: on every read and write, fp-ts's data-last `chain` copies its
   * arguments twice (`Array.from`, a spread), 5% of the main thread's busy time.
   */
  const openIn = <T extends Held>(table: HandleTable<T>, op: string, handle: unknown): E.Either<PathIOError, T> => {
    const found = lookup(table, op, handle)
    return E.isRight(found) && internals.closed ? E.left(badHandle(op, 'the worker pool is closed')) : found
  }
  /** The open file behind a handle. */
  const fileOf = (op: string, file: unknown): E.Either<PathIOError, PoolFile> => openIn(internals.handles, op, file)
  /** The listing behind a directory handle. */
  const listingOf = (op: string, dir: unknown): E.Either<PathIOError, PoolListing> => openIn(internals.listings, op, dir)

  const readdirFailure = failure('readdir', undefined, true)
  const readFailure = failure('read', undefined, true)
  const writeFailure = failure('write', undefined, true)

  const pathio: PathIO<WorkerPool> = {
    state: pool,
    exists: onPath('exists', (target) => ({ op: 'exists', target })),
    isDir: onPath('isDir', (target) => ({ op: 'isDir', target })),
    isFile: onPath('isFile', (target) => ({ op: 'isFile', target })),
    stat: onPath('stat', (target) => ({ op: 'stat', target })),
    rmdir: (path) => pipe(onPath('rmdir', (target) => ({ op: 'rmdir', target }))(path), TE.map(() => undefined)),
    unlink: (path) => pipe(onPath('unlink', (target) => ({ op: 'unlink', target }))(path), TE.map(() => undefined)),
    mkdir: (path, options) =>
      asyncTask('mkdir', path, () =>
        pipe(
          mkdirArguments(at, path, options),
          E.fold(
            (error) => left(error),
            ({ target, flags }) =>
              submit(
                internals,
                { op: 'mkdir', target, parents: flags.parents, existOk: flags.existOk },
                failure('mkdir', path),
                undefined,
                undefined,
                signal
              ).then(E.map(() => undefined))
          )
        )
      ),
    rename: (source, destination) =>
      asyncTask('rename', source, () =>
        pipe(
          renameArguments(at, source, destination),
          E.fold(
            (error) => left<string>(error),
            ({ from, to }) =>
              submit(internals, { op: 'rename', source: from, destination: to }, failure('rename', source), undefined, undefined, signal).then(
                E.map(() => destination)
              )
          )
        )
      ),
    list: (path) =>
      pipe(
        onPath('list', (target) => ({ op: 'list', target }))(path),
        TE.map((names) => names.map((name) => joinChild(path, name)))
      ),
    scan: (path) =>
      pipe(
        onPath('scan', (target) => ({ op: 'scan', target }))(path),
        TE.chainEitherK((columns) => checkedEntries('scan', path, columns))
      ),
    open: (path, mode) =>
      asyncTask('open', path, () =>
        pipe(
          openArguments(at, path, mode),
          E.fold(
            (error) => left<FileHandle>(error),
            ({ target, mode }) =>
              submit(internals, { op: 'open', target, mode }, failure('open', path), undefined, undefined, signal).then(
                E.map(({ fd, size }): FileHandle => {
                  const file: PoolFile = { ...makeDiskFile(fd, mode, size), busy: false, waiting: [] }
                  internals.open.add(file)
                  return register(internals.handles, makeFileHandle(), file)
                })
              )
          )
        )
      ),
    // The hot path: plain checks, one job, the answer mapped as it settles.
    read: (handle, size) =>
      asyncTask('read', undefined, () => {
        const found = fileOf('read', handle)
        if (E.isLeft(found)) return left(found.left)
        const file = found.right
        const mayRead = readable(file)
        if (E.isLeft(mayRead)) return left(mayRead.left)
        const wanted = checkSize(size)
        if (E.isLeft(wanted)) return left(wanted.left)
        return exclusive(file, () => {
          if (file.closed) return left(closedHandle('read'))
          const request = {
            op: 'read',
            fd: file.fd,
            position: file.position,
            size: wanted.right ?? null,
            known: file.size
          } as const
          const onRead = ({ buffer, length, size: known }: { buffer: ArrayBuffer; length: number; size: number }): Uint8Array => {
            file.position += length
            file.size = known
            return Buffer.from(buffer, 0, length)
          }
          return submit(internals, request, readFailure, undefined, onRead, signal)
        })
      }),
    write: (handle, data) =>
      asyncTask('write', undefined, () => {
        const found = fileOf('write', handle)
        if (E.isLeft(found)) return left(found.left)
        const file = found.right
        const mayWrite = writable(file)
        if (E.isLeft(mayWrite)) return left(mayWrite.left)
        const checked = checkData(data)
        if (E.isLeft(checked)) return left(checked.left)
        const bytes = checked.right
        const length = bytes.length
        if (length === 0) return Promise.resolve(E.right(0))
        // The caller keeps its bytes: one copy into a buffer of the pool's, which is then moved, not cloned.
        const buffer = take(internals.bank, length)
        new Uint8Array(buffer, 0, length).set(bytes)
        return exclusive(file, () => {
          if (file.closed) return left(closedHandle('write'))
          const request = {
            op: 'write',
            fd: file.fd,
            position: file.position,
            data: buffer,
            length,
            append: file.mode === 'ab',
            known: file.size
          } as const
          const onWritten = ({ position, size: known }: { position: number; size: number }): number => {
            file.position = position
            file.size = known
            return length
          }
          return submit(internals, request, writeFailure, [buffer], onWritten, signal)
        })
      }),
    seek: (handle, offset, whence) =>
      asyncTask('seek', undefined, () => {
        const checked = pipe(
          E.Do,
          E.apS('file', fileOf('seek', handle)),
          E.apS('offset', checkOffset(offset)),
          E.apS('whence', checkWhence(whence))
        )
        if (E.isLeft(checked)) return left(checked.left)
        const { file, offset: by, whence: from } = checked.right
        return exclusive(file, async () => {
          // The closed-handle check again when the call's turn comes: a `close` may have run in between.
          if (file.closed) return E.left(closedHandle('seek'))
          const size =
            from === 2
              ? await submit(internals, { op: 'size', fd: file.fd }, failure('seek', undefined, true), undefined, undefined, signal)
              : E.right(file.size)
          return pipe(
            size,
            E.chain((end) => seekTarget(file.position, end, by, from)),
            E.map((target) => (file.position = target))
          )
        })
      }),
    close: (handle) =>
      asyncTask('close', undefined, () =>
        Promise.resolve(
          // Marked closed once the operations queued on it before have run.
          release(
            internals.handles,
            'close',
            handle,
            (file) =>
              exclusive(file, () => {
                // After the pool closed, the pool's own `close` closes what is left open.
                if (file.closed || internals.closed) return Promise.resolve(E.right(undefined))
                file.closed = true
                internals.open.delete(file)
                return submit(internals, { op: 'close', fd: file.fd }, failure('close', undefined, true))
              }),
            false
          )
        )
      ),
    opendir: (path) =>
      asyncTask('opendir', path, () => {
        const target = at('opendir', path)
        if (E.isLeft(target)) return left(target.left)
        return submit(internals, { op: 'opendir', target: target.right }, failure('opendir', path), undefined, undefined, signal).then(
          E.map(({ id, thread }): DirHandle => {
            const listing: PoolListing = { path, thread, id, finished: false, closed: false, busy: false, waiting: [] }
            return register(internals.listings, makeDirHandle(), listing)
          })
        )
      }),
    // One page is one job, on the worker that holds the listing; pages of one listing are asked one at a time.
    readdir: (dir, max) =>
      asyncTask('readdir', undefined, () => {
        const found = listingOf('readdir', dir)
        if (E.isLeft(found)) return left(found.left)
        const most = checkMax(max)
        if (E.isLeft(most)) return left(most.left)
        const listing = found.right
        return exclusive(listing, () => {
          if (listing.closed) return left(closedHandle('readdir'))
          if (listing.finished) return Promise.resolve(E.right([]))
          const request = { op: 'readdir', dir: listing.id, max: most.right } as const
          return submit(internals, request, readdirFailure, undefined, undefined, signal, listing.thread).then(
            E.chain((columns) => {
              // A short page is the end: the worker has closed the stream already.
              if (columns.names.length < most.right) listing.finished = true
              return checkedEntries('readdir', listing.path, columns)
            })
          )
        })
      }),
    closedir: (dir) =>
      asyncTask('closedir', undefined, () =>
        Promise.resolve(
          release(
            internals.listings,
            'closedir',
            dir,
            (listing) =>
              exclusive(listing, () => {
                if (listing.closed) return Promise.resolve(E.right(undefined))
                listing.closed = true
                // Read to its end, or held by a worker that is gone (its streams went with it), or the pool closed: nothing to free.
                if (listing.finished || internals.closed) return Promise.resolve(E.right(undefined))
                const request = { op: 'closedir', dir: listing.id } as const
                return submit(internals, request, failure('closedir', undefined, true), undefined, undefined, undefined, listing.thread).then(
                  (closed) => (E.isLeft(closed) && closed.left.reason === 'Unknown' ? E.right(undefined) : closed)
                )
              }),
            false
          )
        )
      )
  }
  return markNormalised(pathio)
}

/**
 * A `PathIO` on the local disk whose every operation runs in a pool of worker
 * threads: the event loop never waits for the disk. Its `state` is the pool;
 * pass it as `state` (or use `withSharedState`) to share threads and handles
 * between records, and `await pathio.state.close()` to end the threads.
 *
 * @example
 * import { makePoolPathIO, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as fs from 'node:fs'
 * import * as os from 'node:os'
 * import * as path from 'node:path'
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-'))
 * const io = makePoolPathIO({ cwd: dir, size: 2 })
 * const sizes = pipe(
 *   writeFile(io, 'a.txt', Buffer.from('abc')),
 *   TE.chain(() => io.scan('.')), // one job on the pool, however many entries
 *   TE.map((entries) => entries.map((e) => [e.path, e.stat.size]))
 * )
 * assert.deepStrictEqual(await sizes(), E.right([['./a.txt', 3]]))
 * await io.state.close() // ends the threads
 * fs.rmSync(dir, { recursive: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePoolPathIO = (options?: PoolOptions): PathIO<WorkerPool> => {
  const context = checkContext<WorkerPool>(options, 'makePoolPathIO')
  const settings = options ?? {}
  const cwd = checkCwdOption(settings.cwd === undefined ? process.cwd() : settings.cwd, 'makePoolPathIO')
  const size = settings.size === undefined ? undefined : checkSizeOption(settings.size, 'makePoolPathIO')
  if (context.state !== undefined && !isWorkerPool(context.state))
    throw new TypeError("makePoolPathIO: option 'state' must be a WorkerPool (the state of another pool record)")
  const pool = context.state ?? makeWorkerPool(size === undefined ? {} : { size })
  const { signal } = context
  // Jobs of this record that no worker has yet are dropped the moment its signal aborts.
  if (signal !== undefined) onAbort(signal, () => dropJobs(internalsOf(pool), signal))
  return applyContext(declareRooting(poolRecord(pool, cwd, undefined, signal), (root) => poolRecord(pool, cwd, root, signal)), context)
}
