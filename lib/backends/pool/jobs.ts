/**
 * What the pool record's operations share: how a job's failure is worded,
 * the handles behind a call, calls on one handle kept in order, and one job
 * per path operation.
 */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import { pathIOError, type PathIOError } from '../../PathIOError'
import { badHandle, lookup, type HandleTable, type Held } from '../../internal/handleTable'
import { asyncTask } from '../../internal/task'
import { entriesOf, STAT_FIELDS, type Locate, type ScanColumns, type Target } from '../disk/syscalls'
import type { Request, RequestOp, ResultOf } from './protocol'
import { submit, type Exclusive, type Failure, type PoolFile, type PoolInternals, type PoolListing } from './workerPool'

/** What one pool record's operations work with: the pool's insides, where its paths lead, and the signal its jobs carry. */
export interface PoolSettings {
  readonly internals: PoolInternals
  /** Resolves a caller's path (against the record's cwd, inside its root when it has one). */
  readonly at: Locate
  /** The record's signal: the pool drops its jobs that no worker has started once it aborts. */
  readonly signal: AbortSignal | undefined
}

export type Answer<A> = Promise<E.Either<PathIOError, A>>

export const left = <A = never>(error: PathIOError): Answer<A> => Promise.resolve(E.left(error))

export const closedHandle = (op: string): PathIOError => badHandle(op, 'the handle is closed')

/**
 * What a job gives when the pool cannot run it: after `close`, a handle
 * operation is `BadHandle` and any other `Busy`; a job dropped because its
 * record's signal aborted is `Cancelled`; a worker that died or answered
 * nonsense is `Unknown` (whether the operation happened is unknown).
 */
export const failure =
  (op: string, path?: string, onHandle = false): Failure =>
  (why, detail) =>
    pathIOError(
      why === 'closed' ? (onHandle ? 'BadHandle' : 'Busy') : why === 'cancelled' ? 'Cancelled' : 'Unknown',
      op,
      {
        path,
        detail
      }
    )

/** `scan`'s or a page's columns as entries, or `Unknown` if the worker's columns do not match. */
export const checkedEntries = (op: string, path: string, columns: ScanColumns) =>
  columns.stats.length === columns.names.length * STAT_FIELDS
    ? E.right(entriesOf(path, columns))
    : E.left(pathIOError('Unknown', op, { path, detail: 'the worker sent a malformed reply' }))

/**
 * Orders the calls on one handle as a synchronous backend would: each starts
 * when the one before it has finished (two reads never read the same bytes).
 * The usual case, one call at a time, runs at once.
 */
export const exclusive = <A>(file: Exclusive, body: () => Answer<A>): Answer<A> =>
  file.busy
    ? new Promise((resolve) => file.waiting.push(() => resolve(runExclusive(file, body))))
    : runExclusive(file, body)

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
 * What `table` holds for `handle`, open; after the pool closed, nothing is. Plain branches, not
 * `pipe(..., E.chain(...))`: on every read and write, fp-ts's data-last `chain` copies its
 * arguments twice (`Array.from`, a spread), 5% of the main thread's busy time.
 */
const openIn = <T extends Held>(
  internals: PoolInternals,
  table: HandleTable<T>,
  op: string,
  handle: unknown
): E.Either<PathIOError, T> => {
  const found = lookup(table, op, handle)
  return E.isRight(found) && internals.closed ? E.left(badHandle(op, 'the worker pool is closed')) : found
}

/** The open file behind a handle. */
export const fileOf = (internals: PoolInternals, op: string, file: unknown): E.Either<PathIOError, PoolFile> =>
  openIn(internals, internals.handles, op, file)

/** The listing behind a directory handle. */
export const listingOf = (internals: PoolInternals, op: string, dir: unknown): E.Either<PathIOError, PoolListing> =>
  openIn(internals, internals.listings, op, dir)

/** An operation on one path: resolves it, then runs one job. */
export const onPath =
  ({ internals, at, signal }: PoolSettings) =>
  <K extends RequestOp>(op: K & string, request: (target: Target) => Extract<Request, { op: K }>) =>
  (path: string): TE.TaskEither<PathIOError, ResultOf<K>> =>
    asyncTask(op, path, () => {
      const target = at(op, path)
      return E.isLeft(target)
        ? left(target.left)
        : submit<K>(internals, request(target.right), failure(op, path), undefined, undefined, signal)
    })
