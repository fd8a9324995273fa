/**
 * FTPS (RFC 4217) with real clients that verify the server's certificate
 * against a CA the spec makes with openssl: Python's ftplib.FTP_TLS, curl
 * (explicit with --ssl-reqd, implicit with ftps://), lftp (mirror both ways)
 * and basic-ftp (secure: true), over 127.0.0.1 and ::1.
 */
import { expect } from 'chai'
import { Client } from 'basic-ftp'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { writeFile } from '../../lib'
import { makeCertificates, type Certificates } from './certificates'
import { runCurl, runSteps, startServer, withServer, USER, type BackendName, type Running } from './harness'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

const run = (
  command: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = {}
): Promise<{ status: number; out: string }> =>
  new Promise((resolve) =>
    execFile(command, args, { timeout: 90_000, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: stdout + stderr })
    )
  )

describe('FTPS', function () {
  this.timeout(120_000)
  let certs: Certificates
  let scratch: string

  before(() => {
    certs = makeCertificates()
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-ftps-'))
  })
  after(() => {
    certs.remove()
    fs.rmSync(scratch, { recursive: true, force: true })
  })

  for (const [backend, host] of [
    ['memory', '127.0.0.1'],
    ['node', '::1']
  ] as ReadonlyArray<readonly [BackendName, string]>) {
    describe(`on ${host} (${backend} backend)`, () => {
      let running: Running
      beforeEach(async () => {
        running = await startServer(backend, { host, tls: { cert: certs.cert, key: certs.key }, implicitTls: true })
      })
      afterEach(() => running.stop())

      it('ftplib.FTP_TLS verifies the certificate, logs in over TLS, and moves bytes under PROT P (TLS 1.2 and 1.3)', async () => {
        for (const max_tls of ['TLSv1_2', 'TLSv1_3'] as const) {
          const r = await runSteps({ host, port: running.port, tls: true, cafile: certs.caFile, prot: 'P', max_tls }, [
            ['send', 'FEAT'],
            ['stor', `${max_tls}.bin`, '', 1 << 20],
            ['retr', `${max_tls}.bin`],
            ['nlst'],
            ['list'],
            ['mlsd'],
            ['send', 'STAT']
          ])
          expect(r.auth).to.equal(234)
          expect(r.cipher).to.equal(max_tls.replace('_', '.'))
          expect([r.login, r.prot]).to.deep.equal([230, 200])
          const [feat, stored, retrieved, names, listing, facts, status] = r.steps
          expect(feat.text).to.include(' AUTH TLS').and.include(' PBSZ').and.include(' PROT')
          expect(stored.code).to.equal(226)
          expect(retrieved).to.include({ code: 226, size: 1 << 20, sha: stored.sha })
          expect(names.lines).to.include(`${max_tls}.bin`)
          expect(listing.code).to.equal(226)
          expect(facts.code).to.equal(226)
          expect(status.text).to.include('Control connection TLS; data connections TLS')
          expect(sha256((await running.read(`/${max_tls}.bin`)) ?? Buffer.alloc(0))).to.equal(stored.sha)
        }
      })

      it('a client that finishes its data-connection handshake before RETR (as curl does) is served at once', async () => {
        const stored = await writeFile(running.inspect, '/early.bin', Buffer.from('handshake first'))()
        expect(stored._tag).to.equal('Right')
        // The handshake gets 5 s: a server that starts TLS only at RETR never answers it.
        const script = [
          'import ftplib, socket, ssl, sys',
          'ctx = ssl.create_default_context(cafile=sys.argv[3])',
          'ftp = ftplib.FTP_TLS(context=ctx, timeout=30)',
          'ftp.connect(sys.argv[1], int(sys.argv[2]))',
          'ftp.auth(); ftp.login(sys.argv[4], sys.argv[5]); ftp.prot_p()',
          "port = int(ftp.sendcmd('EPSV').split('|')[3])",
          'raw = socket.create_connection((sys.argv[1], port), timeout=5)',
          'data = ctx.wrap_socket(raw, server_hostname=sys.argv[1])',
          "print(ftp.sendcmd('TYPE I'))",
          "print(ftp.sendcmd('RETR early.bin'))",
          'got = b""',
          'while True:',
          '    chunk = data.recv(65536)',
          '    if not chunk: break',
          '    got += chunk',
          'print(got.decode())',
          'data.close(); print(ftp.voidresp()); ftp.quit()'
        ].join('\n')
        const r = await run('python3', [
          '-c',
          script,
          host,
          String(running.port),
          certs.caFile,
          USER.name,
          USER.password
        ])
        expect(r.status, r.out).to.equal(0)
        expect(r.out.split('\n').slice(0, 4)).to.deep.equal([
          '200 Switching to Binary mode',
          '150 Opening BINARY mode data connection for early.bin (15 bytes)',
          'handshake first',
          '226 Transfer complete'
        ])
      })

      it('a client that trusts another CA refuses the server', async () => {
        const r = await runSteps({ host, port: running.port, tls: true, cafile: certs.otherCaFile, prot: 'P' }, [])
        expect(r.auth).to.match(/CERTIFICATE_VERIFY_FAILED/)
        expect(r.login).to.not.equal(230)
      })

      it('curl: explicit FTPS with --ssl-reqd, implicit FTPS with ftps://, and no TLS older than 1.2', async () => {
        const bracket = host.includes(':') ? `[${host}]` : host
        const data = randomBytes(300_000)
        fs.writeFileSync(path.join(scratch, 'curl.bin'), data)
        const creds = ['-u', `${USER.name}:${USER.password}`, '--cacert', certs.caFile]
        const up = await runCurl([
          ...creds,
          '--ssl-reqd',
          '-T',
          path.join(scratch, 'curl.bin'),
          `ftp://${bracket}:${running.port}/curl.bin`
        ])
        expect(up.status, up.stderr).to.equal(0)
        const down = await runCurl([...creds, `ftps://${bracket}:${running.tlsPort}/curl.bin`])
        expect(down.status, down.stderr).to.equal(0)
        expect(sha256(down.stdout)).to.equal(sha256(data))
        const listed = await runCurl([...creds, '--ssl-reqd', '--list-only', `ftp://${bracket}:${running.port}/`])
        expect(listed.stdout.toString()).to.include('curl.bin')
        const old = await runCurl([...creds, '--tls-max', '1.1', `ftps://${bracket}:${running.tlsPort}/curl.bin`])
        expect(old.status).to.equal(35) // the TLS handshake failed
      })
    })
  }

  it('lftp mirrors a tree up and down over TLS (node backend), byte for byte', async () => {
    await withServer('node', { tls: { cert: certs.cert, key: certs.key } }, async (running) => {
      const local = path.join(scratch, 'tree')
      fs.mkdirSync(path.join(local, 'a', 'b'), { recursive: true })
      const files: Record<string, Buffer> = {
        'x.bin': randomBytes(200_000),
        'a/y.txt': Buffer.from('y'),
        'a/b/z.bin': randomBytes(70_000)
      }
      for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(local, name), data)
      const back = path.join(scratch, 'back')
      const settings = [
        'set ftp:ssl-force true',
        'set ftp:ssl-protect-data true',
        `set ssl:ca-file ${certs.caFile}`,
        'set ssl:verify-certificate true',
        'set net:max-retries 1',
        'set net:timeout 20'
      ].join('; ')
      const url = `ftp://${USER.name}:${USER.password}@127.0.0.1:${running.port}`
      const up = await run('lftp', ['-c', `${settings}; open ${url}; mirror -R ${local} /up; mirror /up ${back}`])
      expect(up.status, up.out).to.equal(0)
      for (const [name, data] of Object.entries(files)) {
        expect(sha256(fs.readFileSync(path.join(running.root, 'up', name))), name).to.equal(sha256(data))
        expect(sha256(fs.readFileSync(path.join(back, name))), name).to.equal(sha256(data))
      }
    })
  })

  it('basic-ftp with secure: true (node backend)', async () => {
    const running = await startServer('node', { tls: { cert: certs.cert, key: certs.key } })
    const client = new Client(20_000)
    try {
      await client.access({
        host: '127.0.0.1',
        port: running.port,
        user: USER.name,
        password: USER.password,
        secure: true,
        secureOptions: { ca: fs.readFileSync(certs.caFile), servername: 'localhost' }
      })
      const data = randomBytes(500_000)
      await client.uploadFrom(Readable.from([data]), 'basic.bin')
      const chunks: Array<Buffer> = []
      await client.downloadTo(
        new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk), done()) }),
        'basic.bin'
      )
      expect(sha256(Buffer.concat(chunks))).to.equal(sha256(data))
      expect((await client.list()).map((entry) => entry.name)).to.include('basic.bin')
    } finally {
      client.close()
      await running.stop()
    }
  })

  describe('FTP_TLS_REQUIRED (tlsRequired)', () => {
    let running: Running
    beforeEach(async () => {
      running = await startServer('memory', {
        tls: { cert: certs.cert, key: certs.key },
        tlsRequired: true,
        anonymous: 'read'
      })
    })
    afterEach(() => running.stop())

    it('refuses a login before AUTH TLS (530), and a transfer or PROT C over clear data connections (521, 534)', async () => {
      const clear = await runSteps({ port: running.port }, [])
      expect(clear.login).to.equal(530)
      const anonymous = await runSteps({ port: running.port, user: 'anonymous', password: 'x' }, [])
      expect(anonymous.login).to.equal(530)
      const unprotected = await runSteps({ port: running.port, tls: true, cafile: certs.caFile }, [
        ['send', 'PBSZ 0'],
        ['call', 'prot_c'],
        ['nlst'],
        ['retr', 'nothing'],
        ['call', 'prot_p'],
        ['stor', 'ok.txt', 'protected']
      ])
      expect(unprotected.login).to.equal(230)
      expect(unprotected.steps.map((s: { code: number }) => s.code)).to.deep.equal([200, 534, 521, 521, 200, 226])
      expect((await running.read('/ok.txt'))?.toString()).to.equal('protected')
    })
  })

  it('AUTH TLS on a server without a certificate is 502, and FEAT does not offer it', async () => {
    await withServer('memory', {}, async (running) => {
      const r = await runSteps({ port: running.port }, [
        ['send', 'AUTH TLS'],
        ['send', 'FEAT'],
        ['send', 'PBSZ 0']
      ])
      expect(r.steps[0].code).to.equal(502)
      expect(r.steps[1].text).to.not.include('AUTH')
      expect(r.steps[2].code).to.equal(503)
    })
  })

  it('a bad certificate or key is a TypeError naming the option, at once', () => {
    return startServer('memory', { tls: { cert: certs.cert, key: 'nonsense' } }).then(
      () => expect.fail('expected a TypeError'),
      (error: Error) => {
        expect(error).to.be.instanceOf(TypeError)
        expect(error.message).to.match(/option 'tls'/)
      }
    )
  })
})
