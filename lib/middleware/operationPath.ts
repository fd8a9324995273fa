/**
 * Which argument of an operation is a path: shared by the combinators that
 * name a path in their errors or rewrite paths.
 */
import { OPERATION_NAMES, type OperationName } from '../PathIO'

/** The operations that take a handle (of a file or a listing) rather than a path. */
const HANDLE_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['read', 'write', 'seek', 'close', 'readdir', 'closedir'])

/** The operations whose first argument is a path (`rename` has a second one): all the others. */
export const PATH_OPERATIONS: ReadonlySet<OperationName> = new Set(OPERATION_NAMES.filter((op) => !HANDLE_OPERATIONS.has(op)))

/** The path an error of `op` should name: its first argument when that is a path, else nothing. */
export const pathOf = (op: OperationName, args: ReadonlyArray<unknown>): unknown =>
  PATH_OPERATIONS.has(op) ? args[0] : undefined
