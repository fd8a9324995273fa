/**
 * The FTP server driven by a real client: Python's ftplib (spec/ftp/driver.py),
 * on the memory and node backends.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/Either'
import { eventually, runPython, startServer, withServer, USER, type BackendName, type Running } from './harness'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')
const MiB = 1 << 20

const namesIn = async (running: Running, dir: string): Promise<ReadonlyArray<string>> => {
  const listed = await running.inspect.scan(dir)()
  return E.isRight(listed) ? listed.right.map((entry) => entry.name).sort() : []
}

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`FTP server with ftplib (${backend} backend)`, function () {
    this.timeout(60_000)
    let running: Running

    beforeEach(async () => {
      running = await startServer(backend)
    })
    afterEach(async () => {
      await running.stop()
    })

    it('serves a whole session: directories, STOR/RETR of 1 MiB, APPE, REST, listings, SIZE, MDTM, RNFR/RNTO, RMD', async () => {
      const before = Date.now() - 2000
      const r = await runPython(running.port, 'session')
      expect(r.welcome).to.match(/^220 /)
      expect(r.syst).to.equal('215 UNIX Type: L8')
      expect(r.feat).to.include.members([
        ' MLST type*;size*;modify*;perm*;unix.mode*;',
        ' SIZE',
        ' MDTM',
        ' REST STREAM',
        ' EPSV'
      ])
      expect([r.type_a, r.type_i, r.mode_s, r.stru_f, r.noop].map((s: string) => s.slice(0, 3))).to.deep.equal([
        '200',
        '200',
        '200',
        '200',
        '200'
      ])
      expect([r.pwd0, r.mkd, r.pwd1, r.pwd2, r.pwd3]).to.deep.equal(['/', '/pub', '/pub', '/pub/sub dir', '/pub'])
      expect(r.cwd).to.match(/^250 /)
      expect(r.cdup).to.match(/^250 /)

      // 1 MiB up and down, checked on both ends and on the server's own files.
      expect(r.stor).to.match(/^226 /)
      expect(r.retr_len).to.equal(MiB)
      expect(r.retr_sha).to.equal(r.sent_sha)
      expect(sha256((await running.read('/pub/two.bin')) ?? Buffer.alloc(0))).to.equal(r.sent_sha)
      expect(r.rest_retr_sha).to.equal(r.expected_rest_sha)

      expect(r.appe).to.match(/^226 /)
      expect(r.appended).to.equal('hello world')
      expect(r.appe_new_content).to.equal('fresh')
      expect(r.rest_stor).to.match(/^226 /)
      expect(r.patched).to.equal('aaaaaXYZaa')

      expect(r.size).to.equal(MiB)
      const mdtm = /^213 (\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(r.mdtm)
      expect(mdtm, r.mdtm).to.not.equal(null)
      const [, y, mo, d, h, mi, s] = (mdtm as RegExpExecArray).map(Number)
      const stamp = Date.UTC(y, mo - 1, d, h, mi, s)
      expect(stamp).to.be.within(before, Date.now() + 2000)

      const listed = r.list as ReadonlyArray<string>
      expect(listed.find((line) => line.endsWith(' one.bin'))).to.match(/^-rw.* 1048576 \w{3} \d\d \d\d:\d\d one\.bin$/)
      expect(listed.find((line) => line.endsWith(' sub dir'))).to.match(/^d/)
      expect(listed).to.have.length(5)
      expect(r.list_la).to.deep.equal(r.list)
      expect(r.list_file).to.have.length(1)
      expect(r.list_file[0]).to.match(/ 1048576 .* one\.bin$/)
      expect(r.nlst).to.deep.equal(['log.txt', 'new.log', 'one.bin', 'patch.txt', 'sub dir'])
      expect(r.mlsd['one.bin']).to.include({ type: 'file', size: String(MiB) })
      expect(r.mlsd['sub dir']).to.include({ type: 'dir' })
      expect(r.mlsd['log.txt']).to.include({ type: 'file', size: '11' })
      expect(r.mlsd['one.bin'].modify).to.match(/^\d{14}$/)
      expect(r.mlst[0]).to.match(/^250-/)
      expect(r.mlst[1]).to.match(/^ type=file;size=1048576;.*; \/pub\/one\.bin$/)

      expect(r.rnfr).to.match(/^350 /)
      expect(r.rnto).to.match(/^250 /)
      expect(r.size_in_ascii).to.equal(550)
      expect(r.size_after_rename).to.equal(MiB)
      expect(r.size_old_name).to.equal(550)

      // RMD of a non-empty directory is refused and nothing in it is lost.
      expect(r.rmd_non_empty).to.equal(550)
      expect(r.nlst_after_refused_rmd).to.deep.equal([
        'pub/log.txt',
        'pub/new.log',
        'pub/patch.txt',
        'pub/sub dir',
        'pub/two.bin'
      ])
      expect(r.sha_after_refused_rmd).to.equal(r.sent_sha)
      expect(r.dele).to.match(/^250 /)
      expect(r.rmd_empty).to.match(/^250 /)
      expect(r.nlst_final).to.deep.equal(['pub/new.log', 'pub/patch.txt', 'pub/two.bin'])
      expect(r.quit).to.match(/^221 /)
    })

    it('gives every error reply: 530, 503, 500, 501, 504, 522, 550, 553, 425 (and PORT only to the client itself, 1024 and up)', async () => {
      const r = await runPython(running.port, 'errors', USER)
      expect(r).to.deep.include({
        pwd_before_login: 530,
        retr_before_login: 530,
        pass_before_user: 503,
        feat_before_login: 211,
        wrong_password: 530,
        still_out: 530,
        unknown: 500,
        not_a_verb: 500,
        cwd_no_arg: 501,
        rest_bad: 501,
        type_bad: 501,
        type_ebcdic: 504,
        mode_b: 504,
        stru_r: 504,
        epsv_2: 522,
        port: 200,
        port_foreign: 504,
        port_80: 504,
        eprt_foreign: 504,
        eprt_bad_proto: 522,
        rnto_alone: 503,
        retr_missing: 550,
        retr_dir: 550,
        cwd_missing: 550,
        cwd_file: 550,
        size_dir: 550,
        size_missing: 550,
        mdtm_missing: 550,
        mkd_existing: 550,
        mkd_missing_parent: 550,
        mkd_under_file: 550,
        rmd_non_empty: 550,
        rmd_file: 550,
        rmd_missing: 550,
        dele_dir: 550,
        dele_missing: 550,
        rnfr_missing: 550,
        rnto_onto_dir: 550,
        rnto_after_other: 503,
        stor_missing_dir: 550,
        stor_onto_dir: 550,
        list_missing: 550,
        mlsd_file: 501,
        mlst_missing: 550,
        mkd_long_name: 553,
        stor_long_name: 553,
        retr_without_pasv: 425,
        retr_no_data_150: 150,
        retr_no_data_final: 425,
        noop_after: 200
      })
      // Nothing the refused commands touched was lost.
      expect(r.nlst_d).to.deep.equal(['d/inner'])
      expect(r.retr_f).to.equal('file')
      expect(await namesIn(running, '/')).to.deep.equal(['d', 'f.txt'])
    })

    it('refuses every path out of the root, symbolic links on disk included', async () => {
      const outside =
        backend === 'memory' ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-ftp-outside-'))
      try {
        if (outside !== undefined) {
          fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret')
          fs.symlinkSync(outside, path.join(running.root, 'outside-link'))
          fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(running.root, 'secret-link'))
        }
        const r = await runPython(running.port, 'traversal')
        expect(r.cwd_up).to.match(/^250 /)
        expect(r.pwd_after_up).to.equal('/')
        expect(r.pwd_after_up_from_pub).to.equal('/')
        expect(r).to.deep.include({
          retr_passwd: 550,
          retr_passwd_abs: 550,
          size_passwd: 550,
          cwd_etc: 550,
          retr_via_link: 550,
          cwd_via_link: 550,
          list_via_link: 550,
          stor_via_link: 550,
          mkd_via_link: 550,
          retr_file_link: 550
        })
        // '../../../escaped.txt' from /pub is /escaped.txt of the jail.
        expect(r.stor_up).to.equal(226)
        expect((await running.read('/escaped.txt'))?.toString()).to.equal('escaped')
        expect(r.nlst_root_up).to.include('../../../pub')
        expect(r.nlst_root_up.map((name: string) => path.posix.basename(name))).to.not.include('etc')
        if (outside !== undefined) {
          expect(fs.readdirSync(outside)).to.deep.equal(['secret.txt'])
          expect(fs.existsSync(path.join(path.dirname(running.root), 'escaped.txt'))).to.equal(false)
        }
      } finally {
        if (outside !== undefined) fs.rmSync(outside, { recursive: true, force: true })
      }
    })

    it('serves 8 clients at once, each uploading and downloading 4 MiB intact', async () => {
      const r = await runPython(running.port, 'concurrent')
      expect(r.clients).to.have.length(8)
      const sums = new Set<string>()
      for (const client of r.clients) {
        expect(client.error, client.error).to.equal(undefined)
        expect(client.received).to.equal(client.sent)
        expect(client.size).to.equal(4 * MiB)
        expect(sha256((await running.read(`/${client.name}`)) ?? Buffer.alloc(0))).to.equal(client.sent)
        sums.add(client.sent)
      }
      expect(sums.size).to.equal(8)
    })

    it('answers ABOR during a RETR with 426 then 226, and keeps the session', async () => {
      const r = await runPython(running.port, 'abort')
      expect(r.first_block).to.be.greaterThan(0)
      expect(r.abor).to.equal('426')
      expect(r.after_abor).to.equal(226)
      expect(r.noop_after).to.equal(200)
      expect(r.size_after).to.equal(32 * MiB)
    })

    it('keeps nothing that looks complete from a client that dies mid-STOR, and serves the next one', async () => {
      const r = await runPython(running.port, 'drop-stor-exit')
      expect(r.sent).to.equal(512 * 1024)
      // The server counts a connection until its last command has finished.
      expect(await eventually(() => running.server.connections() === 0)).to.equal(true)
      expect(await namesIn(running, '/'), 'no file, no temporary file left').to.deep.equal([])
      const next = await runPython(running.port, 'concurrent')
      expect(next.clients.every((c: { sent: string; received: string }) => c.sent === c.received)).to.equal(true)
    })

    it('answers a reset data connection mid-STOR with 426 and removes the partial upload', async () => {
      const r = await runPython(running.port, 'drop-stor-reset')
      expect(r.reply).to.equal(426)
      expect(r.size_dropped).to.equal(550)
      expect(r.noop_after).to.equal(200)
      expect(await namesIn(running, '/')).to.deep.equal([])
    })

    it('survives a client that dies mid-RETR, with its handle closed', async () => {
      const r = await runPython(running.port, 'drop-retr')
      expect(r.started).to.equal(true)
      expect(await eventually(() => running.server.connections() === 0)).to.equal(true)
      const again = await runPython(running.port, 'abort')
      expect(again.noop_after).to.equal(200)
      // The file the dead client was reading can go: no handle holds it.
      const removed = await running.inspect.unlink('/large.bin')()
      expect(E.isRight(removed)).to.equal(true)
    })
  })
}

describe('FTP server with ftplib: replies for a failing backend', function () {
  this.timeout(30_000)
  for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
    it(`maps NoSpace to 452, Timeout and Unknown to 451, Busy to 450, ReadOnly to 550 (${backend})`, async () => {
      await withServer(backend, { faults: true, timeout: 500 }, async (running) => {
        expect(E.isRight(await running.inspect.mkdir('/faults')())).to.equal(true)
        const r = await runPython(running.port, 'faults')
        expect(r).to.deep.equal({
          stor_no_space: 452,
          size_timeout: 451,
          size_broken: 451,
          dele_busy: 450,
          mkd_read_only: 550,
          noop_after: 200,
          nlst_faults: []
        })
      })
    })
  }
})

describe('FTP server with ftplib (pool backend)', function () {
  this.timeout(60_000)
  it('serves a whole session and 8 concurrent clients', async () => {
    await withServer('pool', {}, async (running) => {
      const r = await runPython(running.port, 'session')
      expect(r.retr_sha).to.equal(r.sent_sha)
      expect(r.patched).to.equal('aaaaaXYZaa')
      expect(r.rmd_non_empty).to.equal(550)
      const c = await runPython(running.port, 'concurrent')
      for (const client of c.clients) expect(client.received).to.equal(client.sent)
    })
  })
})
