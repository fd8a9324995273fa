/**
 * What combinators do with one call, read from the operation table
 * (`lib/Operations.ts`): the path its error names, the answer of a lookup
 * where nothing can exist, and the release of a result that came too late.
 */
import { OPERATIONS, type OperationRow } from '../Operations'
import type { GivesOf, OperationName, PathIO } from '../PathIO'

const rowOf = <K extends OperationName>(op: K): OperationRow<K> =>
  (OPERATIONS as { readonly [P in K]: OperationRow<P> })[op]

/** The path an error of `op` should name: its first argument when that is a path, else nothing. */
export const errorPath = (op: OperationName, args: ReadonlyArray<unknown>): unknown =>
  OPERATIONS[op].paths === undefined ? undefined : args[0]

/**
 * What `op` answers for a path where nothing can exist, when it is a lookup
 * (`exists`, `isDir`, `isFile`: `false`); `undefined` for any other
 * operation, which fails instead.
 */
export const answerForNothing = <K extends OperationName>(op: K): { readonly answer: GivesOf<K> } | undefined => {
  const lookup = rowOf(op).lookup
  return lookup === undefined ? undefined : { answer: lookup.answerForNothing }
}

/**
 * Releases a result that came too late for its caller (after a timeout or
 * a cancellation): a handle or a listing is closed, anything else is
 * dropped. Never throws and never rejects: there is no one left to tell.
 */
export const releaseLate = <K extends OperationName>(op: K, gives: GivesOf<K>, inner: PathIO<unknown>): void => {
  const release = rowOf(op).release
  if (release === undefined) return
  try {
    void release(gives, inner)().catch(() => undefined)
  } catch {
    // a close that throws has nothing more we could do
  }
}

/** Whether `op` only frees what an earlier call took (`close`, `closedir`). */
export const isReleasing = (op: OperationName): boolean => OPERATIONS[op].releases
