/**
 * The pool of `worker_threads` behind `makePoolPathIO`: it spawns workers as
 * jobs need them, sends each job to the least busy one, replaces a worker that
 * dies (failing only its own jobs) and shuts down on `close`.
 *
 * It also holds the handle table (descriptor, mode, position of each open
 * file) on the main thread: descriptors are process-wide and every read and
 * write is positional, so any worker can serve any handle.
 */
import { Worker } from 'node:worker_threads'
import * as os from 'node:os'
import * as E from 'fp-ts/Either'
import type { Task } from 'fp-ts/Task'
import type { PathIOError } from '../../PathIOError'
import { RELEASING_OPERATIONS } from '../../Operations'
import * as disk from '../disk/syscalls'
import type { DiskFile } from '../disk/diskFile'
import { makeHandleTable, type HandleTable } from '../../internal/handleTable'
import { give, makeBufferBank, type BufferBank } from './bufferBank'
import { workerLaunch } from './launch'
import { makeJournal, recover, startedCount, type Journal } from './journal'
import { countBusy, makeSpinLock, releaseLock, type SpinLock } from './spin'
import {
  OPEN_REPLY_CODEC,
  REPLY_RESULT_CODECS,
  ReplyBatchCodec,
  type Request,
  type RequestOp,
  type ResultOf
} from './protocol'

/**
 * A pool of worker threads: the `state` of every `makePoolPathIO` record
 * made on it. `close` ends the workers; a pool never keeps the process alive
 * by itself.
 *
 * @example
 * import { makePoolPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = makePoolPathIO()
 * assert.deepStrictEqual(await io.exists('/')(), E.right(true))
 * await io.state.close() // at shutdown
 * assert.ok(io.state.isClosed())
 * assert.deepStrictEqual(pipe(await io.exists('/')(), E.mapLeft((e) => e.reason)), E.left('Busy'))
 *
 * @category model
 * @since 0.1.0
 */
export interface WorkerPool {
  readonly _tag: 'WorkerPool'
  /** How many threads it runs at most. */
  readonly size: number
  /** Ends the workers; jobs pending and every later call give a `Left`. Resolves once every thread has exited. */
  readonly close: Task<void>
  /** Whether `close` has been called. */
  readonly isClosed: () => boolean
}

/**
 * Options of `makeWorkerPool`.
 *
 * @example
 * import { makeWorkerPool } from 'fp-pathio'
 * const pool = makeWorkerPool({ size: 4 }) // at most 4 threads, started as jobs come
 * assert.strictEqual(pool.size, 4)
 * await pool.close()
 *
 * @category model
 * @since 0.1.0
 */
export interface WorkerPoolOptions {
  /** Threads, a positive integer (default: the machine's available parallelism, at least 4). */
  readonly size?: number
}

/** Something whose calls run one at a time, as on a synchronous backend. */
export interface Exclusive {
  /** A call on it is running. */
  busy: boolean
  /** Calls waiting for their turn. */
  readonly waiting: Array<() => void>
}

/** An open file of the pool. */
export interface PoolFile extends DiskFile, Exclusive {}

/** An open listing of the pool: it lives in one worker, which serves all its pages. */
export interface PoolListing extends Exclusive {
  /** The directory as given to `opendir`. */
  readonly path: string
  /** The `threadId` of the worker holding it, and its id there. */
  readonly thread: number
  readonly id: number
  /** The end was read: the worker has closed it, every page is `[]`. */
  finished: boolean
  closed: boolean
}

/**
 * Why the pool could not run a job: it is closed, the worker died, the
 * answer made no sense, or the job's signal aborted before a worker took it.
 */
export type Why = 'closed' | 'died' | 'malformed' | 'cancelled'

/** Builds the error of a job the pool could not run. */
export type Failure = (why: Why, detail: string) => PathIOError

interface Job {
  readonly id: number
  readonly request: Request
  readonly transfer: ReadonlyArray<ArrayBuffer>
  /** The error this job gives when the pool cannot run it. */
  readonly failure: Failure
  readonly resolve: (result: E.Either<PathIOError, unknown>) => void
  /** The signal of the record that asked: once aborted, the job is dropped if no worker has it yet. */
  readonly signal: AbortSignal | undefined
  settled: boolean
}

interface Slot {
  readonly worker: Worker
  /** The worker's `threadId`, kept: it is what the spin lock holds. */
  readonly thread: number
  /** What the worker started and opened: read once it has exited. */
  readonly journal: Journal
  /** Jobs posted and not yet answered. */
  readonly jobs: Map<number, Job>
  /** Jobs given to it this turn, posted together as one message at the end of the turn. */
  readonly outbox: Array<Job>
  exited: boolean
  error?: unknown
}

/** Everything the pool keeps out of sight of its users (so a `WorkerPool` cannot be forged). */
export interface PoolInternals {
  readonly size: number
  readonly slots: Array<Slot>
  queue: Array<Job>
  closed: boolean
  closing: Promise<void> | undefined
  nextId: number
  /** Jobs posted to workers so far (a test checks that one operation is one job). */
  posted: number
  readonly handles: HandleTable<PoolFile>
  /** Listings, each held by one worker (which closes them when it ends). */
  readonly listings: HandleTable<PoolListing>
  /** Jobs started by workers that have exited since (the rest are in the live workers' journals). */
  startedByExited: number
  /** Files still open, closed by the pool's own `close`. */
  readonly open: Set<PoolFile>
  /** Buffers that carry write data to the workers, used again and again. */
  readonly bank: BufferBank
  /** Which worker may poll awake for its next batch (see `./spin`). */
  readonly spin: SpinLock
}

const INTERNALS = new WeakMap<WorkerPool, PoolInternals>()

/**
 * Jobs a worker holds at once. Enough that it always has the next job at
 * hand and that jobs go out many to a message; few enough that a slow job
 * (a big `scan`) holds up little behind it while another worker is free.
 */
const PIPELINE = 16
/** How long `close` waits for a worker to finish what it was given before terminating it. */
const SHUTDOWN_GRACE_MS = 5_000

export const internalsOf = (pool: WorkerPool): PoolInternals => {
  const internals = INTERNALS.get(pool)
  if (internals === undefined) throw new TypeError('not a WorkerPool')
  return internals
}

export const isWorkerPool = (u: unknown): u is WorkerPool =>
  typeof u === 'object' && u !== null && INTERNALS.has(u as WorkerPool)

const completeJob = (job: Job, result: E.Either<PathIOError, unknown>): void => {
  if (job.settled) return
  job.settled = true
  job.resolve(result)
}

/** A late answer nobody waits for any more: an `open` that succeeded must not leak its descriptor. */
const discard = (job: Job, result: unknown): void => {
  if (job.request.op !== 'open') return
  if (OPEN_REPLY_CODEC.is(result) && result._tag === 'Right') disk.close(result.right.fd)
}

const flush = (slot: Slot): void => {
  const jobs = slot.outbox.splice(0)
  if (jobs.length === 0 || slot.exited) return
  const transfer: Array<ArrayBuffer> = []
  for (const job of jobs) for (const buffer of job.transfer) transfer.push(buffer)
  slot.worker.postMessage(
    jobs.map((job) => ({ id: job.id, request: job.request })),
    transfer
  )
}

const post = (slot: Slot, job: Job, internals: PoolInternals): void => {
  slot.jobs.set(job.id, job)
  // A busy worker keeps the process alive until it answers; an idle one never does.
  if (slot.jobs.size === 1) {
    slot.worker.ref()
    countBusy(internals.spin, 1)
  }
  internals.posted++
  if (slot.outbox.push(job) === 1) queueMicrotask(() => flush(slot))
}

const release = (internals: PoolInternals, slot: Slot, id: number): Job | undefined => {
  const job = slot.jobs.get(id)
  if (job === undefined) return undefined
  slot.jobs.delete(id)
  if (slot.jobs.size === 0) {
    slot.worker.unref()
    countBusy(internals.spin, -1)
  }
  return job
}

const onReply = (internals: PoolInternals, slot: Slot, message: unknown): void => {
  // `.is`, not `.decode`: the codecs transform nothing, and a guard allocates nothing per reply.
  if (!ReplyBatchCodec.is(message)) {
    // Answers we cannot match to jobs: the worker is not to be trusted; its jobs fail and it is replaced.
    slot.error = new Error('a worker sent a malformed reply')
    void slot.worker.terminate()
    return
  }
  for (const reply of message) {
    if (reply.spare !== undefined) give(internals.bank, reply.spare)
    const job = release(internals, slot, reply.id)
    if (job === undefined) continue
    if (job.settled) discard(job, reply.result)
    else {
      const result = reply.result
      const valid = REPLY_RESULT_CODECS[job.request.op].is(result)
      completeJob(job, valid ? result : E.left(job.failure('malformed', 'the worker sent a malformed reply')))
    }
  }
  pump(internals)
}

const onExit = (internals: PoolInternals, slot: Slot, code: number): void => {
  if (slot.exited) return
  slot.exited = true
  // A worker stopped while it polled awake leaves the lock to the others.
  releaseLock(internals.spin, slot.thread)
  if (slot.jobs.size > 0) countBusy(internals.spin, -1)
  internals.startedByExited += startedCount(slot.journal)
  const index = internals.slots.indexOf(slot)
  if (index >= 0) internals.slots.splice(index, 1)
  const why = slot.error instanceof Error ? `: ${slot.error.message}` : ''
  for (const job of slot.jobs.values()) {
    // A close it never started is finished here; an open it finished unanswered is closed: no descriptor leaks.
    const recovered = recover(slot.journal, job)
    if (recovered !== undefined) completeJob(job, recovered)
    completeJob(job, E.left(job.failure('died', `the worker running it exited (code ${code})${why}`)))
  }
  slot.jobs.clear()
  // Its replacement is spawned when a job needs it.
  if (!internals.closed) pump(internals)
}

const spawn = (internals: PoolInternals): Slot => {
  const journal = makeJournal()
  const { script, options } = workerLaunch({ journal: journal.buffer, spin: internals.spin.buffer })
  const worker = new Worker(script, options)
  const slot: Slot = { worker, thread: worker.threadId, journal, jobs: new Map(), outbox: [], exited: false }
  // Listeners first, before anything is awaited: a worker may die at once.
  worker.on('message', (message: unknown) => onReply(internals, slot, message))
  worker.on('error', (error: unknown) => {
    slot.error = error
  })
  worker.on('messageerror', (error: unknown) => {
    slot.error = error
    void worker.terminate()
  })
  worker.on('exit', (code: number) => onExit(internals, slot, code))
  worker.unref()
  internals.slots.push(slot)
  return slot
}

/** The worker for the next job: an idle one, else a new one while under `size`, else the least busy with room. */
const pick = (internals: PoolInternals): Slot | undefined => {
  let best: Slot | undefined
  for (const slot of internals.slots) {
    if (slot.exited) continue
    if (slot.jobs.size === 0) return slot
    if (best === undefined || slot.jobs.size < best.jobs.size) best = slot
  }
  if (internals.slots.length < internals.size) return spawn(internals)
  return best !== undefined && best.jobs.size < PIPELINE ? best : undefined
}

const pump = (internals: PoolInternals): void => {
  while (internals.queue.length > 0 && !internals.closed) {
    const slot = pick(internals)
    if (slot === undefined) return
    post(slot, internals.queue.shift() as Job, internals)
  }
}

/** A job for `request`, and its answer's way back; `undefined` (answered already) when it cannot run. */
const makeJob = <K extends RequestOp, B>(
  internals: PoolInternals,
  request: Extract<Request, { op: K }>,
  failure: Failure,
  transfer: ReadonlyArray<ArrayBuffer>,
  onRight: ((result: ResultOf<K>) => B) | undefined,
  signal: AbortSignal | undefined,
  resolve: (result: E.Either<PathIOError, B>) => void
): Job | undefined => {
  if (internals.closed) return void resolve(E.left(failure('closed', 'the worker pool is closed')))
  if (signal !== undefined && signal.aborted && !frees(request.op))
    return void resolve(E.left(failure('cancelled', 'the signal was aborted')))
  return {
    id: internals.nextId++,
    request,
    transfer,
    failure,
    resolve:
      onRight === undefined
        ? (resolve as Job['resolve'])
        : (result) => {
            if (E.isLeft(result)) return resolve(result)
            try {
              resolve(E.right(onRight(result.right as ResultOf<K>)))
            } catch (thrown) {
              resolve(E.left(failure('malformed', String(thrown))))
            }
          },
    signal,
    settled: false
  }
}

/**
 * Runs one request on a worker; `onRight` (when given) turns its result into
 * the caller's, in the same step (no extra promise per call). Never rejects:
 * a closed pool, an aborted `signal` (the asking record's) or a worker that
 * dies gives `Left(failure(...))`. With `thread`, it goes to the worker whose
 * `threadId` that is (the one holding a listing), past the queue; a worker
 * that has exited fails it with `failure('died')`.
 */
export const submit = <K extends RequestOp, B = ResultOf<K>>(
  internals: PoolInternals,
  request: Extract<Request, { op: K }>,
  failure: Failure,
  transfer: ReadonlyArray<ArrayBuffer> = NO_TRANSFER,
  onRight?: (result: ResultOf<K>) => B,
  signal?: AbortSignal,
  thread?: number
): Promise<E.Either<PathIOError, B>> =>
  new Promise((resolve) => {
    const job = makeJob(internals, request, failure, transfer, onRight, signal, resolve)
    if (job === undefined) return
    if (thread === undefined) {
      internals.queue.push(job)
      return pump(internals)
    }
    const slot = internals.slots.find((candidate) => candidate.worker.threadId === thread && !candidate.exited)
    if (slot === undefined) return completeJob(job, E.left(job.failure('died', 'the worker holding it has exited')))
    post(slot, job, internals)
  })

/** Jobs of the operations that only free what an earlier one took (`RELEASING_OPERATIONS`): never dropped, so nothing leaks. */
const frees = (op: RequestOp): boolean => (RELEASING_OPERATIONS as ReadonlySet<string>).has(op)

/**
 * Drops every job of `signal` that no worker has been sent: those queued and
 * those waiting in a worker's outbox for the end of the turn. Each gives
 * `failure('cancelled')`; jobs that free something (close, closedir) still run.
 */
export const dropJobs = (internals: PoolInternals, signal: AbortSignal): void => {
  const dropped = (job: Job): boolean => job.signal === signal && !frees(job.request.op)
  const cancel = (job: Job): void =>
    completeJob(job, E.left(job.failure('cancelled', 'the signal was aborted before a worker took it')))
  const kept = internals.queue.filter((job) => !dropped(job))
  if (kept.length !== internals.queue.length) {
    for (const job of internals.queue) if (dropped(job)) cancel(job)
    internals.queue = kept
  }
  for (const slot of internals.slots) {
    for (let i = slot.outbox.length - 1; i >= 0; i--) {
      const job = slot.outbox[i]
      if (!dropped(job)) continue
      slot.outbox.splice(i, 1)
      release(internals, slot, job.id)
      internals.posted--
      cancel(job)
    }
  }
  pump(internals)
}

/** How many jobs the pool's workers have started, all told (read from their journals). */
export const jobsStarted = (internals: PoolInternals): number =>
  internals.slots.reduce((sum, slot) => sum + startedCount(slot.journal), internals.startedByExited)

const NO_TRANSFER: ReadonlyArray<ArrayBuffer> = []

const exited = (slot: Slot): Promise<void> =>
  slot.exited
    ? Promise.resolve()
    : new Promise((resolve) => {
        slot.worker.once('exit', () => resolve())
        const timer = setTimeout(() => void slot.worker.terminate(), SHUTDOWN_GRACE_MS)
        timer.unref()
        slot.worker.once('exit', () => clearTimeout(timer))
      })

/**
 * Every pending job fails now; each worker is told to stop after what it was
 * already given (so a late `open` is seen and its descriptor closed), then the
 * files left open are closed.
 */
const shutdown = async (internals: PoolInternals): Promise<void> => {
  internals.closed = true
  const closedEarly = 'the worker pool closed before the operation finished'
  for (const job of internals.queue.splice(0)) {
    // A close that never reached a worker still closes its descriptor.
    if (job.request.op === 'close') completeJob(job, disk.close(job.request.fd))
    else completeJob(job, E.left(job.failure('closed', closedEarly)))
  }
  const slots = [...internals.slots]
  for (const slot of slots) {
    for (const job of slot.jobs.values()) completeJob(job, E.left(job.failure('closed', closedEarly)))
    // Ref'd until it is gone, so that a late answer is still read.
    slot.worker.ref()
    slot.outbox.length = 0
    slot.worker.postMessage([{ id: internals.nextId++, request: { op: 'exit', code: 0 } }])
  }
  await Promise.all(slots.map(exited))
  for (const file of internals.open) {
    file.closed = true
    disk.close(file.fd)
  }
  internals.open.clear()
}

/** Throws a `TypeError` naming the option unless `size` is left out or a positive integer. */
export const checkSizeOption = (size: unknown, where: string): number => {
  if (size === undefined) return defaultSize()
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1)
    throw new TypeError(`${where}: option 'size' must be a positive integer (threads), got ${String(size)}`)
  return size
}

// Not fewer than 4, as libuv's pool: jobs block in syscalls (a truncating `open` waits for writeback), not only on CPU.
const defaultSize = (): number => Math.max(4, os.availableParallelism())

/**
 * A new pool; its threads start when the first jobs need them. Share it
 * between records with `makePoolPathIO({ state: pool })` or `withSharedState`.
 *
 * @example
 * import { makeWorkerPool, makePoolPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as fs from 'node:fs'
 * import * as os from 'node:os'
 * import * as path from 'node:path'
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-'))
 * const pool = makeWorkerPool({ size: 2 })
 * const a = makePoolPathIO({ state: pool, cwd: dir })
 * const b = makePoolPathIO({ state: pool, cwd: dir }) // same threads, same handles
 * const written = pipe(
 *   a.open('f.txt', 'wb'),
 *   TE.chain((h) => pipe(b.write(h, Buffer.from('hi')), TE.chainFirst(() => a.close(h))))
 * )
 * assert.deepStrictEqual(await written(), E.right(2))
 * await pool.close()
 * fs.rmSync(dir, { recursive: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeWorkerPool = (options?: WorkerPoolOptions): WorkerPool => {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError(`makeWorkerPool: options must be an object, got ${options === null ? 'null' : typeof options}`)
  const size = checkSizeOption(options?.size, 'makeWorkerPool')
  const internals: PoolInternals = {
    size,
    slots: [],
    queue: [],
    closed: false,
    closing: undefined,
    nextId: 0,
    posted: 0,
    handles: makeHandleTable('file handle'),
    listings: makeHandleTable('directory handle'),
    startedByExited: 0,
    open: new Set(),
    bank: makeBufferBank(),
    spin: makeSpinLock()
  }
  const pool: WorkerPool = {
    _tag: 'WorkerPool',
    size,
    close: () => (internals.closing ??= shutdown(internals)),
    isClosed: () => internals.closed
  }
  INTERNALS.set(pool, internals)
  return pool
}
