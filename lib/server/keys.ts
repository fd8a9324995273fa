/**
 * Public keys of accounts, as OpenSSH's `authorized_keys` lines
 * (`ssh-ed25519 AAAA... comment`): checked at start with Node's own crypto
 * (no SSH library: the FTP front and the library never load one), matched
 * by their key blob at login. The SSH front verifies the signatures.
 *
 * @since 0.3.0
 */
import { createHash, createPublicKey } from 'node:crypto'
import * as E from 'fp-ts/Either'

/**
 * One `authorized_keys` line, checked: its type, its key blob (the SSH wire
 * form the client sends), the comment.
 *
 * @category model
 * @since 0.3.0
 */
export interface AuthorizedKey {
  readonly type: KeyType
  readonly blob: Buffer
  readonly comment: string
}

/**
 * The key types an account may hold. DSA (deprecated by OpenSSH) and
 * security-key types (`sk-...`, which need the authenticator's flags
 * checked) are refused at start.
 *
 * @category model
 * @since 0.3.0
 */
export type KeyType = 'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'ssh-rsa'

const CURVES: Readonly<Record<string, { readonly name: string; readonly jwk: string; readonly bytes: number }>> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', jwk: 'P-256', bytes: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', jwk: 'P-384', bytes: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', jwk: 'P-521', bytes: 66 }
}

const KEY_TYPES: ReadonlyArray<string> = ['ssh-ed25519', ...Object.keys(CURVES), 'ssh-rsa']

/** OpenSSH's own floor for RSA keys (RSA_MIN_MODULUS_SIZE). */
const MIN_RSA_BITS = 1024

/** Reads the SSH wire strings of a blob, in order; `undefined` when one runs past the end. */
const wireStrings = (blob: Buffer): ReadonlyArray<Buffer> | undefined => {
  const parts: Array<Buffer> = []
  let at = 0
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined
    const length = blob.readUInt32BE(at)
    if (at + 4 + length > blob.length) return undefined
    parts.push(blob.subarray(at + 4, at + 4 + length))
    at += 4 + length
  }
  return parts
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url')

/** An mpint without its sign byte. */
const unsigned = (mpint: Buffer): Buffer => {
  let start = 0
  while (start < mpint.length - 1 && mpint[start] === 0) start++
  return mpint.subarray(start)
}

/** The key of a blob as a JWK Node can load, or why not. */
const jwkOf = (type: string, fields: ReadonlyArray<Buffer>): E.Either<string, Record<string, string>> => {
  if (type === 'ssh-ed25519')
    return fields.length === 1 && fields[0].length === 32
      ? E.right({ kty: 'OKP', crv: 'Ed25519', x: base64url(fields[0]) })
      : E.left('an ed25519 key must hold 32 bytes')
  const curve = CURVES[type]
  if (curve !== undefined) {
    if (fields.length !== 2 || fields[0].toString('latin1') !== curve.name)
      return E.left(`the curve must be ${curve.name}`)
    const point = fields[1]
    if (point.length !== 1 + 2 * curve.bytes || point[0] !== 4) return E.left('the point must be uncompressed')
    return E.right({
      kty: 'EC',
      crv: curve.jwk,
      x: base64url(point.subarray(1, 1 + curve.bytes)),
      y: base64url(point.subarray(1 + curve.bytes))
    })
  }
  if (fields.length !== 2) return E.left('an RSA key must hold e and n')
  const [e, n] = fields.map(unsigned)
  if (n.length * 8 < MIN_RSA_BITS) return E.left(`an RSA key must have at least ${MIN_RSA_BITS} bits`)
  return E.right({ kty: 'RSA', n: base64url(n), e: base64url(e) })
}

/**
 * Checks one `authorized_keys` line: `type base64 [comment]`. Option
 * prefixes (`from="..."`, `command="..."`, `no-pty`, ...) are refused:
 * a restriction the server would not enforce must not look accepted.
 *
 * @example
 * import { parseAuthorizedKey } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * const line = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE6CmG/jca5sQbYYgVHNlM+QcrdXsUiTt3N4WosfqmyY alice@laptop'
 * const key = parseAuthorizedKey(line)
 * assert.ok(E.isRight(key) && key.right.type === 'ssh-ed25519' && key.right.comment === 'alice@laptop')
 * assert.ok(E.isLeft(parseAuthorizedKey('from="10.0.0.1" ' + line)))
 * assert.ok(E.isLeft(parseAuthorizedKey('ssh-ed25519 AAAAnotakey')))
 *
 * @category destructors
 * @since 0.3.0
 */
export const parseAuthorizedKey = (line: string): E.Either<string, AuthorizedKey> => {
  if (typeof line !== 'string') return E.left('a key must be a string')
  const [type = '', data = '', ...comment] = line.trim().split(/\s+/)
  if (!KEY_TYPES.includes(type)) {
    if (KEY_TYPES.some((known) => line.includes(known + ' ')))
      return E.left(
        'option prefixes (from=, command=, no-pty, ...) are not supported: give the key alone, as "ssh-ed25519 AAAA... comment"'
      )
    return E.left(`the key type '${type.slice(0, 40)}' is not one of ${KEY_TYPES.join(', ')}`)
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return E.left('the key must be base64')
  const blob = Buffer.from(data, 'base64')
  const parts = wireStrings(blob)
  if (parts === undefined || parts.length < 2 || parts[0].toString('latin1') !== type)
    return E.left(`the key data is not an ${type} key`)
  const jwk = jwkOf(type, parts.slice(1))
  if (E.isLeft(jwk)) return jwk
  try {
    createPublicKey({ key: jwk.right, format: 'jwk' })
  } catch (error) {
    return E.left(`the key is not a valid ${type} key: ${(error as Error).message}`)
  }
  return E.right({ type: type as KeyType, blob, comment: comment.join(' ') })
}

/**
 * Checks the `keys` field of a user: an array of `authorized_keys` lines;
 * `Left` names the first bad one (by its place) and why.
 *
 * @example
 * import { checkKeys } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * assert.deepStrictEqual(checkKeys([]), E.right([]))
 * assert.ok(E.isLeft(checkKeys('ssh-ed25519 AAAA')))
 *
 * @category destructors
 * @since 0.3.0
 */
export const checkKeys = (keys: unknown): E.Either<string, ReadonlyArray<string>> => {
  if (!Array.isArray(keys)) return E.left('must be an array of authorized_keys lines ["ssh-ed25519 AAAA... comment"]')
  const lines: Array<string> = []
  for (const [index, line] of keys.entries()) {
    const parsed = parseAuthorizedKey(line as string)
    if (E.isLeft(parsed)) return E.left(`[${index}]: ${parsed.left}`)
    lines.push((line as string).trim())
  }
  return E.right(lines)
}

/**
 * The fingerprint of a key blob as `ssh-keygen -l` prints it: `SHA256:`
 * and the unpadded base64 of its SHA-256.
 *
 * @example
 * import { keyFingerprint, parseAuthorizedKey } from 'fp-pathio/server'
 * import * as E from 'fp-ts/Either'
 * const key = parseAuthorizedKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE6CmG/jca5sQbYYgVHNlM+QcrdXsUiTt3N4WosfqmyY alice@laptop')
 * assert.ok(E.isRight(key))
 * assert.strictEqual(keyFingerprint(key.right.blob), 'SHA256:L9B0QQpDS1EyBMo6cFZ3mA/Ud2wtPb8ykb93AEYw/Rg') // as ssh-keygen -lf says
 *
 * @category utils
 * @since 0.3.0
 */
export const keyFingerprint = (blob: Uint8Array): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
