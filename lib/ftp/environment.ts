/**
 * The settings of `npm start`, read from environment variables: the names
 * are an interface operators and scripts depend on (docs/ftp-server.md
 * lists them). Everything a variable can get wrong is a one-line message.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as fs from 'node:fs'
import * as t from 'io-ts'
import type { AnonymousAccess, UserSpec } from '../server/accounts'
import { loadUsersFile } from '../server/usersFile'
import {
  count,
  flag,
  ipv4,
  listenAddress,
  oneOf,
  port,
  readVariable,
  rootPath,
  type Raw
} from '../server/variableCodecs'
import { parsePortRange, type FtpServerOptions } from './options'

/**
 * What the environment asks for: where to listen, and the server's options
 * (all but the factory and root, which are the backend's).
 *
 * @category model
 * @since 0.1.0
 */
export interface EnvironmentSettings {
  readonly host: string
  readonly port: number
  /** The implicit-FTPS port, when FTPS_PORT is set. */
  readonly ftpsPort: number | undefined
  /** FTP_MEMORY_LIMIT: the most bytes the memory backend's files may hold together (default 1 GiB). */
  readonly memoryLimit: number
  readonly options: Omit<FtpServerOptions<unknown>, 'factory' | 'root' | 'log'>
}

type Env = Readonly<Record<string, string | undefined>>

/**
 * The variables that are one value each, by name: their codecs and
 * defaults (docs/ftp-server.md's table, lib/ftp/variables.ts, shows the same
 * defaults: spec/ftp/environment.spec.ts holds them together). What
 * depends on several (TLS, the users) is checked below.
 */
const CODECS = {
  FTP_HOST: listenAddress('127.0.0.1'),
  PORT: port(2121),
  FTPS_PORT: port(undefined),
  FTP_PASV_ADDRESS: ipv4,
  FTP_ANONYMOUS: oneOf<AnonymousAccess>(['off', 'read', 'write'], 'read'),
  FTP_ANONYMOUS_ROOT: rootPath('/', 'FTP_ROOT'),
  FTP_TLS_REQUIRED: flag,
  FTP_TLS_SESSION_REUSE: flag,
  FTP_MAX_CONNECTIONS: count(512),
  FTP_MAX_CONNECTIONS_PER_IP: count(0),
  FTP_IDLE_TIMEOUT: count(300, ' (seconds)'),
  FTP_MAX_LOGIN_ATTEMPTS: count(3),
  FTP_MAX_LOGIN_FAILURES_PER_IP: count(10),
  FTP_MAX_DOWNLOAD_RATE: count(0, ' (bytes per second)'),
  FTP_MAX_UPLOAD_RATE: count(0, ' (bytes per second)'),
  PATHIO_TIMEOUT: count(30_000, ' (milliseconds)'),
  FTP_MEMORY_LIMIT: count(2 ** 30, ' (bytes)')
}

type Decoded = { readonly [K in keyof typeof CODECS]: t.TypeOf<(typeof CODECS)[K]> }

/** The same, typed so that a name picks its own codec (`read('PORT')` is a number). */
export const VARIABLE_CODECS: { readonly [K in keyof Decoded]: t.Decoder<Raw, Decoded[K]> } = CODECS

const given = (env: Env, name: string): string | undefined => {
  const value = env[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

const readPem = (env: Env, name: string): E.Either<string, string | undefined> => {
  const file = given(env, name)
  if (file === undefined) return E.right(undefined)
  try {
    return E.right(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    return E.left(`cannot read ${name} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

const usersOf = (env: Env): E.Either<string, Readonly<Record<string, string | UserSpec>>> => {
  // No prototype: a user named __proto__, constructor or toString is a user like any other.
  const users: Record<string, string | UserSpec> = Object.create(null)
  const file = given(env, 'FTP_USERS_FILE')
  if (file !== undefined) {
    const loaded = loadUsersFile(file)
    if (E.isLeft(loaded)) return loaded
    for (const { name, hash, home, perm, paths, public: published, quota, folders, keys } of loaded.right)
      users[name] = {
        password: hash,
        home,
        perm,
        ...(paths === undefined ? {} : { paths }),
        ...(published === true ? { public: true } : {}),
        ...(quota === undefined ? {} : { quota }),
        ...(folders === undefined ? {} : { folders }),
        // Kept for the SFTP front (public-key logins); FTP ignores them.
        ...(keys === undefined ? {} : { keys })
      }
  }
  const name = given(env, 'FTP_USER')
  if (name !== undefined) {
    if (Object.prototype.hasOwnProperty.call(users, name))
      return E.left(`FTP_USER '${name}' is also in FTP_USERS_FILE: keep one`)
    if (env.FTP_PASS === undefined || env.FTP_PASS === '') return E.left('FTP_USER needs FTP_PASS')
    users[name] = env.FTP_PASS
  }
  return E.right(users)
}

/**
 * Reads the settings from `env`; `Left` is one line saying which variable is
 * wrong and why.
 *
 * @example
 * import { settingsFromEnvironment } from 'fp-pathio/ftp'
 * import * as E from 'fp-ts/Either'
 * const ok = settingsFromEnvironment({ FTP_HOST: '::1', FTP_PASV_PORTS: '50000-50009', FTP_IDLE_TIMEOUT: '60' })
 * assert.ok(E.isRight(ok) && ok.right.host === '::1' && ok.right.options.idleTimeout === 60_000)
 * assert.ok(E.isRight(ok) && ok.right.options.anonymous === 'read')
 * const bad = settingsFromEnvironment({ FTP_ANONYMOUS: 'yes' })
 * assert.deepStrictEqual(bad, E.left("FTP_ANONYMOUS must be off, read or write, got 'yes'"))
 *
 * @category destructors
 * @since 0.1.0
 */
export const settingsFromEnvironment = (env: Env): E.Either<string, EnvironmentSettings> => {
  const read = <K extends keyof Decoded>(name: K): E.Either<string, Decoded[K]> =>
    readVariable(env, name, VARIABLE_CODECS[name])
  return pipe(
    E.Do,
    E.bind('host', () => read('FTP_HOST')),
    E.bind('port', () => read('PORT')),
    E.bind('ftpsPort', () => read('FTPS_PORT')),
    E.bind('pasvAddress', () => read('FTP_PASV_ADDRESS')),
    E.bind('pasvPorts', () => {
      const raw = given(env, 'FTP_PASV_PORTS')
      return raw === undefined
        ? E.right(undefined)
        : E.mapLeft((m: string) => `FTP_PASV_PORTS must be ${m}`)(parsePortRange(raw))
    }),
    E.bind('anonymous', () => read('FTP_ANONYMOUS')),
    E.bind('anonymousRoot', () => read('FTP_ANONYMOUS_ROOT')),
    E.bind('users', () => usersOf(env)),
    E.bind('cert', () => readPem(env, 'FTP_TLS_CERT')),
    E.bind('key', () => readPem(env, 'FTP_TLS_KEY')),
    E.bind('tlsRequired', () => read('FTP_TLS_REQUIRED')),
    E.bind('tlsSessionReuse', () => read('FTP_TLS_SESSION_REUSE')),
    // pipe takes 20 steps at most: the limits are bound in a pipe of their own.
    (settings) =>
      pipe(
        settings,
        E.bind('maxConnections', () => read('FTP_MAX_CONNECTIONS')),
        E.bind('maxConnectionsPerIp', () => read('FTP_MAX_CONNECTIONS_PER_IP')),
        E.bind('idleSeconds', () => read('FTP_IDLE_TIMEOUT')),
        E.bind('maxLoginAttempts', () => read('FTP_MAX_LOGIN_ATTEMPTS')),
        E.bind('maxLoginFailuresPerIp', () => read('FTP_MAX_LOGIN_FAILURES_PER_IP')),
        E.bind('maxDownloadRate', () => read('FTP_MAX_DOWNLOAD_RATE')),
        E.bind('maxUploadRate', () => read('FTP_MAX_UPLOAD_RATE')),
        E.bind('timeout', () => read('PATHIO_TIMEOUT')),
        E.bind('memoryLimit', () => read('FTP_MEMORY_LIMIT'))
      ),
    E.chain((s) => {
      if ((s.cert === undefined) !== (s.key === undefined))
        return E.left('FTP_TLS_CERT and FTP_TLS_KEY go together: set both or neither')
      const tls = s.cert !== undefined && s.key !== undefined ? { cert: s.cert, key: s.key } : undefined
      if (s.tlsRequired && tls === undefined) return E.left('FTP_TLS_REQUIRED needs FTP_TLS_CERT and FTP_TLS_KEY')
      if (s.ftpsPort !== undefined && tls === undefined) return E.left('FTPS_PORT needs FTP_TLS_CERT and FTP_TLS_KEY')
      if (s.tlsSessionReuse && tls === undefined)
        return E.left('FTP_TLS_SESSION_REUSE needs FTP_TLS_CERT and FTP_TLS_KEY')
      return E.right({
        host: s.host,
        port: s.port,
        ftpsPort: s.ftpsPort,
        memoryLimit: s.memoryLimit,
        options: {
          timeout: s.timeout,
          users: s.users,
          anonymous: s.anonymous,
          anonymousRoot: s.anonymousRoot,
          ...(s.pasvAddress === undefined ? {} : { pasvAddress: s.pasvAddress }),
          ...(s.pasvPorts === undefined ? {} : { pasvPorts: s.pasvPorts }),
          ...(tls === undefined ? {} : { tls }),
          tlsRequired: s.tlsRequired,
          tlsSessionReuse: s.tlsSessionReuse,
          maxConnections: s.maxConnections,
          maxConnectionsPerIp: s.maxConnectionsPerIp,
          idleTimeout: s.idleSeconds * 1000,
          maxLoginAttempts: s.maxLoginAttempts,
          maxLoginFailuresPerIp: s.maxLoginFailuresPerIp,
          maxDownloadRate: s.maxDownloadRate,
          maxUploadRate: s.maxUploadRate
        }
      })
    })
  )
}
