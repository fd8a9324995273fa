/**
 * The one mechanism every combinator is built on: wrap each operation of a
 * record in the same "around" function.
 *
 * `mapOperations` is the general form (it also takes a loose record, whose
 * functions may return anything: `normaliseErrors` uses it); `wrapOperations`
 * is the typed form every middleware uses.
 *
 * @since 0.1.0
 */
import type { TaskEither } from 'fp-ts/TaskEither'
import { OPERATION_NAMES } from '../Operations'
import { type ArgsOf, type GivesOf, type Middleware, type Operation, type OperationName, type PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { isCapabilities, makeCapabilities, type Capabilities } from '../Capabilities'

/**
 * What a combinator does around one operation, typed by that operation: it
 * sees the operation's name, its arguments, the inner call and the inner
 * record (to close a handle it must not leak, say), and returns the
 * operation's own `TaskEither`.
 *
 * @category model
 * @since 0.1.0
 */
export type Around = <K extends OperationName>(
  op: K,
  args: ArgsOf<K>,
  next: Operation<K>,
  inner: PathIO<unknown>
) => TaskEither<PathIOError, GivesOf<K>>

/**
 * One operation of a record whose functions may return anything (see
 * `mapOperations`).
 *
 * @category model
 * @since 0.1.0
 */
export type LooseCall = (...args: ReadonlyArray<unknown>) => unknown

/**
 * Builds a `PathIO` from any record that has a function for every name in
 * `OPERATION_NAMES`: operation `op` of the result is `build(op, call)`, where
 * `call` invokes the record's own function (as a method, so a record whose
 * functions use `this` still works). `state` passes through (`undefined` when
 * the record has none), and so do its `capabilities`, through `adjust` when
 * given (a record that declares none is taken to have every one the
 * contract asks, `symlinks` included; a partial record of flags is
 * completed so). A missing operation, or capabilities that are not flags,
 * are a `TypeError` at once. `build` also gets the record it wraps. When
 * the record offers a rooted form of itself (`rootedAt`, see `withRoot`),
 * so does the result: the same `build` over the rooted form.
 *
 * @example
 * import { mapOperations, makeMemoryPathIO, type PathIOError } from 'fp-pathio'
 * import type { TaskEither } from 'fp-ts/TaskEither'
 * // Every operation notes its name, then runs the record's own function.
 * const seen: Array<string> = []
 * const io = mapOperations('noted', makeMemoryPathIO(), (op, call) => (...args) => {
 *   seen.push(op)
 *   return call(...args) as TaskEither<PathIOError, unknown>
 * })
 * await io.mkdir('/pub')()
 * assert.deepStrictEqual(seen, ['mkdir'])
 *
 * @category combinators
 * @since 0.1.0
 */
export const mapOperations = <S>(
  where: string,
  record: {
    readonly state?: S
    readonly capabilities?: Partial<Capabilities>
    readonly rootedAt?: (root: string) => unknown
  },
  build: (
    op: OperationName,
    call: LooseCall,
    record: { readonly state?: S }
  ) => (...args: ReadonlyArray<unknown>) => TaskEither<PathIOError, unknown>,
  adjust?: (capabilities: Capabilities) => Capabilities
): PathIO<S> => {
  if (typeof record !== 'object' || record === null)
    throw new TypeError(`${where}: expected a record of operations, got ${record === null ? 'null' : typeof record}`)
  const given = capabilitiesOf(where, record.capabilities)
  const wrapped: Record<string, unknown> = {
    state: record.state,
    capabilities: adjust === undefined ? given : adjust(given)
  }
  for (const op of OPERATION_NAMES) {
    const fn = (record as Record<string, unknown>)[op]
    if (typeof fn !== 'function')
      throw new TypeError(`${where}: operation '${op}' must be a function, got ${typeof fn}`)
    const call: LooseCall = (...args) => (fn as LooseCall).apply(record, args as Array<unknown>)
    wrapped[op] = build(op, call, record)
  }
  const { rootedAt } = record
  if (rootedAt !== undefined && rootedAt !== null) {
    if (typeof rootedAt !== 'function')
      throw new TypeError(`${where}: 'rootedAt' must be a function, got ${typeof rootedAt}`)
    wrapped.rootedAt = (root: string) =>
      mapOperations(where, rootedAt.call(record, root) as typeof record, build, adjust)
  }
  return wrapped as unknown as PathIO<S>
}

/** A record's capabilities, whole: passed through when they are, completed when partial, every one when absent. */
const capabilitiesOf = (where: string, given: unknown): Capabilities => {
  if (given === undefined || given === null) return makeCapabilities()
  if (isCapabilities(given)) return given
  try {
    return makeCapabilities(given as Partial<Capabilities>)
  } catch (thrown) {
    throw new TypeError(`${where}: ${(thrown as Error).message}`)
  }
}

/**
 * Builds a middleware from one `Around`, applied to every operation in
 * `OPERATION_NAMES`; `state` and `capabilities` pass through (the latter
 * through `adjust`, for a middleware that changes what the record can do,
 * as `readOnly`). Adding an operation to `PathIO` needs no edit in any
 * combinator.
 *
 * @example
 * import { wrapOperations, makeMemoryPathIO } from 'fp-pathio'
 * const seen: Array<string> = []
 * const logged = wrapOperations((op, args, next) => {
 *   seen.push(op)
 *   return next(...args)
 * })
 * const io = logged(makeMemoryPathIO())
 * await io.exists('/')()
 * assert.deepStrictEqual(seen, ['exists'])
 *
 * @category combinators
 * @since 0.1.0
 */
export const wrapOperations =
  (around: Around, adjust?: (capabilities: Capabilities) => Capabilities): Middleware =>
  <S>(pathio: PathIO<S>): PathIO<S> =>
    mapOperations(
      'wrapOperations',
      pathio,
      (op, call, record) => aroundOne(op, call, around, record as PathIO<unknown>) as LooseCall as never,
      adjust
    )

/**
 * Operation `op` with `around` around it. `call` runs the record's own
 * function, whose type `mapOperations` has checked: it is `op`'s.
 */
const aroundOne = <K extends OperationName>(
  op: K,
  call: LooseCall,
  around: Around,
  pathio: PathIO<unknown>
): Operation<K> => {
  const next = call as Operation<K>
  return (...args) => around(op, args, next, pathio)
}
