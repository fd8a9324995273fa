/**
 * The server's host key: checked when given, generated (ed25519) when not,
 * kept in a file across restarts when asked, and its fingerprint as
 * `ssh-keygen -lf` prints it.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import { utils } from 'ssh2'
import { keyFingerprint } from '../server/keys'

/**
 * What a host key gives: its public key blob (the SSH wire form).
 *
 * @category model
 * @since 0.3.0
 */
export interface HostKey {
  readonly publicBlob: Buffer
}

/**
 * A private key, checked; `Left` says why it is not one (a public key, an
 * encrypted key, not a key at all).
 *
 * @example
 * import { parseHostKey, generateHostKey } from 'fp-pathio/sftp'
 * import * as E from 'fp-ts/Either'
 * assert.ok(E.isRight(parseHostKey(generateHostKey())))
 * assert.ok(E.isLeft(parseHostKey('not a key')))
 *
 * @category destructors
 * @since 0.3.0
 */
export const parseHostKey = (key: string | Buffer): E.Either<string, HostKey> => {
  const parsed = utils.parseKey(key)
  if (parsed instanceof Error) return E.left(parsed.message)
  const one = Array.isArray(parsed) ? parsed[0] : parsed
  return one !== undefined && one.isPrivateKey()
    ? E.right({ publicBlob: one.getPublicSSH() })
    : E.left('it is not a private key')
}

/**
 * A new ed25519 private key, in OpenSSH's format (one that `ssh2` reads back).
 *
 * @example
 * import { generateHostKey } from 'fp-pathio/sftp'
 * assert.ok(generateHostKey().startsWith('-----BEGIN OPENSSH PRIVATE KEY-----'))
 *
 * @category constructors
 * @since 0.3.0
 */
export const generateHostKey = (): string => {
  // ssh2 1.17 writes about one ed25519 key in 250 that its own parser then calls malformed: make another.
  for (let attempt = 1; ; attempt++) {
    const key = utils.generateKeyPairSync('ed25519').private
    if (!(utils.parseKey(key) instanceof Error) || attempt >= 20) return key
  }
}

/**
 * The fingerprint of a host key (`SHA256:...`, as `ssh-keygen -lf` prints it).
 *
 * @example
 * import { hostKeyFingerprint, generateHostKey } from 'fp-pathio/sftp'
 * assert.match(hostKeyFingerprint(generateHostKey()), /^SHA256:[A-Za-z0-9+/]{43}$/)
 *
 * @category utils
 * @since 0.3.0
 */
export const hostKeyFingerprint = (key: string | Buffer): string =>
  E.match(
    (message: string): string => {
      throw new TypeError(`hostKeyFingerprint: ${message}`)
    },
    (parsed: HostKey) => keyFingerprint(parsed.publicBlob)
  )(parseHostKey(key))

/**
 * The host key kept in `file`: read when it exists (and checked), else
 * generated (ed25519) and written there with mode 0600, so the fingerprint
 * survives restarts. `Left` is one line naming the file.
 *
 * @example
 * import { loadOrCreateHostKey } from 'fp-pathio/sftp'
 * import * as fs from 'node:fs'
 * import * as os from 'node:os'
 * import * as path from 'node:path'
 * import * as E from 'fp-ts/Either'
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-key-'))
 * const first = loadOrCreateHostKey(path.join(dir, 'key'))
 * assert.ok(E.isRight(first) && (fs.statSync(path.join(dir, 'key')).mode & 0o777) === 0o600)
 * assert.deepStrictEqual(loadOrCreateHostKey(path.join(dir, 'key')), first)
 * fs.rmSync(dir, { recursive: true })
 *
 * @category constructors
 * @since 0.3.0
 */
export const loadOrCreateHostKey = (file: string): E.Either<string, string> => {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      return E.left(`cannot read the host key ${file}: ${(error as Error).message}`)
    const key = generateHostKey()
    try {
      // `wx`: never over a file another process made meanwhile.
      fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' })
    } catch (written) {
      return E.left(`cannot write the host key ${file}: ${(written as Error).message}`)
    }
    return E.right(key)
  }
  return E.bimap(
    (message: string) => `the host key ${file} is not a usable private key: ${message}`,
    () => text
  )(parseHostKey(text))
}
