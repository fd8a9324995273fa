/**
 * `iterByBlock`: a file as an `AsyncIterable` of blocks.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { FileHandle, PathIO } from '../PathIO'
import { pathIOError } from '../PathIOError'
import { describe } from '../internal/arguments'
import { cancelled, signalOption } from '../internal/signal'
import { runTask } from './runTask'

/**
 * Options of `iterByBlock`.
 *
 * @category model
 * @since 0.1.0
 */
export interface IterByBlockOptions {
  /** Once aborted, the iteration stops before its next read, closes the file and throws `Cancelled`. */
  readonly signal?: AbortSignal
}

/**
 * The default block size of `iterByBlock`: what aioftp sends per read.
 *
 * @example
 * import { DEFAULT_BLOCK_SIZE } from 'fp-pathio'
 * assert.strictEqual(DEFAULT_BLOCK_SIZE, 8192)
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_BLOCK_SIZE = 8192

async function* blocks(
  pathio: PathIO<unknown>,
  path: string,
  blockSize: number,
  options: IterByBlockOptions
): AsyncGenerator<Uint8Array, void> {
  const checked = signalOption('iterByBlock', path, (options ?? {}).signal)
  if (E.isLeft(checked)) throw checked.left
  const signal = checked.right
  if (signal !== undefined && signal.aborted) throw cancelled('iterByBlock', path, signal)
  if (typeof blockSize !== 'number' || !Number.isSafeInteger(blockSize) || blockSize <= 0)
    throw pathIOError('InvalidArgument', 'iterByBlock', {
      path,
      detail: `block size must be a positive safe integer, got ${describe(blockSize)}`
    })
  const opened = await runTask('open', path, () => pathio.open(path, 'rb'))
  if (E.isLeft(opened)) throw opened.left
  const file: FileHandle = opened.right
  let finished = false
  try {
    for (;;) {
      if (signal !== undefined && signal.aborted) throw cancelled('iterByBlock', path, signal)
      const block = await runTask('read', path, () => pathio.read(file, blockSize))
      if (E.isLeft(block)) throw block.left
      // Only an empty read is the end: a short one may come from any backend before it.
      if (block.right.length === 0) break
      yield block.right
    }
    finished = true
  } finally {
    const closed = await runTask('close', path, () => pathio.close(file))
    // After a full read a failed close is reported; after a break or an error it would hide what happened.
    if (finished && E.isLeft(closed)) throw closed.left
  }
}

/**
 * The file at `path` as an `AsyncIterable` of blocks of at most `blockSize`
 * bytes (default 8192; every block but the last is usually full). Each
 * iteration opens the file `rb` and always closes it: at the end, when the
 * loop ends early (`break`, `return`, a throw in its body), or on an error.
 * Once `options.signal` aborts, the iteration stops before its next read,
 * closes the file and throws `Cancelled`. An async iterator cannot give a
 * `Left`: a failure (open, read, a bad `blockSize`, `Cancelled`, a failed
 * close after the last block) is thrown from the iterator as the
 * `PathIOError` itself, so `for await` throws it.
 *
 * @example
 * import { iterByBlock, writeFile, makeMemoryPathIO } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/big.bin', new Uint8Array(20_000))()
 * const sizes: Array<number> = []
 * for await (const block of iterByBlock(io, '/big.bin')) sizes.push(block.length)
 * assert.deepStrictEqual(sizes, [8192, 8192, 3616])
 *
 * @category helpers
 * @since 0.1.0
 */
export const iterByBlock = <S>(
  pathio: PathIO<S>,
  path: string,
  blockSize: number = DEFAULT_BLOCK_SIZE,
  options: IterByBlockOptions = {}
): AsyncIterable<Uint8Array> => ({
  [Symbol.asyncIterator]: () => blocks(pathio as PathIO<unknown>, path, blockSize, options)
})
