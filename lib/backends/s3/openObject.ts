/**
 * Open objects: a handle is a `makeFileHandle()` object mapped, by identity,
 * in the shared state's handle table (lib/internal/handles.ts) to a reader
 * (`rb`) or a writer (`wb`). Calls on
 * one handle run one after another, as on a disk (two reads never read the
 * same bytes).
 */
import type { S3Reader } from './reader'
import type { S3Writer } from './writer'

export type S3File = S3Reader | S3Writer

/** What every open object has: its key, whether it is closed, and the tail of its queue of calls. */
export interface OpenObject {
  readonly key: string
  /** The path as given to `open`, for messages. */
  readonly path: string
  closed: boolean
  queue: Promise<unknown>
}

/** Runs `body` after every call already queued on `file` (whatever they gave). */
export const inTurn = <A>(file: { queue: Promise<unknown> }, body: () => Promise<A>): Promise<A> => {
  const run = file.queue.then(body, body)
  file.queue = run.then(
    () => undefined,
    () => undefined
  )
  return run
}
