/**
 * What a backend declares about jails, so that `withRoot` needs to know no
 * backend: a record may offer a rooted form of itself (one that keeps every
 * operation inside a real directory even when symbolic links change under
 * it), and a state may declare that it has no symbolic links at all.
 * Middleware built on `mapOperations` passes a rooted form through, so a
 * stack of middleware over a disk record keeps it.
 */
import type { PathIO } from '../PathIO'

/**
 * A rooted form of a record: the same operations on the same paths, except
 * that none of them ever acts outside the real directory `root` (whatever
 * links lead there), refusing with `PermissionDenied` instead.
 */
export type Rooting<S> = (root: string) => PathIO<S>

const rootings = new WeakMap<object, Rooting<unknown>>()
const linkless = new WeakSet<object>()

/** Declares `rooting` as the rooted form of `pathio`; gives `pathio` back. */
export const declareRooting = <S>(pathio: PathIO<S>, rooting: Rooting<S>): PathIO<S> => {
  rootings.set(pathio, rooting as Rooting<unknown>)
  return pathio
}

/** The rooted form `pathio` declared, if any. */
export const rootingOf = <S>(pathio: PathIO<S>): Rooting<S> | undefined =>
  rootings.get(pathio) as Rooting<S> | undefined

/** Declares that the records over `state` have no symbolic links (an in-memory tree, say): a path means what it says. */
export const declareLinkless = <T extends object>(state: T): T => {
  linkless.add(state)
  return state
}

export const isLinkless = (state: unknown): boolean => typeof state === 'object' && state !== null && linkless.has(state)
