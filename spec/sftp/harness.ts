/**
 * Starting the SFTP server for a spec (on 127.0.0.1, a free port, one
 * backend) and running the real clients against it: OpenSSH's `sftp`,
 * `scp` and `ssh` with keys the specs make with `ssh-keygen`, paramiko
 * (Debian's python3-paramiko, under /usr/bin/python3) for passwords.
 */
import { execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeMemoryPathIO, makeNodePathIO, type PathIO, type PathIOFactory } from '../../lib'
import { makeServerCore, type ServerCore, type ServerOptions } from '../../lib/server'
import { makeSftpFront, type SftpServer } from '../../lib/sftp'

export type BackendName = 'memory' | 'node'

/** Debian's python3, which has paramiko (the one first on PATH may not). */
export const PYTHON = '/usr/bin/python3'

export const PASSWORD = 'wonderland'

/** A temporary directory, removed by `cleanUp`. */
export const tempDir = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `fp-pathio-sftp-${prefix}-`))

/** Runs a command; its exit status and output, never a rejection. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly input?: string; readonly timeoutMs?: number } = {}
): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })

/** A new key pair in `dir` (ed25519 unless `type` says otherwise): the private key's file and the public line. */
export const makeKey = async (
  dir: string,
  name: string,
  type: ReadonlyArray<string> = ['-t', 'ed25519']
): Promise<{ readonly file: string; readonly line: string }> => {
  const file = path.join(dir, name)
  await new Promise<void>((resolve, reject) =>
    execFile('ssh-keygen', ['-q', ...type, '-N', '', '-C', name, '-f', file], (error) =>
      error === null ? resolve() : reject(error)
    )
  )
  return { file, line: fs.readFileSync(`${file}.pub`, 'utf8').trim() }
}

/** What OpenSSH's clients need to talk to a test server without asking anything. */
export const sshOptions = (key: string): ReadonlyArray<string> => [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'IdentitiesOnly=yes',
  '-i',
  key
]

export interface Running {
  readonly port: number
  readonly server: SftpServer<unknown>
  readonly core: ServerCore<unknown>
  /** The real directory of the node backend ('/' for memory). */
  readonly root: string
  /** A record on the same files as the server's (same state, same root, no jail). */
  readonly inspect: PathIO<unknown>
  readonly stop: () => Promise<void>
  /** `sftp -b` with `batch`, as `user` with `key`, in `cwd`. */
  readonly sftp: (user: string, key: string, batch: string, cwd: string) => ReturnType<typeof run>
  /** `scp` with `args` (remote paths as `user@127.0.0.1:path`). */
  readonly scp: (key: string, args: ReadonlyArray<string>, cwd: string) => ReturnType<typeof run>
  /** A paramiko script: `sftp` (logged in as `user` with `password`) is in scope; prints what it prints. */
  readonly paramiko: (user: string, password: string, script: string) => ReturnType<typeof run>
}

/** Starts an SFTP server on `backend` with `options` (users, limits...). */
export const startSftp = async (
  backend: BackendName,
  options: Omit<ServerOptions<unknown>, 'factory' | 'root'>
): Promise<Running> => {
  const root = backend === 'node' ? fs.realpathSync(tempDir('root')) : '/'
  const factory: PathIOFactory<unknown> = backend === 'node' ? makeNodePathIO : makeMemoryPathIO
  const core = makeServerCore('spec', { factory, root, loginFailureDelay: 1, ...options })
  const server = makeSftpFront(core, {})
  const { port } = await server.listen(0, '127.0.0.1')
  const inspect = (backend === 'node' ? makeNodePathIO() : factory({ state: core.state } as never)) as PathIO<unknown>
  return {
    port,
    server,
    core,
    root,
    inspect,
    stop: async () => {
      await server.close()
      if (backend === 'node') fs.rmSync(root, { recursive: true, force: true })
    },
    sftp: (user, key, batch, cwd) =>
      run('sftp', [...sshOptions(key), '-P', String(port), '-b', '-', `${user}@127.0.0.1`], { cwd, input: batch }),
    scp: (key, args, cwd) => run('scp', [...sshOptions(key), '-P', String(port), ...args], { cwd }),
    paramiko: (user, password, script) =>
      run(PYTHON, [
        '-c',
        [
          'import paramiko, sys, json, io, stat as S',
          `t = paramiko.Transport(('127.0.0.1', ${port}))`,
          't.connect()',
          `t.auth_password(${JSON.stringify(user)}, ${JSON.stringify(password)})`,
          'sftp = paramiko.SFTPClient.from_transport(t)',
          script,
          't.close()'
        ].join('\n')
      ])
  }
}

/** The bytes of a file the server stored (a path under the server's root). */
export const stored = async (running: Running, real: string): Promise<Buffer | undefined> => {
  const { readFile } = await import('../../lib')
  const { isRight } = await import('fp-ts/Either')
  const read = await readFile(running.inspect, path.posix.join(running.root, real))()
  return isRight(read) ? Buffer.from(read.right) : undefined
}
