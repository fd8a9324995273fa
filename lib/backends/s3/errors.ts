/**
 * How the S3 backend words a failure: SDK errors as `PathIOError`s (the S3
 * error code, or HTTP status, picks the reason, and the SDK's error is kept
 * untouched as `cause`), and its own refusals.
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { pathIOError, type PathIOError, type Reason } from '../../PathIOError'
import { resolvePath } from '../../internal/arguments'
import { asyncTask } from '../../internal/task'

const REASON_BY_S3_CODE: Readonly<Record<string, Reason>> = {
  NoSuchKey: 'NotFound',
  NotFound: 'NotFound',
  NoSuchBucket: 'NotFound',
  NoSuchUpload: 'NotFound',
  AccessDenied: 'PermissionDenied',
  Forbidden: 'PermissionDenied',
  InvalidAccessKeyId: 'PermissionDenied',
  SignatureDoesNotMatch: 'PermissionDenied',
  AllAccessDisabled: 'PermissionDenied',
  SlowDown: 'Busy',
  Throttling: 'Busy',
  ThrottlingException: 'Busy',
  RequestLimitExceeded: 'Busy',
  TooManyRequests: 'Busy',
  ServiceUnavailable: 'Busy',
  // If-Match failed: the object a reader holds was replaced.
  PreconditionFailed: 'Busy',
  RequestTimeout: 'Timeout',
  TimeoutError: 'Timeout',
  KeyTooLongError: 'InvalidArgument',
  EntityTooLarge: 'NoSpace',
  QuotaExceeded: 'NoSpace',
  NotImplemented: 'Unsupported',
  MethodNotAllowed: 'Unsupported'
}

const REASON_BY_STATUS: Readonly<Record<number, Reason>> = {
  403: 'PermissionDenied',
  404: 'NotFound',
  429: 'Busy',
  501: 'Unsupported',
  503: 'Busy'
}

/** The S3 error code of an SDK error (`name` in v3, `Code` in the body), if any. */
export const s3Code = (u: unknown): string | undefined => {
  if (typeof u !== 'object' || u === null) return undefined
  const { Code, name } = u as { Code?: unknown; name?: unknown }
  return typeof Code === 'string' ? Code : typeof name === 'string' ? name : undefined
}

const httpStatus = (u: unknown): number | undefined => {
  const status = (u as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

/**
 * The reason an SDK error stands for, by its S3 code or else its HTTP
 * status; a network failure or anything unknown is `Unknown`.
 *
 * @example
 * import { reasonOfS3Error } from 'fp-pathio/s3'
 * assert.strictEqual(reasonOfS3Error({ name: 'NoSuchKey' }), 'NotFound')
 * assert.strictEqual(reasonOfS3Error({ name: 'SlowDown' }), 'Busy')
 * assert.strictEqual(reasonOfS3Error({ name: 'Whatever', $metadata: { httpStatusCode: 403 } }), 'PermissionDenied')
 * assert.strictEqual(reasonOfS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'Unknown')
 *
 * @category utils
 * @since 0.1.0
 */
export const reasonOfS3Error = (u: unknown): Reason => {
  const code = s3Code(u)
  if (code !== undefined && Object.prototype.hasOwnProperty.call(REASON_BY_S3_CODE, code))
    return REASON_BY_S3_CODE[code]
  const status = httpStatus(u)
  return status !== undefined && Object.prototype.hasOwnProperty.call(REASON_BY_STATUS, status)
    ? REASON_BY_STATUS[status]
    : 'Unknown'
}

/** Whether an SDK error says the object (or the part of it asked for) is not there. */
export const isMissing = (u: unknown): boolean => reasonOfS3Error(u) === 'NotFound'

/** Anything an S3 request threw, as a `PathIOError` of `op` on `path` (a `PathIOError` passes through). */
export const fromS3Error =
  (op: string, path?: unknown) =>
  (u: unknown): PathIOError => {
    if (typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'PathIOError') return u as PathIOError
    const code = s3Code(u)
    const message = u instanceof Error ? u.message : String(u)
    return pathIOError(reasonOfS3Error(u), op, {
      path,
      detail: `S3 ${code ?? 'error'}: ${message}`,
      cause: u
    })
  }

/** A `Left` of `reason` for `op` on `path` (an object store has no errno codes). */
export const refuse = (reason: Reason, op: string, path: unknown, detail?: string): E.Either<PathIOError, never> =>
  E.left(pathIOError(reason, op, { path, ...(detail === undefined ? {} : { detail }) }))

/**
 * Runs `body` on `path` resolved against `cwd`; anything the SDK throws
 * becomes a `Left` of `op` on `path`, with it as `cause`.
 */
export const onS3Path = <A>(
  cwd: string,
  op: string,
  path: unknown,
  body: (resolved: string) => Promise<E.Either<PathIOError, A>>
): TaskEither<PathIOError, A> =>
  asyncTask(
    op,
    path,
    () => {
      const resolved = resolvePath(op, cwd, path)
      return E.isLeft(resolved) ? Promise.resolve(resolved) : body(resolved.right)
    },
    fromS3Error(op, path)
  )
