/**
 * `fp-pathio/sftp`: an SFTP server (SSH File Transfer Protocol version 3,
 * as OpenSSH's sftp-server speaks it) whose requests are answered with a
 * `PathIO` record, one per session, on the same server core as FTP:
 * accounts, jails, permissions, limits and atomic uploads shared. The only
 * entry point that loads `ssh2` (an optional peer dependency). Re-exports
 * only; the names are listed in spec/api/fp-pathio+sftp.txt, which a test
 * compares.
 *
 * @since 0.3.0
 */
export { makeSftpServer, makeSftpFront, type SftpServer } from './server'
export { checkSftpOptions, type SftpOptions, type SftpServerOptions, type SftpSettings } from './options'
export { parseHostKey, generateHostKey, hostKeyFingerprint, loadOrCreateHostKey, type HostKey } from './hostKey'
export { statusOf, STATUS, type Status } from './status'
export { attributesOf, longnameOf, type Attributes } from './attributes'
export { makePace, type Pace } from './pace'
export { versionPacket } from './version'
export { sftpSettingsFromEnvironment, type SftpEnvironmentSettings } from './environment'
