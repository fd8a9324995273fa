/**
 * A transfer rate limit: bytes per second held over the whole transfer.
 *
 * @since 0.1.0
 */
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/**
 * A `Transform` that passes bytes through at no more than `bytesPerSecond`
 * on average (a token bucket of one second's bytes: a burst of at most one
 * second). `0` or less: no limit (a plain pass-through).
 *
 * @example
 * import { throttle } from 'fp-pathio/server'
 * import { Readable } from 'node:stream'
 * const started = Date.now()
 * const chunks: Array<Buffer> = []
 * for await (const chunk of Readable.from([Buffer.alloc(3000)]).pipe(throttle(2000))) chunks.push(chunk)
 * // 2000 bytes pass at once (the burst), the last 1000 half a second later
 * assert.strictEqual(Buffer.concat(chunks).length, 3000)
 * assert.ok(Date.now() - started >= 400)
 *
 * @category constructors
 * @since 0.1.0
 */
export const throttle = (bytesPerSecond: number): Transform => {
  if (!(bytesPerSecond > 0)) return new PassThrough()
  const capacity = Math.max(1, Math.floor(bytesPerSecond))
  let tokens = capacity
  let last = Date.now()
  const refill = (): void => {
    const now = Date.now()
    tokens = Math.min(capacity, tokens + ((now - last) * bytesPerSecond) / 1000)
    last = now
  }
  let timer: NodeJS.Timeout | undefined
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let offset = 0
      const step = (): void => {
        timer = undefined
        if (stream.destroyed) return
        refill()
        while (offset < chunk.length && tokens >= 1) {
          const size = Math.min(chunk.length - offset, Math.floor(tokens))
          stream.push(chunk.subarray(offset, offset + size))
          tokens -= size
          offset += size
        }
        if (offset >= chunk.length) return callback()
        // Wait for a twentieth of a second's bytes (or the rest): steady small
        // steps, so the data connection never looks idle for long.
        const wanted = Math.max(1, Math.min(chunk.length - offset, capacity, Math.ceil(bytesPerSecond / 20))) - tokens
        timer = setTimeout(step, Math.max(1, Math.ceil((wanted * 1000) / bytesPerSecond)))
      }
      step()
    },
    destroy(error, callback) {
      if (timer !== undefined) clearTimeout(timer)
      callback(error)
    }
  })
  return stream
}

/**
 * `pipeline(from, to)` held to `bytesPerSecond` through `throttle`; with no
 * limit (0, the default), no stage between them at all: a pass-through costs
 * a hop per chunk on every transfer.
 *
 * @example
 * import { throttledPipeline } from 'fp-pathio/server'
 * import { Readable, Writable } from 'node:stream'
 * const sizes: Array<number> = []
 * const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (sizes.push(chunk.length), done()) })
 * await throttledPipeline(Readable.from([Buffer.alloc(3000)]), 0, sink)
 * assert.deepStrictEqual(sizes, [3000]) // unlimited: passed through as it came
 *
 * @category combinators
 * @since 0.1.0
 */
export const throttledPipeline = (from: Readable, bytesPerSecond: number, to: Writable): Promise<void> =>
  bytesPerSecond > 0 ? pipeline(from, throttle(bytesPerSecond), to) : pipeline(from, to)
