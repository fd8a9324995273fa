#!/usr/bin/env node
/**
 * The FTP server of `fp-pathio/ftp`, ready to run: `npm start`, or
 * `npx fp-pathio-server` from the installed package (`--help` lists the
 * variables, `--version`, `passwd` prints a password's hash).
 *
 * Environment (docs/ftp-server.md explains each one):
 *   FTP_HOST (127.0.0.1), PORT (2121), FTPS_PORT (implicit TLS; off)
 *   FTP_PASV_ADDRESS, FTP_PASV_PORTS=MIN-MAX
 *   FTP_ANONYMOUS off | read (default) | write
 *   FTP_USER/FTP_PASS (one user, home /, every permission), FTP_USERS_FILE (JSON, scrypt hashes: npm run --silent passwd;
 *                   per user a quota and virtual folders, on FTP_ROOT, a memory tree or S3 with the S3_ENDPOINT/AWS_* settings)
 *   FTP_TLS_CERT/FTP_TLS_KEY (PEM files), FTP_TLS_REQUIRED=1
 *   FTP_MAX_CONNECTIONS (512), FTP_MAX_CONNECTIONS_PER_IP (0: none), FTP_IDLE_TIMEOUT (300 s),
 *   FTP_MAX_LOGIN_ATTEMPTS (3), FTP_MAX_DOWNLOAD_RATE / FTP_MAX_UPLOAD_RATE (bytes/s; none)
 *   SFTP_PORT (off; 0: a free port) serves SFTP too, from the same users and tree, on FTP_HOST;
 *   SFTP_HOST_KEY (a private key file; made there, ed25519 mode 0600, if missing; unset: a key for this run)
 *   PATHIO_BACKEND  memory (default, starts empty) | node | pool | s3 (a bucket: examples/s3Backend.ts and docs/s3.md for S3_* and AWS_*)
 *   FTP_MEMORY_LIMIT  bytes the memory tree may hold (default 1 GiB)
 *   FTP_ROOT        the served directory for node and pool (default: a fresh temp directory, removed on exit)
 *   POOL_SIZE       worker threads of the pool backend (default: the backend's own default)
 *   PATHIO_TIMEOUT  milliseconds before a file-system operation fails with 451 (default 30000)
 *   LOG_LEVEL       silent | error | warn | info (default: a line per command) | debug
 *
 * A setting that is wrong, or a server that cannot start, is one line on
 * stderr and exit status 2. It stops cleanly on SIGINT and SIGTERM: running
 * transfers are aborted, their handles closed, the pool ended.
 */
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/Either'
import {
  makeMemoryPathIO,
  makeNodePathIO,
  makePoolPathIO,
  withMetrics,
  type MemoryTree,
  type PathIOFactory,
  type WorkerPool
} from '../lib'
import { helpText, makeFtpFront, settingsFromEnvironment, unknownVariable, type FtpServer } from '../lib/ftp'
import { isLogLevel, makeLogger, makeMetrics, makeServerCore, serveMetrics, type Metrics } from '../lib/server'
import type * as Sftp from '../lib/sftp'
import { passwd } from './passwd'
import type * as S3Backend from './s3Backend'

const fail = (message: string): never => {
  process.stderr.write(`ftp-server: ${message}\n`)
  process.exit(2)
}

/** The version in the package.json above this file (the checkout's, or the installed package's). */
const version = (): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (manifest.name === 'fp-pathio') return manifest.version ?? '?'
    }
  }
  return '?'
}

const command = process.argv[2]
if (command === '--help' || command === '-h') {
  process.stdout.write(helpText('fp-pathio-server'))
  process.exit(0)
}
if (command === '--version' || command === '-v') {
  process.stdout.write(version() + '\n')
  process.exit(0)
}
if (command === 'passwd') void passwd()
else if (command !== undefined) fail(`unknown argument '${command}': see --help`)
else serve()

/** Serves FTP as the environment says, until SIGINT or SIGTERM. */
function serve(): void {
  const unknown = unknownVariable(process.env)
  if (unknown !== undefined) fail(unknown)

  const level = process.env.LOG_LEVEL ?? 'info'
  if (!isLogLevel(level)) fail(`LOG_LEVEL must be silent, error, warn, info or debug, got '${level}'`)
  const format = process.env.LOG_FORMAT === undefined || process.env.LOG_FORMAT === '' ? 'text' : process.env.LOG_FORMAT
  if (format !== 'text' && format !== 'json') fail(`LOG_FORMAT must be text or json, got '${format}'`)
  const log = makeLogger(
    isLogLevel(level) ? level : 'info',
    (line) => process.stdout.write(line + '\n'),
    format === 'json' ? 'json' : 'text'
  )

  /** METRICS_PORT and METRICS_HOST: where GET /metrics is served, if anywhere. */
  const metricsAt = ((): { readonly port: number; readonly host: string } | undefined => {
    const raw = process.env.METRICS_PORT?.trim() ?? ''
    const host = process.env.METRICS_HOST?.trim() || '127.0.0.1'
    if (raw === '') return undefined
    const port = /^\d{1,5}$/.test(raw) ? Number(raw) : -1
    if (!(port >= 0 && port <= 65535)) fail(`METRICS_PORT must be a port number (0-65535), got '${raw}'`)
    if (net.isIP(host) === 0) fail(`METRICS_HOST must be an IP address, got '${host}'`)
    return { port, host }
  })()
  let metrics: Metrics | undefined
  try {
    metrics = metricsAt === undefined ? undefined : makeMetrics()
  } catch (error) {
    fail((error as Error).message)
  }

  const settings = E.getOrElseW(fail)(settingsFromEnvironment(process.env))

  /**
   * lib/sftp, loaded only when SFTP is asked for: `ssh2` is an optional peer,
   * and an FTP-only server neither needs it nor carries it.
   */
  const loadSftp = (): typeof Sftp => {
    try {
      return require('../lib/sftp') as typeof Sftp
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException
      return fail(
        code === 'MODULE_NOT_FOUND' && message.includes("'ssh2'")
          ? 'SFTP_PORT needs ssh2: npm install ssh2'
          : message.split('\n')[0]
      )
    }
  }
  const sftp = [process.env.SFTP_PORT, process.env.SFTP_HOST_KEY].some((value) => (value ?? '').trim() !== '')
    ? loadSftp()
    : undefined
  const sftpSettings =
    sftp === undefined ? { port: undefined } : E.getOrElseW(fail)(sftp.sftpSettingsFromEnvironment(process.env))

  /** The served directory of a disk backend, and whether it is ours to remove at the end. */
  const diskRoot = (): { readonly root: string; readonly temporary: boolean } => {
    const given = process.env.FTP_ROOT
    if (given === undefined || given === '')
      return { root: fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-ftp-')), temporary: true }
    const root = path.resolve(given)
    if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) fail(`FTP_ROOT is not a directory: ${root}`)
    return { root: fs.realpathSync(root), temporary: false }
  }

  /**
   * examples/s3Backend.ts, loaded only for PATHIO_BACKEND=s3: the S3 SDK is an
   * optional peer, and a server on another backend neither needs it nor
   * carries it in its heap (every full garbage collection walks the heap).
   */
  const loadS3Backend = (): typeof S3Backend => {
    try {
      return require('./s3Backend') as typeof S3Backend
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException
      const sdkMissing = code === 'MODULE_NOT_FOUND' && message.startsWith("Cannot find module '@aws-sdk/client-s3'")
      return fail(
        sdkMissing ? 'PATHIO_BACKEND=s3 needs the S3 SDK: npm install @aws-sdk/client-s3' : message.split('\n')[0]
      )
    }
  }

  /** The backend PATHIO_BACKEND names: its factory and the directory served. */
  const configure = (
    backend: string
  ): { readonly factory: PathIOFactory<unknown>; readonly root: string; readonly temporary: boolean } => {
    switch (backend) {
      case 'memory': {
        const factory: PathIOFactory<MemoryTree> = (context) =>
          makeMemoryPathIO({ ...context, maxTotalSize: settings.memoryLimit })
        return { factory, root: '/', temporary: false }
      }
      case 'node':
        return { factory: makeNodePathIO, ...diskRoot() }
      case 'pool': {
        const raw = process.env.POOL_SIZE
        const size = raw === undefined || raw === '' ? undefined : Number(raw)
        if (size !== undefined && !(Number.isSafeInteger(size) && size > 0))
          fail(`POOL_SIZE must be a positive integer, got '${raw}'`)
        const factory: PathIOFactory<WorkerPool> = (context) =>
          makePoolPathIO({ ...context, ...(size === undefined ? {} : { size }) })
        return { factory, ...diskRoot() }
      }
      case 's3': {
        const factory = loadS3Backend().s3FactoryFrom(process.env)
        return typeof factory === 'string' ? fail(factory) : { factory, root: '/', temporary: false }
      }
      default:
        return fail(`PATHIO_BACKEND must be memory, node, pool or s3, got '${backend}'`)
    }
  }

  const backend = process.env.PATHIO_BACKEND ?? 'memory'
  const { factory: bare, root, temporary } = configure(backend)
  // Every file-system operation timed and counted, when metrics are on.
  const sink = metrics?.operation
  const factory: PathIOFactory<unknown> = sink === undefined ? bare : (context) => withMetrics(sink)(bare(context))

  /** Users' S3 folders (FTP_USERS_FILE) reach their buckets with the S3 settings above; the SDK loads only when one has such a folder. */
  const hasS3Folder = Object.values(settings.options.users ?? {}).some(
    (user) => typeof user !== 'string' && (user.folders ?? []).some((folder) => 's3' in folder.storage)
  )
  const s3Folder = hasS3Folder ? loadS3Backend().s3FolderFrom(process.env) : undefined
  if (typeof s3Folder === 'string') fail(s3Folder)

  /** The fronts, on one core: one tree, one set of accounts, connection limits and login failures counted together. */
  interface Fronts {
    readonly ftp: FtpServer<unknown>
    readonly sftp: Sftp.SftpServer<unknown> | undefined
  }
  const makeFronts = (): Fronts => {
    try {
      const options = {
        factory,
        root,
        log,
        ...(metrics === undefined ? {} : { onEvent: metrics.onEvent }),
        ...settings.options,
        ...(typeof s3Folder === 'function' ? { s3Folder } : {})
      }
      const core = makeServerCore('makeFtpServer', options)
      return {
        ftp: makeFtpFront(core, options),
        sftp:
          sftp === undefined || sftpSettings.port === undefined
            ? undefined
            : sftp.makeSftpFront(core, sftpSettings.hostKey === undefined ? {} : { hostKey: sftpSettings.hostKey })
      }
    } catch (error) {
      return fail((error as Error).message)
    }
  }
  const fronts = makeFronts()
  const server = {
    state: fronts.ftp.state,
    close: () => Promise.all([fronts.ftp.close(), fronts.sftp?.close()]).then(() => undefined)
  }

  /** The pool's state has `close`; the others have nothing to end. */
  const closeState = async (state: unknown): Promise<void> => {
    const close = (state as { close?: unknown } | undefined)?.close
    if (typeof close === 'function') await (close as () => Promise<void>)()
  }

  const removeTemporary = (): void => {
    if (temporary) fs.rmSync(root, { recursive: true, force: true })
  }

  /** When the first stop signal came; one that follows within a second is the same request. */
  let stoppingSince: number | undefined
  /**
   * Ctrl-C in a terminal sends SIGINT to npm and node at once, and npm passes
   * its own on: two signals a moment apart are one request to stop. A signal
   * a second or more after the first means "now".
   */
  const SAME_REQUEST_MS = 1000
  const stop = (signal: string): void => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SAME_REQUEST_MS) return
      log('warn', `${signal} again: exiting now`)
      removeTemporary()
      process.exit(1)
    }
    stoppingSince = Date.now()
    log('info', `${signal}: stopping (aborting transfers, closing handles)`)
    server
      .close()
      .then(() => closeState(server.state))
      .then(() => {
        removeTemporary()
        log('info', 'stopped')
      })
      .catch((error: unknown) => {
        log('error', `while stopping: ${String(error)}`)
        process.exitCode = 1
      })
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))

  const urlOf = (scheme: string, host: string, port: number): string =>
    `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}/`

  const start = async (): Promise<void> => {
    const plain = await fronts.ftp.listen(settings.port, settings.host)
    const secure =
      settings.ftpsPort === undefined ? undefined : await fronts.ftp.listenTls(settings.ftpsPort, settings.host)
    const ssh =
      fronts.sftp === undefined || sftpSettings.port === undefined
        ? undefined
        : await fronts.sftp.listen(sftpSettings.port, settings.host)
    const where = backend === 'memory' ? 'memory' : `${backend} ${root}${temporary ? ' (temporary)' : ''}`
    const named = Object.keys(settings.options.users ?? {})
    const logins = [
      ...(settings.options.anonymous === 'off' ? [] : [`anonymous (${settings.options.anonymous})`]),
      ...named
    ]
    const tls =
      settings.options.tls === undefined ? 'no TLS' : settings.options.tlsRequired ? 'TLS required' : 'TLS available'
    const endpoint =
      metrics === undefined || metricsAt === undefined
        ? undefined
        : await serveMetrics(metrics, metricsAt.port, metricsAt.host, log)
    const metricsUrl =
      endpoint === undefined ? undefined : urlOf('http', endpoint.address.address, endpoint.address.port) + 'metrics'
    const addresses = [
      urlOf('ftp', plain.address, plain.port),
      ...(secure === undefined ? [] : [urlOf('ftps', secure.address, secure.port)]),
      ...(ssh === undefined ? [] : [urlOf('sftp', ssh.address, ssh.port)])
    ]
    if (format === 'json')
      return void process.stdout.write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: 'info',
          event: 'started',
          addresses,
          backend: where,
          fronts: ['ftp', ...(secure === undefined ? [] : ['ftps']), ...(ssh === undefined ? [] : ['sftp'])],
          ...(ssh === undefined || fronts.sftp === undefined ? {} : { hostKey: fronts.sftp.fingerprint }),
          tls,
          logins,
          ...(metricsUrl === undefined ? {} : { metrics: metricsUrl })
        }) + '\n'
      )
    process.stdout.write(
      `ftp-server listening on ${urlOf('ftp', plain.address, plain.port)}` +
        (secure === undefined ? '' : ` and ${urlOf('ftps', secure.address, secure.port)}`) +
        (ssh === undefined || fronts.sftp === undefined
          ? ''
          : ` and ${urlOf('sftp', ssh.address, ssh.port)} (host key ${fronts.sftp.fingerprint})`) +
        ` (backend ${where}; ${tls}; login ${logins.length === 0 ? 'nobody' : logins.join(', ')})` +
        (metricsUrl === undefined ? '' : `; metrics on ${metricsUrl}`) +
        '\n'
    )
  }

  start().catch((error: NodeJS.ErrnoException & { readonly port?: number }) => {
    removeTemporary()
    const where = `${settings.host}:${error.port ?? settings.port}`
    fail(
      error.code === 'EADDRINUSE'
        ? `cannot listen on ${where}: address already in use`
        : error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES'
          ? `cannot listen on ${where}: ${error.code === 'EACCES' ? 'permission denied' : 'no such address here'}`
          : error.message
    )
  })
}
