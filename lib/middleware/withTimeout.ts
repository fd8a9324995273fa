/**
 * `withTimeout`: every operation that has not finished in time is a `Left`
 * with reason `Timeout`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { FileHandle, Middleware, PathIO } from '../PathIO'
import { pathIOError, toPathIOError } from '../PathIOError'
import { wrapOperations } from './wrap'

/** Throws a `TypeError` naming the option unless `ms` is a positive finite number. */
export const checkTimeout = (ms: unknown, where: string): number => {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1)
    throw new TypeError(`${where}: 'timeout' must be a positive number of milliseconds (at most 2^31-1), got ${String(ms)}`)
  return ms
}

const pathOf = (args: ReadonlyArray<unknown>): unknown => args[0]

/**
 * Every operation still running after `ms` milliseconds gives `Left` with
 * reason `Timeout`. A late result is not leaked: a handle that an `open`
 * returns after its timeout fired is closed.
 *
 * @example
 * import { withTimeout, makeMemoryPathIO } from 'fp-pathio'
 * const io = withTimeout(5000)(makeMemoryPathIO())
 * // await io.mkdir('/pub')() -> right(undefined)
 *
 * @category combinators
 * @since 0.1.0
 */
export const withTimeout = (ms: number): Middleware => {
  const limit = checkTimeout(ms, 'withTimeout')
  return wrapOperations((op, args, next, inner) => () =>
    new Promise((resolve) => {
      let settled = false
      const timer = setTimeout(() => {
        settled = true
        resolve(
          E.left(
            pathIOError('Timeout', op, {
              path: typeof pathOf(args) === 'string' ? pathOf(args) : undefined,
              detail: `did not finish within ${limit} ms`
            })
          )
        )
      }, limit)
      let running: Promise<E.Either<unknown, unknown>>
      try {
        running = next(...args)()
      } catch (thrown) {
        running = Promise.resolve(E.left(toPathIOError(op, pathOf(args))(thrown)))
      }
      running.then(
        (result) => {
          if (!settled) {
            settled = true
            clearTimeout(timer)
            resolve(result as E.Either<never, unknown>)
          } else if (op === 'open' && E.isRight(result)) {
            // Too late for the caller, who will never see this handle: close it.
            void (inner as PathIO<unknown>).close(result.right as FileHandle)().catch(() => undefined)
          }
        },
        (rejected: unknown) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve(E.left(toPathIOError(op, pathOf(args))(rejected)))
        }
      )
    })
  )
}
