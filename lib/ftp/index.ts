/**
 * `fp-pathio/ftp`: an FTP server (RFC 959, 2389, 2428, 3659, 4217) whose
 * command handlers receive a `PathIO` record, one per connection. What an
 * embedder uses, and nothing else: the server and its options, the command
 * table with the pieces to write a command of one's own (and to run it on
 * its own in a test), and the replies. Re-exports only; the names are
 * listed in spec/api/ftp.txt, which a test compares.
 *
 * @since 0.1.0
 */
export { makeFtpServer, makeFtpFront, type FtpServer } from './server'
export type { FtpOptions, FtpServerOptions } from './options'
export type { TlsOptions } from './tls'
export type { PortRange } from './dataConnection'
export { COMMANDS } from './commands'
export {
  command,
  answer,
  whenRun,
  deferred,
  replyOrError,
  fromPromise,
  pathOf,
  type Command,
  type Handler,
  type ArgumentRule,
  type FeatureContext
} from './handler'
export { reply, replyThen, replyForError, type Reply } from './replies'
export { makeSession, sessionConfig, type Session, type SessionConfig, type Transfer } from './session'
export { settingsFromEnvironment, type EnvironmentSettings } from './environment'
export {
  VARIABLES,
  KNOWN_VARIABLES,
  OWNED_PREFIXES,
  unknownVariable,
  suggestVariable,
  helpText,
  variablesTable,
  type Variable
} from './variables'
