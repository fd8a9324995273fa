/**
 * `fp-pathio/ftp`: a small FTP server (RFC 959, 2389, 3659) on `node:net`
 * whose command handlers receive a `PathIO` record, one per connection.
 * Re-exports only.
 *
 * @since 0.1.0
 */
export * from './server'
export * from './session'
export * from './handler'
export * from './dispatch'
export * from './commands'
export * from './replies'
export * from './listing'
export * from './lineReader'
export * from './dataConnection'
export * from './transfer'
export * from './log'
export * from '../server/accounts'
export * from './options'
export * from './control'
export * from '../server/limits'
export * from './tls'
export * from './throttle'
export * from './ascii'
export * from './environment'
export * from '../server/addresses'
export * from '../server/logins'
