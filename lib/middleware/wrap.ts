/**
 * The one mechanism every combinator is built on: wrap each operation of a
 * record in the same "around" function.
 *
 * @since 0.1.0
 */
import type { TaskEither } from 'fp-ts/TaskEither'
import { OPERATION_NAMES, type Middleware, type OperationName, type PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'

/**
 * Calls the wrapped operation, with the same or with new arguments.
 *
 * @category model
 * @since 0.1.0
 */
export type Next = (...args: ReadonlyArray<unknown>) => TaskEither<PathIOError, unknown>

/**
 * What a combinator does around one operation: it sees the operation's name,
 * its arguments, the inner call and the inner record (to close a handle it
 * must not leak, say), and returns the operation's `TaskEither`.
 *
 * @category model
 * @since 0.1.0
 */
export type Around = (
  op: OperationName,
  args: ReadonlyArray<unknown>,
  next: Next,
  inner: PathIO<unknown>
) => TaskEither<PathIOError, unknown>

/**
 * Builds a middleware from one `Around`, applied to every operation in
 * `OPERATION_NAMES`; `state` passes through. Adding an operation to `PathIO`
 * needs no edit in any combinator.
 *
 * @example
 * import { wrapOperations, makeMemoryPathIO } from 'fp-pathio'
 * const seen: Array<string> = []
 * const logged = wrapOperations((op, args, next) => {
 *   seen.push(op)
 *   return next(...args)
 * })
 * const io = logged(makeMemoryPathIO())
 * // await io.exists('/')() ; seen -> ['exists']
 *
 * @category combinators
 * @since 0.1.0
 */
export const wrapOperations =
  (around: Around): Middleware =>
  <S>(pathio: PathIO<S>): PathIO<S> => {
    const wrapped: Record<string, unknown> = { state: pathio.state }
    for (const op of OPERATION_NAMES) {
      const inner = pathio[op] as unknown as (...args: ReadonlyArray<unknown>) => TaskEither<PathIOError, unknown>
      wrapped[op] = (...args: ReadonlyArray<unknown>) => around(op, args, inner, pathio)
    }
    return wrapped as unknown as PathIO<S>
  }
