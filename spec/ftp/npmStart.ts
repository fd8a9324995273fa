/**
 * What `npm start` runs, for the specs that start the real program:
 * `prestart` compiles lib/ and examples/ with tsconfig.server.json (into
 * dist/server/), then Node runs dist/server/examples/ftp-server.js. The specs
 * build it the same way, once per test run, and run the same file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import * as path from 'node:path'

export const ROOT = path.join(__dirname, '..', '..')

/** The command line `npm start` runs once `prestart` has built the server. */
export const SERVER_ARGS: ReadonlyArray<string> = ['--enable-source-maps', path.join(ROOT, 'dist', 'server', 'examples', 'ftp-server.js')]

let built: Promise<void> | undefined

/** `npm run build:server` (incremental `tsc -p tsconfig.server.json`), once per process; give its hook a minute. */
export const buildServer = (): Promise<void> => {
  built ??= new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.server.json'],
      { cwd: ROOT },
      (error, stdout) => (error === null ? resolve() : reject(new Error(`tsc -p tsconfig.server.json failed:\n${stdout}`)))
    )
  )
  return built
}

/** A running `npm start`: its URL (from the `listening` line), everything it printed so far, its exit. */
export interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
  readonly exited: Promise<number | null>
  /** SIGTERM, then its exit. */
  readonly stop: () => Promise<number | null>
}

const spawnServer = (env: Readonly<Record<string, string>>): ChildProcess =>
  spawn(process.execPath, SERVER_ARGS, { cwd: ROOT, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })

/** Runs what `npm start` runs, with `env` (PORT 0 unless given); resolves once it has printed its `listening` line. */
export const startServer = async (env: Readonly<Record<string, string>>): Promise<Started> => {
  await buildServer()
  return new Promise((resolve, reject) => {
    const child = spawnServer(env)
    let output = ''
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const stop = (): Promise<number | null> => {
      child.kill('SIGTERM')
      return exited
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /listening on (ftp:\/\/(?:127\.0\.0\.1|\[::1\]):\d+)\//.exec(output)
      if (listening !== null) resolve({ child, url: listening[1], output: () => output, exited, stop })
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => reject(new Error(`ftp-server exited (${code}) before listening:\n${output}`)))
  })
}

/** Runs what `npm start` runs, expecting it to fail: its exit status and everything it printed (killed after 30 s). */
export const startFailing = async (
  env: Readonly<Record<string, string>>
): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }> => {
  await buildServer()
  return new Promise((resolve) => {
    const child = spawnServer(env)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
