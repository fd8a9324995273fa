/**
 * A worker's short wait for its next batch, awake. A sequential caller
 * sends its next call right after it has our answer; a worker asleep in its
 * event loop must then be woken by the kernel, which costs more than the call
 * itself on a virtual machine. So after answering, one worker of the pool at
 * a time polls its port for a little while before it goes back to sleep.
 *
 * One at a time (a lock in memory the pool shares with its workers), and
 * only while it is the one worker with jobs: two cores could not spare more
 * without slowing the main thread, which is what sends the work, and callers
 * that keep several workers busy send their calls many to a message anyway.
 * A worker whose waits keep going unrewarded stops waiting for a while, so a
 * pool with nothing to do sleeps.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'

/** How long a worker polls after its last answer. */
const SPIN_NS = 200_000n
/** Unrewarded waits in a row before a worker stops waiting... */
const PATIENCE = 4
/** ...for this many batches, then tries once again. */
const REST = 16

/**
 * Memory the pool shares with its workers: at `LOCK`, 0 when no worker is
 * waiting awake, else the waiting worker's thread id; at `BUSY`, how many
 * workers have jobs in flight (the pool counts them).
 */
export type SpinLock = Int32Array

const LOCK = 0
const BUSY = 1

export const makeSpinLock = (): SpinLock => new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))

/** The pool's side: a worker got its first job in flight (`+1`) or answered its last (`-1`). */
export const countBusy = (lock: SpinLock, change: 1 | -1): void => {
  Atomics.add(lock, BUSY, change)
}

/** The pool's side: a worker that has exited leaves the lock to the others. */
export const releaseLock = (lock: SpinLock, thread: number): void => {
  Atomics.compareExchange(lock, LOCK, thread, 0)
}

/** The worker's side: the lock, if the pool gave one. */
export const spinLockOf = (workerData: unknown): SpinLock | undefined => {
  const memory =
    typeof workerData === 'object' && workerData !== null ? (workerData as { spin?: unknown }).spin : undefined
  return memory instanceof SharedArrayBuffer ? new Int32Array(memory) : undefined
}

/**
 * The next message on `port`: one already there, or, when this worker may
 * wait awake, one that comes within `spinNs` (default `SPIN_NS`); else
 * `undefined` (the worker goes back to its event loop).
 */
export const makeNextMessage = (port: MessagePort, lock: SpinLock | undefined, me: number, spinNs = SPIN_NS) => {
  let misses = 0
  let resting = 0
  return (): { message: unknown } | undefined => {
    const waiting = receiveMessageOnPort(port)
    if (waiting !== undefined || lock === undefined) return waiting
    if (resting > 0) {
      resting--
      return undefined
    }
    if (Atomics.load(lock, BUSY) > 1 || Atomics.compareExchange(lock, LOCK, 0, me) !== 0) return undefined
    const until = process.hrtime.bigint() + spinNs
    let next: { message: unknown } | undefined
    do next = receiveMessageOnPort(port)
    while (next === undefined && process.hrtime.bigint() < until)
    Atomics.store(lock, LOCK, 0)
    if (next !== undefined) misses = 0
    else if (++misses >= PATIENCE) {
      misses = 0
      resting = REST
    }
    return next
  }
}
