/**
 * Paths and keys: `/a/b` is the key `prefix + 'a/b'`; the directory `/a` is
 * everything under `prefix + 'a/'` (its zero-byte marker `a/` included).
 */
import * as posix from 'node:path/posix'

/** S3's limit on a key, in UTF-8 bytes: a longer key cannot exist, so no request asks for one. */
export const MAX_KEY_BYTES = 1024

/** The key of the object at a resolved (absolute, canonical) path; the root's is the prefix itself. */
export const objectKey = (prefix: string, resolved: string): string => prefix + resolved.slice(1)

/** The key prefix of everything inside the directory at `resolved`: its marker and its children. */
export const dirPrefix = (prefix: string, resolved: string): string =>
  resolved === '/' ? prefix : `${objectKey(prefix, resolved)}/`

export const isRoot = (resolved: string): boolean => resolved === '/'

export const parentOf = (resolved: string): string => posix.dirname(resolved)

/** Every proper ancestor of `resolved` but the root, nearest last: `/a/b/c` gives `/a`, `/a/b`. */
export const ancestorsOf = (resolved: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let at = parentOf(resolved); !isRoot(at); at = parentOf(at)) out.unshift(at)
  return out
}

/** Whether `inner` is `outer` or lies under it. */
export const isWithin = (outer: string, inner: string): boolean =>
  inner === outer || inner.startsWith(isRoot(outer) ? '/' : `${outer}/`)

export const fitsKey = (key: string): boolean =>
  key.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(key) <= MAX_KEY_BYTES

/** A `CopySource` header value: the bucket and the key, each segment URL-encoded as S3 asks. */
export const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
