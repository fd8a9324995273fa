/**
 * Connection limits: how many control connections the server holds, in all
 * and from one address. A connection frees its place the moment it closes.
 *
 * @since 0.1.0
 */
import { plainAddress } from './addresses'

/**
 * Admits or refuses connections.
 *
 * @category model
 * @since 0.1.0
 */
export interface ConnectionLimits {
  /** Takes a place for a connection from `address`: the function that gives it back, or `undefined` when full. */
  readonly admit: (address: string | undefined) => (() => void) | undefined
  /** Connections holding a place. */
  readonly count: () => number
}

/**
 * Limits of `max` connections in all and `perAddress` from one address (0: no
 * limit per address). The release function is idempotent.
 *
 * @example
 * import { makeConnectionLimits } from 'fp-pathio/server'
 * const limits = makeConnectionLimits(3, 1)
 * const release = limits.admit('10.0.0.1')
 * assert.ok(release !== undefined)
 * assert.strictEqual(limits.admit('::ffff:10.0.0.1'), undefined) // the same address, over its limit
 * release()
 * release()
 * assert.strictEqual(limits.count(), 0)
 * assert.ok(limits.admit('10.0.0.1') !== undefined)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeConnectionLimits = (max: number, perAddress: number): ConnectionLimits => {
  let total = 0
  const byAddress = new Map<string, number>()
  return {
    count: () => total,
    admit: (address) => {
      const key = plainAddress(address)
      const mine = byAddress.get(key) ?? 0
      if (total >= max || (perAddress > 0 && mine >= perAddress)) return undefined
      total += 1
      byAddress.set(key, mine + 1)
      let released = false
      return () => {
        if (released) return
        released = true
        total -= 1
        const left = (byAddress.get(key) ?? 1) - 1
        if (left === 0) byAddress.delete(key)
        else byAddress.set(key, left)
      }
    }
  }
}
