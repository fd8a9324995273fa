/**
 * Where `ssh2` 1.17 (the SSH transport) needs help, each fix on one
 * connection or channel, through internals it checks before it touches
 * them (if they change, the fix does nothing and a test notices).
 *
 * @since 0.3.0
 */
import type { Connection, SFTPWrapper } from 'ssh2'
import { versionPacket } from './version'

type Handler = (parser: unknown, service: string) => void

interface ConnectionInternals {
  readonly authenticated?: boolean
  readonly _protocol?: {
    readonly _handlers?: Record<string, Handler | undefined>
    readonly serviceAccept?: (service: string) => void
  }
}

/**
 * Accepts a repeated `ssh-userauth` service request before a login: paramiko
 * sends one for each `auth_password`, and `ssh2` disconnects at the second,
 * so a client that retries a password on its connection is cut off.
 *
 * @category combinators
 * @since 0.3.0
 */
export const allowRepeatedUserauth = (client: Connection): void => {
  const internals = client as unknown as ConnectionInternals
  const protocol = internals._protocol
  const handlers = protocol?._handlers
  const original = handlers?.SERVICE_REQUEST
  const serviceAccept = protocol?.serviceAccept
  if (handlers === undefined || original === undefined || typeof serviceAccept !== 'function') return
  let accepted = false
  handlers.SERVICE_REQUEST = (parser, service) => {
    if (accepted && service === 'ssh-userauth' && internals.authenticated !== true)
      return serviceAccept.call(protocol, service)
    accepted = service === 'ssh-userauth'
    return original(parser, service)
  }
}

interface ChannelInternals {
  readonly outgoing?: { readonly state?: string; readonly id?: number }
  readonly _protocol?: { readonly exitStatus?: (id: number, status: number) => void }
}

/**
 * Ends an SFTP channel as OpenSSH's server does: `exit-status` 0, then the
 * close. Without the status `ssh` exits 255 and `scp` calls a complete
 * transfer a failure; `ssh2`'s SFTP channel has no `exit`.
 *
 * @category utils
 * @since 0.3.0
 */
export const exitChannel = (sftp: SFTPWrapper): void => {
  const { outgoing, _protocol: protocol } = sftp as unknown as ChannelInternals
  if (outgoing?.state === 'open' && outgoing.id !== undefined && typeof protocol?.exitStatus === 'function')
    protocol.exitStatus(outgoing.id, 0)
  sftp.end()
}

/** The VERSION packet `ssh2` sends: length 5, SSH_FXP_VERSION, version 3. */
const PLAIN_VERSION = Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3])

interface SftpInternals {
  _protocol: { channelData: (id: number, data: Buffer) => void }
  readonly outgoing: { window: number }
}

/**
 * Makes the VERSION `sftp` sends (once the client's INIT comes) name
 * `extensions`: `ssh2`'s SFTP server sends a fixed VERSION without any, so
 * a client would never use `posix-rename@openssh.com`. The first packet of
 * the channel, that VERSION, is swapped for one that names them. Call it
 * right after accepting the channel.
 *
 * @category combinators
 * @since 0.3.0
 */
export const announceExtensions = (sftp: SFTPWrapper, extensions: Readonly<Record<string, string>>): void => {
  const internals = sftp as unknown as Partial<SftpInternals>
  const protocol = internals._protocol
  if (protocol === undefined || typeof protocol.channelData !== 'function' || internals.outgoing === undefined) return
  const packet = versionPacket(extensions)
  const channel = internals as SftpInternals
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

interface ReplyInternals {
  readonly outgoing?: { window: number; readonly packetSize?: number; readonly state?: string; readonly id?: number }
  readonly _protocol?: { readonly channelData?: (id: number, data: Buffer) => void }
}

/**
 * Sends an SSH_FXP_EXTENDED_REPLY (`ssh2`'s SFTP server has no way to):
 * `payload` after the request's id. Gives `false`, sending nothing, when
 * the channel's window or packet size has no room for it now (the caller
 * then answers otherwise).
 *
 * @category utils
 * @since 0.3.0
 */
export const replyExtended = (sftp: SFTPWrapper, id: number, payload: Buffer): boolean => {
  const { outgoing, _protocol: protocol } = sftp as unknown as ReplyInternals
  const packet = Buffer.alloc(9 + payload.length)
  packet.writeUInt32BE(5 + payload.length, 0)
  packet[4] = 201
  packet.writeUInt32BE(id, 5)
  payload.copy(packet, 9)
  if (
    outgoing === undefined ||
    outgoing.state !== 'open' ||
    outgoing.id === undefined ||
    typeof protocol?.channelData !== 'function'
  )
    return false
  if (outgoing.window < packet.length || (outgoing.packetSize ?? 0) < packet.length) return false
  outgoing.window -= packet.length
  protocol.channelData(outgoing.id, packet)
  return true
}
