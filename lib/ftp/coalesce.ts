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
 * import { pipeline } from 'node:stream/promises'
 * // await pipeline(dataSocket, coalesce(1 << 20), toWritable(pathio, '/up.bin'))
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
