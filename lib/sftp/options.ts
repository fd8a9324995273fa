/**
 * The options of the SFTP front beyond the shared ones (`ServerOptions`):
 * the host key. Checked at once: a bad one is a `TypeError` naming it.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import type { ServerOptions } from '../server/options'
import { badOption } from '../server/options'
import { generateHostKey, hostKeyFingerprint, parseHostKey } from './hostKey'

/**
 * What only SFTP has: the options of `makeSftpFront`, and with the shared
 * `ServerOptions` those of `makeSftpServer`.
 *
 * @category model
 * @since 0.3.0
 */
export interface SftpOptions {
  /**
   * The host's private key (OpenSSH or PEM; ed25519, ECDSA or RSA; not
   * encrypted). Left out: an ed25519 key is made for this server only, so
   * clients see a new fingerprint at each start (`loadOrCreateHostKey`
   * keeps one in a file).
   */
  readonly hostKey?: string | Buffer
}

/**
 * Options of `makeSftpServer`: the shared ones and SFTP's own.
 *
 * @category model
 * @since 0.3.0
 */
export interface SftpServerOptions<S> extends ServerOptions<S>, SftpOptions {}

/**
 * SFTP's options, checked, the host key made when none was given.
 *
 * @category model
 * @since 0.3.0
 */
export interface SftpSettings {
  readonly hostKey: string | Buffer
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string
}

/**
 * Checks SFTP's own options (`where`: the function given them).
 *
 * @example
 * import { checkSftpOptions } from 'fp-pathio/sftp'
 * assert.match(checkSftpOptions('makeSftpServer', {}).fingerprint, /^SHA256:/)
 * assert.throws(() => checkSftpOptions('makeSftpServer', { hostKey: 'nonsense' }), /makeSftpServer: option 'hostKey'/)
 *
 * @category destructors
 * @since 0.3.0
 */
export const checkSftpOptions = (where: string, options: SftpOptions): SftpSettings => {
  const given = options.hostKey
  if (given !== undefined && typeof given !== 'string' && !Buffer.isBuffer(given))
    return badOption(where)('hostKey', 'a private key (string or Buffer)', given)
  const hostKey = given ?? generateHostKey()
  const parsed = parseHostKey(hostKey)
  if (E.isLeft(parsed))
    throw new TypeError(
      `${where}: option 'hostKey' must be an unencrypted private key (OpenSSH or PEM): ${parsed.left}`
    )
  return { hostKey, fingerprint: hostKeyFingerprint(hostKey) }
}
