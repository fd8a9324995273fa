/**
 * Client addresses as the server layer compares them: one peer, however its
 * socket spells its address.
 *
 * @since 0.3.0
 */

/**
 * An address without its IPv4-mapped IPv6 prefix: `::ffff:127.0.0.1` and
 * `127.0.0.1` are one peer.
 *
 * @example
 * import { plainAddress } from 'fp-pathio/server'
 * assert.strictEqual(plainAddress('::ffff:127.0.0.1'), '127.0.0.1')
 *
 * @category utils
 * @since 0.1.0
 */
export const plainAddress = (address: string | undefined): string =>
  address === undefined ? '' : address.startsWith('::ffff:') ? address.slice(7) : address
