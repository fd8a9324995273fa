/**
 * Node stream adapters over a `PathIO`: what an FTP server's data
 * connections pipe to and from (RETR, STOR, APPE, REST).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { Readable, Writable } from 'node:stream'
import type { FileHandle, OpenMode, PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { describe } from '../internal/arguments'
import { cancelled, isAbortSignal, onAbort } from '../internal/signal'
import { abandonWrite } from '../middleware/withAtomicWrites'
import { makeHandleSlot } from './handleSlot'
import { runTask } from './runTask'
import { writeAll } from './writeAll'

/**
 * Watches a stream's `signal`: once it aborts (or if it already has), the
 * stream is destroyed with `Cancelled`, which closes its file. A `signal`
 * that is not an `AbortSignal` is the stream's `InvalidArgument` error.
 */
const cancelOnAbort = (stream: Readable | Writable, op: string, path: unknown, signal: unknown): void => {
  if (signal === undefined || signal === null) return
  if (!isAbortSignal(signal)) {
    process.nextTick(() =>
      stream.destroy(invalid(op, path, `signal must be an AbortSignal, got ${describe(signal)}`) as unknown as Error)
    )
    return
  }
  const stop = (): void => {
    stream.destroy(cancelled(op, path, signal) as unknown as Error)
  }
  if (signal.aborted) return process.nextTick(stop)
  const stopListening = onAbort(signal, stop)
  stream.once('close', stopListening)
}

/** As `fs.createReadStream`. */
const DEFAULT_HIGH_WATER_MARK = 65536

/** The first size of `toWritable`'s gathering block, which doubles up to `blockSize` as bytes come. */
const FIRST_BLOCK = 16 * 1024

const isOffset = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

const invalid = (op: string, path: unknown, detail: string): PathIOError =>
  pathIOError('InvalidArgument', op, { path, detail })

/**
 * Options of `toReadable`.
 *
 * @category model
 * @since 0.1.0
 */
export interface ReadableOptions {
  /** First byte to read (default 0): FTP `REST` before `RETR`. */
  readonly start?: number
  /** Last byte to read, inclusive, as in `fs.createReadStream` (default: to the end). */
  readonly end?: number
  /** Most bytes read ahead of the consumer (default 65536); also the largest block. */
  readonly highWaterMark?: number
  /** Once aborted, the stream is destroyed with `Cancelled` (its file closed). */
  readonly signal?: AbortSignal
}

/** Checks the options of `toReadable`; a bad one is the stream's error, not a throw. */
const checkReadableOptions = (
  path: unknown,
  options: ReadableOptions
): E.Either<PathIOError, Required<Omit<ReadableOptions, 'signal'>>> => {
  const { start = 0, end = Number.MAX_SAFE_INTEGER, highWaterMark = DEFAULT_HIGH_WATER_MARK } = options
  if (!isOffset(start))
    return E.left(invalid('toReadable', path, `start must be a non-negative safe integer, got ${describe(start)}`))
  if (!isOffset(end))
    return E.left(invalid('toReadable', path, `end must be a non-negative safe integer, got ${describe(end)}`))
  if (!isOffset(highWaterMark) || highWaterMark === 0)
    return E.left(
      invalid('toReadable', path, `highWaterMark must be a positive safe integer, got ${describe(highWaterMark)}`)
    )
  return E.right({ start, end, highWaterMark })
}

/**
 * A `Readable` of the file at `path` (bytes `start` to `end` inclusive).
 * It respects backpressure: each `read()` of the stream pulls one block from
 * the record, never more than makes its buffer reach `highWaterMark`, so it
 * never reads more than `highWaterMark` bytes ahead of its consumer. The
 * handle is closed at the end (before `'end'`), on an error and on
 * `destroy()`. Every failure, a bad option included, is an `'error'` event
 * carrying the `PathIOError` itself (a plain record, not an `Error`).
 *
 * @example
 * import { toReadable, writeFile, makeMemoryPathIO } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/a.txt', Buffer.from('hello world'))()
 * const chunks: Array<Buffer> = []
 * for await (const chunk of toReadable(io, '/a.txt', { start: 6 })) chunks.push(chunk) // FTP's REST 6, then RETR
 * assert.strictEqual(Buffer.concat(chunks).toString(), 'world')
 *
 * @category helpers
 * @since 0.1.0
 */
export const toReadable = <S>(pathio: PathIO<S>, path: string, options: ReadableOptions = {}): Readable => {
  const checked = checkReadableOptions(path, options ?? {})
  const { start, end, highWaterMark } = E.isRight(checked)
    ? checked.right
    : { start: 0, end: 0, highWaterMark: DEFAULT_HIGH_WATER_MARK }
  const slot = makeHandleSlot(pathio, path)
  const closeFile = slot.close
  let remaining = end - start + 1

  const stream: Readable = new Readable({
    highWaterMark,
    construct: (callback) => {
      if (E.isLeft(checked)) return callback(checked.left as unknown as Error)
      void (async () => {
        const opened = await runTask('open', path, () => pathio.open(path, 'rb'))
        if (E.isLeft(opened)) return callback(opened.left as unknown as Error)
        slot.hold(opened.right)
        if (start > 0) {
          const sought = await runTask('seek', path, () => pathio.seek(opened.right, start))
          if (E.isLeft(sought)) return callback(sought.left as unknown as Error)
        }
        callback()
      })()
    },
    read: () => {
      void (async () => {
        const current = slot.current()
        if (current === undefined) return
        // Never past highWaterMark bytes buffered: this is the read-ahead bound.
        const size = Math.min(remaining, Math.max(1, highWaterMark - stream.readableLength))
        const block =
          size <= 0 ? E.right(new Uint8Array(0)) : await runTask('read', path, () => pathio.read(current, size))
        if (E.isLeft(block)) {
          stream.destroy(block.left as unknown as Error)
        } else if (block.right.length === 0) {
          // Closed before 'end', so that a failed close is still this stream's error.
          const closed = await closeFile()
          if (E.isLeft(closed)) stream.destroy(closed.left as unknown as Error)
          else stream.push(null)
        } else {
          remaining -= block.right.length
          stream.push(block.right)
        }
      })()
    },
    destroy: (error, callback) => {
      void closeFile().then(() => callback(error))
    }
  })
  cancelOnAbort(stream, 'toReadable', path, (options ?? {}).signal)
  return stream
}

/**
 * Options of `toWritable`.
 *
 * @category model
 * @since 0.1.0
 */
export interface WritableOptions {
  /** Add to the end of the file (FTP `APPE`): every write lands at the end. */
  readonly append?: boolean
  /**
   * Write from this byte on (FTP `REST` before `STOR`): an existing file is
   * opened `r+b` and NOT truncated (bytes past what is written stay), a
   * missing one is created; a gap past the end fills with zeros.
   */
  readonly start?: number
  /** Once aborted, the stream is destroyed with `Cancelled` (its file closed; what was written stays). */
  readonly signal?: AbortSignal
  /**
   * Gather chunks smaller than this into one `write` of this many bytes (the
   * last may be shorter), through one buffer the stream reuses: a socket's
   * 64 KiB chunks cost one backend call per block, not one each (a pool
   * backend pays a message to a worker per call), and no fresh memory per
   * block. The buffer starts at 16 KiB and doubles up to this size, so a
   * small file does not cost a whole block. Default 0: each chunk is written
   * as it comes. A backend must not keep the bytes it was given once its
   * `write` has answered (none here does).
   */
  readonly blockSize?: number
  /**
   * Runs after the last write, before the file is closed: its rejection is
   * the stream's error instead of a close (a caller that learns only at the
   * end whether the bytes are whole, an upload whose connection may have
   * been cut, says so here). An atomic write (`withAtomicWrites`) is then
   * abandoned, not committed.
   */
  readonly beforeClose?: () => Promise<void>
}

/** The mode and offset `toWritable` opens with. */
const writePlan = (
  path: unknown,
  options: WritableOptions
): E.Either<PathIOError, { mode: OpenMode; start?: number }> => {
  const { append = false, start } = options
  if (!isOffset(options.blockSize ?? 0))
    return E.left(
      invalid('toWritable', path, `blockSize must be a non-negative safe integer, got ${describe(options.blockSize)}`)
    )
  if (start === undefined || start === null) return E.right({ mode: append === true ? 'ab' : 'wb' })
  if (!isOffset(start))
    return E.left(invalid('toWritable', path, `start must be a non-negative safe integer, got ${describe(start)}`))
  if (append === true) return E.left(invalid('toWritable', path, 'append and start cannot be used together'))
  return E.right({ mode: 'r+b', start })
}

/**
 * A `Writable` into the file at `path`: created or truncated (`wb`), added
 * to (`append`), or written from byte `start` without truncation (see
 * `WritableOptions`). Each chunk is one or more `write`s of the record, and
 * its callback waits for them, so backpressure reaches the producer. The
 * handle is closed on `end()` (before `'finish'`, so a closing error is
 * reported), on an error and on `destroy()`; once `options.signal` aborts,
 * the stream is destroyed with `Cancelled`. Every failure, a bad option
 * included, is an `'error'` event carrying the `PathIOError` itself.
 *
 * @example
 * import { toWritable, readFile, makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import { Readable } from 'node:stream'
 * import { pipeline } from 'node:stream/promises'
 * const io = makeMemoryPathIO()
 * await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), toWritable(io, '/up.txt'))
 * await pipeline(Readable.from([Buffer.from('there')]), toWritable(io, '/up.txt', { start: 6 })) // REST 6, then STOR
 * assert.deepStrictEqual(pipe(await readFile(io, '/up.txt')(), E.map(String)), E.right('hello there'))
 *
 * @category helpers
 * @since 0.1.0
 */
export const toWritable = <S>(pathio: PathIO<S>, path: string, options: WritableOptions = {}): Writable => {
  const plan = writePlan(path, options ?? {})
  const slot = makeHandleSlot(pathio, path)
  const closeFile = slot.close

  const openFile = async (): Promise<E.Either<PathIOError, FileHandle>> => {
    if (E.isLeft(plan)) return plan
    const { mode, start } = plan.right
    if (mode !== 'r+b') return runTask('open', path, () => pathio.open(path, mode))
    // r+b keeps what is there; a missing file is created (wb) as STOR would.
    let opened = await runTask('open', path, () => pathio.open(path, 'r+b'))
    if (E.isLeft(opened) && opened.left.reason === 'NotFound')
      opened = await runTask('open', path, () => pathio.open(path, 'wb'))
    if (E.isLeft(opened) || start === undefined || start === 0) return opened
    const handle = opened.right
    const sought = await runTask('seek', path, () => pathio.seek(handle, start))
    if (E.isRight(sought)) return opened
    await runTask('close', path, () => pathio.close(handle))
    return sought
  }

  const writeNow = (data: Uint8Array): Promise<E.Either<PathIOError, void>> => {
    const current = slot.current()
    if (current === undefined)
      return Promise.resolve(E.left(pathIOError('BadHandle', 'write', { path, detail: 'the file is closed' })))
    return writeAll(pathio, current, data, path)
  }
  // The block being gathered: `block[0, filled)`. The stream calls `write` once at a time, so a block is
  // refilled only after the backend has answered for it.
  const blockSize = E.isRight(plan) ? ((options ?? {}).blockSize ?? 0) : 0
  let block: Buffer | undefined
  let filled = 0
  // The block starts small and doubles up to blockSize: a 1 KiB upload must not cost a whole block (a
  // fresh 1 MiB per small file was an eighth of a busy server's time in garbage collection).
  const roomFor = (needed: number): Buffer => {
    if (block !== undefined && block.length >= needed) return block
    let size = Math.max(block?.length ?? 0, FIRST_BLOCK)
    while (size < needed) size *= 2
    const grown = Buffer.allocUnsafe(Math.min(size, blockSize))
    if (block !== undefined) block.copy(grown, 0, 0, filled)
    block = grown
    return grown
  }
  const flush = async (): Promise<E.Either<PathIOError, void>> => {
    if (block === undefined || filled === 0) return E.right(undefined)
    const full = block.subarray(0, filled)
    filled = 0
    return writeNow(full)
  }
  const gather = async (chunk: Uint8Array): Promise<E.Either<PathIOError, void>> => {
    if (filled === 0 && chunk.length >= blockSize) return writeNow(chunk)
    for (let taken = 0; taken < chunk.length;) {
      const take = Math.min(chunk.length - taken, blockSize - filled)
      roomFor(filled + take).set(
        taken === 0 && take === chunk.length ? chunk : chunk.subarray(taken, taken + take),
        filled
      )
      filled += take
      taken += take
      if (filled === blockSize) {
        const flushed = await flush()
        if (E.isLeft(flushed)) return flushed
      }
    }
    return E.right(undefined)
  }

  const stream = new Writable({
    construct: (callback) => {
      void openFile().then((opened) => {
        if (E.isLeft(opened)) return callback(opened.left as unknown as Error)
        slot.hold(opened.right)
        callback()
      })
    },
    write: (chunk: Uint8Array, _encoding, callback) => {
      void gather(chunk).then((written) => callback(E.isLeft(written) ? (written.left as unknown as Error) : null))
    },
    final: (callback) => {
      void flush()
        .then(async (flushed) => {
          if (E.isLeft(flushed)) return flushed
          const vetoed = await checkBeforeClose()
          return vetoed ?? closeFile()
        })
        .then((closed) => callback(E.isLeft(closed) ? (closed.left as unknown as Error) : null))
    },
    destroy: (error, callback) => {
      // A stream that failed or was stopped does not commit an atomic write: what it wrote is not whole.
      const current = slot.current()
      if (error !== null && current !== undefined) abandonWrite(current)
      void closeFile().then(() => callback(error))
    }
  })
  /** The `beforeClose` hook's veto, if any: the file is abandoned and the stream fails with the hook's reason. */
  const checkBeforeClose = async (): Promise<E.Left<PathIOError> | undefined> => {
    const hook = (options ?? {}).beforeClose
    if (hook === undefined) return undefined
    try {
      await hook()
      return undefined
    } catch (reason) {
      const current = slot.current()
      if (current !== undefined) abandonWrite(current)
      await closeFile()
      return E.left(reason as PathIOError) as E.Left<PathIOError>
    }
  }
  cancelOnAbort(stream, 'toWritable', path, (options ?? {}).signal)
  return stream
}
