/**
 * The FTP server driven by the `basic-ftp` npm client, in-process: the
 * server's handlers receive one `PathIO` record per connection, and a
 * TypeScript client sees a plain FTP server.
 */
import { expect } from 'chai'
import { Client, FileType } from 'basic-ftp'
import { createHash, randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { startServer, USER, type BackendName, type Running } from './harness'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** A Writable that keeps what it is given. */
const collector = (): { readonly stream: Writable; readonly bytes: () => Buffer } => {
  const chunks: Array<Buffer> = []
  return {
    stream: new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        chunks.push(chunk)
        callback()
      }
    }),
    bytes: () => Buffer.concat(chunks)
  }
}

const download = async (client: Client, remote: string, startAt?: number): Promise<Buffer> => {
  const sink = collector()
  await client.downloadTo(sink.stream, remote, startAt)
  return sink.bytes()
}

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`FTP server with basic-ftp (${backend} backend)`, function () {
    this.timeout(30_000)
    let running: Running
    let client: Client
    let logged: Array<string>

    beforeEach(async () => {
      logged = []
      running = await startServer(backend, { log: (_level, line) => logged.push(line) })
      client = new Client(10_000)
      await client.access({ host: '127.0.0.1', port: running.port, user: USER.name, password: USER.password })
    })
    afterEach(async () => {
      client.close()
      await running.stop()
    })

    it('uploads, lists (MLSD), sizes, dates, downloads, resumes, appends, renames and removes', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17)
      await client.ensureDir('/deep/er/dir')
      expect(await client.pwd()).to.equal('/deep/er/dir')
      await client.uploadFrom(Readable.from([data]), 'file.bin')
      await client.appendFrom(Readable.from([Buffer.from('tail')]), 'notes.txt')
      await client.appendFrom(Readable.from([Buffer.from('-more')]), 'notes.txt')

      const listing = await client.list()
      expect(
        logged.some((line) => / MLSD -> 226$/.test(line)),
        'listed with MLSD'
      ).to.equal(true)
      const byName = new Map(listing.map((info) => [info.name, info]))
      expect([...byName.keys()].sort()).to.deep.equal(['file.bin', 'notes.txt'])
      expect(byName.get('file.bin')?.size).to.equal(data.length)
      expect(byName.get('file.bin')?.type).to.equal(FileType.File)
      expect(byName.get('notes.txt')?.size).to.equal('tail-more'.length)
      await client.cd('/deep')
      expect((await client.list()).map((info) => [info.name, info.type])).to.deep.equal([['er', FileType.Directory]])

      expect(await client.size('/deep/er/dir/file.bin')).to.equal(data.length)
      const modified = await client.lastMod('/deep/er/dir/file.bin')
      expect(Math.abs(modified.getTime() - Date.now())).to.be.lessThan(5 * 60_000)

      expect(sha256(await download(client, '/deep/er/dir/file.bin'))).to.equal(sha256(data))
      expect(sha256(await download(client, '/deep/er/dir/file.bin', 12345))).to.equal(sha256(data.subarray(12345)))
      expect((await download(client, '/deep/er/dir/notes.txt')).toString()).to.equal('tail-more')

      await client.rename('/deep/er/dir/file.bin', '/deep/moved.bin')
      expect(sha256((await running.read('/deep/moved.bin')) ?? Buffer.alloc(0))).to.equal(sha256(data))
      await client.remove('/deep/moved.bin')
      expect(await running.read('/deep/moved.bin')).to.equal(undefined)
      await client.removeDir('/deep/er')
      await client.cd('/')
      expect((await client.list()).map((info) => info.name)).to.deep.equal(['deep'])
    })

    it('reports the server refusals as FTP errors with their codes and keeps the session', async () => {
      const codeOf = async (run: () => Promise<unknown>): Promise<number | undefined> =>
        run().then(
          () => undefined,
          (error: { code?: number }) => error.code
        )
      await client.ensureDir('/full')
      await client.uploadFrom(Readable.from([Buffer.from('x')]), '/full/x.txt')
      expect(await codeOf(() => client.cd('/nowhere'))).to.equal(550)
      expect(await codeOf(() => client.size('/full'))).to.equal(550)
      expect(await codeOf(() => client.removeEmptyDir('/full'))).to.equal(550)
      expect(await codeOf(() => client.downloadTo(collector().stream, '/missing.bin'))).to.equal(550)
      expect(await codeOf(() => client.send('MKD ' + 'y'.repeat(300)))).to.equal(553)
      // SITE CHMOD needs the letter M, which alice's every-permission set ('elradfmw') leaves out.
      expect(await codeOf(() => client.send('SITE CHMOD 777 /full'))).to.equal(550)
      expect(await codeOf(() => client.send('SITE NOPE /full'))).to.equal(501)
      expect((await client.send('NOOP')).code).to.equal(200)
      expect((await download(client, '/full/x.txt')).toString()).to.equal('x')
    })
  })
}
