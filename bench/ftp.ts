/**
 * `TS_NODE_TRANSPILE_ONLY=true npx ts-node bench/ftp.ts [--runs N] [--size MiB] [--clients N] [--backends memory,node,pool] [--tls both|off]`
 *
 * FTP transfer speed with a real client (curl): STOR and RETR of one big
 * file, then the same with several clients at once, on each backend; with
 * `--tls both` (the default) each workload runs again over FTPS (AUTH TLS,
 * PROT P: control and data connections encrypted, curl verifying a
 * certificate made with openssl for the run). The server runs in this
 * process; each curl is its own process, so the clock covers connecting,
 * logging in, the transfer and the final reply. Prints the median of the
 * runs (MiB/s and MB/s) as a markdown table, and each PROT P figure as a
 * share of the plain one.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeMemoryPathIO, makeNodePathIO, makePoolPathIO, type PathIOFactory } from '../lib'
import { makeFtpServer } from '../lib/ftp'
import { makeCertificates, type Certificates } from '../spec/ftp/certificates'

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

/** The bench's own account: anonymous may only read. */
const LOGIN = ['-u', 'bench:bench']

const factories: Readonly<Record<string, PathIOFactory<unknown>>> = {
  memory: makeMemoryPathIO as PathIOFactory<unknown>,
  node: makeNodePathIO as PathIOFactory<unknown>,
  pool: ((context) => makePoolPathIO({ ...(context as object) })) as PathIOFactory<unknown>
}

const curl = (args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', ...LOGIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl ${args.join(' ')}: ${code} ${err}`))))
  })

/** Wall-clock seconds for `count` clients to run `job` at once, and the CPU seconds the server spent meanwhile. */
const timed = async (count: number, job: (i: number) => Promise<void>): Promise<{ wall: number; cpu: number }> => {
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  await Promise.all(Array.from({ length: count }, (_, i) => job(i)))
  const used = process.cpuUsage(cpu)
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 }
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

interface Row {
  readonly backend: string
  readonly workload: string
  /** MiB/s, wall clock, median of the runs. */
  readonly stor: number
  readonly retr: number
  /** MiB per CPU second of the server's process (main thread and pool threads), median: what it sustains with a core to itself. */
  readonly storCpu: number
  readonly retrCpu: number
}

const benchBackend = async (backend: string, scratch: string, certs: Certificates): Promise<ReadonlyArray<Row>> => {
  const root = backend === 'memory' ? '/' : fs.mkdtempSync(path.join(os.tmpdir(), `fp-pathio-bench-${backend}-`))
  const server = makeFtpServer({ factory: factories[backend], root, users: { bench: 'bench' }, tls: { cert: certs.cert, key: certs.key } })
  const { port } = await server.listen(0, '127.0.0.1')
  const url = `ftp://127.0.0.1:${port}`
  const rows: Array<Row> = []
  try {
    const shapes = tlsModes.flatMap((secure) => [
      { workload: `1 client, ${bigMiB} MiB${secure ? ', PROT P' : ''}`, secure, count: 1, file: path.join(scratch, 'big.bin'), size: bigMiB },
      {
        workload: `${clients} clients, ${eachMiB} MiB each${secure ? ', PROT P' : ''}`,
        secure,
        count: clients,
        file: path.join(scratch, 'each.bin'),
        size: eachMiB
      }
    ])
    for (const { workload, secure, count, file, size } of shapes) {
      // Explicit FTPS as a careful client does it: TLS required, the server's certificate verified.
      const tls = secure ? ['--ssl-reqd', '--cacert', certs.caFile] : []
      const stor: Array<number> = []
      const retr: Array<number> = []
      const storCpu: Array<number> = []
      const retrCpu: Array<number> = []
      // One warm-up run, then the measured ones.
      for (let run = 0; run <= runs; run++) {
        const up = await timed(count, (i) => curl([...tls, '-T', file, `${url}/c${i}.bin`]))
        const down = await timed(count, (i) => curl([...tls, '-o', '/dev/null', `${url}/c${i}.bin`]))
        if (run > 0) {
          stor.push((count * size) / up.wall)
          retr.push((count * size) / down.wall)
          storCpu.push((count * size) / up.cpu)
          retrCpu.push((count * size) / down.cpu)
        }
      }
      const row = { backend, workload, stor: median(stor), retr: median(retr), storCpu: median(storCpu), retrCpu: median(retrCpu) }
      rows.push(row)
      process.stderr.write(
        `${backend}: ${workload}: STOR ${row.stor.toFixed(0)} MiB/s (${row.storCpu.toFixed(0)} per CPU s), ` +
          `RETR ${row.retr.toFixed(0)} MiB/s (${row.retrCpu.toFixed(0)} per CPU s)\n`
      )
    }
  } finally {
    await server.close()
    await (server.state as { close?: () => Promise<void> } | undefined)?.close?.()
    if (backend !== 'memory') fs.rmSync(root, { recursive: true, force: true })
  }
  return rows
}

const main = async (): Promise<void> => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-bench-files-'))
  const certs = makeCertificates()
  try {
    const random = (size: number): Buffer => {
      const block = Buffer.alloc(MiB)
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i)
      return Buffer.concat(Array.from({ length: size }, () => block))
    }
    fs.writeFileSync(path.join(scratch, 'big.bin'), random(bigMiB))
    fs.writeFileSync(path.join(scratch, 'each.bin'), random(eachMiB))
    const rows: Array<Row> = []
    for (const backend of backends) rows.push(...(await benchBackend(backend, scratch, certs)))
    const mb = (mib: number): string => (mib * 1.048576).toFixed(0)
    console.log(`| backend | workload | STOR MiB/s (MB/s) | RETR MiB/s (MB/s) | STOR MiB per server CPU s | RETR MiB per server CPU s |`)
    console.log(`|---|---|---|---|---|---|`)
    for (const { backend, workload, stor, retr, storCpu, retrCpu } of rows)
      console.log(
        `| ${backend} | ${workload} | ${stor.toFixed(0)} (${mb(stor)}) | ${retr.toFixed(0)} (${mb(retr)}) | ${storCpu.toFixed(0)} | ${retrCpu.toFixed(0)} |`
      )
    // Each PROT P figure beside its plain one (the target: at least 0.5).
    for (const secure of rows.filter((row) => row.workload.endsWith(', PROT P'))) {
      const plain = rows.find((row) => row.backend === secure.backend && row.workload === secure.workload.replace(', PROT P', ''))
      if (plain !== undefined)
        console.log(
          `\nPROT P / plain, ${secure.backend}, ${plain.workload}: STOR ${(secure.stor / plain.stor).toFixed(2)}x, RETR ${(secure.retr / plain.retr).toFixed(2)}x`
        )
    }
    console.log(
      `\nmedians of ${runs} runs after a warm-up; client curl (one process per client); node ${process.version}, ` +
        `${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`
    )
  } finally {
    certs.remove()
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

void main()
