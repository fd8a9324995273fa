/**
 * `fp-pathio/server`: what every front of a server shares (FTP, SFTP):
 * accounts and their password hashes, the server core (limits, the
 * failed-login budget, each session's record), the shared options, the
 * log, rate limits. A program that serves several fronts makes one core
 * and gives it to each. Re-exports only; the names are listed in
 * spec/api/fp-pathio+server.txt, which a test compares.
 *
 * @since 0.3.0
 */
export { makeServerCore, type ServerCore, type Refusal } from './core'
export { checkServerOptions, badOption, countOption, type ServerOptions, type ServerSettings } from './options'
export {
  hashPassword,
  verifyPassword,
  isPasswordHash,
  makeAuthenticate,
  ANONYMOUS,
  type Account,
  type UserSpec,
  type StoredUser,
  type AnonymousAccess,
  type Authenticate,
  type AuthenticateOptions
} from './accounts'
export { checkUser, checkUserStorage, parseUsers, loadUsersFile, reportUsersFile, UsersFileCodec } from './usersFile'
export { parseAuthorizedKey, checkKeys, keyFingerprint, type AuthorizedKey, type KeyType } from './keys'
export { makeLoginFailures, guardLogins, type LoginFailures, type LoginFailureOptions } from './logins'
export { makeConnectionLimits, type ConnectionLimits } from './limits'
export { makeLogger, silentLogger, isLogLevel, type Logger, type LogLevel, type LogFormat } from './log'
export { makeMetrics, serveMetrics, type Metrics } from './metrics'
export {
  makeEmitter,
  eventLine,
  eventFields,
  eventName,
  type ServerEvent,
  type EventHandler,
  type Front,
  type Result
} from './events'
export { throttle, throttledPipeline } from './throttle'
export { plainAddress } from './addresses'
export {
  folderPermissions,
  storageKey,
  type QuotaLimits,
  type FolderStorage,
  type Folder,
  type FolderSpec,
  type UserStorage
} from './folders'
export { capabilitiesAt, type S3FolderFactory } from './userTrees'
