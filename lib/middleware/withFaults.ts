/**
 * `withFaults`: deterministic, seeded fault injection, to test what a server
 * does when its file system fails.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { OPERATION_NAMES, RELEASING_OPERATIONS } from '../Operations'
import type { Middleware, OperationName, PathIO } from '../PathIO'
import { Reason, pathIOError, type PathIOError } from '../PathIOError'
import { describe } from '../internal/arguments'
import { errorPath } from '../internal/calls'
import { mulberry32 } from '../internal/random'
import { wrapOperations } from '../internal/wrap'

/**
 * Options of `withFaults`.
 *
 * @category model
 * @since 0.1.0
 */
export interface FaultOptions {
  /** An integer: the same seed gives the same faults for the same sequence of calls. */
  readonly seed: number
  /** Probability in [0, 1] that a call of one of `ops` fails. */
  readonly rate: number
  /** Reasons to draw from (default `Unknown`, `NoSpace`, `Busy`, `PermissionDenied`). */
  readonly reasons?: ReadonlyArray<Reason>
  /** Operations that may fail (default: every operation but `close` and `closedir`). */
  readonly ops?: ReadonlyArray<OperationName>
}

/**
 * The reasons drawn from by default: what a real disk or server does under stress.
 *
 * @example
 * import { DEFAULT_FAULT_REASONS } from 'fp-pathio'
 * assert.ok(DEFAULT_FAULT_REASONS.includes('NoSpace'))
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_FAULT_REASONS: ReadonlyArray<Reason> = ['Unknown', 'NoSpace', 'Busy', 'PermissionDenied']

const checkFaultOptions = (options: unknown): Required<FaultOptions> => {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`withFaults: options must be an object { seed, rate }, got ${describe(options)}`)
  const { seed, rate, reasons, ops } = options as Partial<Record<keyof FaultOptions, unknown>>
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    throw new TypeError(`withFaults: 'seed' must be a safe integer, got ${describe(seed)}`)
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
    throw new TypeError(`withFaults: 'rate' must be a number in [0, 1], got ${describe(rate)}`)
  const listOf = <A>(
    name: string,
    value: unknown,
    is: (u: unknown) => u is A,
    fallback: ReadonlyArray<A>
  ): ReadonlyArray<A> => {
    if (value === undefined) return fallback
    if (!Array.isArray(value) || value.length === 0)
      throw new TypeError(`withFaults: '${name}' must be a non-empty array, got ${describe(value)}`)
    for (const item of value)
      if (!is(item)) throw new TypeError(`withFaults: '${name}' has an unknown entry ${describe(item)}`)
    return value as ReadonlyArray<A>
  }
  const isOperation = (u: unknown): u is OperationName => (OPERATION_NAMES as ReadonlyArray<unknown>).includes(u)
  return {
    seed,
    rate,
    reasons: listOf('reasons', reasons, Reason.is, DEFAULT_FAULT_REASONS),
    ops: listOf(
      'ops',
      ops,
      isOperation,
      OPERATION_NAMES.filter((op) => !RELEASING_OPERATIONS.has(op))
    )
  }
}

/**
 * Each call (each run of a task) of an operation in `ops` fails, with
 * probability `rate`, with `Left` of a reason drawn from `reasons`, WITHOUT
 * calling the inner operation: a faulted `write` writes nothing, a faulted
 * `open` opens nothing. `close` and `closedir` are not faulted by default;
 * when `ops` names one, a faulted call still closes the inner handle or
 * listing (so nothing leaks) and then reports the fault. Each record the middleware is applied to has its
 * own generator started from `seed`: the same seed gives the same faults for
 * the same sequence of calls. Bad options (a non-integer seed, a rate outside
 * [0, 1], an unknown reason or operation) are a `TypeError` at once.
 *
 * @example
 * import { withFaults, makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const flaky = withFaults({ seed: 42, rate: 0.5, ops: ['mkdir'], reasons: ['NoSpace'] })
 * const outcomes = async () => {
 *   const io = flaky(makeMemoryPathIO())
 *   const seen: Array<string> = []
 *   for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
 *     const made = await io.mkdir('/' + name)()
 *     seen.push(E.isLeft(made) ? made.left.reason : 'made')
 *   }
 *   return seen
 * }
 * const first = await outcomes()
 * assert.ok(first.includes('NoSpace') && first.includes('made'))
 * assert.deepStrictEqual(await outcomes(), first) // the same seed, the same faults
 *
 * @category combinators
 * @since 0.1.0
 */
export const withFaults = (options: FaultOptions): Middleware => {
  const { seed, rate, reasons, ops } = checkFaultOptions(options)
  const faulty: ReadonlySet<OperationName> = new Set(ops)
  return <S>(pathio: PathIO<S>): PathIO<S> => {
    const random = mulberry32(seed)
    /** One draw per call of a faulty operation; a second one picks the reason. */
    const drawFault = (): Reason | undefined =>
      random() < rate ? reasons[Math.min(reasons.length - 1, Math.floor(random() * reasons.length))] : undefined
    return wrapOperations((op, args, next) => {
      if (!faulty.has(op)) return next(...args)
      return () => {
        const reason = drawFault()
        if (reason === undefined) return next(...args)()
        const fault: PathIOError = pathIOError(reason, op, {
          path: errorPath(op, args),
          detail: `injected fault (${reason})`
        })
        // A faulted close still closes: the fault is what the caller hears, the handle or listing does not leak.
        return RELEASING_OPERATIONS.has(op) ? next(...args)().then(() => E.left(fault)) : Promise.resolve(E.left(fault))
      }
    })(pathio)
  }
}
