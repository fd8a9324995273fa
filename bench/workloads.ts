/**
 * The workloads, each written once against `Ops`: one run of one workload on
 * one fresh session. Each checks what it reads back, so a contestant that
 * skips work fails instead of winning.
 *
 * @since 0.1.0
 */
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { entries } from '../lib/helpers/entries'
import type { PathIO } from '../lib/PathIO'
import type { PathIOError } from '../lib/PathIOError'
import type { Ops, Session } from './contestant'
import { collect, heldBytes, now, withLoopDelay } from './measure'

const MiB = 2 ** 20

const check = (ok: boolean, what: string): void => {
  if (!ok) throw new Error(`benchmark check failed: ${what}`)
}

// -------------------------------------------------------------------------------------
// 1. metadata
// -------------------------------------------------------------------------------------

/** The bytes each metadata file gets. */
const SMALL_FILE = randomBytes(100)

/**
 * One metadata run's result: open, write, close, stat and unlink of each file
 * count one op each, and the list and the scan one each: `5n + 2` ops.
 */
export interface MetadataRun {
  readonly ops: number
  readonly seconds: number
  readonly opsPerSecond: number
  /**
   * CPU time of the whole process (every thread: a pool's workers, libuv's,
   * the garbage collector's) per op, in microseconds: what a figure of
   * ops/s costs, e.g. a worker that polls awake for its next call.
   */
  readonly cpuMicrosPerOp: number
}

/**
 * `n` files in one directory: per file open for write, write 100 bytes,
 * close, stat; one `list` and one `scan`; unlink each.
 *
 * @category workloads
 * @since 0.1.0
 */
export const metadata = async (session: Session, n: number): Promise<MetadataRun> => {
  const { ops, dir } = session
  // Paths are built before the clock starts: string building is not the contestant's work.
  const paths = Array.from({ length: n }, (_, i) => `${dir}/f${i}`)
  const cpu = process.cpuUsage()
  const start = now()
  for (const path of paths) {
    const file = await ops.open(path, 'write')
    await ops.write(file, SMALL_FILE)
    await ops.close(file)
    const size = await ops.stat(path)
    if (size !== SMALL_FILE.length) check(false, `stat of ${path} gave size ${size}`)
  }
  const listed = await ops.list(dir)
  const scanned = await ops.scan(dir)
  for (const path of paths) await ops.unlink(path)
  const seconds = now() - start
  const used = process.cpuUsage(cpu)
  check(listed.length === n && scanned.length === n, `list/scan gave ${listed.length}/${scanned.length} of ${n}`)
  const count = 5 * n + 2
  return { ops: count, seconds, opsPerSecond: count / seconds, cpuMicrosPerOp: (used.user + used.system) / count }
}

// -------------------------------------------------------------------------------------
// 2. streaming
// -------------------------------------------------------------------------------------

/** One streaming run's result. */
export interface StreamingRun {
  readonly writeMiBps: number
  readonly readMiBps: number
  /** The file written then read back, over the time of both. */
  readonly writeReadMiBps: number
  /**
   * Bytes held (off-heap plus JS heap, after a full GC) per byte stored, with
   * the file written and closed; `undefined` for disk contestants or without GC.
   */
  readonly heldPerByte: number | undefined
}

const writeBlocks = async (ops: Ops, path: string, block: Uint8Array, count: number): Promise<void> => {
  const file = await ops.open(path, 'write')
  for (let i = 0; i < count; i++) await ops.write(file, block)
  await ops.close(file)
}

const readBlocks = async (ops: Ops, path: string, blockSize: number): Promise<number> => {
  const file = await ops.open(path, 'read')
  let total = 0
  for (;;) {
    const got = await ops.read(file, blockSize)
    if (got === 0) break
    total += got
  }
  await ops.close(file)
  return total
}

/**
 * Write `bytes` in `blockSize` blocks to a new file, then read it back in
 * blocks of the same size. For in-memory contestants (`measureHeld`), the
 * memory held per byte stored is measured between the two.
 *
 * @category workloads
 * @since 0.1.0
 */
export const streaming = async (
  session: Session,
  bytes: number,
  blockSize: number,
  measureHeld: boolean
): Promise<StreamingRun> => {
  const { ops, dir } = session
  const block = randomBytes(blockSize)
  const path = `${dir}/stream`
  const count = Math.ceil(bytes / blockSize)
  const stored = count * blockSize
  // Bytes kept for reuse (spare chunks) are not the file's: they move into it as it is written.
  const filesHold = (): number => heldBytes() - (session.spareBytes?.() ?? 0)
  if (measureHeld) collect()
  const before = measureHeld ? filesHold() : 0
  const writeStart = now()
  await writeBlocks(ops, path, block, count)
  const writeSeconds = now() - writeStart
  let heldPerByte: number | undefined
  if (measureHeld) {
    collect()
    heldPerByte = (filesHold() - before) / stored
  }
  const readStart = now()
  const total = await readBlocks(ops, path, blockSize)
  const readSeconds = now() - readStart
  check(total === stored, `read back ${total} of ${stored} bytes`)
  await ops.unlink(path)
  return {
    writeMiBps: stored / MiB / writeSeconds,
    readMiBps: stored / MiB / readSeconds,
    writeReadMiBps: (2 * stored) / MiB / (writeSeconds + readSeconds),
    heldPerByte
  }
}

// -------------------------------------------------------------------------------------
// 3. concurrency
// -------------------------------------------------------------------------------------

/** One concurrency run's result. */
export interface ConcurrencyRun {
  /** Bytes written plus bytes read, over the wall time of the whole run. */
  readonly totalMiBps: number
  /** Event-loop delay p99 during the run, milliseconds. */
  readonly loopDelayP99Ms: number
  /** CPU time of the whole process (every thread) per MiB moved, milliseconds. */
  readonly cpuMsPerMiB: number
}

/**
 * `streams` streams at once, each writing `bytesEach` in `blockSize` blocks
 * to its own file and reading it back.
 *
 * @category workloads
 * @since 0.1.0
 */
export const concurrency = async (
  session: Session,
  streams: number,
  bytesEach: number,
  blockSize: number
): Promise<ConcurrencyRun> => {
  const { ops, dir } = session
  const block = randomBytes(blockSize)
  const count = Math.ceil(bytesEach / blockSize)
  const storedEach = count * blockSize
  const oneStream = async (index: number): Promise<void> => {
    const path = `${dir}/stream-${index}`
    await writeBlocks(ops, path, block, count)
    const total = await readBlocks(ops, path, blockSize)
    check(total === storedEach, `stream ${index} read back ${total} of ${storedEach} bytes`)
  }
  const cpu = process.cpuUsage()
  const { result: seconds, p99Ms } = await withLoopDelay(async () => {
    const start = now()
    await Promise.all(Array.from({ length: streams }, (_, i) => oneStream(i)))
    return now() - start
  })
  const used = process.cpuUsage(cpu)
  for (let i = 0; i < streams; i++) await ops.unlink(`${dir}/stream-${i}`)
  const moved = (2 * streams * storedEach) / MiB
  return { totalMiBps: moved / seconds, loopDelayP99Ms: p99Ms, cpuMsPerMiB: (used.user + used.system) / 1000 / moved }
}

// -------------------------------------------------------------------------------------
// 4. listing
// -------------------------------------------------------------------------------------

/** One listing run: a directory of `n` entries read by `scan` (one call) and by `entries` (page by page). */
export interface ListingRun {
  readonly scanPerSecond: number
  readonly entriesPerSecond: number
}

const unwrapped = async <A>(te: TaskEither<PathIOError, A>): Promise<A> => {
  const result = await te()
  if (E.isLeft(result)) throw new Error(`benchmark step failed: ${result.left.message}`)
  return result.right
}

/**
 * Entries per second of the same directory through `scan` and through the
 * `entries` helper (batches of `batch`), one right after the other, in the
 * order `entriesFirst` says (runs alternate it, so neither always has the
 * warmer caches). A full GC before each: both allocate an `Entry` per child.
 *
 * @category workloads
 * @since 0.2.0
 */
export const listing = async (
  io: PathIO<unknown>,
  dir: string,
  n: number,
  batch: number,
  entriesFirst: boolean
): Promise<ListingRun> => {
  const timeScan = async (): Promise<number> => {
    collect()
    const start = now()
    const scanned = await unwrapped(io.scan(dir))
    const seconds = now() - start
    check(scanned.length === n, `scan gave ${scanned.length} of ${n}`)
    return n / seconds
  }
  const timeEntries = async (): Promise<number> => {
    collect()
    const start = now()
    let count = 0
    for await (const _ of entries(io, dir, { batch })) count++
    const seconds = now() - start
    check(count === n, `entries gave ${count} of ${n}`)
    return n / seconds
  }
  if (entriesFirst) {
    const entriesPerSecond = await timeEntries()
    return { entriesPerSecond, scanPerSecond: await timeScan() }
  }
  const scanPerSecond = await timeScan()
  return { scanPerSecond, entriesPerSecond: await timeEntries() }
}
