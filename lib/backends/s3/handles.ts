/**
 * Open objects: a handle is a `makeFileHandle()` object mapped, by identity,
 * in the shared state's table to a reader (`rb`) or a writer (`wb`). Calls on
 * one handle run one after another, as on a disk (two reads never read the
 * same bytes).
 */
import * as E from 'fp-ts/Either'
import type { FileHandle } from '../../PathIO'
import { pathIOError, type PathIOError } from '../../PathIOError'
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

const badHandle = (op: string, detail: string): E.Either<PathIOError, never> =>
  E.left(pathIOError('BadHandle', op, { code: 'EBADF', detail }))

/** The open object behind `file`, or `BadHandle` (closed, forged, or another state's). */
export const lookupFile = (
  table: WeakMap<FileHandle, S3File>,
  op: string,
  file: unknown
): E.Either<PathIOError, S3File> => {
  const open = typeof file === 'object' && file !== null ? table.get(file as FileHandle) : undefined
  if (open === undefined) return badHandle(op, 'not a handle of this bucket')
  return open.closed ? badHandle(op, 'the handle is closed') : E.right(open)
}

export const wrongMode = (op: string, mode: string): E.Either<PathIOError, never> =>
  badHandle(op, `the handle was opened '${mode}', not for ${op === 'read' ? 'reading' : 'writing'}`)

/** Runs `body` after every call already queued on `file` (whatever they gave). */
export const inTurn = <A>(file: OpenObject, body: () => Promise<A>): Promise<A> => {
  const run = file.queue.then(body, body)
  file.queue = run.then(
    () => undefined,
    () => undefined
  )
  return run
}
