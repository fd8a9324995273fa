/**
 * `normaliseErrors`: turns a hand-written or third-party record, whose
 * functions may throw, return a `Promise`, or a `TaskEither` with any error,
 * into a `PathIO` whose every failure is a `PathIOError`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { Capabilities } from '../Capabilities'
import type { ArgsOf, DirHandle, FileHandle, GivesOf, OperationName, PathIO } from '../PathIO'
import { toPathIOError, type PathIOError } from '../PathIOError'
import { isNormalised, markNormalised } from '../internal/normalised'
import { errorPath } from '../internal/calls'
import { mapOperations, type LooseCall } from '../internal/wrap'

/**
 * What one operation of a loose record may give: a `TaskEither` with any
 * error, a `Task`, a `Promise`, or the value itself (it may also throw).
 *
 * @category model
 * @since 0.1.0
 */
export type LooseResult<A> = TaskEither<unknown, A> | (() => Promise<A>) | Promise<A> | A

/** A handle as a loose record takes it: whatever it made (`any`, so that its own handle type fits). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseHandle = any

/** Operation `K`'s arguments as a loose record takes them: its own handles where `K` takes one. */
export type LooseArgs<K extends OperationName> = {
  [I in keyof ArgsOf<K>]: ArgsOf<K>[I] extends FileHandle | DirHandle ? LooseHandle : ArgsOf<K>[I]
}

/** What operation `K` of a loose record gives: its own handle where `K` gives one. */
export type LooseGives<K extends OperationName> = GivesOf<K> extends FileHandle | DirHandle ? unknown : GivesOf<K>

/**
 * A "loose" backend: the shape of `PathIO` (every operation of the table,
 * typed from `Signatures`), but each function may throw, return a
 * `Promise`, a plain value, or a `TaskEither` whose error is anything.
 * Handles are whatever the record makes (objects are best: they are
 * recognised by identity); they are given back to it untouched.
 *
 * @example
 * import type { LooseBackend } from 'fp-pathio'
 * import * as fs from 'node:fs'
 * const partial: Pick<LooseBackend, 'exists' | 'stat'> = {
 *   exists: (path) => fs.existsSync(path), // a plain value
 *   stat: (path) => fs.promises.stat(path) // a Promise that may reject with { code: 'ENOENT' }
 * }
 * assert.strictEqual(partial.exists('/'), true)
 *
 * @category model
 * @since 0.1.0
 */
export type LooseBackend<S = unknown> = {
  readonly state?: S
  /** What it can do; left out, every flag on (`symlinks` included); partial, completed so. */
  readonly capabilities?: Partial<Capabilities>
} & {
  readonly [K in OperationName]: (...args: LooseArgs<K>) => LooseResult<LooseGives<K>>
}

const isEither = (u: unknown): u is E.Either<unknown, unknown> =>
  typeof u === 'object' &&
  u !== null &&
  (((u as { _tag?: unknown })._tag === 'Left' && 'left' in u) ||
    ((u as { _tag?: unknown })._tag === 'Right' && 'right' in u))

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  (typeof u === 'object' || typeof u === 'function') &&
  u !== null &&
  typeof (u as { then?: unknown }).then === 'function'

/**
 * Runs one loose call and settles on an `Either` whatever it does: a thrown
 * error, a rejection, or a `Left` of anything become a `PathIOError`.
 */
const runLoose = (
  op: OperationName,
  args: ReadonlyArray<unknown>,
  call: LooseCall
): Promise<E.Either<PathIOError, unknown>> => {
  // Built only on failure: the success path allocates nothing for errors.
  const asPathIOError = (u: unknown): PathIOError => toPathIOError(op, errorPath(op, args))(u)
  const fromValue = (value: unknown): E.Either<PathIOError, unknown> =>
    isEither(value) ? E.mapLeft(asPathIOError)(value) : E.right(value)
  try {
    let result = call(...args)
    // A function is a `TaskEither` (or a `Task`): run it, it may throw too.
    if (typeof result === 'function') result = (result as () => unknown)()
    return isThenable(result)
      ? Promise.resolve(result).then(fromValue, (rejected: unknown) => E.left(asPathIOError(rejected)))
      : Promise.resolve(fromValue(result))
  } catch (thrown) {
    return Promise.resolve(E.left(asPathIOError(thrown)))
  }
}

/**
 * Makes a `PathIO` of a loose record: every failure becomes a `PathIOError`
 * (a `PathIOError` passes through; an errno error maps by its `code`, so
 * `{ code: 'ENOENT' }` is `NotFound`; anything else is `Unknown`), with the
 * original kept as `cause`. The record's functions are called only when the
 * task runs, as methods of the record. A function that returns a function is
 * taken to return a `TaskEither` (or a `Task`), which is run; an `Either`
 * value is taken as the result; anything else is the `Right` value. `state`
 * passes through, and so do `capabilities` (every flag on when the record
 * declares none, completed when partial). A record missing an operation is a
 * `TypeError` at once. A record known to fail only with `PathIOError`s (one
 * `makePathIO` built, so every built-in factory's, or one `withTimeout`,
 * `withSignal` or `normaliseErrors` returned) is handed back as it is.
 *
 * @example
 * import { normaliseErrors, makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as fs from 'node:fs'
 * // a memory tree whose `stat` asks the real disk instead, with a Promise
 * const io = normaliseErrors({ ...makeMemoryPathIO(), stat: (path: string) => fs.promises.stat(path) })
 * const missing = await io.stat('/no/such/file')()
 * assert.ok(E.isLeft(missing))
 * assert.strictEqual(missing.left.reason, 'NotFound')
 * assert.strictEqual(missing.left.code, 'ENOENT')
 * assert.ok(missing.left.cause instanceof Error) // the rejection, untouched
 *
 * @category combinators
 * @since 0.1.0
 */
export const normaliseErrors = <S = undefined>(backend: LooseBackend<S>): PathIO<S> =>
  isNormalised(backend)
    ? (backend as unknown as PathIO<S>)
    : markNormalised(
        mapOperations<S>(
          'normaliseErrors',
          backend,
          (op, call) =>
            (...args) =>
            () =>
              runLoose(op, args, call)
        )
      )
