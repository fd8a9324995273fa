/** How the memory backend words a failure: with the errno code the kernel gives for the same situation, so memory errors read like disk ones. */
import * as E from 'fp-ts/Either'
import { codeOfReason, pathIOError, type PathIOError, type Reason } from '../../PathIOError'

/** A `Left` of `reason` for `op` on `path`, with the kernel's errno code for it (or `code`). */
export const refuse = (
  reason: Reason,
  op: string,
  path?: unknown,
  detail?: string,
  code = codeOfReason(reason)
): E.Either<PathIOError, never> => E.left(refusal(reason, op, path, detail, code))

/** The error itself, as `refuse` words it. */
export const refusal = (
  reason: Reason,
  op: string,
  path?: unknown,
  detail?: string,
  code = codeOfReason(reason)
): PathIOError => pathIOError(reason, op, { path, code, ...(detail === undefined ? {} : { detail }) })
