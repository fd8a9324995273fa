/**
 * The one error every `PathIO` operation fails with: a plain tagged record
 * whose `reason` a handler can branch on, whichever backend ran.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'

/**
 * The io-ts codec of the reasons.
 *
 * @example
 * import { Reason } from 'fp-pathio'
 * assert.ok(Reason.is('NotEmpty') && !Reason.is('ENOTEMPTY'))
 *
 * @category codecs
 * @since 0.1.0
 */
export const Reason = t.keyof(
  {
    NotFound: null,
    AlreadyExists: null,
    NotADirectory: null,
    IsADirectory: null,
    NotEmpty: null,
    PermissionDenied: null,
    InvalidArgument: null,
    BadHandle: null,
    Timeout: null,
    NoSpace: null,
    ReadOnly: null,
    Busy: null,
    Unsupported: null,
    Cancelled: null,
    Unknown: null
  },
  'Reason'
)

/**
 * Why an operation failed.
 *
 * @category model
 * @since 0.1.0
 */
export type Reason = t.TypeOf<typeof Reason>

/**
 * The io-ts codec of a `PathIOError`: what validates one that crosses a
 * boundary (a worker message). `cause` is not checked: it is whatever it was.
 *
 * @example
 * import { PathIOErrorCodec, pathIOError } from 'fp-pathio'
 * import { isRight } from 'fp-ts/Either'
 * assert.ok(isRight(PathIOErrorCodec.decode(pathIOError('NotFound', 'stat', { path: '/x' }))))
 *
 * @category codecs
 * @since 0.1.0
 */
export const PathIOErrorCodec = t.intersection(
  [
    t.type({
      _tag: t.literal('PathIOError'),
      reason: Reason,
      op: t.string,
      message: t.string
    }),
    t.partial({
      path: t.string,
      code: t.string,
      cause: t.unknown
    })
  ],
  'PathIOError'
)

/**
 * The error record.
 *
 * @category model
 * @since 0.1.0
 */
export interface PathIOError {
  readonly _tag: 'PathIOError'
  readonly reason: Reason
  /** The operation: `'open'`, `'mkdir'`, ... */
  readonly op: string
  /** The path as the caller gave it, where there is one. */
  readonly path?: string
  /** The errno code where there is one: `'ENOENT'`, ... */
  readonly code?: string
  /** For people: operation, path and what went wrong. */
  readonly message: string
  /** The original error, untouched. */
  readonly cause?: unknown
}

const DESCRIPTIONS: Readonly<Record<Reason, string>> = {
  NotFound: 'no such file or directory',
  AlreadyExists: 'already exists',
  NotADirectory: 'not a directory',
  IsADirectory: 'is a directory',
  NotEmpty: 'directory not empty',
  PermissionDenied: 'permission denied',
  InvalidArgument: 'invalid argument',
  BadHandle: 'bad file handle',
  Timeout: 'timed out',
  NoSpace: 'no space left',
  ReadOnly: 'read-only',
  Busy: 'resource busy',
  Unsupported: 'operation not supported',
  Cancelled: 'cancelled',
  Unknown: 'unknown error'
}

/**
 * The optional fields of `pathIOError`.
 *
 * @category model
 * @since 0.1.0
 */
export interface PathIOErrorDetails {
  readonly path?: unknown
  readonly code?: string
  /** Replaces the reason's standard wording after `op` and `path`. */
  readonly detail?: string
  readonly cause?: unknown
}

const describePath = (path: unknown): string | undefined => (typeof path === 'string' ? path : undefined)

/**
 * Builds a `PathIOError`; the message names the operation, the path and what
 * went wrong.
 *
 * @example
 * import { pathIOError } from 'fp-pathio'
 * const e = pathIOError('NotFound', 'open', { path: '/pub/a.txt', code: 'ENOENT' })
 * assert.strictEqual(e.message, "open '/pub/a.txt': no such file or directory (ENOENT)")
 *
 * @category constructors
 * @since 0.1.0
 */
export const pathIOError = (reason: Reason, op: string, details: PathIOErrorDetails = {}): PathIOError => {
  const path = describePath(details.path)
  const what = details.detail ?? DESCRIPTIONS[reason]
  const where = path === undefined ? op : `${op} '${path}'`
  const message = `${where}: ${what}${details.code === undefined ? '' : ` (${details.code})`}`
  return {
    _tag: 'PathIOError',
    reason,
    op,
    ...(path === undefined ? {} : { path }),
    ...(details.code === undefined ? {} : { code: details.code }),
    message,
    ...('cause' in details ? { cause: details.cause } : {})
  }
}

const REASON_BY_CODE: Readonly<Record<string, Reason>> = {
  ENOENT: 'NotFound',
  EEXIST: 'AlreadyExists',
  ENOTDIR: 'NotADirectory',
  EISDIR: 'IsADirectory',
  ENOTEMPTY: 'NotEmpty',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
  EINVAL: 'InvalidArgument',
  ENAMETOOLONG: 'InvalidArgument',
  ELOOP: 'InvalidArgument',
  EBADF: 'BadHandle',
  ENOSPC: 'NoSpace',
  EDQUOT: 'NoSpace',
  EFBIG: 'NoSpace',
  EROFS: 'ReadOnly',
  EBUSY: 'Busy',
  EMFILE: 'Busy',
  ENFILE: 'Busy',
  ETIMEDOUT: 'Timeout',
  ENOSYS: 'Unsupported',
  ENOTSUP: 'Unsupported',
  EOPNOTSUPP: 'Unsupported',
  EXDEV: 'Unsupported'
}

const CODE_BY_REASON: Readonly<Partial<Record<Reason, string>>> = Object.entries(REASON_BY_CODE).reduce<
  Partial<Record<Reason, string>>
>((codes, [code, reason]) => (reason in codes ? codes : { ...codes, [reason]: code }), {})

/**
 * The errno code that stands for a reason: the first code `reasonFromCode`
 * maps onto it (`NotFound` is `ENOENT`), or `undefined` for a reason without
 * one (`Cancelled`, `Unknown`). A backend that is not a disk words its errors
 * with it, so they read like a disk's.
 *
 * @example
 * import { codeOfReason, reasonFromCode } from 'fp-pathio'
 * assert.strictEqual(codeOfReason('NotEmpty'), 'ENOTEMPTY')
 * assert.strictEqual(reasonFromCode(codeOfReason('BadHandle')), 'BadHandle')
 * assert.strictEqual(codeOfReason('Unknown'), undefined)
 *
 * @category utils
 * @since 0.1.0
 */
export const codeOfReason = (reason: Reason): string | undefined => CODE_BY_REASON[reason]

/**
 * Maps an errno code onto a reason; an unknown or missing code is `Unknown`.
 *
 * @example
 * import { reasonFromCode } from 'fp-pathio'
 * assert.strictEqual(reasonFromCode('ENOTEMPTY'), 'NotEmpty')
 *
 * @category utils
 * @since 0.1.0
 */
export const reasonFromCode = (code: unknown): Reason =>
  typeof code === 'string' && Object.prototype.hasOwnProperty.call(REASON_BY_CODE, code)
    ? REASON_BY_CODE[code]
    : 'Unknown'

/**
 * The errno `code` of anything thrown (a string), or `undefined`.
 *
 * @example
 * import { errnoCode } from 'fp-pathio'
 * assert.strictEqual(errnoCode({ code: 'ENOENT' }), 'ENOENT')
 * assert.strictEqual(errnoCode(new Error('no code')), undefined)
 *
 * @category utils
 * @since 0.2.0
 */
export const errnoCode = (u: unknown): string | undefined => {
  if (typeof u !== 'object' || u === null) return undefined
  const code = (u as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * Whether a value is a `PathIOError` (checked with the codec).
 *
 * @example
 * import { isPathIOError, pathIOError } from 'fp-pathio'
 * assert.ok(isPathIOError(pathIOError('Timeout', 'read')))
 * assert.ok(!isPathIOError(new Error('x')))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isPathIOError = (u: unknown): u is PathIOError => PathIOErrorCodec.is(u)

const safeString = (u: unknown): string => {
  try {
    return String(u)
  } catch {
    return Object.prototype.toString.call(u)
  }
}

/**
 * Turns anything thrown or rejected into a `PathIOError`: a `PathIOError`
 * passes through, an errno error (anything with a string `code`) maps by its
 * code, everything else is `Unknown`. The original is kept as `cause`.
 *
 * @example
 * import { toPathIOError } from 'fp-pathio'
 * const e = toPathIOError('unlink', '/a')({ code: 'EISDIR' })
 * assert.strictEqual(e.reason, 'IsADirectory')
 *
 * @category constructors
 * @since 0.1.0
 */
export const toPathIOError =
  (op: string, path?: unknown) =>
  (u: unknown): PathIOError => {
    if (isPathIOError(u)) return u
    const code = errnoCode(u)
    const reason = reasonFromCode(code)
    const detail =
      reason === 'Unknown' && u instanceof Error ? u.message : reason === 'Unknown' ? safeString(u) : undefined
    return pathIOError(reason, op, {
      path,
      ...(code === undefined ? {} : { code }),
      ...(detail === undefined ? {} : { detail }),
      cause: u
    })
  }
