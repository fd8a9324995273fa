/**
 * The extensions the server announces in its VERSION packet. `ssh2`'s SFTP
 * server sends a fixed VERSION without any, so a client would never use
 * `posix-rename@openssh.com`: the first packet of the channel, that VERSION,
 * is swapped for one that names them. Its reliance on `ssh2`'s internals
 * (`_protocol`, `outgoing`) is checked: if they change, the channel works
 * on, announcing nothing (a test would notice).
 *
 * @since 0.3.0
 */
import type { SFTPWrapper } from 'ssh2'

/** The VERSION packet `ssh2` sends: length 5, SSH_FXP_VERSION, version 3. */
const PLAIN_VERSION = Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3])

interface Internals {
  _protocol: { channelData: (id: number, data: Buffer) => void }
  readonly outgoing: { window: number }
}

const sshString = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/**
 * The VERSION packet of SFTP version 3 with `extensions` (name, data).
 *
 * @example
 * import { versionPacket } from 'fp-pathio/sftp'
 * assert.deepStrictEqual([...versionPacket({})], [0, 0, 0, 5, 2, 0, 0, 0, 3])
 *
 * @category constructors
 * @since 0.3.0
 */
export const versionPacket = (extensions: Readonly<Record<string, string>>): Buffer => {
  const body = Buffer.concat([Buffer.from([2, 0, 0, 0, 3]), ...Object.entries(extensions).flatMap(([name, data]) => [sshString(name), sshString(data)])])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(body.length)
  return Buffer.concat([length, body])
}

/**
 * Makes the VERSION `sftp` sends (once the client's INIT comes) name
 * `extensions`. Call it right after accepting the channel.
 *
 * @category combinators
 * @since 0.3.0
 */
export const announceExtensions = (sftp: SFTPWrapper, extensions: Readonly<Record<string, string>>): void => {
  const internals = sftp as unknown as Partial<Internals>
  const protocol = internals._protocol
  if (protocol === undefined || typeof protocol.channelData !== 'function' || internals.outgoing === undefined) return
  const packet = versionPacket(extensions)
  const channel = internals as Internals
  // Only this channel's view of the connection changes, and only until its first packet has gone.
  channel._protocol = new Proxy(protocol, {
    get: (target, key) => {
      if (key === 'channelData')
        return (id: number, data: Buffer) => {
          channel._protocol = protocol
          if (!data.equals(PLAIN_VERSION)) return protocol.channelData(id, data)
          // ssh2 counted the plain packet against the window; the longer one costs the difference too.
          channel.outgoing.window -= packet.length - data.length
          return protocol.channelData(id, packet)
        }
      const value = Reflect.get(target, key, target) as unknown
      return typeof value === 'function' ? (value as (...args: Array<unknown>) => unknown).bind(target) : value
    }
  })
}
