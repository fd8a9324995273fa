/**
 * What a backend declares about its state or its record, for the combinators
 * that need to know (so that a middleware never imports a backend to
 * recognise it).
 */
import type { PathIO } from '../PathIO'

const withoutSymbolicLinks = new WeakSet<object>()

/** A backend declares that no path of this state can run through a symbolic link (a memory tree). */
export const declareNoSymbolicLinks = <S extends object>(state: S): S => {
  withoutSymbolicLinks.add(state)
  return state
}

/** Whether the state's backend declared that it has no symbolic links. */
export const hasNoSymbolicLinks = (state: unknown): boolean =>
  typeof state === 'object' && state !== null && withoutSymbolicLinks.has(state)

/**
 * A rooted form of a record: the same operations on the same paths, except
 * that none of them ever acts outside the real directory `root`, whatever
 * symbolic links lead there or are swapped in meanwhile (`PermissionDenied`
 * instead). The disk backends declare one; `withRoot` uses it.
 */
export type Rooting<S> = (root: string) => PathIO<S>

const rootings = new WeakMap<object, Rooting<unknown>>()

/**
 * A backend declares `rooting` as the rooted form of `pathio` (gives
 * `pathio` back). `mapOperations` passes it through: a middleware over a
 * record that has one has one too, the same middleware over the rooted form.
 */
export const declareRooting = <S>(pathio: PathIO<S>, rooting: Rooting<S>): PathIO<S> => {
  rootings.set(pathio, rooting as Rooting<unknown>)
  return pathio
}

/** The rooted form `pathio` declared, if any. */
export const rootingOf = <S>(pathio: PathIO<S>): Rooting<S> | undefined => rootings.get(pathio) as Rooting<S> | undefined
