/**
 * The main job over S3: FTP servers whose records are S3 records on one
 * s3rver bucket, driven by real clients (basic-ftp; curl through `npm
 * start`). Two servers share the bucket as two machines would.
 */
import { expect } from 'chai'
import { Client, FTPError } from 'basic-ftp'
import { createHash, randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { makeS3PathIO } from '../../lib/backends/s3'
import { makeFtpServer, type FtpServer } from '../../lib/ftp'
import { hashPassword } from '../../lib/server/accounts'
import { runCurl } from '../ftp/harness'
import { buildServer, startServer } from '../ftp/npmStart'
import { CREDENTIALS, REGION, startS3Server, type S3Server } from './server'

const BUCKET = 'ftp-files'
const USER = { name: 'alice', password: 'wonderland' }

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

const download = async (client: Client, remote: string, startAt?: number): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      chunks.push(chunk)
      callback()
    }
  })
  await client.downloadTo(sink, remote, startAt)
  return Buffer.concat(chunks)
}

const connect = async (server: FtpServer<unknown>, port: number): Promise<Client> => {
  void server
  const client = new Client(30_000)
  await client.access({ host: '127.0.0.1', port, user: USER.name, password: USER.password })
  return client
}

/** The FTP reply code an operation ended with (basic-ftp throws an FTPError for a 4xx/5xx). */
const failureCode = async (operation: () => Promise<unknown>): Promise<number | undefined> => {
  try {
    await operation()
    return undefined
  } catch (error) {
    return error instanceof FTPError ? error.code : -1
  }
}

describe('FTP over S3 (s3rver)', function () {
  this.timeout(120_000)
  let s3: S3Server
  let servers: Array<{ readonly server: FtpServer<unknown>; readonly port: number }>
  let test = 0

  before(async () => {
    s3 = await startS3Server([BUCKET])
    await buildServer()
  })
  after(async () => {
    await s3.stop()
  })
  beforeEach(async () => {
    const prefix = `ftp${++test}/`
    // Two servers, each with its own S3 client, as on two machines.
    servers = await Promise.all(
      [0, 1].map(async () => {
        const client = s3.client()
        const server = makeFtpServer({
          factory: (context) => makeS3PathIO({ client, bucket: BUCKET, prefix, ...(context as object) }),
          users: { [USER.name]: USER.password },
          pasvAddress: '127.0.0.1'
        })
        const { port } = await server.listen(0, '127.0.0.1')
        return { server, port }
      })
    )
  })
  afterEach(async () => {
    for (const { server } of servers) await server.close()
  })

  it('8 clients at once: each file goes in through one server and out through the other, checksums equal', async () => {
    const [a, b] = servers
    const files = Array.from({ length: 8 }, (_, i) => ({
      name: `file-${i}.bin`,
      data: randomBytes((i + 1) * 700_000 + i)
    }))
    await Promise.all(
      files.map(async ({ name, data }, i) => {
        const up = await connect(a.server, a.port)
        const down = await connect(b.server, b.port)
        try {
          await up.ensureDir(`/dir-${i % 3}`)
          await up.uploadFrom(Readable.from([data]), name)
          await down.cd(`/dir-${i % 3}`)
          expect(sha256(await download(down, name)), name).to.equal(sha256(data))
        } finally {
          up.close()
          down.close()
        }
      })
    )
    const check = await connect(b.server, b.port)
    try {
      const names = (await check.list('/dir-0')).map((f) => f.name).sort()
      expect(names).to.deep.equal(['file-0.bin', 'file-3.bin', 'file-6.bin'])
    } finally {
      check.close()
    }
  })

  it('STOR, RETR, REST+RETR, LIST/MLSD, MKD/RMD, DELE and RNFR/RNTO work; APPE and REST+STOR are 504', async () => {
    const [a, b] = servers
    const one = await connect(a.server, a.port)
    const two = await connect(b.server, b.port)
    try {
      const data = randomBytes(2_000_000)
      await one.send('MKD /pub')
      await one.uploadFrom(Readable.from([data]), '/pub/data.bin')
      // REST+RETR: the tail from an offset, through the other server.
      expect(sha256(await download(two, '/pub/data.bin', 1_234_567))).to.equal(sha256(data.subarray(1_234_567)))
      const listed = await two.list('/pub') // MLSD where the server offers it
      expect(listed.map((f) => [f.name, f.size])).to.deep.equal([['data.bin', data.length]])
      expect((await two.send('SIZE /pub/data.bin')).message).to.include(String(data.length))
      await two.rename('/pub/data.bin', '/pub/renamed.bin')
      expect(sha256(await download(one, '/pub/renamed.bin'))).to.equal(sha256(data))
      expect(
        await failureCode(() => one.appendFrom(Readable.from([Buffer.from('more')]), '/pub/renamed.bin'))
      ).to.equal(504)
      await one.send('REST 10')
      expect(await failureCode(() => one.uploadFrom(Readable.from([Buffer.from('x')]), '/pub/renamed.bin'))).to.equal(
        504
      )
      // Refused, and nothing changed.
      expect(sha256(await download(two, '/pub/renamed.bin'))).to.equal(sha256(data))
      expect(await failureCode(() => two.send('RMD /pub'))).to.equal(550)
      await two.remove('/pub/renamed.bin')
      await two.send('RMD /pub')
      expect(await one.list('/')).to.deep.equal([])
    } finally {
      one.close()
      two.close()
    }
  })

  it('an object keeps no settable time or mode: FEAT offers neither MFMT nor SITE CHMOD or UTIME, and each is 550 even with M and T', async () => {
    const client = s3.client()
    const server = makeFtpServer({
      factory: (context) =>
        makeS3PathIO({ client, bucket: BUCKET, prefix: `ftp${test}-times/`, ...(context as object) }),
      users: { [USER.name]: { password: hashPassword(USER.password), perm: 'elradfmwMT', public: true } },
      pasvAddress: '127.0.0.1'
    })
    const { port } = await server.listen(0, '127.0.0.1')
    const ftp = await connect(server, port)
    try {
      const feat = (await ftp.send('FEAT')).message
      expect(feat).to.include('MDTM').and.include('MLST')
      expect(feat).to.not.include('MFMT').and.not.include('SITE')
      await ftp.uploadFrom(Readable.from([Buffer.from('x')]), 'x.txt')
      expect(await failureCode(() => ftp.send('MFMT 20170921013410 x.txt'))).to.equal(550)
      expect(await failureCode(() => ftp.send('SITE UTIME 20170921013410 x.txt'))).to.equal(550)
      expect(await failureCode(() => ftp.send('SITE CHMOD 600 x.txt'))).to.equal(550)
      expect((await ftp.send('NOOP')).code).to.equal(200)
    } finally {
      ftp.close()
      await server.close()
    }
  })

  it('npm start with PATHIO_BACKEND=s3 serves the bucket (curl up and down)', async () => {
    const server = await startServer({
      LOG_LEVEL: 'warn',
      FTP_USER: 'bob',
      FTP_PASS: 'builder',
      PATHIO_BACKEND: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      S3_PREFIX: `start${test}/`,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey
    })
    const url = server.url
    try {
      expect(server.output()).to.include('backend s3')
      const data = randomBytes(300_000)
      const login = ['-u', 'bob:builder']
      const up = await runCurl([...login, '--ftp-create-dirs', '-T', '-', `${url}/in/up.bin`], data)
      expect(up.status, up.stderr).to.equal(0)
      const down = await runCurl([...login, `${url}/in/up.bin`])
      expect(sha256(down.stdout)).to.equal(sha256(data))
      // It is in the bucket, under the prefix, for any other tool to see.
      const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `start${test}/` }))
      expect((listed.Contents ?? []).map((o) => [o.Key, o.Size])).to.deep.equal([
        [`start${test}/in/`, 0],
        [`start${test}/in/up.bin`, data.length]
      ])
    } finally {
      expect(await server.stop()).to.equal(0)
    }
  })
})
