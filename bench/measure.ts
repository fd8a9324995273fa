/**
 * Measuring on a shared, noisy machine: a garbage collection before every
 * timed run, medians of several runs, memory and event-loop probes.
 *
 * @since 0.1.0
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as v8 from 'node:v8'
import * as vm from 'node:vm'

/**
 * A full garbage collection, or `undefined` when it cannot be had. Node
 * exposes `gc` only under `--expose-gc`; setting the flag at run time and
 * fetching `gc` from a fresh context gives the same function without
 * re-executing node (so `npm run bench` needs no extra flag).
 */
export const gc: (() => void) | undefined = (() => {
  const global = globalThis as { gc?: () => void }
  if (typeof global.gc === 'function') return global.gc
  try {
    v8.setFlagsFromString('--expose-gc')
    const fromContext = vm.runInNewContext('gc') as unknown
    return typeof fromContext === 'function' ? (fromContext as () => void) : undefined
  } catch {
    return undefined
  }
})()

/** Collects twice: the second pass frees what the first one's finalisers released. */
export const collect = (): void => {
  gc?.()
  gc?.()
}

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Seconds since an arbitrary origin, high resolution. */
export const now = (): number => Number(process.hrtime.bigint()) / 1e9

/** Times `body` in seconds. */
export const timed = async (body: () => Promise<void>): Promise<number> => {
  const start = now()
  await body()
  return now() - start
}

/**
 * Bytes held off the JS heap (`external`, which already includes
 * `arrayBuffers`: adding the two would count every Buffer twice) plus the JS
 * heap in use. Call after `collect()`.
 */
export const heldBytes = (): number => {
  const usage = process.memoryUsage()
  return usage.external + usage.heapUsed
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Watches event-loop delay while `body` runs and returns its p99 in
 * milliseconds with the body's result. Sampled every millisecond: a loop that
 * never yields shows up as one huge delay.
 */
export const withLoopDelay = async <A>(
  body: () => Promise<A>
): Promise<{ readonly result: A; readonly p99Ms: number }> => {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  try {
    // The monitor records a delay from its second tick on: without this, a
    // body that never yields (a synchronous contestant) would show no delay at all.
    await sleep(3)
    const result = await body()
    // And one tick after the body, so its last stretch is seen too.
    await sleep(3)
    return { result, p99Ms: histogram.percentile(99) / 1e6 }
  } finally {
    histogram.disable()
  }
}
