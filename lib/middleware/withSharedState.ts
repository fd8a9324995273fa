/**
 * `withSharedState`: one state (a tree, a pool) per server, one record per
 * connection (aioftp's `PathIONursery`).
 *
 * @since 0.1.0
 */
import type { FactoryContext, PathIO, PathIOFactory } from '../PathIO'

/**
 * Returns a factory whose instances all share the state of the first one
 * made: the first call is `factory(context)`; every later call is
 * `factory({ ...context, state: firstState })`, so a `state` given in a later
 * context is overridden. A `factory` that is not a function is a `TypeError`
 * at once.
 *
 * @example
 * import { withSharedState, makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const perConnection = withSharedState(makeMemoryPathIO)
 * const alice = perConnection()
 * const bob = perConnection({ timeout: 30000 })
 * assert.strictEqual(alice.state, bob.state) // one tree
 * await alice.mkdir('/shared')()
 * assert.deepStrictEqual(await bob.isDir('/shared')(), E.right(true))
 *
 * @category combinators
 * @since 0.1.0
 */
export const withSharedState = <S>(factory: PathIOFactory<S>): PathIOFactory<S> => {
  if (typeof factory !== 'function')
    throw new TypeError(
      `withSharedState: 'factory' must be a function, got ${factory === null ? 'null' : typeof factory}`
    )
  // Boxed so that a first state of `undefined` (the node backend's) still counts as made.
  let shared: { readonly state: S } | undefined
  return (context?: FactoryContext<S>): PathIO<S> => {
    if (shared !== undefined) return factory({ ...(context ?? {}), state: shared.state })
    const first = factory(context)
    shared = { state: first.state }
    return first
  }
}
