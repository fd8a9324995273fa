/**
 * What an SFTP client is told when an operation fails: the status code it
 * expects for the `PathIOError`'s reason, and the reason itself as the
 * message (never a path: the record's paths are the server's, not the user's).
 *
 * @since 0.3.0
 */
import type { PathIOError } from '../PathIOError'

/**
 * SFTP version 3 status codes (draft-ietf-secsh-filexfer-02, 7).
 *
 * @example
 * import { STATUS } from 'fp-pathio/sftp'
 * assert.strictEqual(STATUS.NO_SUCH_FILE, 2)
 * assert.strictEqual(STATUS.OP_UNSUPPORTED, 8)
 *
 * @category constants
 * @since 0.3.0
 */
export const STATUS = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  OP_UNSUPPORTED: 8
} as const

/**
 * A status: its code and its message.
 *
 * @category model
 * @since 0.3.0
 */
export interface Status {
  readonly code: number
  readonly message: string
}

/**
 * Failures of one reason a client must tell apart, by their errno code, as
 * the FTP front does (552 and 504's texts): SFTP version 3 has no code of
 * its own for them, so the message says it after the reason.
 */
const BY_CODE: Readonly<Record<string, string>> = {
  'NoSpace/EDQUOT': 'NoSpace: quota exceeded',
  'Unsupported/EXDEV': 'Operation unsupported: cannot rename across folders: copy, then delete'
}

/**
 * The status of a failed operation: `NotFound` is `SSH_FX_NO_SUCH_FILE`,
 * `PermissionDenied` and `ReadOnly` `SSH_FX_PERMISSION_DENIED`,
 * `Unsupported` `SSH_FX_OP_UNSUPPORTED`, anything else `SSH_FX_FAILURE`
 * with the reason in the message. A quota used up (`NoSpace` with `EDQUOT`)
 * says so after the reason, and a rename across the folders of a user's
 * tree (`mount`'s `Unsupported` with `EXDEV`) says what to do instead.
 *
 * @example
 * import { statusOf } from 'fp-pathio/sftp'
 * import { pathIOError } from 'fp-pathio'
 * assert.deepStrictEqual(statusOf(pathIOError('NotEmpty', 'rmdir', { path: '/real/home/x' })), { code: 4, message: 'NotEmpty' })
 * assert.strictEqual(statusOf(pathIOError('NotFound', 'open', { path: '/x' })).code, 2)
 * assert.deepStrictEqual(statusOf(pathIOError('NoSpace', 'write', { code: 'EDQUOT' })), { code: 4, message: 'NoSpace: quota exceeded' })
 *
 * @category destructors
 * @since 0.3.0
 */
export const statusOf = (error: PathIOError): Status => {
  const told = error.code === undefined ? undefined : BY_CODE[`${error.reason}/${error.code}`]
  switch (error.reason) {
    case 'NotFound':
      return { code: STATUS.NO_SUCH_FILE, message: 'No such file' }
    case 'PermissionDenied':
    case 'ReadOnly':
      return { code: STATUS.PERMISSION_DENIED, message: 'Permission denied' }
    case 'Unsupported':
      return { code: STATUS.OP_UNSUPPORTED, message: told ?? 'Operation unsupported' }
    default:
      return { code: STATUS.FAILURE, message: told ?? error.reason }
  }
}
