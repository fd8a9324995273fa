/**
 * What a path is on the bucket: a file (an object at its key), a directory
 * (its marker `key/` or any key under it, so keys other tools wrote without
 * markers are directories too), or nothing. A file is one HEAD; a directory
 * a HEAD and a one-key listing.
 */
import type * as E from 'fp-ts/Either'
import type { PathIOError, Reason } from '../../PathIOError'
import { refuse } from './errors'
import { ancestorsOf, dirPrefix, isRoot, objectKey } from './keys'
import { anyUnder, headObject, type ObjectInfo } from './requests'
import type { S3State } from './state'

export type Kind =
  { readonly kind: 'file'; readonly info: ObjectInfo } | { readonly kind: 'dir' } | { readonly kind: 'missing' }

const DIR: Kind = { kind: 'dir' }
const MISSING: Kind = { kind: 'missing' }

export interface Place {
  readonly state: S3State
  readonly prefix: string
}

/** A file wins over a directory of the same name (only another tool can make both). */
export const kindOf = async ({ state, prefix }: Place, resolved: string): Promise<Kind> => {
  if (isRoot(resolved)) return DIR
  const info = await headObject(state, objectKey(prefix, resolved))
  if (info !== undefined) return { kind: 'file', info }
  return (await anyUnder(state, dirPrefix(prefix, resolved))) ? DIR : MISSING
}

/**
 * Why a missing path is missing: `NotADirectory` when an ancestor is a file
 * (`f/x`), `NotFound` otherwise. Asked only on the way to an error, with one
 * HEAD per ancestor, all at once.
 */
export const missingReason = async ({ state, prefix }: Place, resolved: string): Promise<Reason> => {
  const files = await Promise.all(ancestorsOf(resolved).map((at) => headObject(state, objectKey(prefix, at))))
  return files.some((info) => info !== undefined) ? 'NotADirectory' : 'NotFound'
}

/** A directory's parent must be one: the reason when it is not, or `undefined`. */
export const parentProblem = async (place: Place, parent: string): Promise<Reason | undefined> => {
  const found = await kindOf(place, parent)
  return found.kind === 'dir' ? undefined : found.kind === 'file' ? 'NotADirectory' : missingReason(place, parent)
}

/** The error of `op` on a missing `path`: `NotADirectory` or `NotFound`, as `missingReason` says. */
export const missing = async (
  place: Place,
  op: string,
  path: unknown,
  resolved: string
): Promise<E.Either<PathIOError, never>> => refuse(await missingReason(place, resolved), op, path)
