/**
 * What `mount` and `overlay` share about the caller's paths: each path
 * argument resolved against the combinator's own cwd, the records below
 * called with other paths, and what comes back (errors, listings, a
 * rename's destination) told in the paths the caller gave.
 *
 * @since 0.4.0
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import type { ArgsOf, OperationName } from '../PathIO'
import { codeOfReason, pathIOError, type PathIOError, type Reason } from '../PathIOError'
import { joinChild, resolvePath } from '../internal/arguments'
import { pathArguments } from '../Operations'

/** One path argument: as the caller gave it, resolved in the combinator's view, and as the record below is given it. */
export interface Place {
  readonly given: string
  readonly resolved: string
  readonly inner: string
}

/** Each path argument of a call, resolved against `cwd` and checked (`InvalidArgument` as every backend says it). */
export const resolveArguments = <K extends OperationName>(
  op: K,
  args: ArgsOf<K>,
  cwd: string
): E.Either<PathIOError, ReadonlyArray<string>> => {
  const resolved: Array<string> = []
  for (const given of pathArguments(op, args)) {
    const one = resolvePath(op, cwd, given)
    if (E.isLeft(one)) return one
    resolved.push(one.right)
  }
  return E.right(resolved)
}

/**
 * An error of the record below told as the caller's: every path it names
 * that is an inner path of `places` becomes the path as given, in `path`
 * and in `message` (the original stays untouched in `cause`, when it had one).
 */
export const asGiven =
  (places: ReadonlyArray<Place>) =>
  (error: PathIOError): PathIOError => {
    let message = error.message
    let path = error.path
    for (const { given, inner } of places) {
      if (inner !== given) message = message.split(`'${inner}'`).join(`'${given}'`)
      if (path === inner) path = given
    }
    return path === error.path && message === error.message
      ? error
      : { ...error, ...(path === undefined ? {} : { path }), message }
  }

/** A `Left` of `reason` for `op` at the caller's `path`, with the errno code the kernel gives for it (or `code`). */
export const refusal = (
  reason: Reason,
  op: string,
  path: unknown,
  detail?: string,
  code = codeOfReason(reason)
): PathIOError => pathIOError(reason, op, { path, code, ...(detail === undefined ? {} : { detail }) })

/** The last name of a path (`''` for `/`). */
export const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1)

/** The directory of a resolved path (`/` for `/`). */
export const parentOf = (path: string): string => posix.dirname(path)

/** A child of a directory as the caller gave the directory (relative stays relative). */
export const childOf = joinChild
