/**
 * The FTP server of `fp-pathio/ftp`, ready to run: `npm start`.
 *
 * Environment:
 *   PORT            control port (default 2121); passive ports are free ports on 127.0.0.1
 *   FTP_USER/FTP_PASS  a named user besides `anonymous` (any password)
 *   PATHIO_BACKEND  memory (default, starts empty) | node | pool | s3 (a bucket: see examples/s3Backend.ts for S3_* and AWS_*)
 *   FTP_ROOT        the served directory for node and pool (default: a fresh temp directory, removed on exit)
 *   POOL_SIZE       worker threads of the pool backend (default: the backend's own default)
 *   PATHIO_TIMEOUT  milliseconds before a file-system operation fails with 451 (default 30000)
 *   LOG_LEVEL       silent | error | warn | info (default: a line per command) | debug
 *
 * It stops cleanly on SIGINT and SIGTERM: running transfers are aborted,
 * their handles closed, the pool ended.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeMemoryPathIO, makeNodePathIO, makePoolPathIO, type PathIOFactory } from '../lib'
import { isLogLevel, makeFtpServer, makeLogger } from '../lib/ftp'
import { s3FactoryFrom } from './s3Backend'

const HOST = '127.0.0.1'

const fail = (message: string): never => {
  process.stderr.write(`ftp-server: ${message}\n`)
  process.exit(2)
}

const numberFrom = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  return Number.isSafeInteger(value) && value >= 0 ? value : fail(`${name} must be a non-negative integer, got '${raw}'`)
}

const level = process.env.LOG_LEVEL ?? 'info'
if (!isLogLevel(level)) fail(`LOG_LEVEL must be silent, error, warn, info or debug, got '${level}'`)
const log = makeLogger(isLogLevel(level) ? level : 'info', (line) => process.stdout.write(line + '\n'))

const port = numberFrom('PORT', 2121)
const timeout = numberFrom('PATHIO_TIMEOUT', 30_000)
const backend = process.env.PATHIO_BACKEND ?? 'memory'

/** The served directory of a disk backend, and whether it is ours to remove at the end. */
const diskRoot = (): { readonly root: string; readonly temporary: boolean } => {
  const given = process.env.FTP_ROOT
  if (given === undefined || given === '') return { root: fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-ftp-')), temporary: true }
  const root = path.resolve(given)
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) fail(`FTP_ROOT is not a directory: ${root}`)
  return { root: fs.realpathSync(root), temporary: false }
}

const configure = (): { readonly factory: PathIOFactory<unknown>; readonly root: string; readonly temporary: boolean } => {
  switch (backend) {
    case 'memory':
      return { factory: makeMemoryPathIO as PathIOFactory<unknown>, root: '/', temporary: false }
    case 'node':
      return { factory: makeNodePathIO as PathIOFactory<unknown>, ...diskRoot() }
    case 'pool': {
      const size = process.env.POOL_SIZE === undefined ? undefined : numberFrom('POOL_SIZE', 0)
      const factory: PathIOFactory<unknown> = (context) =>
        makePoolPathIO({ ...(context as object), ...(size === undefined ? {} : { size }) }) as never
      return { factory, ...diskRoot() }
    }
    case 's3': {
      const factory = s3FactoryFrom(process.env)
      return typeof factory === 'string' ? fail(factory) : { factory, root: '/', temporary: false }
    }
    default:
      return fail(`PATHIO_BACKEND must be memory, node, pool or s3, got '${backend}'`)
  }
}

const { factory, root, temporary } = configure()
const users =
  process.env.FTP_USER !== undefined && process.env.FTP_USER !== ''
    ? { [process.env.FTP_USER]: process.env.FTP_PASS ?? '' }
    : {}
const server = makeFtpServer({ factory, root, timeout, users, log, passiveHost: HOST })

/** The pool's state has `close`; the others have nothing to end. */
const closeState = async (state: unknown): Promise<void> => {
  const close = (state as { close?: unknown } | undefined)?.close
  if (typeof close === 'function') await (close as () => Promise<void>)()
}

let stopping = false
const stop = (signal: string): void => {
  if (stopping) {
    log('warn', `${signal} again: exiting now`)
    process.exit(1)
  }
  stopping = true
  log('info', `${signal}: stopping (aborting transfers, closing handles)`)
  server
    .close()
    .then(() => closeState(server.state))
    .then(() => {
      if (temporary) fs.rmSync(root, { recursive: true, force: true })
      log('info', 'stopped')
    })
    .catch((error: unknown) => {
      log('error', `while stopping: ${String(error)}`)
      process.exitCode = 1
    })
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))

server.listen(port, HOST).then(
  (address) => {
    const where = backend === 'memory' ? 'memory' : `${backend} ${root}${temporary ? ' (temporary)' : ''}`
    const login = Object.keys(users).length > 0 ? `anonymous or ${Object.keys(users)[0]}` : 'anonymous'
    process.stdout.write(`ftp-server listening on ftp://${HOST}:${address.port}/ (backend ${where}; login ${login})\n`)
  },
  (error: Error) => fail(`cannot listen on ${HOST}:${port}: ${error.message}`)
)
