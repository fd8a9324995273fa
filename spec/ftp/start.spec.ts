/**
 * `npm start` (examples/ftp-server.ts, run by the same command the script
 * runs): it reads its environment, prints one `listening` line, logs each
 * command, and stops cleanly on SIGTERM and SIGINT.
 */
import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runCurl } from './harness'

const ROOT = path.join(__dirname, '..', '..')

interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/** Runs what `npm start` runs, with `env`; resolves once it has printed its `listening` line. */
const start = (env: Readonly<Record<string, string>>): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', '.bin', 'ts-node'), 'examples/ftp-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const listening = /listening on (ftp:\/\/127\.0\.0\.1:\d+)\//.exec(output)
      if (listening !== null) {
        child.stdout?.off('data', onData)
        child.stdout?.on('data', (more: Buffer) => (output += more.toString()))
        resolve({ child, url: listening[1], output: () => output, exited })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    void exited.then((code) => reject(new Error(`ftp-server exited (${code}) before listening:\n${output}`)))
  })

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

describe('npm start (examples/ftp-server.ts)', function () {
  this.timeout(60_000)
  let scratch: string

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-start-'))
  })
  after(() => fs.rmSync(scratch, { recursive: true, force: true }))

  it('serves the memory backend with anonymous and FTP_USER logins, logs commands, and stops on SIGTERM mid-transfer', async () => {
    const server = await start({ PATHIO_BACKEND: 'memory', FTP_USER: 'bob', FTP_PASS: 'builder', LOG_LEVEL: 'info' })
    try {
      // Bigger than the kernel's socket buffers, so the slow download below cannot be over before the signal.
      const data = randomBytes(32 << 20)
      fs.writeFileSync(path.join(scratch, 'big.bin'), data)
      const up = await runCurl(['-u', 'bob:builder', '-T', path.join(scratch, 'big.bin'), `${server.url}/big.bin`])
      expect(up.status, up.stderr).to.equal(0)
      const down = await runCurl(['-u', 'anonymous:x', `${server.url}/big.bin`])
      expect(sha256(down.stdout)).to.equal(sha256(data))
      expect((await runCurl(['-u', 'bob:wrong', `${server.url}/`])).status).to.equal(67)

      // A slow download is under way (its first bytes have arrived) when the signal comes.
      const slow = spawn('curl', ['-sS', '--limit-rate', '1M', '-u', 'anonymous:x', `${server.url}/big.bin`])
      const slowExit = new Promise<number | null>((done) => slow.on('exit', (code) => done(code)))
      await new Promise((resolve) => slow.stdout.once('data', resolve))
      slow.stdout.resume()
      server.child.kill('SIGTERM')
      expect(await server.exited).to.equal(0)
      expect(await slowExit).to.not.equal(0)
      const log = server.output()
      expect(log).to.match(/INFO +#\d+ USER bob -> 331/)
      expect(log).to.match(/INFO +#\d+ PASS \*\*\*\* -> 230/)
      expect(log).to.match(/INFO +#\d+ STOR big\.bin -> 226/)
      expect(log).to.match(/INFO +#\d+ RETR big\.bin -> 426/)
      expect(log).to.match(/SIGTERM: stopping/)
      expect(log).to.match(/INFO +stopped/)
      expect(log).to.not.match(/builder/)
    } finally {
      server.child.kill('SIGKILL')
    }
  })

  it('serves FTP_ROOT with the pool backend and stops on SIGINT, pool closed', async () => {
    const root = fs.mkdtempSync(path.join(scratch, 'root-'))
    fs.writeFileSync(path.join(root, 'there.txt'), 'already there')
    const server = await start({ PATHIO_BACKEND: 'pool', FTP_ROOT: root, LOG_LEVEL: 'warn', FTP_USER: 'bob', FTP_PASS: 'builder' })
    try {
      const listed = await runCurl(['-u', 'anonymous:x', '--list-only', `${server.url}/`])
      expect(listed.stdout.toString().trim()).to.equal('there.txt')
      // Anonymous is read-only by default: its upload is refused, bob's is stored.
      const refused = await runCurl(['-u', 'anonymous:x', '-T', '-', `${server.url}/new.txt`], Buffer.from('new'))
      expect(refused.status).to.equal(25)
      const up = await runCurl(['-u', 'bob:builder', '-T', '-', `${server.url}/new.txt`], Buffer.from('new'))
      expect(up.status, up.stderr).to.equal(0)
      expect(fs.readFileSync(path.join(root, 'new.txt'), 'utf8')).to.equal('new')
      server.child.kill('SIGINT')
      expect(await server.exited).to.equal(0)
      expect(server.output()).to.not.match(/INFO/) // LOG_LEVEL=warn
    } finally {
      server.child.kill('SIGKILL')
    }
  })

  it('serves a fresh temporary directory with the node backend, removed on exit', async () => {
    const server = await start({ PATHIO_BACKEND: 'node', LOG_LEVEL: 'silent', FTP_ANONYMOUS: 'write' })
    try {
      const where = /backend node (\S+) \(temporary\)/.exec(server.output())
      expect(where, server.output()).to.not.equal(null)
      const root = (where as RegExpExecArray)[1]
      const up = await runCurl(['-u', 'anonymous:x', '--ftp-create-dirs', '-T', '-', `${server.url}/a/b.txt`], Buffer.from('b'))
      expect(up.status, up.stderr).to.equal(0)
      expect(fs.readFileSync(path.join(root, 'a', 'b.txt'), 'utf8')).to.equal('b')
      server.child.kill('SIGTERM')
      expect(await server.exited).to.equal(0)
      expect(fs.existsSync(root)).to.equal(false)
    } finally {
      server.child.kill('SIGKILL')
    }
  })
})
