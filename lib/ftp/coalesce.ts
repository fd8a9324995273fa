/**
 * Gathering the small chunks a socket delivers into large blocks, so an
 * upload costs one backend `write` per block, not one per 64 KiB chunk (a
 * pool backend pays a message to a worker thread for each).
 *
 * @since 0.1.0
 */
import { Transform } from 'node:stream'

/**
 * A `Transform` that passes the bytes through unchanged in blocks of at
 * least `blockSize` bytes (the last one may be shorter). It holds at most
 * one block plus one chunk, and respects backpressure both ways.
 *
 * @example
 * import { coalesce } from 'fp-pathio/ftp'
 * import { Readable, Writable } from 'node:stream'
 * import { pipeline } from 'node:stream/promises'
 * const socket = Readable.from([Buffer.alloc(3), Buffer.alloc(3), Buffer.alloc(3)]) // small chunks
 * const sizes: Array<number> = []
 * const backend = new Writable({
 *   write: (block: Buffer, _encoding, done) => {
 *     sizes.push(block.length)
 *     done()
 *   }
 * })
 * await pipeline(socket, coalesce(5), backend)
 * assert.deepStrictEqual(sizes, [6, 3]) // one write per block of at least 5 bytes
 *
 * @category constructors
 * @since 0.1.0
 */
export const coalesce = (blockSize: number): Transform => {
  let held: Array<Buffer> = []
  let heldBytes = 0
  const release = (): Buffer => {
    const block = held.length === 1 ? held[0] : Buffer.concat(held, heldBytes)
    held = []
    heldBytes = 0
    return block
  }
  return new Transform({
    // One block in the readable buffer is enough: the writer drains it while the next one fills.
    readableHighWaterMark: blockSize,
    writableHighWaterMark: blockSize,
    transform: (chunk: Buffer, _encoding, callback) => {
      held.push(chunk)
      heldBytes += chunk.length
      callback(null, heldBytes >= blockSize ? release() : undefined)
    },
    flush: (callback) => callback(null, heldBytes > 0 ? release() : undefined)
  })
}
