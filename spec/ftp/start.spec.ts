/**
 * `npm start` (examples/ftp-server.ts, built and run as the script does:
 * spec/ftp/npmStart.ts): it reads its environment, prints one `listening`
 * line, logs each command, and stops cleanly on SIGTERM and SIGINT.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as net from 'node:net'
import { hashPassword } from '../../lib/server/accounts'
import { makeCertificates, type Certificates } from './certificates'
import { runCurl } from './harness'
import { buildServer, ROOT, SERVER_ARGS, startCommand, startFailing, startServer as start } from './npmStart'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** `npm run --silent passwd` with `password` on its standard input: the hash it prints. */
const passwd = (password: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'passwd'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`passwd exited ${code}`))))
    child.stdin.end(`${password}\n`)
  })

describe('npm start (examples/ftp-server.ts)', function () {
  this.timeout(60_000)
  let scratch: string

  before(async function () {
    this.timeout(120_000)
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-start-'))
    await buildServer()
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
      // Events at info (commands are at debug): who, what, how many bytes, how it ended.
      expect(log).to.match(/INFO +#\d+ 127\.0\.0\.1 bob login ok method=password/)
      expect(log).to.match(/INFO +#\d+ 127\.0\.0\.1 bob login failed method=password reason="bad credentials"/)
      expect(log).to.match(
        /INFO +#\d+ 127\.0\.0\.1 bob STOR \/big\.bin ok bytes=33554432 ms=\d+ direction=upload code=226/
      )
      expect(log).to.match(
        /INFO +#\d+ 127\.0\.0\.1 anonymous RETR \/big\.bin aborted bytes=\d+ ms=\d+ direction=download code=426/
      )
      expect(log).to.not.match(/PASS/)
      expect(log).to.match(/SIGTERM: stopping/)
      expect(log).to.match(/INFO +stopped/)
      expect(log).to.not.match(/builder/)
    } finally {
      server.child.kill('SIGKILL')
    }
  })

  it('is the package.json script itself: npm start builds, serves, and passes SIGTERM on to the server', async () => {
    const npm = await startCommand('npm', ['start'], { LOG_LEVEL: 'info' })
    try {
      const listed = await runCurl(['-u', 'anonymous:x', '--list-only', `${npm.url}/`])
      expect(listed.status, listed.stderr).to.equal(0)
      expect(await npm.stop()).to.equal(0)
      expect(npm.output()).to.match(/SIGTERM: stopping/)
      expect(npm.output()).to.match(/INFO +stopped/)
    } finally {
      npm.child.kill('SIGKILL')
    }
  })

  it('serves FTP_ROOT with the pool backend and stops on SIGINT, pool closed', async () => {
    const root = fs.mkdtempSync(path.join(scratch, 'root-'))
    fs.writeFileSync(path.join(root, 'there.txt'), 'already there')
    const server = await start({
      PATHIO_BACKEND: 'pool',
      FTP_ROOT: root,
      LOG_LEVEL: 'warn',
      FTP_USER: 'bob',
      FTP_PASS: 'builder'
    })
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
      const up = await runCurl(
        ['-u', 'anonymous:x', '--ftp-create-dirs', '-T', '-', `${server.url}/a/b.txt`],
        Buffer.from('b')
      )
      expect(up.status, up.stderr).to.equal(0)
      expect(fs.readFileSync(path.join(root, 'a', 'b.txt'), 'utf8')).to.equal('b')
      server.child.kill('SIGTERM')
      expect(await server.exited).to.equal(0)
      expect(fs.existsSync(root)).to.equal(false)
    } finally {
      server.child.kill('SIGKILL')
    }
  })

  describe('a real deployment', () => {
    let certs: Certificates
    before(() => {
      certs = makeCertificates()
    })
    after(() => certs.remove())

    it('FTP_HOST ::1, a users file made with npm run passwd, TLS required, implicit FTPS, anonymous read-only, on the node backend', async () => {
      const hash = (await passwd('s3cret pass')).trim()
      expect(hash).to.match(/^scrypt\$16384\$8\$1\$[^$]+\$[^$]+$/)
      expect(hash).to.not.include('s3cret')
      const root = fs.mkdtempSync(path.join(scratch, 'deploy-'))
      fs.mkdirSync(path.join(root, 'pub'))
      fs.writeFileSync(path.join(root, 'pub', 'readme.txt'), 'read me')
      const users = path.join(scratch, 'users.json')
      fs.writeFileSync(
        users,
        JSON.stringify({
          carol: { password: hash, home: '/home/carol', perm: 'elradfmw', paths: { '/archive': 'elr' } }
        })
      )
      const server = await start({
        PATHIO_BACKEND: 'node',
        FTP_ROOT: root,
        FTP_HOST: '::1',
        FTP_USERS_FILE: users,
        FTP_TLS_CERT: certs.certFile,
        FTP_TLS_KEY: certs.keyFile,
        FTP_TLS_REQUIRED: '1',
        FTPS_PORT: '0',
        FTP_MAX_CONNECTIONS_PER_IP: '4',
        FTP_ANONYMOUS_ROOT: '/pub',
        LOG_LEVEL: 'info'
      })
      try {
        expect(server.url).to.match(/^ftp:\/\/\[::1\]:\d+$/)
        const implicit = /and (ftps:\/\/\[::1\]:\d+)\//.exec(server.output())
        expect(implicit, server.output()).to.not.equal(null)
        // The home was made at start; carol is jailed in it.
        expect(fs.statSync(path.join(root, 'home', 'carol')).isDirectory()).to.equal(true)
        const tlsArgs = ['--cacert', certs.caFile]
        const up = await runCurl(
          ['-u', 'carol:s3cret pass', ...tlsArgs, '--ssl-reqd', '-T', '-', `${server.url}/report.txt`],
          Buffer.from('quarterly')
        )
        expect(up.status, up.stderr).to.equal(0)
        expect(fs.readFileSync(path.join(root, 'home', 'carol', 'report.txt'), 'utf8')).to.equal('quarterly')
        const down = await runCurl([
          '-u',
          'carol:s3cret pass',
          ...tlsArgs,
          `${(implicit as RegExpExecArray)[1]}/report.txt`
        ])
        expect(down.stdout.toString()).to.equal('quarterly')
        // Without TLS nobody logs in.
        const clear = await runCurl(['-u', 'carol:s3cret pass', `${server.url}/report.txt`])
        expect(clear.status).to.not.equal(0)
        // Anonymous (over TLS) reads its own root, /pub, never carol's home, and may not write.
        const anonymous = ['-u', 'anonymous:guest', ...tlsArgs, '--ssl-reqd']
        expect((await runCurl([...anonymous, `${server.url}/readme.txt`])).stdout.toString()).to.equal('read me')
        expect((await runCurl([...anonymous, `${server.url}/home/carol/report.txt`])).status).to.not.equal(0)
        expect((await runCurl([...anonymous, `${server.url}/../home/carol/report.txt`])).status).to.not.equal(0)
        // Refused (550) before any data moves; curl, already in its data TLS handshake, reports the closed data connection.
        const refused = await runCurl([...anonymous, '-T', '-', `${server.url}/new.txt`], Buffer.from('x'))
        expect(refused.status).to.not.equal(0)
        expect(fs.existsSync(path.join(root, 'pub', 'new.txt'))).to.equal(false)
        server.child.kill('SIGTERM')
        expect(await server.exited).to.equal(0)
        // Read once the server has exited: its log is then complete (a busy machine may deliver it after curl's exit).
        const log = server.output()
        expect(log).to.not.include('s3cret')
        expect(log).to.match(/anonymous login ok method=anonymous/)
        expect(log).to.match(/anonymous STOR \/new\.txt failed bytes=0 ms=\d+ direction=upload code=550/)
      } finally {
        server.child.kill('SIGKILL')
      }
    })
  })

  describe('a server that cannot start exits non-zero with one clear line', () => {
    const oneLine = (stderr: string): string => {
      const lines = stderr.trim().split('\n')
      expect(lines, stderr).to.have.length(1)
      return lines[0]
    }

    it('port in use', async () => {
      const taken = net.createServer()
      await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done))
      try {
        const r = await startFailing({ PORT: String((taken.address() as net.AddressInfo).port) })
        expect(r.code).to.equal(2)
        expect(oneLine(r.stderr)).to.match(/^ftp-server: cannot listen on 127\.0\.0\.1:\d+: address already in use$/)
      } finally {
        taken.close()
      }
    })

    it('a missing certificate', async () => {
      const r = await startFailing({
        FTP_TLS_CERT: path.join(scratch, 'missing.pem'),
        FTP_TLS_KEY: path.join(scratch, 'missing.key')
      })
      expect(r.code).to.equal(2)
      expect(oneLine(r.stderr)).to.match(/^ftp-server: cannot read FTP_TLS_CERT .*missing\.pem: ENOENT$/)
    })

    it('a bad users file names the user and the field', async () => {
      const users = path.join(scratch, 'bad-users.json')
      fs.writeFileSync(users, JSON.stringify({ dave: { password: 'hunter2', home: '/home/dave' } }))
      const r = await startFailing({ FTP_USERS_FILE: users })
      expect(r.code).to.equal(2)
      expect(oneLine(r.stderr)).to.match(/^ftp-server: .*bad-users\.json: user 'dave': field 'password' must be a hash/)
      expect(r.stderr).to.not.include('hunter2')
      // Every other field and variable: spec/ftp/environment.spec.ts, without a process each.
    })

    it('a home anonymous could read: named with the two ways out, unless the user is public or anonymous is off or elsewhere', async () => {
      const users = path.join(scratch, 'exposed-users.json')
      const hash = hashPassword('x')
      fs.writeFileSync(users, JSON.stringify({ erin: { password: hash, home: '/home/erin' } }))
      const r = await startFailing({ FTP_USERS_FILE: users })
      expect(r.code).to.equal(2)
      const line = oneLine(r.stderr)
      expect(line).to.match(/user 'erin' has the home \/home\/erin, inside the anonymous root \//)
      expect(line).to.include('FTP_ANONYMOUS_ROOT=/pub').and.include('"public": true')
      for (const fine of [{ FTP_ANONYMOUS: 'off' }, { FTP_ANONYMOUS_ROOT: '/pub' }] as ReadonlyArray<
        Record<string, string>
      >) {
        const server = await start({ FTP_USERS_FILE: users, LOG_LEVEL: 'warn', ...fine })
        expect(await server.stop()).to.equal(0)
      }
      fs.writeFileSync(users, JSON.stringify({ erin: { password: hash, home: '/home/erin', public: true } }))
      const published = await start({ FTP_USERS_FILE: users, LOG_LEVEL: 'warn' })
      expect(await published.stop()).to.equal(0)
    })

    it('PATHIO_BACKEND=s3 without the S3 SDK installed (an optional peer); any other backend runs without it', async () => {
      // The built server beside a node_modules that has only the runtime dependencies.
      const bare = fs.mkdtempSync(path.join(scratch, 'bare-'))
      fs.cpSync(path.join(ROOT, 'dist', 'server'), path.join(bare, 'server'), { recursive: true })
      fs.mkdirSync(path.join(bare, 'node_modules'))
      for (const dependency of ['fp-ts', 'io-ts'])
        fs.symlinkSync(path.join(ROOT, 'node_modules', dependency), path.join(bare, 'node_modules', dependency))
      const args = [...SERVER_ARGS.slice(0, -1), path.join(bare, 'server', 'examples', 'ftp-server.js')]
      const r = await startFailing({ PATHIO_BACKEND: 's3', S3_BUCKET: 'fp-pathio' }, args)
      expect(r.code).to.equal(2)
      expect(oneLine(r.stderr)).to.equal(
        'ftp-server: PATHIO_BACKEND=s3 needs the S3 SDK: npm install @aws-sdk/client-s3'
      )
      const memory = await start({ PATHIO_BACKEND: 'memory', LOG_LEVEL: 'warn' }, args)
      expect(memory.output()).to.include('backend memory')
      expect(await memory.stop()).to.equal(0)
    })
  })
})
