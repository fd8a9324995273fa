/**
 * Starting the FTP server for a spec, on a free port, with one backend, and
 * running the real clients (python3 ftplib, curl) against it.
 */
import { execFile, spawn } from 'node:child_process'
import * as net from 'node:net'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import {
  makeMemoryPathIO,
  makeNodePathIO,
  makePoolPathIO,
  pathIOError,
  readFile,
  withRoot,
  withTimeout,
  wrapOperations,
  type FileHandle,
  type Middleware,
  type PathIO,
  type PathIOFactory
} from '../../lib'
import { makeFtpServer, type FtpServer, type FtpServerOptions } from '../../lib/ftp'

export type BackendName = 'memory' | 'node' | 'pool'

export const DRIVER = path.join(__dirname, 'driver.py')

/** The named user every spec server knows, besides anonymous. */
export const USER = { name: 'alice', password: 'wonderland' }

export interface Running {
  readonly port: number
  /** The implicit-FTPS port, when started with `implicitTls`. */
  readonly tlsPort: number | undefined
  readonly server: FtpServer<unknown>
  readonly url: string
  /** The real directory of a disk backend ('/' for memory). */
  readonly root: string
  /** A record on the same files as the server's (same state, same root): what the server really stored. */
  readonly inspect: PathIO<unknown>
  readonly read: (virtual: string) => Promise<Buffer | undefined>
  readonly stop: () => Promise<void>
}

const factories: Readonly<Record<BackendName, PathIOFactory<unknown>>> = {
  memory: makeMemoryPathIO,
  node: makeNodePathIO,
  pool: ((context) => makePoolPathIO({ ...(context as object), size: 2 })) as PathIOFactory<unknown>
}

/**
 * A middleware that fails what touches `/faults/`: writes of files opened
 * there (NoSpace), `stat` of `.../slow` (never in time: Timeout) and of
 * `.../broken` (Unknown), `unlink` of `.../busy` (Busy), `mkdir` of
 * `.../readonly` (ReadOnly). Everything else passes through.
 */
export const faultsUnderFaultsDir: Middleware = <S>(inner: PathIO<S>): PathIO<S> => {
  const doomed = new WeakSet<FileHandle>()
  return wrapOperations((op, args, next) => {
    const target = typeof args[0] === 'string' ? args[0] : ''
    const fail = (reason: Parameters<typeof pathIOError>[0]) => TE.left(pathIOError(reason, op, { path: target }))
    if (!target.includes('/faults/')) {
      if (op === 'write' && doomed.has(args[0] as FileHandle)) return fail('NoSpace')
      return next(...args)
    }
    if (op === 'open')
      return async () => {
        const opened = await next(...args)()
        if (E.isRight(opened)) doomed.add(opened.right as FileHandle)
        return opened
      }
    if (op === 'stat' && target.endsWith('/slow'))
      // Answers (NotFound: 550) only after 5 s: a 451 can only come from the server's timeout.
      return () => new Promise((resolve) => setTimeout(() => resolve(next(...args)()), 5000).unref())
    if (op === 'stat' && target.endsWith('/broken')) return fail('Unknown')
    if (op === 'unlink' && target.endsWith('/busy')) return fail('Busy')
    if (op === 'mkdir' && target.endsWith('/readonly')) return fail('ReadOnly')
    return next(...args)
  })(inner)
}

/** Starts a server for `backend` on a free port of 127.0.0.1. */
export const startServer = async (
  backend: BackendName,
  options: Partial<FtpServerOptions<unknown>> & {
    readonly faults?: boolean
    readonly host?: string
    readonly implicitTls?: boolean
  } = {}
): Promise<Running> => {
  const { host = '127.0.0.1', implicitTls = false, faults: _faults, ...serverOptions } = options
  const root =
    backend === 'memory' ? '/' : fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-ftp-spec-')))
  const base = factories[backend]
  // The faults sit under the timeout, as a slow disk would.
  const factory: PathIOFactory<unknown> =
    options.faults === true
      ? (context) => {
          const { timeout, ...rest } = context ?? {}
          const faulty = faultsUnderFaultsDir(base(rest))
          return timeout === undefined ? faulty : withTimeout(timeout)(faulty)
        }
      : base
  const server = makeFtpServer({
    factory,
    root,
    users: { [USER.name]: USER.password },
    dataTimeout: 1000,
    loginFailureDelay: 50,
    ...serverOptions
  })
  const { port } = await server.listen(0, host)
  const tlsPort = implicitTls ? (await server.listenTls(0, host)).port : undefined
  const inspect = withRoot(root)(base({ state: server.state }))
  return {
    port,
    tlsPort,
    server,
    url: `ftp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    root,
    inspect,
    read: async (virtual) => {
      const got = await readFile(inspect, virtual)()
      return E.isRight(got) ? Buffer.from(got.right) : undefined
    },
    stop: async () => {
      await server.close()
      const close = (server.state as { close?: () => Promise<void> } | undefined)?.close
      if (typeof close === 'function') await close()
      if (backend !== 'memory') fs.rmSync(root, { recursive: true, force: true })
    }
  }
}

/** Runs `body` against a server started with `options`, and stops the server however `body` ends. */
export const withServer = async <A>(
  backend: BackendName,
  options: Parameters<typeof startServer>[1],
  body: (running: Running) => Promise<A>
): Promise<A> => {
  const running = await startServer(backend, options)
  try {
    return await body(running)
  } finally {
    await running.stop()
  }
}

/** Runs a scenario of driver.py as `user` (default alice: anonymous may only read); resolves with its JSON (the last line it printed). */
export const runPython = (
  port: number,
  scenario: string,
  user: { name: string; password: string } = USER
): Promise<any> =>
  new Promise((resolve, reject) => {
    const args = [DRIVER, String(port), scenario, user.name, user.password]
    execFile('python3', args, { timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`driver.py ${scenario} failed: ${error.message}\n${stderr}`))
      const lines = stdout.trim().split('\n')
      try {
        resolve(JSON.parse(lines[lines.length - 1]))
      } catch {
        reject(new Error(`driver.py ${scenario} printed no JSON:\n${stdout}\n${stderr}`))
      }
    })
  })

export interface CurlResult {
  readonly status: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs curl with `args` (plus -sS), feeding `input` on stdin when given. */
export const runCurl = (args: ReadonlyArray<string>, input?: Buffer): Promise<CurlResult> =>
  new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--max-time', '30', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Array<Buffer> = []
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: err }))
    child.stdin.end(input)
  })

/** Waits until `test` holds, checking every 20 ms, for at most `ms`. */
export const eventually = async (test: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> => {
  const until = Date.now() + ms
  for (;;) {
    if (await test()) return true
    if (Date.now() > until) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export const STEPS = path.join(__dirname, 'steps.py')

/** How steps.py connects. */
export interface StepsOptions {
  readonly host?: string
  readonly port: number
  readonly user?: string
  readonly password?: string
  /** Explicit FTPS (AUTH TLS), verifying the server against `cafile`. */
  readonly tls?: boolean
  readonly cafile?: string
  readonly prot?: 'P' | 'C'
  readonly max_tls?: 'TLSv1_2' | 'TLSv1_3'
  readonly passive?: boolean
  readonly login?: boolean
  readonly timeout?: number
}

/** A step of steps.py: ['send', 'HELP'], ['stor', name, text], ['stor', name, '', bytes], ['retr', name], ['list', path]... */
export type Step = ReadonlyArray<string | number | boolean>

/** Runs steps.py (Python's ftplib); resolves with its JSON. */
export const runSteps = (options: StepsOptions, steps: ReadonlyArray<Step>): Promise<any> =>
  new Promise((resolve, reject) => {
    const args = [
      STEPS,
      JSON.stringify({ host: '127.0.0.1', user: USER.name, password: USER.password, ...options }),
      JSON.stringify(steps)
    ]
    execFile('python3', args, { timeout: 90_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`steps.py failed: ${error.message}\n${stderr}`))
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() as string))
      } catch {
        reject(new Error(`steps.py printed no JSON:\n${stdout}\n${stderr}`))
      }
    })
  })

/** A raw control connection: send bytes, read replies one at a time. */
export interface Raw {
  readonly socket: net.Socket
  readonly send: (bytes: string | Buffer) => void
  /** The next complete reply (multi-line replies joined), or `undefined` if the server closed. */
  readonly reply: () => Promise<string | undefined>
  readonly closed: Promise<void>
}

const FINAL_LINE = /^(\d{3}) .*\r\n/m

export const rawConnect = (port: number, host = '127.0.0.1', localAddress?: string): Promise<Raw> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) })
    let buffered = ''
    let ended = false
    let waiting: (() => void) | undefined
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      waiting?.()
    })
    const closed = new Promise<void>((done) =>
      socket.on('close', () => {
        ended = true
        waiting?.()
        done()
      })
    )
    socket.on('error', () => undefined)
    const take = (): string | undefined => {
      const match = FINAL_LINE.exec(buffered)
      if (match === null) return undefined
      const end = (match.index ?? 0) + match[0].length
      const whole = buffered.slice(0, end)
      buffered = buffered.slice(end)
      return whole
    }
    const reply = async (): Promise<string | undefined> => {
      for (;;) {
        const got = take()
        if (got !== undefined) return got
        if (ended) return undefined
        await new Promise<void>((done) => (waiting = done))
        waiting = undefined
      }
    }
    socket.once('connect', () => resolve({ socket, send: (bytes) => socket.write(bytes), reply, closed }))
    socket.once('error', reject)
  })
