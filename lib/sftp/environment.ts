/**
 * The SFTP settings of `npm start`, from environment variables whose names
 * are fixed (docs/ftp-server.md lists them): `SFTP_PORT` and
 * `SFTP_HOST_KEY`. The rest (host, accounts, limits) are the shared ones
 * FTP's environment reads.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import { port as portCodec, readVariable } from '../server/variableCodecs'
import { loadOrCreateHostKey } from './hostKey'

/**
 * What the environment asks of SFTP: off, or a port (0: a free one) and
 * the host key (read from SFTP_HOST_KEY, made there if missing; unset:
 * made for this run).
 *
 * @category model
 * @since 0.3.0
 */
export type SftpEnvironmentSettings =
  { readonly port: undefined } | { readonly port: number; readonly hostKey: string | undefined }

/**
 * Reads SFTP_PORT and SFTP_HOST_KEY; `Left` is one line saying which is
 * wrong and why.
 *
 * @example
 * import { sftpSettingsFromEnvironment } from 'fp-pathio/sftp'
 * import * as E from 'fp-ts/Either'
 * assert.deepStrictEqual(sftpSettingsFromEnvironment({}), E.right({ port: undefined }))
 * assert.deepStrictEqual(sftpSettingsFromEnvironment({ SFTP_PORT: '0' }), E.right({ port: 0, hostKey: undefined }))
 * assert.deepStrictEqual(sftpSettingsFromEnvironment({ SFTP_PORT: 'ssh' }), E.left("SFTP_PORT must be a port number (0-65535), got 'ssh'"))
 *
 * @category destructors
 * @since 0.3.0
 */
export const sftpSettingsFromEnvironment = (
  env: Readonly<Record<string, string | undefined>>
): E.Either<string, SftpEnvironmentSettings> => {
  const keyFile = env.SFTP_HOST_KEY?.trim() ?? ''
  return E.chain((port: number | undefined): E.Either<string, SftpEnvironmentSettings> => {
    if (port === undefined) return keyFile === '' ? E.right({ port }) : E.left('SFTP_HOST_KEY needs SFTP_PORT')
    if (keyFile === '') return E.right({ port, hostKey: undefined })
    return E.map((hostKey: string) => ({ port, hostKey }))(loadOrCreateHostKey(keyFile))
  })(readVariable(env, 'SFTP_PORT', portCodec(undefined)))
}
