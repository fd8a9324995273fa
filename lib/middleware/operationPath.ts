/**
 * Which argument of an operation is a path: shared by the combinators that
 * name a path in their errors or rewrite paths.
 */
import type { OperationName } from '../PathIO'

/** The operations whose first argument is a path (`rename` has a second one). */
export const PATH_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  'exists',
  'isDir',
  'isFile',
  'stat',
  'mkdir',
  'rmdir',
  'unlink',
  'rename',
  'list',
  'scan',
  'open'
])

/** The path an error of `op` should name: its first argument when that is a path, else nothing. */
export const pathOf = (op: OperationName, args: ReadonlyArray<unknown>): unknown =>
  PATH_OPERATIONS.has(op) ? args[0] : undefined
