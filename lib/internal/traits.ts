/**
 * What a backend declares about its state, for the combinators that need to
 * know (so that a middleware never imports a backend to recognise it).
 */

const withoutSymbolicLinks = new WeakSet<object>()

/** A backend declares that no path of this state can run through a symbolic link (a memory tree). */
export const declareNoSymbolicLinks = <S extends object>(state: S): S => {
  withoutSymbolicLinks.add(state)
  return state
}

/** Whether the state's backend declared that it has no symbolic links. */
export const hasNoSymbolicLinks = (state: unknown): boolean =>
  typeof state === 'object' && state !== null && withoutSymbolicLinks.has(state)
