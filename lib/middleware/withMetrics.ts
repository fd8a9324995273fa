/**
 * `withMetrics`: every operation reported, once it has answered, to a sink
 * the caller gives: its name, how long it took and how it ended. The sink
 * is a plain function, so the library stays free of any metrics package:
 * a server's sink feeds Prometheus, a test's sink is an array.
 *
 * @since 0.3.0
 */
import type { Middleware } from '../PathIO'
import type { OperationName } from '../PathIO'
import type { Reason } from '../PathIOError'
import { wrapOperations } from '../internal/wrap'

/**
 * One operation, as `withMetrics` reports it: `outcome` is `'ok'` or the
 * `PathIOError`'s reason.
 *
 * @category model
 * @since 0.3.0
 */
export interface OperationSample {
  readonly op: OperationName
  /** Milliseconds from the call's start to its answer. */
  readonly ms: number
  readonly outcome: 'ok' | Reason
}

/**
 * Reports every operation of the record to `sink` after it has answered,
 * with what it answered untouched. A sink that throws is ignored: metrics
 * never change what a caller sees. A `sink` that is not a function is a
 * `TypeError` at once.
 *
 * @example
 * import { withMetrics, makeMemoryPathIO, type OperationSample } from 'fp-pathio'
 * const samples: Array<OperationSample> = []
 * const io = withMetrics((sample) => samples.push(sample))(makeMemoryPathIO())
 * await io.mkdir('/pub')()
 * await io.rmdir('/nope')()
 * assert.deepStrictEqual(samples.map(({ op, outcome }) => [op, outcome]), [['mkdir', 'ok'], ['rmdir', 'NotFound']])
 * assert.ok(samples.every(({ ms }) => ms >= 0))
 *
 * @category combinators
 * @since 0.3.0
 */
export const withMetrics = (sink: (sample: OperationSample) => void): Middleware => {
  if (typeof sink !== 'function') throw new TypeError(`withMetrics: 'sink' must be a function, got ${typeof sink}`)
  const report = (sample: OperationSample): void => {
    try {
      sink(sample)
    } catch {
      // A broken sink loses its sample, never the caller's answer.
    }
  }
  return wrapOperations((op, args, next) => async () => {
    const started = performance.now()
    const result = await next(...args)()
    report({ op, ms: performance.now() - started, outcome: result._tag === 'Right' ? 'ok' : result.left.reason })
    return result
  })
}
