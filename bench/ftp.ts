/**
 * `npm run bench:ftp -- [--runs N] [--size MiB] [--clients N] [--backends memory,node,pool] [--tls both|off] [--small N] [--peer on|off]`
 *
 * FTP transfer speed with a real client (curl): STOR and RETR of one big
 * file, then the same with several clients at once, on each backend and on
 * pyftpdlib (the server to beat, when a Python here has it: Debian's
 * python3-pyftpdlib; its RETR uses sendfile), in one run; with `--tls both`
 * (the default) each workload runs again over FTPS on our servers (AUTH
 * TLS, PROT P: control and data connections encrypted, curl verifying a
 * certificate made with openssl for the run). Our server is the program
 * `npm start` runs, compiled as `npm start` compiles it. Every server lets
 * anonymous write, as `python -m pyftpdlib -w` does, so no run pays a
 * password hash (a named user's login costs one scrypt, about 50 ms, once
 * per session). Each server runs in a process of its own, and its CPU
 * seconds are read from /proc, as are the clients' (a client that needs a
 * whole core for its share of the work is the limit, not the server). Each
 * curl is its own process, so the clock covers connecting, logging in, the
 * transfer and the final reply. Prints the median of the runs (MiB/s and
 * MB/s) as a markdown table, each PROT P figure as a share of the plain
 * one, and each fp-pathio figure as a share of pyftpdlib's.
 *
 * Then small files (`--size 0`: only them): `--small` STORs of 1 KiB one
 * after another from one Python ftplib client (PASV, STOR, the 226 each
 * time), counted per second by the client once logged in; on each backend,
 * and on pyftpdlib.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeCertificates, type Certificates } from '../spec/ftp/certificates'
import { buildServer, SERVER_ARGS } from '../spec/ftp/npmStart'

const MiB = 2 ** 20

const option = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback)
}

const runs = Number(option('runs', '3'))
const bigMiB = Number(option('size', '64'))
const clients = Number(option('clients', '8'))
const eachMiB = Number(option('each', String(Math.max(1, Math.floor(bigMiB / 2)))))
const backends = option('backends', 'memory,node,pool').split(',')
const tlsModes: ReadonlyArray<boolean> = option('tls', 'both') === 'off' ? [false] : [false, true]
const smallCount = Number(option('small', '1000'))
const withPeer = option('peer', 'on') !== 'off'

/** Every server here lets anonymous write (the password is an e-mail address by custom). */
const LOGIN = ['-u', 'anonymous:bench@example.com']

const PYFTPDLIB = 'pyftpdlib'

const curl = (args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', ...LOGIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl ${args.join(' ')}: ${code} ${err}`))))
  })

/**
 * CPU seconds from /proc (Linux), in clock ticks of 1/100 s: `own` is a
 * process's utime and stime; `children` is cutime and cstime, the children
 * it has waited for.
 */
const cpuOf = (pid: number | 'self', whose: 'own' | 'children'): number => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  const first = whose === 'own' ? 11 : 13
  return (Number(fields[first]) + Number(fields[first + 1])) / 100
}

/** The curl clients' CPU seconds, once each has exited (a server counts only when it is stopped, after every measurement). */
const clientsCpu = (): number => cpuOf('self', 'children')

/** Wall-clock seconds for `count` clients to run `job` at once, the CPU seconds `cpu` counted meanwhile, and the clients' own. */
const timed = async (
  count: number,
  job: (i: number) => Promise<void>,
  cpu: () => number
): Promise<{ wall: number; cpu: number; clientCpu: number }> => {
  const start = process.hrtime.bigint()
  const cpuBefore = cpu()
  const clientsBefore = clientsCpu()
  await Promise.all(Array.from({ length: count }, (_, i) => job(i)))
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpu() - cpuBefore, clientCpu: clientsCpu() - clientsBefore }
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** What one run of a workload measured; a row holds the median of each over the runs. */
interface Figures {
  /** MiB/s, wall clock. */
  readonly stor: number
  readonly retr: number
  /** MiB per CPU second of the server's process (all its threads): what it sustains with a core to itself. */
  readonly storCpu: number
  readonly retrCpu: number
  /** MiB per CPU second of the clients (curl): the most the clients could move with the cores to themselves. */
  readonly storClientCpu: number
  readonly retrClientCpu: number
}

const FIGURES: ReadonlyArray<keyof Figures> = ['stor', 'retr', 'storCpu', 'retrCpu', 'storClientCpu', 'retrClientCpu']

interface Row extends Figures {
  readonly server: string
  readonly workload: string
}

/** A server under test: where it listens, its CPU seconds so far, and how to stop it. */
interface Running {
  readonly port: number
  readonly cpuSeconds: () => number
  readonly stop: () => Promise<void>
}

/** This process's environment without the settings of `npm start`: a server measured here gets only those it is given. */
const inherited = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(FTPS?_|PATHIO_|S3_|AWS_|POOL_SIZE$|LOG_LEVEL$|PORT$)/.test(name)))

/** A server process; `portIn` finds its port in what it has printed on standard output so far (all its output is read to the end, and dropped). */
const startProcess = async (
  command: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  portIn: (output: string) => number | undefined
): Promise<Running> => {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited(), ...env } })
  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    let errors = ''
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const port = portIn(output)
      if (port !== undefined) {
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(port)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}): ${output}${errors}`)))
  })
  child.stderr?.removeAllListeners('data')
  child.stderr?.resume()
  const pid = child.pid ?? 0
  return {
    port,
    cpuSeconds: () => cpuOf(pid, 'own'),
    stop: async () => {
      child.kill()
      if (child.exitCode === null && child.signalCode === null) await new Promise((exited) => child.once('exit', exited))
    }
  }
}

/**
 * Our server on `backend`: the program `npm start` runs, built as `npm start`
 * builds it (compiled JavaScript: no TypeScript compiler in its heap), with
 * anonymous allowed to write and FTPS offered. It logs a line per command,
 * as deployed.
 */
const startOurs = async (backend: string, root: string, certs: Certificates): Promise<Running> => {
  await buildServer()
  return startProcess(
    process.execPath,
    SERVER_ARGS,
    {
      PORT: '0',
      FTP_HOST: '127.0.0.1',
      PATHIO_BACKEND: backend,
      ...(backend === 'memory' ? {} : { FTP_ROOT: root }),
      // The memory tree may hold whatever a run uploads (8 clients of --size/2 MiB each).
      FTP_MEMORY_LIMIT: String(2 ** 40),
      LOG_LEVEL: 'info',
      FTP_ANONYMOUS: 'write',
      FTP_TLS_CERT: certs.certFile,
      FTP_TLS_KEY: certs.keyFile
    },
    (output) => {
      const listening = /listening on ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(output)
      return listening === null ? undefined : Number(listening[1])
    }
  )
}

/** pyftpdlib over `root`, anonymous with every permission, with its plain handler (RETR by sendfile). */
const PYFTPDLIB_SERVER = `
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer
from pyftpdlib import handlers
authorizer = DummyAuthorizer()
authorizer.add_anonymous(sys.argv[1], perm='elradfmwMT')
handler = handlers.FTPHandler
handler.authorizer = authorizer
server = FTPServer(('127.0.0.1', 0), handler)
print(server.socket.getsockname()[1], flush=True)
server.serve_forever()
`

const startPyftpdlib = (python: string, root: string): Promise<Running> =>
  startProcess(python, ['-c', PYFTPDLIB_SERVER, root], {}, (output) => {
    const line = /^(\d+)\n/.exec(output)
    return line === null ? undefined : Number(line[1])
  })

/** The workloads (big file, then many clients) on one running server; PROT P ones only when `secure`. */
const benchServer = async (name: string, running: Running, secure: boolean, scratch: string, certs: Certificates): Promise<ReadonlyArray<Row>> => {
  const url = `ftp://127.0.0.1:${running.port}`
  const rows: Array<Row> = []
  const shapes = [
    { workload: `1 client, ${bigMiB} MiB${secure ? ', PROT P' : ''}`, count: 1, file: path.join(scratch, 'big.bin'), size: bigMiB },
    { workload: `${clients} clients, ${eachMiB} MiB each${secure ? ', PROT P' : ''}`, count: clients, file: path.join(scratch, 'each.bin'), size: eachMiB }
  ]
  for (const { workload, count, file, size } of shapes) {
    // Explicit FTPS as a careful client does it: TLS required, the server's certificate verified.
    const tls = secure ? ['--ssl-reqd', '--cacert', certs.caFile] : []
    const samples: Array<Figures> = []
    // CPU is counted in ticks of 10 ms: a short run may show none, so at least one tick.
    const perCpu = (seconds: number): number => (count * size) / Math.max(seconds, 0.01)
    // One warm-up run, then the measured ones.
    for (let run = 0; run <= runs; run++) {
      const up = await timed(count, (i) => curl([...tls, '-T', file, `${url}/c${i}.bin`]), running.cpuSeconds)
      const down = await timed(count, (i) => curl([...tls, '-o', '/dev/null', `${url}/c${i}.bin`]), running.cpuSeconds)
      if (run > 0)
        samples.push({
          stor: (count * size) / up.wall,
          retr: (count * size) / down.wall,
          storCpu: perCpu(up.cpu),
          retrCpu: perCpu(down.cpu),
          storClientCpu: perCpu(up.clientCpu),
          retrClientCpu: perCpu(down.clientCpu)
        })
    }
    const medians = Object.fromEntries(FIGURES.map((figure) => [figure, median(samples.map((sample) => sample[figure]))])) as unknown as Figures
    const row: Row = { server: name, workload, ...medians }
    rows.push(row)
    process.stderr.write(
      `${name}: ${workload}: STOR ${row.stor.toFixed(0)} MiB/s (${row.storCpu.toFixed(0)} per CPU s), ` +
        `RETR ${row.retr.toFixed(0)} MiB/s (${row.retrCpu.toFixed(0)} per CPU s); clients ${row.storClientCpu.toFixed(0)} / ${row.retrClientCpu.toFixed(0)} per CPU s\n`
    )
  }
  return rows
}

/** A fresh directory for a disk-backed server (memory serves '/'), removed by the returned function. */
const scratchRoot = (name: string): { root: string; remove: () => void } => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `fp-pathio-bench-${name}-`))
  return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) }
}

/** Every workload on one of our backends, plain and (with `--tls both`) PROT P. */
const benchBackend = async (backend: string, scratch: string, certs: Certificates): Promise<ReadonlyArray<Row>> => {
  const disk = backend === 'memory' ? undefined : scratchRoot(backend)
  const running = await startOurs(backend, disk?.root ?? '/', certs)
  try {
    const rows: Array<Row> = []
    for (const secure of tlsModes) rows.push(...(await benchServer(`fp-pathio, ${backend}`, running, secure, scratch, certs)))
    return rows
  } finally {
    await running.stop()
    disk?.remove()
  }
}

/**
 * The same workloads on pyftpdlib's plain server. Not over TLS: with
 * pyOpenSSL, its TLS handler (1.5.7) resets curl's (7.88) data-connection
 * handshake, and curl gives up (error 35) before a byte moves.
 */
const benchPyftpdlibTransfers = async (python: string, scratch: string, certs: Certificates): Promise<ReadonlyArray<Row>> => {
  const disk = scratchRoot(PYFTPDLIB)
  const running = await startPyftpdlib(python, disk.root)
  try {
    return await benchServer(PYFTPDLIB, running, false, scratch, certs)
  } finally {
    await running.stop()
    disk.remove()
  }
}

/** One ftplib client, anonymous: `count` STORs of 1 KiB; prints STORs per second, timed from after the login to the last 226. */
const SMALL_STORS = `
import ftplib, io, sys, time
ftp = ftplib.FTP(timeout=30)
ftp.connect('127.0.0.1', int(sys.argv[1]))
ftp.login('anonymous', 'bench@example.com')
ftp.voidcmd('TYPE I')
count, data = int(sys.argv[2]), b'x' * 1024
start = time.perf_counter()
for i in range(count):
    ftp.storbinary('STOR small-%d.bin' % i, io.BytesIO(data))
print(count / (time.perf_counter() - start))
ftp.quit()
`

const smallStors = (port: number): Promise<number> =>
  new Promise((resolve, reject) =>
    execFile('python3', ['-c', SMALL_STORS, String(port), String(smallCount)], { timeout: 600_000 }, (error, stdout) =>
      error ? reject(error) : resolve(Number(stdout.trim()))
    )
  )

/** The median STORs per second of the runs (after a warm-up) against a running server, which is stopped after. */
const smallFigure = async (running: Running, remove: () => void = () => undefined): Promise<number> => {
  try {
    const rates: Array<number> = []
    for (let run = 0; run <= runs; run++) {
      const rate = await smallStors(running.port)
      if (run > 0) rates.push(rate)
    }
    return median(rates)
  } finally {
    await running.stop()
    remove()
  }
}

/** A Python that has pyftpdlib (the one on PATH, or Debian's), or undefined. */
const pythonWithPyftpdlib = async (): Promise<string | undefined> => {
  for (const python of ['python3', '/usr/bin/python3']) {
    const has = await new Promise<boolean>((resolve) => execFile(python, ['-c', 'import pyftpdlib'], (error) => resolve(error === null)))
    if (has) return python
  }
  return undefined
}

const mb = (mib: number): string => (mib * 1.048576).toFixed(0)

const printTransfers = (rows: ReadonlyArray<Row>): void => {
  console.log(
    `| server | workload | STOR MiB/s (MB/s) | RETR MiB/s (MB/s) | STOR MiB per server CPU s | RETR MiB per server CPU s | STOR MiB per client CPU s | RETR MiB per client CPU s |`
  )
  console.log(`|---|---|---|---|---|---|---|---|`)
  for (const { server, workload, stor, retr, storCpu, retrCpu, storClientCpu, retrClientCpu } of rows)
    console.log(
      `| ${server} | ${workload} | ${stor.toFixed(0)} (${mb(stor)}) | ${retr.toFixed(0)} (${mb(retr)}) | ` +
        `${storCpu.toFixed(0)} | ${retrCpu.toFixed(0)} | ${storClientCpu.toFixed(0)} | ${retrClientCpu.toFixed(0)} |`
    )
  const ratio = (label: string, over: Row, under: Row): void =>
    console.log(`| ${label} | ${over.workload} | STOR ${(over.stor / under.stor).toFixed(2)}x | RETR ${(over.retr / under.retr).toFixed(2)}x |`)
  console.log(`\n| ratio | workload | STOR | RETR |`)
  console.log(`|---|---|---|---|`)
  // Each PROT P figure beside its plain one (the target: at least 0.5).
  for (const secure of rows.filter((row) => row.workload.endsWith(', PROT P'))) {
    const plain = rows.find((row) => row.server === secure.server && row.workload === secure.workload.replace(', PROT P', ''))
    if (plain !== undefined) ratio(`${secure.server}: PROT P / plain`, secure, plain)
  }
  // Each of ours beside pyftpdlib on the same workload (the target: at least 1).
  for (const ours of rows.filter((row) => row.server !== PYFTPDLIB)) {
    const peer = rows.find((row) => row.server === PYFTPDLIB && row.workload === ours.workload)
    if (peer !== undefined) ratio(`${ours.server} / pyftpdlib`, ours, peer)
  }
}

const main = async (): Promise<void> => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-bench-files-'))
  const certs = makeCertificates()
  const python = withPeer ? await pythonWithPyftpdlib() : undefined
  if (withPeer && python === undefined) process.stderr.write('no pyftpdlib here (apt-get install python3-pyftpdlib): ours only\n')
  try {
    const random = (size: number): Buffer => {
      const block = Buffer.alloc(MiB)
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i)
      return Buffer.concat(Array.from({ length: size }, () => block))
    }
    fs.writeFileSync(path.join(scratch, 'big.bin'), random(bigMiB))
    fs.writeFileSync(path.join(scratch, 'each.bin'), random(eachMiB))
    // --size 0: small files only.
    if (bigMiB > 0) {
      const rows: Array<Row> = []
      for (const backend of backends) rows.push(...(await benchBackend(backend, scratch, certs)))
      if (python !== undefined) rows.push(...(await benchPyftpdlibTransfers(python, scratch, certs)))
      printTransfers(rows)
    }
    if (smallCount > 0) {
      const small: Array<[string, number]> = []
      for (const backend of backends) {
        const disk = backend === 'memory' ? undefined : scratchRoot(backend)
        small.push([`fp-pathio, ${backend}`, await smallFigure(await startOurs(backend, disk?.root ?? '/', certs), disk?.remove)])
      }
      if (python !== undefined) {
        const disk = scratchRoot(PYFTPDLIB)
        small.push([PYFTPDLIB, await smallFigure(await startPyftpdlib(python, disk.root), disk.remove)])
      }
      for (const [server, rate] of small) process.stderr.write(`${server}: ${rate.toFixed(0)} small STORs/s\n`)
      console.log(`\n| server | STORs of 1 KiB per second, one ftplib client (${smallCount} in a row) |`)
      console.log(`|---|---|`)
      for (const [server, rate] of small) console.log(`| ${server} | ${rate.toFixed(0)} |`)
    }
    console.log(
      `\nmedians of ${runs} runs after a warm-up; clients curl (one process per client) and, for small files, ftplib; node ${process.version}, ` +
        `${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`
    )
  } finally {
    certs.remove()
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

void main()
