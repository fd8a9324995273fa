/**
 * `npm run bench:ftp -- [--quick] [--rounds N] [--size MiB] [--clients N] [--each MiB] [--small N]
 *   [--backends memory,node,pool] [--peers pyftpdlib,vsftpd,bare] [--tls both|off|only] [--install] [--json FILE]`
 *
 * FTP transfer speed, our server beside the servers a user would pick instead,
 * all driven by one client: Python's ftplib (bench/ftp_client.py, one process
 * per client, FTP_TLS for PROT P: AUTH TLS, PBSZ 0, PROT P, the server's
 * certificate verified against a CA made for the run). curl is not used: it
 * resets pyftpdlib's TLS data connections.
 *
 * The servers, each a process of its own on a loopback port:
 * - fp-pathio on each backend: the program `npm start` runs, compiled as
 *   `npm start` compiles it, logging a line per command as deployed;
 * - pyftpdlib (Debian's python3-pyftpdlib), its TLS_FTPHandler when pyOpenSSL
 *   is there (python3-openssl), which serves plain sessions as FTPHandler does
 *   (RETR by sendfile); otherwise FTPHandler and no PROT P figures;
 * - vsftpd (Debian's vsftpd), started in the foreground with a config file of
 *   the run's own in a temporary directory (never the system service), TLS
 *   with the run's certificate, strict_ssl_read_eof=YES (an upload ends at the
 *   client's close_notify, as ours); it needs root, and is skipped, saying so,
 *   when it is missing (`--install` installs it and the others with apt-get);
 * - bare Node (bench/bare-ftp-server.js): the least FTP server Node can be,
 *   keeping uploads as the socket's chunks (memory) or writing them with
 *   writeSync (file): where Node itself sets the limit.
 * Every server lets anonymous write, so no run pays a password hash.
 *
 * Workloads, plain and under PROT P: one client storing then retrieving a
 * file of --size MiB (64), --clients clients (8) at once doing the same with
 * --each MiB (size / clients) each, and --small STORs of 1 KiB one after
 * another on one connection (ftplib's storbinary, 300). Every download is
 * checked against the file's sha256. Each client logs in first and waits;
 * the clock starts when all are told to go and stops at the last client's
 * final reply (226), so it covers PASV, the command, the data connection and
 * its TLS handshake, the bytes and the end, not the login. CPU: the server's
 * process tree from /proc (vsftpd runs processes per session: read while the
 * sessions are open, before the clients send QUIT), the clients' own from
 * getrusage.
 *
 * Rounds: one warm-up, then --rounds (5) rounds; in each, every workload runs
 * on every server, the servers in an order rotated each round. Each figure is
 * the median over the rounds, each ratio the median of the per-round ratios
 * (paired within a round). Prints markdown: the run's header (date, machine,
 * load average, peers, client, command), the figures, the ratios.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeCertificates, type Certificates } from '../spec/ftp/certificates'
import { buildServer, SERVER_ARGS } from '../spec/ftp/npmStart'

const MiB = 2 ** 20

const flag = (name: string): boolean => process.argv.includes(`--${name}`)
const option = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback)
}

const quick = flag('quick')
const rounds = Number(option('rounds', quick ? '3' : '5'))
const bigMiB = Number(option('size', quick ? '16' : '64'))
const clients = Number(option('clients', '8'))
const eachMiB = Number(option('each', String(Math.max(1, Math.floor(bigMiB / clients)))))
const smallCount = Number(option('small', quick ? '40' : '300'))
const backends = option('backends', quick ? 'memory,node' : 'memory,node,pool')
  .split(',')
  .filter((b) => b !== '')
const peers = new Set(option('peers', 'pyftpdlib,vsftpd,bare').split(','))
const tlsOption = option('tls', 'both')
const modes: ReadonlyArray<boolean> = tlsOption === 'off' ? [false] : tlsOption === 'only' ? [true] : [false, true]
const jsonFile = option('json', '')

const PYFTPDLIB = 'pyftpdlib'
const VSFTPD = 'vsftpd'
const ours = (backend: string): string => `fp-pathio ${backend}`
const BARE_MEMORY = 'bare Node, memory'
const BARE_FILE = 'bare Node, file'

/** The client's Python: Debian's when there is one (what python3-pyftpdlib is built for), else the one on PATH. */
const CLIENT_PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
const CLIENT = path.join(__dirname, 'ftp_client.py')
const BARE_SERVER = path.join(__dirname, 'bare-ftp-server.js')

// ---------------------------------------------------------------- CPU from /proc

/** utime + stime (own) and cutime + cstime (reaped descendants) of one process, in seconds (ticks of 1/100 s). */
const statOf = (pid: number): { own: number; reaped: number } | undefined => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return {
      own: (Number(fields[11]) + Number(fields[12])) / 100,
      reaped: (Number(fields[13]) + Number(fields[14])) / 100
    }
  } catch {
    return undefined
  }
}

const childrenOf = (pid: number): ReadonlyArray<number> => {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' '))
      .filter((word) => word !== '')
      .map(Number)
  } catch {
    return []
  }
}

/** CPU seconds of a process and all its descendants, live or reaped: each counted once (a reaped one in its reaper's cutime). */
const treeCpu = (pid: number): number => {
  const stat = statOf(pid)
  if (stat === undefined) return 0
  return stat.own + stat.reaped + childrenOf(pid).reduce((sum, child) => sum + treeCpu(child), 0)
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

// ---------------------------------------------------------------- servers

/** A server under test. */
interface Running {
  readonly name: string
  readonly port: number
  /** The directory the client changes to after login ('-': stay). */
  readonly directory: string
  readonly tls: boolean
  readonly cpuSeconds: () => number
  /** Resolves once the server has no session processes left (vsftpd's end a moment after QUIT). */
  readonly quiesce: () => Promise<void>
  readonly stop: () => Promise<void>
}

interface Contestant {
  readonly name: string
  /** What the tables say of it: version, TLS. */
  readonly about: string
  readonly start: () => Promise<Running>
}

/** This process's environment without the settings of `npm start`: a server measured here gets only those it is given. */
const inherited = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(FTPS?_|PATHIO_|S3_|AWS_|POOL_SIZE$|LOG_LEVEL$|PORT$)/.test(name))
  )

/** Resolves once something accepts connections on the port (vsftpd prints nothing when it is ready). */
const accepting = async (port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before listening`)
    const open = await new Promise<boolean>((done) => {
      const probe = net.connect(port, '127.0.0.1')
      probe.once('connect', () => {
        probe.destroy()
        done(true)
      })
      probe.once('error', () => done(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`)
    await sleep(50)
  }
}

/** A server process. The port is found in its standard output (`portIn`) or given; all its output is read, and kept for errors. */
const startProcess = async (
  name: string,
  command: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  port: number | ((output: string) => number | undefined),
  extra: { directory?: string; tls: boolean; cleanup?: () => void }
): Promise<Running> => {
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited(), ...env }
  })
  let output = ''
  child.stdout?.on(
    'data',
    (chunk: Buffer) => (output += chunk.toString()).length > 100_000 && (output = output.slice(-10_000))
  )
  child.stderr?.on(
    'data',
    (chunk: Buffer) => (output += chunk.toString()).length > 100_000 && (output = output.slice(-10_000))
  )
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const foundPort = await (
    typeof port === 'number'
      ? accepting(port, child).then(() => port)
      : new Promise<number>((resolve, reject) => {
          const look = (): void => {
            const found = port(output)
            if (found !== undefined) {
              child.stdout?.off('data', look)
              child.off('exit', failed)
              resolve(found)
            }
          }
          const failed = (code: number | null): void => reject(new Error(`${name} exited (${code}): ${output}`))
          child.stdout?.on('data', look)
          child.once('exit', failed)
        })
  ).catch((error: Error) => {
    child.kill('SIGKILL')
    extra.cleanup?.()
    throw new Error(`${name}: ${error.message}\n${output}`)
  })
  const pid = child.pid ?? 0
  return {
    name,
    port: foundPort,
    directory: extra.directory ?? '-',
    tls: extra.tls,
    cpuSeconds: () => treeCpu(pid),
    quiesce: async () => {
      for (let i = 0; i < 100 && childrenOf(pid).length > 0; i++) await sleep(20)
    },
    stop: async () => {
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(5000)])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      extra.cleanup?.()
    }
  }
}

/** A fresh directory, and a function that removes it. */
const scratchDir = (name: string): { dir: string; remove: () => void } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fp-pathio-bench-${name}-`))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Our server on `backend`: what `npm start` runs, built as it builds it, anonymous allowed to write, FTPS offered, a log line per command. */
const oursContestant = (backend: string, certs: Certificates): Contestant => ({
  name: ours(backend),
  about: `what \`npm start\` runs (Node ${process.version}), PATHIO_BACKEND=${backend}; TLS 1.2 on data connections`,
  start: async () => {
    await buildServer()
    const disk = backend === 'memory' ? undefined : scratchDir(backend)
    return startProcess(
      ours(backend),
      process.execPath,
      SERVER_ARGS,
      {
        PORT: '0',
        FTP_HOST: '127.0.0.1',
        PATHIO_BACKEND: backend,
        ...(disk === undefined ? {} : { FTP_ROOT: disk.dir }),
        // The memory tree may hold whatever a run uploads.
        FTP_MEMORY_LIMIT: String(2 ** 40),
        LOG_LEVEL: 'info',
        FTP_ANONYMOUS: 'write',
        FTP_TLS_CERT: certs.certFile,
        FTP_TLS_KEY: certs.keyFile
      },
      (output) => {
        const listening = /listening on ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(output)
        return listening === null ? undefined : Number(listening[1])
      },
      { tls: true, ...(disk === undefined ? {} : { cleanup: disk.remove }) }
    )
  }
})

const bareContestant = (store: 'memory' | 'file', certs: Certificates): Contestant => ({
  name: store === 'memory' ? BARE_MEMORY : BARE_FILE,
  about: `bench/bare-ftp-server.js ${store} (Node ${process.version}): ${
    store === 'memory'
      ? "uploads kept as the socket's chunks"
      : 'each chunk written with writeSync, RETR by createReadStream'
  }; TLS 1.2 on data connections`,
  start: async () => {
    const disk = scratchDir('bare')
    return startProcess(
      store === 'memory' ? BARE_MEMORY : BARE_FILE,
      process.execPath,
      [BARE_SERVER, store, disk.dir, certs.certFile, certs.keyFile],
      {},
      (output) => {
        const line = /^(\d+)\n/m.exec(output)
        return line === null ? undefined : Number(line[1])
      },
      { tls: true, cleanup: disk.remove }
    )
  }
})

/** pyftpdlib over a directory, anonymous with every permission; TLS_FTPHandler when `tls` (its plain sessions are FTPHandler's: RETR by sendfile). */
const PYFTPDLIB_SERVER = `
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer
from pyftpdlib import handlers
authorizer = DummyAuthorizer()
authorizer.add_anonymous(sys.argv[1], perm='elradfmwMT')
if len(sys.argv) > 2:
    handler = handlers.TLS_FTPHandler
    handler.certfile = sys.argv[2]
    handler.keyfile = sys.argv[3]
else:
    handler = handlers.FTPHandler
handler.authorizer = authorizer
server = FTPServer(('127.0.0.1', 0), handler)
print(server.socket.getsockname()[1], flush=True)
server.serve_forever()
`

const pythonHas = (python: string, code: string): Promise<string | undefined> =>
  new Promise((resolve) =>
    execFile(python, ['-c', code], (error, stdout) => resolve(error === null ? stdout.trim() : undefined))
  )

const pyftpdlibContestant = async (certs: Certificates): Promise<Contestant | string> => {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const version = await pythonHas(python, 'import pyftpdlib; print(pyftpdlib.__ver__)')
    if (version === undefined) continue
    const openssl = await pythonHas(python, 'import OpenSSL; print(OpenSSL.__version__)')
    const tls = openssl !== undefined
    return {
      name: PYFTPDLIB,
      about: `pyftpdlib ${version} (${python}), ${
        tls
          ? `TLS_FTPHandler with pyOpenSSL ${openssl}`
          : 'FTPHandler: no pyOpenSSL here (apt-get install python3-openssl), no PROT P figures'
      }`,
      start: async () => {
        const disk = scratchDir(PYFTPDLIB)
        return startProcess(
          PYFTPDLIB,
          python,
          ['-c', PYFTPDLIB_SERVER, disk.dir, ...(tls ? [certs.certFile, certs.keyFile] : [])],
          {},
          (output) => {
            const line = /^(\d+)\n/m.exec(output)
            return line === null ? undefined : Number(line[1])
          },
          { tls, cleanup: disk.remove }
        )
      }
    }
  }
  return 'no pyftpdlib here (apt-get install python3-pyftpdlib python3-openssl, or --install): skipped'
}

/** A port nothing listens on now (the OS's choice). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const which = (command: string): string | undefined => {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const file = path.join(dir, command)
    if (fs.existsSync(file)) return file
  }
  return undefined
}

/**
 * vsftpd's config for the run: in the foreground on a loopback port,
 * anonymous (no password) allowed to upload, overwrite and delete in `up/`
 * of its root (vsftpd refuses a root its anonymous user can write), files
 * readable when uploaded (anon_umask 022), passive ports of its own; TLS
 * with the run's certificate, offered but not forced, no session reuse
 * required, an upload ending only at the client's close_notify; no seccomp
 * sandbox and no namespaces (this container has neither to spare); no
 * transfer log.
 */
const vsftpdConfig = (port: number, root: string, empty: string, certs: Certificates, log: string): string =>
  [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    'anonymous_enable=YES',
    'local_enable=NO',
    'no_anon_password=YES',
    `anon_root=${root}`,
    'write_enable=YES',
    'anon_upload_enable=YES',
    'anon_mkdir_write_enable=YES',
    'anon_other_write_enable=YES',
    'anon_umask=022',
    'pasv_enable=YES',
    // A range outside Linux's ephemeral ports (32768-60999): clients' own connections never take them.
    'pasv_min_port=20000',
    'pasv_max_port=20999',
    `secure_chroot_dir=${empty}`,
    'seccomp_sandbox=NO',
    'isolate=NO',
    'isolate_network=NO',
    'ssl_enable=YES',
    'allow_anon_ssl=YES',
    'force_anon_logins_ssl=NO',
    'force_anon_data_ssl=NO',
    'require_ssl_reuse=NO',
    'strict_ssl_read_eof=YES',
    'ssl_ciphers=HIGH',
    `rsa_cert_file=${certs.certFile}`,
    `rsa_private_key_file=${certs.keyFile}`,
    'xferlog_enable=NO',
    `vsftpd_log_file=${log}`,
    ''
  ].join('\n')

const vsftpdContestant = (certs: Certificates): Contestant | string => {
  const binary = which('vsftpd')
  if (binary === undefined) return 'no vsftpd here (apt-get install vsftpd, or --install): skipped'
  if (process.getuid?.() !== 0) return 'vsftpd needs root (it changes to its anonymous user): skipped'
  let ftpUser: { uid: number; gid: number }
  try {
    const [uid, gid] = execFileSync('id', ['-u', 'ftp'])
      .toString()
      .trim()
      .concat(' ', execFileSync('id', ['-g', 'ftp']).toString().trim())
      .split(' ')
    ftpUser = { uid: Number(uid), gid: Number(gid) }
  } catch {
    return "vsftpd's anonymous user 'ftp' is missing (Debian's package makes it): skipped"
  }
  let version = ''
  try {
    version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'vsftpd']).toString().trim()
  } catch {
    version = 'version unknown'
  }
  return {
    name: VSFTPD,
    about: `vsftpd ${version} (${binary}), its own config in a temporary directory; TLS as OpenSSL negotiates (1.3 here)`,
    start: async () => {
      const disk = scratchDir(VSFTPD)
      fs.chmodSync(disk.dir, 0o755)
      const root = path.join(disk.dir, 'root')
      const empty = path.join(disk.dir, 'empty')
      fs.mkdirSync(path.join(root, 'up'), { recursive: true })
      fs.mkdirSync(empty)
      fs.chownSync(path.join(root, 'up'), ftpUser.uid, ftpUser.gid)
      const port = await freePort()
      const config = path.join(disk.dir, 'vsftpd.conf')
      fs.writeFileSync(config, vsftpdConfig(port, root, empty, certs, path.join(disk.dir, 'vsftpd.log')))
      return startProcess(VSFTPD, binary, [config], {}, port, { directory: 'up', tls: true, cleanup: disk.remove })
    }
  }
}

/** apt-get install of the peers, for --install (root only). */
const install = (): void => {
  const packages = ['vsftpd', 'python3-pyftpdlib', 'python3-openssl']
  process.stderr.write(`--install: apt-get update, apt-get install -y ${packages.join(' ')}\n`)
  const options = {
    stdio: ['ignore', 'inherit', 'inherit'] as Array<'ignore' | 'inherit'>,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  }
  execFileSync('apt-get', ['update'], options)
  execFileSync('apt-get', ['install', '-y', ...packages], options)
}

// ---------------------------------------------------------------- clients

interface ClientResult {
  readonly endNs: bigint
  readonly cpu: number
  readonly sha: string
}

/** One ftplib client process, logged in and waiting: `go()` starts it, `done` is what it printed at the end, `quit()` lets it send QUIT and exit. */
interface Client {
  readonly ready: Promise<void>
  readonly go: () => void
  readonly done: Promise<ClientResult>
  readonly quit: () => Promise<void>
  readonly kill: () => void
}

const startClient = (running: Running, secure: boolean, caFile: string, args: ReadonlyArray<string>): Client => {
  const child = spawn(
    CLIENT_PYTHON,
    [CLIENT, '127.0.0.1', String(running.port), secure ? 'tls' : 'plain', running.directory, caFile, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe']
    }
  )
  let out = ''
  let err = ''
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  const failure = (code: number | null): Error =>
    new Error(
      `client ${args.join(' ')} on ${running.name}: exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`
    )
  const done = new Promise<ClientResult>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('ready\n')) markReady()
      const line = /^done (\d+) ([\d.]+) (\S+)$/m.exec(out)
      if (line !== null) resolve({ endNs: BigInt(line[1]), cpu: Number(line[2]), sha: line[3] })
    })
    child.once('error', reject)
    void closed.then((code) => reject(failure(code)))
  })
  // A client that dies before it is ready must not leave the harness waiting.
  done.catch(() => markReady())
  return {
    ready,
    go: () => child.stdin.write('go\n'),
    done,
    quit: async () => {
      child.stdin.end('quit\n')
      const code = await closed
      if (code !== 0) throw failure(code)
    },
    kill: () => child.kill('SIGKILL')
  }
}

interface PhaseResult {
  /** Wall seconds from the start line to the last client's final reply. */
  readonly wall: number
  readonly serverCpu: number
  readonly clientCpu: number
  readonly shas: ReadonlyArray<string>
}

/**
 * Runs clients made by `argsOf(i)` at once on a server, timed from the start
 * line to the last final reply. The server's CPU is read before the start
 * line and after the last reply, with every session still open; the clients
 * send QUIT after that.
 */
const phase = async (
  running: Running,
  secure: boolean,
  caFile: string,
  count: number,
  argsOf: (i: number) => ReadonlyArray<string>,
  timeoutMs = 600_000
): Promise<PhaseResult> => {
  // The sessions of the phase before have ended: no process leaves the server's tree while it is measured.
  await running.quiesce()
  const started = Array.from({ length: count }, (_, i) => startClient(running, secure, caFile, argsOf(i)))
  const timer = setTimeout(() => started.forEach((client) => client.kill()), timeoutMs)
  try {
    await Promise.all(started.map((client) => client.ready))
    const cpuBefore = running.cpuSeconds()
    const t0 = process.hrtime.bigint()
    started.forEach((client) => client.go())
    const results = await Promise.all(started.map((client) => client.done))
    const serverCpu = running.cpuSeconds() - cpuBefore
    await Promise.all(started.map((client) => client.quit()))
    const end = results.reduce((latest, result) => (result.endNs > latest ? result.endNs : latest), 0n)
    return {
      wall: Number(end - t0) / 1e9,
      serverCpu,
      clientCpu: results.reduce((sum, result) => sum + result.cpu, 0),
      shas: results.map((result) => result.sha)
    }
  } catch (error) {
    started.forEach((client) => client.kill())
    await Promise.allSettled(started.map((client) => client.done))
    throw error
  } finally {
    clearTimeout(timer)
  }
}

// ---------------------------------------------------------------- workloads

interface Workload {
  readonly key: string
  readonly label: string
  readonly secure: boolean
  readonly kind: 'transfer' | 'small'
  readonly count: number
  /** MiB per client (transfers). */
  readonly mib: number
}

/** One measurement of a workload on a server: MiB/s or files/s, and CPU milliseconds per MiB or per file. */
interface Sample {
  readonly up: number
  readonly down: number
  readonly upServerMs: number
  readonly downServerMs: number
  readonly upClientMs: number
  readonly downClientMs: number
}

const workloads = (): ReadonlyArray<Workload> =>
  modes.flatMap((secure) => {
    const suffix = secure ? ', PROT P' : ''
    return [
      ...(bigMiB > 0
        ? [
            {
              key: `big${suffix}`,
              label: `${bigMiB} MiB, 1 client${suffix}`,
              secure,
              kind: 'transfer' as const,
              count: 1,
              mib: bigMiB
            },
            {
              key: `many${suffix}`,
              label: `${eachMiB} MiB each, ${clients} clients at once${suffix}`,
              secure,
              kind: 'transfer' as const,
              count: clients,
              mib: eachMiB
            }
          ]
        : []),
      ...(smallCount > 0
        ? [
            {
              key: `small${suffix}`,
              label: `${smallCount} × 1 KiB STOR, one connection${suffix}`,
              secure,
              kind: 'small' as const,
              count: smallCount,
              mib: 0
            }
          ]
        : [])
    ]
  })

interface Files {
  readonly path: (mib: number) => string
  readonly sha: (mib: number) => string
}

const runWorkload = async (
  running: Running,
  workload: Workload,
  files: Files,
  caFile: string,
  smallOverride?: number
): Promise<Sample> => {
  const { secure, count, mib } = workload
  if (workload.kind === 'small') {
    const n = smallOverride ?? count
    const result = await phase(running, secure, caFile, 1, () => ['small', String(n)])
    return {
      up: n / result.wall,
      down: Number.NaN,
      upServerMs: (1000 * result.serverCpu) / n,
      downServerMs: Number.NaN,
      upClientMs: (1000 * result.clientCpu) / n,
      downClientMs: Number.NaN
    }
  }
  const local = files.path(mib)
  const name = (i: number): string => `c${i}-${mib}.bin`
  const up = await phase(running, secure, caFile, count, (i) => ['stor', name(i), local])
  const down = await phase(running, secure, caFile, count, (i) => ['retr', name(i), String(mib * MiB)])
  const wrong = down.shas.findIndex((sha) => sha !== files.sha(mib))
  if (wrong !== -1)
    throw new Error(`${running.name}: RETR of ${name(wrong)} gave sha256 ${down.shas[wrong]}, not ${files.sha(mib)}`)
  const total = count * mib
  return {
    up: total / up.wall,
    down: total / down.wall,
    upServerMs: (1000 * up.serverCpu) / total,
    downServerMs: (1000 * down.serverCpu) / total,
    upClientMs: (1000 * up.clientCpu) / total,
    downClientMs: (1000 * down.clientCpu) / total
  }
}

// ---------------------------------------------------------------- results

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** samples[workload][server][round] */
type Samples = Map<string, Map<string, Array<Sample | undefined>>>

const fmt = (x: number, digits?: number): string => {
  if (Number.isNaN(x)) return ''
  const d = digits ?? (x >= 100 ? 0 : x >= 10 ? 1 : 2)
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
}

const medianOf = (samples: ReadonlyArray<Sample | undefined>, field: keyof Sample): number =>
  median(samples.flatMap((sample) => (sample === undefined ? [] : [sample[field]])))

/** The median over rounds of ours / peer, paired round by round. */
const pairedRatio = (
  mine: ReadonlyArray<Sample | undefined>,
  theirs: ReadonlyArray<Sample | undefined>,
  field: keyof Sample
): number =>
  median(
    mine.flatMap((sample, round) =>
      sample === undefined || theirs[round] === undefined ? [] : [sample[field] / (theirs[round] as Sample)[field]]
    )
  )

const loadavg = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')

const machine = (): string => {
  const cpus = os.cpus()
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}`
}

const clientAbout = (): string => {
  try {
    return execFileSync(CLIENT_PYTHON, [
      '-c',
      "import sys, ssl; print('Python %d.%d.%d ftplib, %s' % (sys.version_info[:3] + (ssl.OPENSSL_VERSION,)))"
    ])
      .toString()
      .trim()
  } catch {
    return CLIENT_PYTHON
  }
}

const printResults = (
  samples: Samples,
  contestants: ReadonlyArray<Contestant>,
  skipped: ReadonlyArray<string>,
  failures: ReadonlyArray<string>,
  header: { date: string; loadBefore: string; loadAfter: string; seconds: number }
): void => {
  const out = (line = ''): void => void process.stdout.write(line + '\n')
  const command = `npm run bench:ftp${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`
  out(`### FTP transfer speed`)
  out()
  out(`- date: ${header.date} (${header.seconds.toFixed(0)} s)`)
  out(`- machine: ${machine()}; load average ${header.loadBefore} before, ${header.loadAfter} after`)
  out(`- command: \`${command}\``)
  out(
    `- client: ${clientAbout()} (bench/ftp_client.py, one process per client; data sockets as ftplib leaves them: no TCP_NODELAY)`
  )
  for (const contestant of contestants) out(`- ${contestant.name}: ${contestant.about}`)
  for (const line of skipped) out(`- ${line}`)
  out(
    `- figures: medians of ${rounds} interleaved rounds after a warm-up; ratios: medians of the per-round ratios; every RETR checked by sha256`
  )
  out()
  const names = contestants.map((contestant) => contestant.name)
  const all = workloads()
  const transfers = all.filter((workload) => workload.kind === 'transfer')
  if (transfers.length > 0) {
    out(
      `| workload | server | STOR MiB/s | RETR MiB/s | server CPU ms/MiB, STOR | RETR | client CPU ms/MiB, STOR | RETR |`
    )
    out(`|---|---|---:|---:|---:|---:|---:|---:|`)
    for (const workload of transfers)
      for (const name of names) {
        const rows = samples.get(workload.key)?.get(name) ?? []
        if (rows.every((sample) => sample === undefined)) continue
        const m = (field: keyof Sample): string => fmt(medianOf(rows, field))
        out(
          `| ${workload.label} | ${name} | ${m('up')} | ${m('down')} | ${m('upServerMs')} | ${m('downServerMs')} | ${m('upClientMs')} | ${m('downClientMs')} |`
        )
      }
    out()
  }
  const small = all.filter((workload) => workload.kind === 'small')
  if (small.length > 0) {
    out(`| workload | server | files/s | server CPU ms/file | client CPU ms/file |`)
    out(`|---|---|---:|---:|---:|`)
    for (const workload of small)
      for (const name of names) {
        const rows = samples.get(workload.key)?.get(name) ?? []
        if (rows.every((sample) => sample === undefined)) continue
        out(
          `| ${workload.label} | ${name} | ${fmt(medianOf(rows, 'up'))} | ${fmt(medianOf(rows, 'upServerMs'))} | ${fmt(medianOf(rows, 'upClientMs'))} |`
        )
      }
    out()
  }
  // Ratios: each of ours against each peer, and against the bare Node server doing the same (memory: its memory store; node, pool: its file store).
  const columns: Array<{ title: string; mine: string; theirs: string }> = []
  for (const backend of backends)
    for (const peer of [PYFTPDLIB, VSFTPD, backend === 'memory' ? BARE_MEMORY : BARE_FILE])
      if (names.includes(peer))
        columns.push({
          title: `${backend} / ${peer.replace('bare Node, ', 'bare ')}`,
          mine: ours(backend),
          theirs: peer
        })
  if (columns.length > 0) {
    out(`Ratios, ours / theirs (above 1: ours is faster):`)
    out()
    out(`| workload | ${columns.map((column) => column.title).join(' | ')} |`)
    out(`|---|${columns.map(() => '---:').join('|')}|`)
    for (const workload of all)
      for (const [field, what] of workload.kind === 'small'
        ? ([['up', 'files/s']] as const)
        : ([
            ['up', 'STOR'],
            ['down', 'RETR']
          ] as const)) {
        const cells = columns.map(({ mine, theirs }) => {
          const ratio = pairedRatio(
            samples.get(workload.key)?.get(mine) ?? [],
            samples.get(workload.key)?.get(theirs) ?? [],
            field
          )
          return Number.isNaN(ratio) ? '' : `${fmt(ratio, 2)}x`
        })
        out(`| ${workload.label}: ${what} | ${cells.join(' | ')} |`)
      }
    out()
  }
  for (const failure of failures) out(`- failed: ${failure}`)
  printReadmeTable(samples, names, header, command)
}

/**
 * The README's "Speed" table: what a reader needs in one place, each figure
 * with where it came from (the peers, the machine, the date, the command).
 * Rows are workloads; columns our memory and node backends and the peers (MiB/s,
 * files/s for small files), then our ratios against each peer.
 */
const printReadmeTable = (
  samples: Samples,
  names: ReadonlyArray<string>,
  header: { date: string; loadBefore: string; loadAfter: string },
  command: string
): void => {
  const out = (line = ''): void => void process.stdout.write(line + '\n')
  const shown = [ours('memory'), ours('node'), PYFTPDLIB, VSFTPD].filter((name) => names.includes(name))
  const mine = shown.filter((name) => name.startsWith('fp-pathio'))
  const theirs = shown.filter((name) => !name.startsWith('fp-pathio'))
  if (mine.length === 0) return
  const pairs = mine.flatMap((m) => theirs.map((t) => ({ m, t })))
  out()
  out(`README table (MiB/s; files/s for 1 KiB files; ratios ours / theirs, paired per round):`)
  out()
  out(
    `| workload | ${shown.join(' | ')} | ${pairs.map(({ m, t }) => `${m.replace('fp-pathio ', '')} / ${t}`).join(' | ')} |`
  )
  out(`|---|${shown.map(() => '---:').join('|')}|${pairs.map(() => '---:').join('|')}|`)
  for (const workload of workloads())
    for (const [field, what] of workload.kind === 'small'
      ? ([['up', '']] as const)
      : ([
          ['up', ' STOR'],
          ['down', ' RETR']
        ] as const)) {
      const rows = (name: string): ReadonlyArray<Sample | undefined> => samples.get(workload.key)?.get(name) ?? []
      const figures = shown.map((name) => fmt(medianOf(rows(name), field)))
      const ratios = pairs.map(({ m, t }) => {
        const ratio = pairedRatio(rows(m), rows(t), field)
        return Number.isNaN(ratio) ? '' : `${fmt(ratio, 2)}x`
      })
      out(`| ${workload.label}${what} | ${figures.join(' | ')} | ${ratios.join(' | ')} |`)
    }
  out()
  out(
    `${header.date.slice(0, 10)}, ${machine()}, load average ${header.loadBefore} -> ${header.loadAfter}; \`${command}\`; client ${clientAbout()}.`
  )
}

// ---------------------------------------------------------------- main

const main = async (): Promise<void> => {
  const began = Date.now()
  const date = new Date().toISOString()
  const loadBefore = loadavg()
  if (flag('install')) install()
  const certs = makeCertificates()
  const scratch = scratchDir('files')
  const contestants: Array<Contestant> = backends.map((backend) => oursContestant(backend, certs))
  const skipped: Array<string> = []
  if (peers.has('bare'))
    contestants.push(
      bareContestant('memory', certs),
      ...(backends.some((b) => b !== 'memory') ? [bareContestant('file', certs)] : [])
    )
  if (peers.has(PYFTPDLIB)) {
    const found = await pyftpdlibContestant(certs)
    if (typeof found === 'string') skipped.push(found)
    else contestants.push(found)
  }
  if (peers.has(VSFTPD)) {
    const found = vsftpdContestant(certs)
    if (typeof found === 'string') skipped.push(found)
    else contestants.push(found)
  }
  for (const line of skipped) process.stderr.write(`${line}\n`)
  const running: Array<Running> = []
  const failures: Array<string> = []
  try {
    // The files, random bytes, and their sha256.
    const shas = new Map<number, string>()
    for (const mib of new Set([bigMiB, eachMiB].filter((m) => m > 0))) {
      const block = Buffer.alloc(MiB)
      const file = path.join(scratch.dir, `${mib}.bin`)
      const hash = createHash('sha256')
      const fd = fs.openSync(file, 'w')
      for (let i = 0; i < mib; i++) {
        for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j)
        fs.writeSync(fd, block)
        hash.update(block)
      }
      fs.closeSync(fd)
      shas.set(mib, hash.digest('hex'))
    }
    const files: Files = { path: (mib) => path.join(scratch.dir, `${mib}.bin`), sha: (mib) => shas.get(mib) ?? '' }
    const usable: Array<Contestant> = []
    for (const contestant of contestants) {
      try {
        running.push(await contestant.start())
        usable.push(contestant)
      } catch (error) {
        failures.push(`${contestant.name} did not start: ${(error as Error).message.split('\n')[0]}`)
        process.stderr.write(`${contestant.name} did not start: ${(error as Error).message}\n`)
      }
    }
    const samples: Samples = new Map()
    const all = workloads()
    for (let round = 0; round <= rounds; round++) {
      const warmUp = round === 0
      for (const workload of all) {
        // The servers in an order rotated each round: none always runs first or after the same neighbour.
        const order = running.map((_, i) => running[(i + round) % running.length])
        for (const server of order) {
          if (workload.secure && !server.tls) continue
          try {
            const sample = await runWorkload(
              server,
              workload,
              files,
              certs.caFile,
              warmUp ? Math.min(workload.count, 20) : undefined
            )
            if (warmUp) continue
            const byServer = samples.get(workload.key) ?? new Map<string, Array<Sample | undefined>>()
            samples.set(workload.key, byServer)
            const rows = byServer.get(server.name) ?? []
            byServer.set(server.name, rows)
            rows[round - 1] = sample
            process.stderr.write(
              `round ${round}/${rounds} ${workload.label} ${server.name}: ` +
                (workload.kind === 'small'
                  ? `${sample.up.toFixed(1)} files/s, server ${sample.upServerMs.toFixed(2)} ms/file\n`
                  : `STOR ${sample.up.toFixed(0)} RETR ${sample.down.toFixed(0)} MiB/s, server ${sample.upServerMs.toFixed(2)} / ${sample.downServerMs.toFixed(2)} ms/MiB\n`)
            )
          } catch (error) {
            const message = `round ${round} ${workload.label} ${server.name}: ${(error as Error).message}`
            failures.push(message)
            process.stderr.write(`${message}\n`)
          }
        }
      }
      process.stderr.write(`${warmUp ? 'warm-up' : `round ${round}`} done, load average ${loadavg()}\n`)
    }
    if (jsonFile !== '')
      fs.writeFileSync(
        jsonFile,
        JSON.stringify(
          {
            date,
            machine: machine(),
            loadBefore,
            loadAfter: loadavg(),
            argv: process.argv.slice(2),
            samples: Object.fromEntries([...samples].map(([k, v]) => [k, Object.fromEntries(v)]))
          },
          null,
          1
        )
      )
    printResults(samples, usable, skipped, failures, {
      date,
      loadBefore,
      loadAfter: loadavg(),
      seconds: (Date.now() - began) / 1000
    })
  } finally {
    await Promise.all(running.map((server) => server.stop()))
    certs.remove()
    scratch.remove()
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
})
