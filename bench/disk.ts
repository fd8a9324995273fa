/**
 * The disk backends against what they wrap, side by side in one run:
 *
 * - the Node backend streaming 64 MiB in 8 KiB blocks (write, then read)
 *   against a raw `openSync`/`writeSync`/`readSync` loop (target >= 0.9x);
 * - the pool with 32 concurrent streams, each writing then reading 4 MiB in
 *   64 KiB blocks, against `fs.promises` FileHandles doing the same (target
 *   >= 1.0x), with the event loop's delay p99 during the run (target <= 10 ms),
 *   and the same p99 for the Node backend for contrast.
 *
 * Each contender runs in alternating pairs with its baseline (after warm-ups),
 * so that both see the same machine; figures are medians, and the ratio is
 * the median of the per-pair ratios.
 *
 *   TS_NODE_TRANSPILE_ONLY=true npx ts-node bench/disk.ts
 *
 * The workloads are exported for a fuller benchmark to reuse.
 */
// The pool's workers run from the TypeScript sources here, as in the tests.
import '../spec/support/poolWorker'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { makeNodePathIO, makePoolPathIO, type PathIO, type PathIOError } from '../lib'

export const KiB = 1024
export const MiB = 1024 * KiB

/** The Right of a task, or a throw: a benchmark has no use for a failed run. */
export const must = async <A>(te: TaskEither<PathIOError, A>): Promise<A> => {
  const result = await te()
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

/** A block of recognisable, non-zero bytes. */
export const makeBlock = (size: number): Buffer => {
  const block = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) block[i] = (i * 31 + 7) & 0xff
  return block
}

// -------------------------------------------------------------------------------------
// workloads
// -------------------------------------------------------------------------------------

/** The `Left` of a failed step, thrown: a benchmark has no use for a failed run. */
const fail = (error: PathIOError): never => {
  throw new Error(error.message)
}

/**
 * Writes `total` bytes to `file` through a `PathIO`, one block at a time (open
 * wb, writes, close). The loop awaits each task itself, as a streaming caller
 * would, without a helper's extra promise per block.
 */
export const pathioWrite = async (
  io: PathIO<unknown>,
  file: string,
  total: number,
  block: Uint8Array
): Promise<void> => {
  const h = await must(io.open(file, 'wb'))
  for (let written = 0; written < total; written += block.length) {
    const result = await io.write(h, block)()
    if (E.isLeft(result)) fail(result.left)
  }
  await must(io.close(h))
}

/** Reads `file` to the end through a `PathIO` in blocks of `blockSize`; gives the bytes read. */
export const pathioRead = async (io: PathIO<unknown>, file: string, blockSize: number): Promise<number> => {
  const h = await must(io.open(file, 'rb'))
  let total = 0
  for (;;) {
    const result = await io.read(h, blockSize)()
    if (E.isLeft(result)) return fail(result.left)
    if (result.right.length === 0) break
    total += result.right.length
  }
  await must(io.close(h))
  return total
}

/** The raw loop: `openSync`, `writeSync` of the same block, `closeSync`. */
export const rawWrite = (file: string, total: number, block: Uint8Array): void => {
  const fd = fs.openSync(file, 'w')
  for (let written = 0; written < total; written += block.length) fs.writeSync(fd, block)
  fs.closeSync(fd)
}

/**
 * The raw loop: `openSync`, `readSync` until the end, `closeSync`. With
 * `fresh`, each block gets a buffer of its own, as a caller that keeps the
 * data needs (what a `PathIO` read gives); without, one buffer is reused.
 */
export const rawRead = (file: string, blockSize: number, fresh: boolean): number => {
  const fd = fs.openSync(file, 'r')
  let reused = Buffer.allocUnsafeSlow(blockSize)
  let total = 0
  for (;;) {
    if (fresh) reused = Buffer.allocUnsafeSlow(blockSize)
    const n = fs.readSync(fd, reused, 0, blockSize, null)
    if (n === 0) break
    total += n
  }
  fs.closeSync(fd)
  return total
}

/** `streams` files written then read concurrently through a `PathIO`, each `each` bytes in blocks of `block.length`. */
export const pathioStreams = async (
  io: PathIO<unknown>,
  dir: string,
  streams: number,
  each: number,
  block: Uint8Array
): Promise<void> => {
  const files = Array.from({ length: streams }, (_, i) => path.join(dir, `stream-${i}`))
  await Promise.all(files.map((file) => pathioWrite(io, file, each, block)))
  const read = await Promise.all(files.map((file) => pathioRead(io, file, block.length)))
  if (read.some((n) => n !== each)) throw new Error('a stream read back the wrong size')
}

/** The same with `fs.promises` FileHandles. */
export const fsPromisesStreams = async (
  dir: string,
  streams: number,
  each: number,
  block: Uint8Array
): Promise<void> => {
  const files = Array.from({ length: streams }, (_, i) => path.join(dir, `stream-${i}`))
  const write = async (file: string): Promise<void> => {
    const h = await fs.promises.open(file, 'w')
    for (let written = 0; written < each; written += block.length) await h.write(block)
    await h.close()
  }
  const read = async (file: string): Promise<number> => {
    const h = await fs.promises.open(file, 'r')
    let total = 0
    for (;;) {
      const { bytesRead } = await h.read(Buffer.allocUnsafeSlow(block.length), 0, block.length, null)
      if (bytesRead === 0) break
      total += bytesRead
    }
    await h.close()
    return total
  }
  await Promise.all(files.map(write))
  const read_ = await Promise.all(files.map(read))
  if (read_.some((n) => n !== each)) throw new Error('a stream read back the wrong size')
}

// -------------------------------------------------------------------------------------
// measuring
// -------------------------------------------------------------------------------------

export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Milliseconds `run` took, and the event loop's delay p99 (ms) meanwhile (resolution 1 ms). */
export const measure = async (run: () => unknown): Promise<{ ms: number; loopP99: number }> => {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const start = performance.now()
  await run()
  const ms = performance.now() - start
  delay.disable()
  // With no sample (the loop never turned), the whole run was one delay.
  const loopP99 = delay.count > 0 ? Math.max(delay.percentile(99) / 1e6, delay.max / 1e6 > ms ? ms : 0) : ms
  return { ms, loopP99 }
}

/** The medians of a side-by-side comparison. */
export interface Comparison {
  /** Median milliseconds of the baseline and of the contender. */
  readonly baseMs: number
  readonly ms: number
  /** Median over the pairs of baseline time / contender time: above 1, the contender is faster. */
  readonly ratio: number
  /** Median event-loop delay p99 (ms) during the baseline's and the contender's runs. */
  readonly baseLoopP99: number
  readonly loopP99: number
}

/**
 * Runs a baseline and a contender in pairs, alternating which goes first,
 * after `warmups` of each: on a shared, noisy machine both see the same
 * conditions, and the median of the per-pair ratios is what is compared.
 * `prepare` runs untimed before each run (removing a file, say).
 */
export const compare = async (
  reps: number,
  baseline: () => unknown,
  contender: () => unknown,
  prepare: () => unknown = () => undefined,
  warmups = 2
): Promise<Comparison> => {
  for (let i = 0; i < warmups; i++) {
    await prepare()
    await baseline()
    await prepare()
    await contender()
  }
  const base: Array<{ ms: number; loopP99: number }> = []
  const cont: Array<{ ms: number; loopP99: number }> = []
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? [baseline, contender] : [contender, baseline]
    for (const run of order) {
      await prepare()
      ;(run === baseline ? base : cont).push(await measure(run))
    }
  }
  return {
    baseMs: median(base.map((r) => r.ms)),
    ms: median(cont.map((r) => r.ms)),
    ratio: median(base.map((r, i) => r.ms / cont[i].ms)),
    baseLoopP99: median(base.map((r) => r.loopP99)),
    loopP99: median(cont.map((r) => r.loopP99))
  }
}

const mibPerSecond = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000)
const fixed = (n: number, digits = 1): string => n.toFixed(digits)

// -------------------------------------------------------------------------------------
// the run
// -------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
  const reps = Number(process.env.BENCH_REPS ?? 9)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-bench-'))
  const rows: Array<Record<string, string>> = []
  const row = (
    name: string,
    bytes: number,
    ms: number,
    loopP99: number,
    ratio: number | undefined,
    target: string
  ): void => {
    rows.push({
      workload: name,
      'MiB/s': fixed(mibPerSecond(bytes, ms), 0),
      'median ms': fixed(ms),
      'loop p99 ms': fixed(loopP99),
      'vs baseline': ratio === undefined ? '' : `${fixed(ratio, 2)}x`,
      target
    })
  }
  const pair = (base: string, name: string, bytes: number, c: Comparison, target: string): void => {
    row(base, bytes, c.baseMs, c.baseLoopP99, undefined, '')
    row(name, bytes, c.ms, c.loopP99, c.ratio, target)
  }
  try {
    // --- Node backend vs the raw loop: 64 MiB in 8 KiB blocks ---
    const total = 64 * MiB
    const small = makeBlock(8 * KiB)
    const file = path.join(dir, 'stream')
    const node = makeNodePathIO({ cwd: dir })
    // A fresh file each run: truncating the last 64 MiB would be timed too, and it is the disk's work, not ours.
    const fresh = () => fs.rmSync(file, { force: true })
    const write = await compare(
      reps,
      () => rawWrite(file, total, small),
      () => pathioWrite(node, file, total, small),
      fresh
    )
    pair('raw writeSync, 64 MiB in 8 KiB', 'node backend write', total, write, '>= 0.90x')
    // A read must hand the caller bytes of its own: the fair raw loop gives each block a fresh buffer.
    const read = await compare(
      reps,
      () => rawRead(file, small.length, true),
      () => pathioRead(node, file, small.length)
    )
    pair('raw readSync, fresh 8 KiB buffers', 'node backend read', total, read, '>= 0.90x')
    const reused = await compare(
      reps,
      () => rawRead(file, small.length, false),
      () => pathioRead(node, file, small.length)
    )
    pair('raw readSync, one reused buffer', 'node backend read', total, reused, '(reference)')

    // --- pool vs fs.promises: 32 streams, each writing then reading 4 MiB in 64 KiB blocks ---
    const streams = 32
    const each = 4 * MiB
    const big = makeBlock(64 * KiB)
    const both = 2 * streams * each
    const pool = makePoolPathIO({ cwd: dir })
    try {
      const promises = () => fsPromisesStreams(dir, streams, each, big)
      const pooled = await compare(reps, promises, () => pathioStreams(pool, dir, streams, each, big))
      pair(
        'fs.promises, 32 x 4 MiB in 64 KiB',
        `pool (${pool.state.size} threads)`,
        both,
        pooled,
        '>= 1.00x, p99 <= 10 ms'
      )
      const blocking = await compare(reps, promises, () => pathioStreams(node, dir, streams, each, big))
      row('node backend (contrast)', both, blocking.ms, blocking.loopP99, blocking.ratio, '(blocks the loop)')
    } finally {
      await pool.state.close()
    }
    console.log(
      `fp-pathio disk bench: ${reps} alternating pairs after 2 warm-ups each, medians; ` +
        `Node ${process.version}, ${os.availableParallelism()} cpus, load ${os.loadavg()[0].toFixed(1)}`
    )
    console.table(rows)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
