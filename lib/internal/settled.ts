/**
 * Knowing, at no cost, that a task's promise was made already settled.
 *
 * The memory and Node backends compute an operation synchronously and hand
 * back a resolved promise. A timer can never beat such a result, so
 * `withTimeout` need not race it: it asks `wasMadeSettled(promise)` right
 * after the call returns. The mark is the identity of the last promise made
 * here (single-threaded JavaScript: nothing runs in between), so it costs no
 * allocation and cannot be forged by another promise.
 */
let lastSettled: Promise<unknown> | undefined

/** `Promise.resolve(value)`, marked as made settled. */
export const settled = <A>(value: A): Promise<A> => {
  const promise = Promise.resolve(value)
  lastSettled = promise
  return promise
}

/** Whether `promise` is the one `settled` made last: ask right after the call that returned it. */
export const wasMadeSettled = (promise: unknown): boolean => {
  const hit = promise === lastSettled
  lastSettled = undefined
  return hit
}
