/**
 * A worker's journal: what lets the pool close every descriptor a dying
 * worker leaves behind. Each worker writes, in memory it shares with the
 * pool, the id of each `close` job just before its system call, and the
 * descriptor of each `open` it completes. When the worker has exited (so
 * nothing writes any more), the pool reads it for the jobs left unanswered:
 *
 * - a `close` whose system call the worker never reached: the descriptor is
 *   still open, and the pool closes it itself (the call succeeds);
 * - an `open` that completed but whose answer never arrived: nobody has the
 *   descriptor, and the pool closes it (the call fails, as the worker died).
 *
 * A worker serves its jobs in the order of their ids, so "never reached" is
 * "an id above the last close reached". Still open, by a few instructions: a
 * worker killed right around a system call and its journal entry (then the
 * descriptor may leak; it is never closed twice).
 */
import * as E from 'fp-ts/Either'
import type { PathIOError } from '../../PathIOError'
import * as disk from '../disk/syscalls'

/** Completed opens remembered: far more than the jobs a worker holds unanswered at once. */
const RING = 1024
const CLOSING = 0
const NEXT_ENTRY = 1
/** Jobs the worker has started: what proves a dropped job never reached it. */
const STARTED = 2
const HEADER = 3

export type Journal = Float64Array

/** A fresh journal, in memory the worker is given (`workerData.journal`). */
export const makeJournal = (): Journal => {
  const journal = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * (HEADER + 2 * RING)))
  // No job id is negative: -1 marks "none yet" and an unused entry.
  journal.fill(-1)
  journal[NEXT_ENTRY] = 0
  journal[STARTED] = 0
  return journal
}

/** The worker's side: its journal, if the pool gave it one. */
export const journalOf = (workerData: unknown): Journal | undefined => {
  const memory =
    typeof workerData === 'object' && workerData !== null ? (workerData as { journal?: unknown }).journal : undefined
  return memory instanceof SharedArrayBuffer ? new Float64Array(memory) : undefined
}

/** The worker's `close` job `id` is about to make its system call. */
export const closing = (journal: Journal | undefined, id: number): void => {
  if (journal !== undefined) journal[CLOSING] = id
}

/** The worker starts a job. */
export const started = (journal: Journal | undefined): void => {
  if (journal !== undefined) journal[STARTED]++
}

/** How many jobs the worker has started so far. */
export const startedCount = (journal: Journal): number => journal[STARTED]

/** The worker's job `id` opened descriptor `fd`. */
export const opened = (journal: Journal | undefined, id: number, fd: number): void => {
  if (journal === undefined) return
  const at = HEADER + 2 * (journal[NEXT_ENTRY] % RING)
  journal[at] = id
  journal[at + 1] = fd
  journal[NEXT_ENTRY] = (journal[NEXT_ENTRY] + 1) % RING
}

const openedBy = (journal: Journal, id: number): number | undefined => {
  for (let at = HEADER; at < journal.length; at += 2) if (journal[at] === id) return journal[at + 1]
  return undefined
}

/** What the pool needs of a job left unanswered. */
export interface Unanswered {
  readonly id: number
  readonly request: { readonly op: string; readonly fd?: number }
}

/**
 * The pool's side, once the worker has exited: closes what the worker left
 * open for `job`, and gives the job's result when the pool could finish it
 * (a `close` not reached), else `undefined` (it failed with its worker).
 */
export const recover = (journal: Journal, job: Unanswered): E.Either<PathIOError, unknown> | undefined => {
  if (job.request.op === 'close' && job.id > journal[CLOSING] && job.request.fd !== undefined)
    return disk.close(job.request.fd)
  if (job.request.op === 'open') {
    const fd = openedBy(journal, job.id)
    if (fd !== undefined) disk.close(fd)
  }
  return undefined
}
