/**
 * `readOnly`: a record that can look but not change anything.
 *
 * @since 0.1.0
 */
import * as TE from 'fp-ts/TaskEither'
import type { Middleware } from '../PathIO'
import { pathIOError } from '../PathIOError'
import { mutates } from '../Operations'
import { errorPath } from '../internal/calls'
import { withoutWrites } from '../Capabilities'
import { wrapOperations } from '../internal/wrap'

/**
 * Every operation that would change something (the operation table's
 * `mutates`) is `Left` with reason `ReadOnly` (code `EROFS`), and the inner
 * record is never called: `mkdir`, `rmdir`, `unlink`, `rename`, `utimes`,
 * `chmod`, `write` and `truncate` (also through a handle opened for writing
 * by another record of the same state), and `open` in a valid mode other
 * than `rb`. Reads pass through, and so does an `open` with an invalid
 * mode, which the backend refuses as `InvalidArgument`. Its `capabilities`
 * are the inner record's with every write flag off (`withoutWrites`).
 *
 * @example
 * import { readOnly, makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = readOnly(makeMemoryPathIO())
 * assert.deepStrictEqual(pipe(await io.mkdir('/pub')(), E.mapLeft((e) => e.reason)), E.left('ReadOnly'))
 * assert.deepStrictEqual(await io.list('/')(), E.right([]))
 * assert.strictEqual(io.capabilities.write, false)
 *
 * @category combinators
 * @since 0.1.0
 */
export const readOnly: Middleware = wrapOperations(
  (op, args, next) =>
    mutates(op, args)
      ? TE.left(
          pathIOError('ReadOnly', op, { path: errorPath(op, args), code: 'EROFS', detail: 'this record is read-only' })
        )
      : next(...args),
  withoutWrites
)
