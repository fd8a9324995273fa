/**
 * The program as an operator runs it: a JSON log (parsed) of a session that
 * logs in, uploads, downloads, renames and is refused once; /metrics scraped
 * before and after, parsed strictly, moving by the right amounts; and the
 * command's edges: --help, --version, passwd piped, an unknown variable.
 */
import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { VARIABLES } from '../../lib/ftp'
import { verifyPassword } from '../../lib/server'
import { runCurl } from './harness'
import { ROOT, SERVER_ARGS, buildServer, startFailing } from './npmStart'

const PASSWORD = 'builder-of-things'

/** Prometheus text format, read strictly: every line a HELP, a TYPE or a sample of a declared metric; samples by name and labels. */
const parseMetrics = (text: string): ReadonlyMap<string, number> => {
  const samples = new Map<string, number>()
  const declared = new Set<string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta !== null) {
      if (meta[1] === 'TYPE') {
        expect(meta[3]).to.be.oneOf(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
        declared.add(meta[2])
      }
      continue
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(
        line
      )
    expect(sample, `a Prometheus line: ${line}`).to.not.equal(null)
    const [, name, labels = '', value] = sample as RegExpExecArray
    expect(
      [...declared].some((metric) => name === metric || name.startsWith(metric + '_')),
      `${name} is declared`
    ).to.equal(true)
    samples.set(name + labels, Number(value))
  }
  return samples
}

interface Program {
  readonly child: ChildProcess
  readonly lines: () => ReadonlyArray<Record<string, unknown>>
  readonly output: () => string
  readonly started: Record<string, unknown>
  readonly exited: Promise<number | null>
}

/** The built program with `env`, LOG_FORMAT=json: resolves at its `started` line. */
const startJson = async (env: Readonly<Record<string, string>>): Promise<Program> => {
  await buildServer()
  const child = spawn(process.execPath, [...SERVER_ARGS], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  const lines = (): ReadonlyArray<Record<string, unknown>> =>
    output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const line = output.split('\n').find((l) => l.includes('"event":"started"'))
      if (line !== undefined) resolve(JSON.parse(line) as Record<string, unknown>)
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => reject(new Error(`exited (${code}) before starting:\n${output}`)))
  })
  return { child, lines, output: () => output, started, exited }
}

describe('the program for operators: JSON log, /metrics, the command', function () {
  this.timeout(120_000)
  before(buildServer)

  it('logs a session that logs in, uploads, downloads, renames and is refused once as exactly those JSON events, and /metrics moves by the right amounts', async () => {
    const program = await startJson({
      FTP_USER: 'bob',
      FTP_PASS: PASSWORD,
      FTP_ANONYMOUS: 'off',
      FTP_MAX_CONNECTIONS: '1',
      METRICS_PORT: '0'
    })
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-operators-'))
    try {
      const [url] = program.started.addresses as ReadonlyArray<string>
      const scrape = async (): Promise<ReadonlyMap<string, number>> => {
        const answer = await fetch(program.started.metrics as string)
        expect(answer.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/)
        return parseMetrics(await answer.text())
      }
      const before = await scrape()
      const data = Buffer.alloc(5000, 'x')
      fs.writeFileSync(path.join(scratch, 'up.bin'), data)
      const auth = ['-u', `bob:${PASSWORD}`]
      expect((await runCurl([...auth, '-T', path.join(scratch, 'up.bin'), `${url}up.bin`])).status).to.equal(0)
      expect((await runCurl([...auth, `${url}up.bin`])).stdout).to.deep.equal(data)
      expect((await runCurl([...auth, '-Q', 'RNFR up.bin', '-Q', 'RNTO moved.bin', '-I', url])).status).to.equal(0)
      // One connection at a time: with one held open, the next is refused.
      const { port } = new URL(url)
      const held = net.connect(Number(port), '127.0.0.1')
      await new Promise((resolve) => held.once('data', resolve))
      expect((await runCurl([...auth, `${url}moved.bin`])).status).to.not.equal(0)
      held.end()
      await new Promise((resolve) => held.once('close', resolve))
      const after = await scrape()

      const moved = (sample: string): number => (after.get(sample) ?? 0) - (before.get(sample) ?? 0)
      expect(moved('fp_pathio_transfers_total{front="ftp",direction="upload",result="ok"}')).to.equal(1)
      expect(moved('fp_pathio_transfers_total{front="ftp",direction="download",result="ok"}')).to.equal(1)
      expect(moved('fp_pathio_transfer_bytes_total{front="ftp",direction="upload"}')).to.equal(5000)
      expect(moved('fp_pathio_transfer_bytes_total{front="ftp",direction="download"}')).to.equal(5000)
      expect(moved('fp_pathio_logins_total{front="ftp",result="ok"}')).to.equal(3)
      expect(moved('fp_pathio_operations_total{operation="rename",result="ok"}')).to.be.at.least(2) // the commit of the upload, and RNTO
      expect(moved('fp_pathio_operation_seconds_count{operation="rename"}')).to.equal(
        moved('fp_pathio_operations_total{operation="rename",result="ok"}')
      )
      expect(after.get('process_cpu_seconds_total'), 'the default process metrics').to.be.a('number')

      program.child.kill('SIGTERM')
      expect(await program.exited).to.equal(0)
      const lines = program.lines()
      for (const line of lines) {
        expect(line.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        expect(line.level).to.be.a('string')
      }
      const events = lines.filter((line) => line.event !== 'message')
      const ofSession = (session: number): ReadonlyArray<unknown> =>
        events.filter((e) => e.session === session).map((e) => e.event)
      expect(ofSession(1)).to.deep.equal(['connect', 'login', 'transfer', 'close'])
      expect(ofSession(2)).to.deep.equal(['connect', 'login', 'transfer', 'close'])
      expect(ofSession(3)).to.deep.equal(['connect', 'login', 'change', 'close'])
      expect(ofSession(4)).to.deep.equal(['connect', 'close'])
      expect(events.map((e) => e.event).sort()).to.deep.equal(
        [
          'listening',
          'started',
          'refused',
          ...Array(4).fill('connect'),
          ...Array(3).fill('login'),
          'transfer',
          'transfer',
          'change',
          ...Array(4).fill('close')
        ].sort()
      )
      const find = (event: string, session?: number): Record<string, unknown> =>
        events.find((e) => e.event === event && (session === undefined || e.session === session)) as Record<
          string,
          unknown
        >
      expect(find('login', 1)).to.deep.include({
        front: 'ftp',
        address: '127.0.0.1',
        user: 'bob',
        method: 'password',
        ok: true
      })
      expect(find('transfer', 1)).to.deep.include({
        user: 'bob',
        command: 'STOR',
        direction: 'upload',
        path: '/up.bin',
        bytes: 5000,
        result: 'ok',
        code: 226
      })
      expect(find('transfer', 1).ms).to.be.a('number')
      expect(find('transfer', 2)).to.deep.include({
        user: 'bob',
        command: 'RETR',
        direction: 'download',
        path: '/up.bin',
        bytes: 5000,
        result: 'ok',
        code: 226
      })
      expect(find('change', 3)).to.deep.include({
        user: 'bob',
        action: 'rename',
        path: '/up.bin',
        to: '/moved.bin',
        result: 'ok',
        code: 250
      })
      expect(find('refused')).to.deep.include({ front: 'ftp', address: '127.0.0.1', reason: 'too many connections' })
      expect(find('close', 1)).to.deep.include({ user: 'bob', bytesIn: 5000, bytesOut: 0 })
      expect(find('connect', 1).port).to.be.a('number')
      expect(program.output()).to.not.include(PASSWORD)
      expect(program.output()).to.not.include('scrypt$')
    } finally {
      program.child.kill('SIGKILL')
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  })

  it('refuses an unknown variable in its namespaces with a suggestion (exit 2)', async () => {
    const ran = await startFailing({ FTP_PORT: '2121' })
    expect(ran.code).to.equal(2)
    expect(ran.stderr.trim()).to.equal('ftp-server: unknown variable FTP_PORT (did you mean PORT?)')
  })

  it('--help names every variable with its default; --version is the package version; passwd hashes one piped line', async () => {
    const help = await startFailing({}, [...SERVER_ARGS, '--help'])
    expect(help.code).to.equal(0)
    for (const variable of VARIABLES)
      for (const name of variable.names)
        expect(help.stdout).to.match(new RegExp(`^  .*\\b${name}\\b.*\\(default: .+\\)$`, 'm'))
    const version = await startFailing({}, [...SERVER_ARGS, '--version'])
    expect(version.stdout.trim()).to.equal(
      (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
    )
    const hashed = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...SERVER_ARGS, 'passwd'], { stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('close', (code) => resolve({ code, stdout, stderr }))
      child.stdin.end(`${PASSWORD}\nignored\n`)
    })
    expect(hashed.code, hashed.stderr).to.equal(0)
    expect(await verifyPassword(hashed.stdout.trim(), PASSWORD)).to.equal(true)
    expect(hashed.stdout).to.not.include(PASSWORD)
  })
})
