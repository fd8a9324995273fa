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
import * as net from 'node:net'
import type { AnonymousAccess, UserSpec } from '../server/accounts'
import { loadUsersFile } from '../server/usersFile'
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

const given = (env: Env, name: string): string | undefined => {
  const value = env[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

const count = (env: Env, name: string, fallback: number, unit = ''): E.Either<string, number> => {
  const raw = given(env, name)
  if (raw === undefined) return E.right(fallback)
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN
  return Number.isSafeInteger(value)
    ? E.right(value)
    : E.left(`${name} must be a non-negative integer${unit}, got '${raw}'`)
}

const portOf = (env: Env, name: string, fallback: number | undefined): E.Either<string, number | undefined> => {
  const raw = given(env, name)
  if (raw === undefined) return E.right(fallback)
  const value = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN
  return value >= 0 && value <= 65535 ? E.right(value) : E.left(`${name} must be a port number (0-65535), got '${raw}'`)
}

const flag = (env: Env, name: string): E.Either<string, boolean> => {
  const raw = (given(env, name) ?? '0').toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(raw)) return E.right(true)
  if (['0', 'false', 'no', 'off'].includes(raw)) return E.right(false)
  return E.left(`${name} must be 1 or 0, got '${env[name]}'`)
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

const anonymousOf = (env: Env): E.Either<string, AnonymousAccess> => {
  const raw = (given(env, 'FTP_ANONYMOUS') ?? 'read').toLowerCase()
  return raw === 'off' || raw === 'read' || raw === 'write'
    ? E.right(raw)
    : E.left(`FTP_ANONYMOUS must be off, read or write, got '${env.FTP_ANONYMOUS}'`)
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
export const settingsFromEnvironment = (env: Env): E.Either<string, EnvironmentSettings> =>
  pipe(
    E.Do,
    E.bind('host', () => {
      const host = given(env, 'FTP_HOST') ?? '127.0.0.1'
      return net.isIP(host) === 0
        ? E.left(`FTP_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::, ::1), got '${host}'`)
        : E.right(host)
    }),
    E.bind('port', () => portOf(env, 'PORT', 2121) as E.Either<string, number>),
    E.bind('ftpsPort', () => portOf(env, 'FTPS_PORT', undefined)),
    E.bind('pasvAddress', () => {
      const address = given(env, 'FTP_PASV_ADDRESS')
      return address === undefined || net.isIPv4(address)
        ? E.right(address)
        : E.left(`FTP_PASV_ADDRESS must be an IPv4 address, got '${address}'`)
    }),
    E.bind('pasvPorts', () => {
      const raw = given(env, 'FTP_PASV_PORTS')
      return raw === undefined
        ? E.right(undefined)
        : E.mapLeft((m: string) => `FTP_PASV_PORTS must be ${m}`)(parsePortRange(raw))
    }),
    E.bind('anonymous', () => anonymousOf(env)),
    E.bind('anonymousRoot', () => {
      const root = given(env, 'FTP_ANONYMOUS_ROOT') ?? '/'
      return root.startsWith('/') && !root.includes('\0')
        ? E.right(root)
        : E.left(`FTP_ANONYMOUS_ROOT must be an absolute path under FTP_ROOT, got '${root}'`)
    }),
    E.bind('users', () => usersOf(env)),
    E.bind('cert', () => readPem(env, 'FTP_TLS_CERT')),
    E.bind('key', () => readPem(env, 'FTP_TLS_KEY')),
    E.bind('tlsRequired', () => flag(env, 'FTP_TLS_REQUIRED')),
    E.bind('tlsSessionReuse', () => flag(env, 'FTP_TLS_SESSION_REUSE')),
    // pipe takes 20 steps at most: the limits are bound in a pipe of their own.
    (settings) =>
      pipe(
        settings,
        E.bind('maxConnections', () => count(env, 'FTP_MAX_CONNECTIONS', 512)),
        E.bind('maxConnectionsPerIp', () => count(env, 'FTP_MAX_CONNECTIONS_PER_IP', 0)),
        E.bind('idleSeconds', () => count(env, 'FTP_IDLE_TIMEOUT', 300, ' (seconds)')),
        E.bind('maxLoginAttempts', () => count(env, 'FTP_MAX_LOGIN_ATTEMPTS', 3)),
        E.bind('maxLoginFailuresPerIp', () => count(env, 'FTP_MAX_LOGIN_FAILURES_PER_IP', 10)),
        E.bind('maxDownloadRate', () => count(env, 'FTP_MAX_DOWNLOAD_RATE', 0, ' (bytes per second)')),
        E.bind('maxUploadRate', () => count(env, 'FTP_MAX_UPLOAD_RATE', 0, ' (bytes per second)')),
        E.bind('timeout', () => count(env, 'PATHIO_TIMEOUT', 30_000, ' (milliseconds)')),
        E.bind('memoryLimit', () => count(env, 'FTP_MEMORY_LIMIT', 2 ** 30, ' (bytes)'))
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
