/**
 * What `npm start` runs, for the specs that start the real program: the
 * script builds lib/ and examples/ (`npm run build:server`: tsc with
 * examples/tsconfig.build.json, into dist/server/), then runs Node on
 * dist/server/examples/ftp-server.js. The specs build it the same way, once
 * per test run, and run the command line the script runs, read from
 * package.json.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export const ROOT = path.join(__dirname, '..', '..')

const scripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts

/** `node`'s arguments in the `start` script (what follows its `exec node`), the script's path made absolute. */
export const SERVER_ARGS: ReadonlyArray<string> = (() => {
  const command = /&& exec node (.+)$/.exec(scripts.start)
  if (command === null)
    throw new Error(`package.json: the start script no longer ends with 'exec node ...': ${scripts.start}`)
  return command[1].split(' ').map((arg) => (arg.startsWith('-') ? arg : path.join(ROOT, arg)))
})()

let built: Promise<void> | undefined

/** `npm run build:server` (incremental tsc), once per process; give its hook a minute. */
export const buildServer = (): Promise<void> => {
  // The script itself (`node scripts/build-server.js`: it skips an unchanged build), else tsc on the project.
  const script = /^node (\S+)$/.exec(scripts['build:server'])?.[1]
  const project = /^tsc -p (\S+)$/.exec(scripts['build:server'])?.[1] ?? 'examples/tsconfig.build.json'
  built ??= new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      script !== undefined
        ? [path.join(ROOT, script)]
        : [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
      { cwd: ROOT },
      (error, stdout, stderr) =>
        error === null ? resolve() : reject(new Error(`tsc -p ${project} failed: ${error.message}\n${stdout}${stderr}`))
    )
  )
  return built
}

/** A running `npm start`: its URL (from the `listening` line), everything it printed so far, its end. */
export interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
  /** Its exit status, once it has exited and its output has been read to the end. */
  readonly exited: Promise<number | null>
  /** SIGTERM, then `exited`. */
  readonly stop: () => Promise<number | null>
}

/** `command` with `args` in the project's folder, PORT 0 unless `env` says otherwise. */
const spawnIn = (command: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): ChildProcess =>
  spawn(command, args, { cwd: ROOT, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })

/** 'close', not 'exit': a child's output may still be arriving when it has exited. */
const ended = (child: ChildProcess): Promise<number | null> =>
  new Promise((done) => child.on('close', (code) => done(code)))

/** Runs `command` (an FTP server, or `npm start` itself) with `env`; resolves once it has printed its `listening` line. */
export const startCommand = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>
): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawnIn(command, args, env)
    let output = ''
    let listening = false
    const exited = ended(child)
    const stop = (): Promise<number | null> => {
      child.kill('SIGTERM')
      return exited
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (listening) return
      const found = /listening on (ftp:\/\/(?:127\.0\.0\.1|\[::1\]):\d+)\//.exec(output)
      if (found === null) return
      listening = true
      resolve({ child, url: found[1], output: () => output, exited, stop })
    })
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => reject(new Error(`${command} exited (${code}) before listening:\n${output}`)))
  })

/** Runs what `npm start` runs (or node with `args`), with `env` (PORT 0 unless given); resolves once it listens. */
export const startServer = async (
  env: Readonly<Record<string, string>>,
  args: ReadonlyArray<string> = SERVER_ARGS
): Promise<Started> => {
  await buildServer()
  return startCommand(process.execPath, args, env)
}

/** Runs what `npm start` runs (or `args`), expecting it to fail: its exit status and everything it printed (killed after 30 s). */
export const startFailing = async (
  env: Readonly<Record<string, string>>,
  args: ReadonlyArray<string> = SERVER_ARGS
): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }> => {
  await buildServer()
  const child = spawnIn(process.execPath, args, env)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await ended(child)
  clearTimeout(timer)
  return { code, stdout, stderr }
}
