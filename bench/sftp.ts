/**
 * `npm run bench:sftp -- [--rounds N] [--size MiB] [--clients N] [--binding on|off]`
 *
 * SFTP transfer speed, our server beside OpenSSH's own, both driven by
 * OpenSSH's `sftp` client (batch mode, its default cipher and buffers):
 * - fp-pathio: bench/sftp-server.ts, the node backend, a process of its
 *   own; `--binding off` (the default) hides `ssh2`'s optional native
 *   crypto binding, as for a user whose npm did not run its install script;
 * - OpenSSH: `sshd -D` (Debian's openssh-server) started by the run on a
 *   loopback port with a config file of its own in a temporary directory and
 *   `internal-sftp` (never the system service; it needs root, and
 *   /run/sshd, which it makes when missing).
 * Both serve the same directory, with a key made for the run.
 *
 * Workloads: one client getting, then putting, a file of --size MiB (64);
 * --clients clients (8) at once, each getting then putting a file of
 * size / clients. Each download is compared with the file. A time is that of
 * the `sftp` processes less that of as many processes that only log in
 * (sshd forks and re-executes itself for each login; ours does not), so it
 * is the transfers'. Rounds: one warm-up, then --rounds (3), the servers in turn;
 * figures are medians, ratios the median of the per-round ratios (fp-pathio
 * / OpenSSH throughput: above 1, fp-pathio is faster). First, on the fresh
 * server, the memory one idle SFTP connection costs it (its RSS with 20
 * connections open, less before, over 20). Prints markdown.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { createInterface } from 'node:readline'

const argument = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback
}
const ROUNDS = Number(argument('rounds', '3'))
const SIZE_MIB = Number(argument('size', '64'))
const CLIENTS = Number(argument('clients', '8'))
const BINDING = argument('binding', 'off')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-bench-sftp-'))
const served = path.join(dir, 'served')
const local = path.join(dir, 'local')
fs.mkdirSync(served)
fs.mkdirSync(local)

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

const key = path.join(dir, 'client_key')
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
const keyLine = fs.readFileSync(`${key}.pub`, 'utf8').trim()

interface Server {
  readonly name: string
  readonly port: number
  /** Where the served directory is, in the paths the client gives. */
  readonly base: string
  /** Who logs in: `bench` on ours, the user running the benchmark on sshd. */
  readonly user: string
  readonly child: ChildProcess
}

const startOpenSsh = async (): Promise<Server> => {
  const port = await freePort()
  const hostKey = path.join(dir, 'ssh_host_ed25519_key')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
  fs.writeFileSync(path.join(dir, 'authorized_keys'), keyLine + '\n')
  const config = path.join(dir, 'sshd_config')
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'PidFile none',
      'Subsystem sftp internal-sftp',
      ''
    ].join('\n')
  )
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  // sshd says nothing when it listens: wait until the port answers.
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (up) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { name: 'OpenSSH', port, base: served, user: os.userInfo().username, child }
}

const startOurs = async (): Promise<Server> => {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', 'ts-node/register', path.join(__dirname, 'sftp-server.ts')],
    {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ROOT: served, KEY_LINE: keyLine, SSH2_BINDING: BINDING },
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const port = await new Promise<number>((resolve) =>
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
  )
  ourLines = lines
  return { name: 'fp-pathio', port, base: '', user: 'bench', child }
}

/** OpenSSH's sftp reading its batch from stdin, logged in to `server` with the bench's key, asking nothing. */
const sftpArgs = (server: Server): Array<string> => [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-i',
  key,
  '-P',
  String(server.port),
  '-b',
  '-',
  `${server.user}@127.0.0.1`
]

const sftp = (server: Server, batch: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('sftp', ['-o', 'LogLevel=ERROR', ...sftpArgs(server)], {
      cwd: local,
      stdio: ['pipe', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`sftp to ${server.name} failed (${code}): ${stderr}`))
    )
    child.stdin.end(batch)
  })

/** Makes the files: one of SIZE, and one per client of SIZE / CLIENTS, on both sides. */
const prepare = (): void => {
  const make = (name: string, mib: number): void => {
    const data = Buffer.alloc(mib * 1024 * 1024)
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE((i * 2654435761) >>> 0, i)
    fs.writeFileSync(path.join(served, name), data)
    fs.writeFileSync(path.join(local, name), data)
  }
  make('one.bin', SIZE_MIB)
  for (let c = 0; c < CLIENTS; c++) make(`part${c}.bin`, SIZE_MIB / CLIENTS)
}

const same = (a: string, b: string): boolean => fs.readFileSync(a).equals(fs.readFileSync(b))

type Workload = 'get' | 'put' | 'get x clients' | 'put x clients'
const WORKLOADS: ReadonlyArray<Workload> = ['get', 'put', 'get x clients', 'put x clients']

/** Seconds of `sftp` processes that only log in and ask `pwd`, `clients` at once: what a transfer's time holds besides the transfer. */
const loginOnly = async (server: Server, clients: number): Promise<number> => {
  const start = process.hrtime.bigint()
  await Promise.all([...Array(clients).keys()].map(() => sftp(server, 'pwd')))
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Seconds one workload's transfers take on one server: the `sftp` processes' time less that of as many logins alone. */
const measure = async (server: Server, workload: Workload): Promise<number> => {
  const remote = (name: string): string => path.posix.join(server.base || '/', name)
  const logins = await loginOnly(server, workload.endsWith('clients') ? CLIENTS : 1)
  const start = process.hrtime.bigint()
  switch (workload) {
    case 'get':
      await sftp(server, `get ${remote('one.bin')} got.bin`)
      break
    case 'put':
      await sftp(server, `put one.bin ${remote('put.bin')}`)
      break
    case 'get x clients':
      await Promise.all(
        [...Array(CLIENTS).keys()].map((c) => sftp(server, `get ${remote(`part${c}.bin`)} got${c}.bin`))
      )
      break
    case 'put x clients':
      await Promise.all(
        [...Array(CLIENTS).keys()].map((c) => sftp(server, `put part${c}.bin ${remote(`put${c}.bin`)}`))
      )
      break
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9 - logins
  if (workload === 'get' && !same(path.join(local, 'got.bin'), path.join(served, 'one.bin')))
    throw new Error(`${server.name}: get differs`)
  if (workload === 'put' && !same(path.join(served, 'put.bin'), path.join(local, 'one.bin')))
    throw new Error(`${server.name}: put differs`)
  return seconds
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

let ourLines: ReturnType<typeof createInterface> | undefined

interface Memory {
  readonly rss: number
  readonly heapUsed: number
  readonly external: number
}

/** Our server's memory after a full collection (it answers SIGUSR2 with a line). */
const memoryOf = (server: Server): Promise<Memory> =>
  new Promise((resolve) => {
    ourLines?.once('line', (line) => resolve(JSON.parse(line) as Memory))
    server.child.kill('SIGUSR2')
  })

/** Bytes one idle SFTP connection costs the server (heap and buffers, after a collection): 20 connections held open. */
const memoryPerConnection = async (server: Server): Promise<{ readonly held: number; readonly rss: number }> => {
  const N = 20
  const before = await memoryOf(server)
  const held = [...Array(N).keys()].map(() =>
    spawn('sftp', sftpArgs(server), {
      stdio: ['pipe', 'pipe', 'ignore']
    })
  )
  // Each asks for `pwd` and waits for its next command: connected, logged in, the SFTP channel open.
  await Promise.all(
    held.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.stdout?.once('data', () => resolve())
          child.stdin?.write('pwd\n')
        })
    )
  )
  const after = await memoryOf(server)
  for (const child of held) child.stdin?.end()
  await Promise.all(held.map((child) => new Promise((resolve) => child.on('close', resolve))))
  return {
    held: (after.heapUsed + after.external - before.heapUsed - before.external) / N,
    rss: (after.rss - before.rss) / N
  }
}

/** The cipher OpenSSH's client and `server` agree on. */
const cipherWith = (server: Server): string => {
  const result = spawnSync('sftp', ['-v', ...sftpArgs(server)], { input: 'pwd\n', encoding: 'utf8' })
  return /server->client cipher: (\S+)/.exec(result.stderr)?.[1] ?? 'unknown'
}

const main = async (): Promise<void> => {
  prepare()
  const servers = [await startOurs(), await startOpenSsh()]
  try {
    // Before any transfer: the heap a transfer grew would hide what a connection costs.
    const memory = await memoryPerConnection(servers[0])
    const times = new Map<string, Array<number>>()
    const ratios = new Map<Workload, Array<number>>()
    for (let round = 0; round <= ROUNDS; round++) {
      for (const workload of WORKLOADS) {
        const order = round % 2 === 0 ? servers : [...servers].reverse()
        const seconds = new Map<string, number>()
        for (const server of order) seconds.set(server.name, await measure(server, workload))
        if (round === 0) continue // warm-up
        for (const [name, s] of seconds)
          times.set(`${name} ${workload}`, [...(times.get(`${name} ${workload}`) ?? []), s])
        ratios.set(workload, [
          ...(ratios.get(workload) ?? []),
          (seconds.get('OpenSSH') as number) / (seconds.get('fp-pathio') as number)
        ])
      }
    }
    const mibps = (name: string, workload: Workload): string =>
      (SIZE_MIB / median(times.get(`${name} ${workload}`) ?? [])).toFixed(0)
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')
    console.log(
      `SFTP, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (load ${load}), ${SIZE_MIB} MiB, ${CLIENTS} clients, ` +
        `${ROUNDS} rounds, OpenSSH's sftp client; ciphers: fp-pathio ${cipherWith(servers[0])} (ssh2 binding ${BINDING}), ` +
        `OpenSSH ${cipherWith(servers[1])}\n`
    )
    console.log('| workload | fp-pathio node MiB/s | OpenSSH sshd MiB/s | fp-pathio / OpenSSH |')
    console.log('|---|---|---|---|')
    for (const workload of WORKLOADS)
      console.log(
        `| ${workload.replace('x clients', `x ${CLIENTS} clients`)} | ${mibps('fp-pathio', workload)} | ${mibps('OpenSSH', workload)} | ${median(ratios.get(workload) ?? []).toFixed(2)}x |`
      )
    console.log(
      `\nfp-pathio: ${(memory.held / 1024).toFixed(0)} KiB of heap and buffers per idle SFTP connection, logged in, channel open ` +
        `(20 held open; RSS ${(memory.rss / 1024).toFixed(0)} KiB each)`
    )
  } finally {
    for (const server of servers) server.child.kill('SIGTERM')
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

void main()
