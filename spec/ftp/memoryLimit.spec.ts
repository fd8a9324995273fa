/**
 * Issue 16 item 3 through the real server and a real client (Python's
 * ftplib): a one-byte upload at offset 1 GiB must not make the memory backend
 * hold a gigabyte (since issue 22 the server refuses that REST past the end
 * outright: 554), and uploads past the tree's `maxTotalSize` are refused
 * (and given back) instead of accepted. Also `FTP_MEMORY_LIMIT` of `npm start`.
 */
import { expect } from 'chai'
import { execFile, spawn } from 'node:child_process'
import * as E from 'fp-ts/Either'
import { makeMemoryPathIO, type MemoryTree, type PathIOFactory } from '../../lib'
import { settingsFromEnvironment } from '../../lib/ftp'
import { startServer, USER, type Running } from './harness'
import { buildServer, startServer as startNpmStart, type Started } from './npmStart'

const MiB = 2 ** 20
const GiB = 2 ** 30

/** The client: one scenario per run, its observations as one JSON line. */
const CLIENT = String.raw`
import ftplib, hashlib, io, json, sys
port, scenario, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
MiB = 1 << 20

def code_of(error):
    text = str(error)
    return int(text[:3]) if text[:3].isdigit() else text

ftp = ftplib.FTP(timeout=60)
ftp.connect('127.0.0.1', port)
ftp.login(user, password)
ftp.voidcmd('TYPE I')
out = {}
if scenario == 'rest':
    # The attack: REST 1 GiB, then a one-byte STOR.
    try:
        out['stor'] = ftp.storbinary('STOR big', io.BytesIO(b'!'), rest=1 << 30)
    except ftplib.all_errors as error:
        out['stor'] = str(error)
    try:
        out['size'] = ftp.size('big')
    except ftplib.all_errors as error:
        out['size'] = code_of(error)
elif scenario == 'four':
    kept = bytes(range(256)) * 64
    out['keep'] = ftp.storbinary('STOR keep', io.BytesIO(kept))
    out['uploads'] = []
    block = b'\xa5' * MiB
    for i in range(4):
        # A 1 GiB upload, sent until the server stops taking it.
        sent = 0
        conn = ftp.transfercmd('STOR big%d' % i)
        try:
            while sent < (1 << 30):
                conn.sendall(block)
                sent += len(block)
        except OSError:
            pass
        conn.close()
        try:
            reply = ftp.voidresp()
        except ftplib.all_errors as error:
            reply = str(error)
        out['uploads'].append({'reply': reply, 'sent': sent})
    back = bytearray()
    ftp.retrbinary('RETR keep', back.extend)
    out['keep_intact'] = bytes(back) == kept
    out['names'] = sorted(ftp.nlst())
    # The refused uploads gave their bytes back: a small upload still fits.
    out['after'] = ftp.storbinary('STOR small', io.BytesIO(b'x' * MiB))
ftp.quit()
print(json.dumps(out))
`

const runClient = (port: number, scenario: string): Promise<any> =>
  new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', CLIENT, String(port), scenario, USER.name, USER.password],
      { timeout: 120_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`client ${scenario} failed: ${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null'))
      }
    )
  })

describe('FTP server on the memory backend: what an upload can make it hold', function () {
  this.timeout(120_000)
  let running: Running | undefined

  afterEach(async () => {
    await running?.stop()
    running = undefined
  })

  it('REST 1073741824 then a one-byte STOR: refused (554) before the data connection, nothing stored, and the process does not grow', async () => {
    running = await startServer('memory')
    global.gc?.()
    const before = process.memoryUsage()
    const r = await runClient(running.port, 'rest')
    const after = process.memoryUsage()
    // Issue 22: a REST past the end of the file (here a missing one) is refused, never filled with zeros.
    expect(r.stor).to.match(/^554 /)
    expect(r.size).to.equal(550)
    expect((running.server.state as MemoryTree).budget.held).to.equal(0)
    // Before the memory backend's sparse files: RSS from 160 MB to 1.21 GB (the gap was then accepted). Nothing is held now.
    expect(after.arrayBuffers - before.arrayBuffers).to.be.below(64 * MiB)
    expect(after.rss - before.rss).to.be.below(256 * MiB)
  })

  it('four 1 GiB uploads under a 64 MiB limit are each refused (452), the stored file is intact, and the space comes back', async () => {
    const limited: PathIOFactory<unknown> = (context) =>
      makeMemoryPathIO({ ...(context as object), maxTotalSize: 64 * MiB }) as never
    running = await startServer('memory', { factory: limited })
    const r = await runClient(running.port, 'four')
    expect(r.keep).to.match(/^226 /)
    expect(r.uploads).to.have.length(4)
    for (const upload of r.uploads) {
      // NoSpace is 452 (insufficient storage); 552 or 451 would be a refusal too. Never 226.
      expect(String(upload.reply)).to.match(/^(452|552|451) /)
      expect(upload.sent).to.be.below(GiB)
    }
    expect(r.keep_intact).to.equal(true)
    expect(r.names).to.deep.equal(['keep'])
    expect(r.after).to.match(/^226 /)
    const tree = running.server.state as MemoryTree
    expect(tree.budget.max).to.equal(64 * MiB)
    expect(tree.budget.held).to.be.at.most(2 * MiB)
  })
})

describe('npm start: FTP_MEMORY_LIMIT', function () {
  this.timeout(60_000)

  before(function () {
    this.timeout(120_000)
    return buildServer()
  })

  /** What `npm start` runs, quiet, with `env`. */
  const start = (env: Readonly<Record<string, string>>): Promise<Started> =>
    startNpmStart({ LOG_LEVEL: 'silent', ...env })

  const curlUpload = (url: string, bytes: number): Promise<number | null> =>
    new Promise((resolve, reject) => {
      const child = spawn('curl', ['-sS', '--max-time', '30', '-u', 'bob:builder', '-T', '-', url], {
        stdio: ['pipe', 'ignore', 'ignore']
      })
      child.on('error', reject)
      child.on('close', resolve)
      child.stdin.on('error', () => undefined) // the server may refuse before it has read everything
      child.stdin.end(Buffer.alloc(bytes, 1))
    })

  it('is read by settingsFromEnvironment: 1 GiB by default, a non-negative integer of bytes, anything else one clear error', () => {
    const limitOf = (env: Record<string, string>) =>
      E.map((s: { memoryLimit: number }) => s.memoryLimit)(settingsFromEnvironment(env))
    expect(limitOf({})).to.deep.equal(E.right(GiB))
    expect(limitOf({ FTP_MEMORY_LIMIT: '4194304' })).to.deep.equal(E.right(4 * MiB))
    expect(limitOf({ FTP_MEMORY_LIMIT: '0' })).to.deep.equal(E.right(0))
    for (const bad of ['-1', '1.5', '1e9', 'lots'])
      expect(limitOf({ FTP_MEMORY_LIMIT: bad })).to.deep.equal(
        E.left(`FTP_MEMORY_LIMIT must be a non-negative integer (bytes), got '${bad}'`)
      )
  })

  it('limits what the memory tree holds: 3 MiB fits under a 4 MiB limit, 5 MiB more does not', async () => {
    const server = await start({
      PATHIO_BACKEND: 'memory',
      FTP_USER: 'bob',
      FTP_PASS: 'builder',
      FTP_MEMORY_LIMIT: String(4 * MiB)
    })
    try {
      expect(await curlUpload(`${server.url}/fits.bin`, 3 * MiB)).to.equal(0)
      expect(await curlUpload(`${server.url}/toomuch.bin`, 5 * MiB)).to.not.equal(0)
    } finally {
      await server.stop()
    }
  })
})
