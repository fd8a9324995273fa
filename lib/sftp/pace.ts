/**
 * The rate limit of one open file: each request waits until the bytes so
 * far are no more than the rate allows since the file was opened. A client
 * waits for the answers of its requests, so its transfer follows.
 *
 * @since 0.3.0
 */
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Counts `bytes` and resolves when they may go.
 *
 * @category model
 * @since 0.3.0
 */
export type Pace = (bytes: number) => Promise<void>

const free: Pace = () => Promise.resolve()

/**
 * The pace of `bytesPerSecond` (0: no limit).
 *
 * @example
 * import { makePace } from 'fp-pathio/sftp'
 * const unlimited = makePace(0)
 * await unlimited(2 ** 30) // no wait
 * const pace = makePace(1_000_000)
 * await pace(1000) // about a millisecond
 * assert.ok(typeof pace === 'function')
 *
 * @category constructors
 * @since 0.3.0
 */
export const makePace = (bytesPerSecond: number): Pace => {
  if (!(bytesPerSecond > 0)) return free
  const start = Date.now()
  let bytes = 0
  return (count) => {
    bytes += count
    const wait = start + (bytes * 1000) / bytesPerSecond - Date.now()
    return wait > 0 ? sleep(wait) : Promise.resolve()
  }
}
