/**
 * The FTP server driven by curl, on the memory and node backends.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runCurl, startServer, USER, type BackendName, type Running } from './harness'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`FTP server with curl (${backend} backend)`, function () {
    this.timeout(30_000)
    let running: Running
    let scratch: string
    const data = randomBytes(1 << 20)
    const anonymous = ['-u', `${USER.name}:${USER.password}`]

    before(async () => {
      running = await startServer(backend)
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-curl-'))
      fs.writeFileSync(path.join(scratch, 'up.bin'), data)
    })
    after(async () => {
      await running.stop()
      fs.rmSync(scratch, { recursive: true, force: true })
    })

    it('uploads into new directories (EPSV) and downloads the same bytes (PASV)', async () => {
      const up = await runCurl([
        ...anonymous,
        '--ftp-create-dirs',
        '-T',
        path.join(scratch, 'up.bin'),
        `${running.url}/pub/in/up.bin`
      ])
      expect(up.status, up.stderr).to.equal(0)
      expect(sha256((await running.read('/pub/in/up.bin')) ?? Buffer.alloc(0))).to.equal(sha256(data))
      const down = await runCurl([...anonymous, '--disable-epsv', `${running.url}/pub/in/up.bin`])
      expect(down.status, down.stderr).to.equal(0)
      expect(sha256(down.stdout)).to.equal(sha256(data))
    })

    it('resumes a download from an offset (REST + RETR) and appends (APPE)', async () => {
      const resumed = await runCurl([...anonymous, '-C', '1000', `${running.url}/pub/in/up.bin`])
      expect(resumed.status, resumed.stderr).to.equal(0)
      expect(sha256(resumed.stdout)).to.equal(sha256(data.subarray(1000)))
      for (const part of ['one,', 'two']) {
        const appended = await runCurl(
          [...anonymous, '--append', '-T', '-', `${running.url}/pub/log.txt`],
          Buffer.from(part)
        )
        expect(appended.status, appended.stderr).to.equal(0)
      }
      expect((await running.read('/pub/log.txt'))?.toString()).to.equal('one,two')
    })

    it('lists a directory (LIST), its names (NLST), and gives size and date (SIZE, MDTM)', async () => {
      const list = await runCurl([...anonymous, `${running.url}/pub/`])
      expect(list.status, list.stderr).to.equal(0)
      const lines = list.stdout.toString().trim().split(/\r?\n/)
      expect(lines).to.have.length(2)
      expect(lines.find((line) => line.endsWith(' in'))).to.match(/^d/)
      expect(lines.find((line) => line.endsWith(' log.txt'))).to.match(/^-.* 7 \w{3} \d\d .* log\.txt$/)
      const names = await runCurl([...anonymous, '--list-only', `${running.url}/pub/in/`])
      expect(names.stdout.toString().trim().split(/\r?\n/)).to.deep.equal(['up.bin'])
      const head = await runCurl([...anonymous, '-I', `${running.url}/pub/in/up.bin`])
      expect(head.status, head.stderr).to.equal(0)
      expect(head.stdout.toString()).to.match(/Content-Length: 1048576/)
      expect(head.stdout.toString()).to.match(/Last-Modified: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT/)
    })

    it('renames, deletes and makes directories with quoted commands', async () => {
      const quoted = await runCurl([
        ...anonymous,
        '-Q',
        'MKD /made',
        '-Q',
        'RNFR /pub/log.txt',
        '-Q',
        'RNTO /made/renamed.txt',
        `${running.url}/`
      ])
      expect(quoted.status, quoted.stderr).to.equal(0)
      expect((await running.read('/made/renamed.txt'))?.toString()).to.equal('one,two')
      expect(await running.read('/pub/log.txt')).to.equal(undefined)
      const deleted = await runCurl([
        ...anonymous,
        '-Q',
        'DELE /made/renamed.txt',
        '-Q',
        'RMD /made',
        `${running.url}/`
      ])
      expect(deleted.status, deleted.stderr).to.equal(0)
      expect(await running.read('/made/renamed.txt')).to.equal(undefined)
    })

    it('refuses a missing file, a non-empty RMD, a wrong password and paths out of the root', async () => {
      const missing = await runCurl([...anonymous, `${running.url}/pub/nothing.bin`])
      expect(missing.status).to.equal(78) // "remote file not found": the 550 of RETR
      const rmd = await runCurl([...anonymous, '-Q', 'RMD /pub', `${running.url}/`])
      expect(rmd.status).to.equal(21) // "quote command returned an error"
      expect(rmd.stderr).to.match(/550/)
      expect(sha256((await running.read('/pub/in/up.bin')) ?? Buffer.alloc(0))).to.equal(sha256(data))
      const wrong = await runCurl(['-u', `${USER.name}:nope`, `${running.url}/`])
      expect(wrong.status).to.equal(67) // "login denied"
      const right = await runCurl(['-u', `${USER.name}:${USER.password}`, `${running.url}/pub/in/`])
      expect(right.status, right.stderr).to.equal(0)
      for (const escape of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/pub/../../../../etc/passwd']) {
        const out = await runCurl([...anonymous, '--path-as-is', `${running.url}${escape}`])
        expect(out.status, escape).to.not.equal(0)
        expect(out.stdout.toString()).to.not.match(/root:/)
      }
    })
  })
}
