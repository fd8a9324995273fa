/**
 * The VERSION packet of SFTP version 3, with the extensions the server
 * announces (`ssh2` sends one without any: see `announceExtensions` in
 * quirks.ts).
 *
 * @since 0.3.0
 */
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
  const body = Buffer.concat([
    Buffer.from([2, 0, 0, 0, 3]),
    ...Object.entries(extensions).flatMap(([name, data]) => [sshString(name), sshString(data)])
  ])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(body.length)
  return Buffer.concat([length, body])
}
