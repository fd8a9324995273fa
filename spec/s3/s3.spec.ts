/**
 * What the S3 backend does beyond the contract, against a real S3 server
 * (s3rver): keys other tools wrote, two records on one bucket, the requests
 * each operation costs (counted with SDK middleware), multipart uploads that
 * appear whole or not at all, ranged reads, listings page by page, and
 * options checked at once.
 */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client
} from '@aws-sdk/client-s3'
import { SEEK_END, withSharedState } from '../../lib'
import { makeS3PathIO, MIN_PART_SIZE, type S3Options } from '../../lib/backends/s3'
import { bytes, expectLeft, expectRight, readFile, sorted, text, writeFile } from '../contract/helpers'
import { startS3Server, type S3Server } from './server'

const BUCKET = 'unit-tests'

/** Counts the commands a client sends (each SDK call once, whatever its retries). */
const countRequests = (
  client: S3Client
): { readonly counts: () => Record<string, number>; readonly reset: () => void } => {
  let counts: Record<string, number> = {}
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '')
      counts[name] = (counts[name] ?? 0) + 1
      return next(args)
    },
    { step: 'initialize', name: 'countRequests' }
  )
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {}
    }
  }
}

/** Fails the commands `when` picks with an error S3 could give (a throttling 503). */
const failRequests = (client: S3Client, when: (command: string, input: Record<string, unknown>) => boolean): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (when(String(context.commandName), args.input as Record<string, unknown>))
        throw Object.assign(new Error('injected: slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })
      return next(args)
    },
    { step: 'initialize', name: 'failRequests' }
  )
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** Deterministic bytes that differ at every offset of a part, so a misplaced range shows. */
const pattern = (length: number): Buffer => {
  const out = Buffer.allocUnsafe(length + 3)
  for (let i = 0; i < length; i += 4) out.writeUInt32LE(i >>> 0, i)
  return out.subarray(0, length)
}

describe('S3 backend (against s3rver)', function () {
  let server: S3Server
  let test = 0
  let prefix: string
  let client: S3Client

  before(async () => {
    server = await startS3Server([BUCKET])
  })
  after(async () => {
    await server.stop()
  })
  beforeEach(() => {
    prefix = `t${++test}/`
    client = server.client()
  })

  const make = (options: Partial<S3Options> = {}) => makeS3PathIO({ client, bucket: BUCKET, prefix, ...options })
  const putRaw = (key: string, body: string | Uint8Array) =>
    client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: prefix + key, Body: typeof body === 'string' ? bytes(body) : body })
    )
  const rawKeys = async (): Promise<ReadonlyArray<string>> =>
    ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) =>
      (o.Key ?? '').slice(prefix.length)
    )

  describe('keys written by other tools', () => {
    it('a key under a/ with no marker makes a a directory: it lists, stats and scans as one', async () => {
      await putRaw('a/b/c.txt', 'deep')
      await putRaw('a/top.txt', 'top')
      const io = make()
      expect(await expectRight(io.isDir('/a'))).to.equal(true)
      expect(await expectRight(io.isDir('/a/b'))).to.equal(true)
      expect(sorted(await expectRight(io.list('/')))).to.deep.equal(['/a'])
      expect(sorted(await expectRight(io.list('/a')))).to.deep.equal(['/a/b', '/a/top.txt'])
      const entries = await expectRight(io.scan('/a'))
      const b = entries.find((e) => e.name === 'b')
      expect(b?.stat.mode).to.equal((await expectRight(io.stat('/a/b'))).mode)
      expect(await readFile(io, '/a/b/c.txt')).to.equal('deep')
      // The marker-less directory takes files and subdirectories like any other.
      await expectRight(io.mkdir('/a/b/d'))
      await writeFile(io, '/a/b/d/e', 'e')
      expect(sorted(await expectRight(io.list('/a/b')))).to.deep.equal(['/a/b/c.txt', '/a/b/d'])
      await expectLeft(io.rmdir('/a/b'), 'NotEmpty', 'rmdir')
    })

    it('mkdir writes a zero-byte marker dir/ and rmdir removes it', async () => {
      const io = make()
      await expectRight(io.mkdir('/m/n', { parents: true }))
      expect(sorted(await rawKeys())).to.deep.equal(['m/', 'm/n/'])
      await expectRight(io.rmdir('/m/n'))
      expect(await rawKeys()).to.deep.equal(['m/'])
    })
  })

  it('two records on one bucket (two clients, as two servers) see each other’s writes at once', async () => {
    const one = make()
    const two = makeS3PathIO({ client: server.client(), bucket: BUCKET, prefix })
    await writeFile(one, '/from-one', 'hello')
    expect(await readFile(two, '/from-one')).to.equal('hello')
    await expectRight(two.mkdir('/dir'))
    await writeFile(two, '/dir/from-two', 'world')
    expect(sorted(await expectRight(one.list('/dir')))).to.deep.equal(['/dir/from-two'])
    await expectRight(one.rename('/dir/from-two', '/moved'))
    expect(await readFile(two, '/moved')).to.equal('world')
    await expectRight(two.unlink('/moved'))
    expect(await expectRight(one.exists('/moved'))).to.equal(false)
  })

  it('withSharedState shares the client, the bucket and the handles', async () => {
    const perConnection = withSharedState(makeS3PathIO)
    const first = perConnection({ client, bucket: BUCKET, prefix } as S3Options)
    const second = perConnection({ prefix } as S3Options)
    expect(second.state).to.equal(first.state)
    const h = await expectRight(first.open('/f', 'wb'))
    await expectRight(second.write(h, bytes('shared')))
    await expectRight(second.close(h))
    expect(await readFile(first, '/f')).to.equal('shared')
  })

  describe('requests per operation (counted on the client)', () => {
    it('stat of a file is one HEAD; of a missing path, a HEAD and a one-key listing (and a HEAD per ancestor)', async () => {
      const io = make()
      await writeFile(io, '/f', 'x')
      const requests = countRequests(client)
      await expectRight(io.stat('/f'))
      expect(requests.counts()).to.deep.equal({ HeadObject: 1 })
      requests.reset()
      await expectLeft(io.stat('/missing'), 'NotFound', 'stat')
      expect(requests.counts()).to.deep.equal({ HeadObject: 1, ListObjectsV2: 1 })
    })

    it('scan of a 1,000-key directory is one ListObjectsV2 page and nothing per key', async function () {
      this.timeout(120_000)
      const keys = Array.from({ length: 1000 }, (_, i) => `big/${String(i).padStart(4, '0')}`)
      for (let at = 0; at < keys.length; at += 50)
        await Promise.all(keys.slice(at, at + 50).map((key) => putRaw(key, key)))
      const io = make()
      const requests = countRequests(client)
      const entries = await expectRight(io.scan('/big'))
      expect(requests.counts()).to.deep.equal({ ListObjectsV2: 1 })
      expect(entries).to.have.length(1000)
      expect(entries.every((e) => e.stat.size === 8)).to.equal(true)
      // ... and a listing page by page: one request per readdir, never the whole directory at once.
      requests.reset()
      const dir = await expectRight(io.opendir('/big'))
      const seen: Array<string> = []
      for (
        let page = await expectRight(io.readdir(dir, 300));
        page.length > 0;
        page = await expectRight(io.readdir(dir, 300))
      )
        seen.push(...page.map((e) => e.name))
      await expectRight(io.closedir(dir))
      expect(seen).to.deep.equal(keys.map((k) => k.slice(4)))
      // opendir's page of 1,000 holds them all: no request after it.
      expect(requests.counts()).to.deep.equal({ ListObjectsV2: 1 })
      // Past 1,000 names, the next page follows the continuation token: two requests, every name once.
      const more = Array.from({ length: 50 }, (_, i) => `big/${String(1000 + i).padStart(4, '0')}`)
      await Promise.all(more.map((key) => putRaw(key, key)))
      requests.reset()
      const all = await expectRight(io.scan('/big'))
      expect(requests.counts()).to.deep.equal({ ListObjectsV2: 2 })
      expect(sorted(all.map((e) => e.name))).to.deep.equal([...keys, ...more].map((k) => k.slice(4)))
      requests.reset()
      const paged = await expectRight(io.opendir('/big'))
      const names: Array<string> = []
      for (
        let page = await expectRight(io.readdir(paged));
        page.length > 0;
        page = await expectRight(io.readdir(paged))
      )
        names.push(...page.map((e) => e.name))
      expect(names).to.have.length(1050)
      expect(new Set(names).size).to.equal(1050)
      expect(requests.counts()).to.deep.equal({ ListObjectsV2: 2 })
      await expectRight(io.closedir(paged))
      await expectRight(io.closedir(paged))
      await expectLeft(io.readdir(paged), 'BadHandle', 'readdir')
    })

    it("the factory's timeout applies to every operation: a request that does not answer in time is Timeout", async () => {
      client.middlewareStack.add(
        (next) => async (args) => {
          await new Promise((resolve) => setTimeout(resolve, 1500))
          return next(args)
        },
        { step: 'initialize', name: 'slowDown' }
      )
      const io = make({ timeout: 200 })
      await expectLeft(io.stat('/f'), 'Timeout', 'stat')
      await expectLeft(io.list('/'), 'Timeout', 'list')
    })

    it('bad input is answered before any request is sent', async () => {
      const io = make()
      const h = await expectRight(io.open('/f', 'wb'))
      const requests = countRequests(client)
      await expectLeft(io.stat(''), 'InvalidArgument', 'stat')
      await expectLeft(io.mkdir('/a\0b'), 'InvalidArgument', 'mkdir')
      await expectLeft(io.mkdir('/x', { parents: 'yes' } as never), 'InvalidArgument', 'mkdir')
      await expectLeft(io.rename('/f', 'x'.repeat(256)), 'InvalidArgument', 'rename')
      await expectLeft(io.open('/f', 'w' as never), 'InvalidArgument', 'open')
      await expectLeft(io.open('/f', 'ab'), 'Unsupported', 'open')
      await expectLeft(io.open('/f', 'r+b'), 'Unsupported', 'open')
      await expectLeft(io.write(h, 'text' as never), 'InvalidArgument', 'write')
      await expectLeft(io.read(h), 'BadHandle', 'read')
      await expectLeft(io.seek(h, 3), 'Unsupported', 'seek')
      await expectLeft(io.seek(h, 1.5), 'InvalidArgument', 'seek')
      await expectLeft(io.readdir({} as never), 'BadHandle', 'readdir')
      // A path the contract allows (names under 255 bytes, under 4,095 in all) whose key S3 cannot hold (1,024 bytes).
      const deep = `/${'n'.repeat(200)}`.repeat(6)
      await expectLeft(io.mkdir(deep, { parents: true }), 'InvalidArgument', 'mkdir')
      await expectLeft(io.open(deep, 'wb'), 'InvalidArgument', 'open')
      await expectLeft(io.rename('/f', deep), 'InvalidArgument', 'rename')
      expect(requests.counts()).to.deep.equal({})
      // ... and a lookup of it finds nothing, without asking.
      expect(await expectRight(io.exists(deep))).to.equal(false)
      expect(requests.counts()).to.deep.equal({})
      await expectRight(io.close(h))
    })
  })

  describe('uploads', () => {
    it(`a file larger than partSize goes up in parts and reads back whole (partSize ${MIN_PART_SIZE / 2 ** 20} MiB)`, async function () {
      this.timeout(60_000)
      const io = make({ partSize: MIN_PART_SIZE })
      const data = pattern(2 * MIN_PART_SIZE + 12345)
      const requests = countRequests(client)
      const h = await expectRight(io.open('/big', 'wb'))
      // Odd block sizes, so parts are cut across writes.
      for (let at = 0; at < data.length; at += 777_777) await expectRight(io.write(h, data.subarray(at, at + 777_777)))
      // Nothing is visible before close, not even a part of it.
      expect(await expectRight(io.exists('/big'))).to.equal(false)
      await expectRight(io.close(h))
      const counts = requests.counts()
      expect(counts.CreateMultipartUpload).to.equal(1)
      expect(counts.UploadPart).to.equal(3)
      expect(counts.CompleteMultipartUpload).to.equal(1)
      expect(counts.PutObject).to.equal(undefined)
      expect((await expectRight(io.stat('/big'))).size).to.equal(data.length)
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}big` }))
      expect(sha256(await got.Body!.transformToByteArray())).to.equal(sha256(data))
    })

    it('a small file is one PutObject at close', async () => {
      const io = make()
      const h = await expectRight(io.open('/small', 'wb'))
      const requests = countRequests(client)
      await expectRight(io.write(h, bytes('tiny')))
      expect(requests.counts()).to.deep.equal({})
      await expectRight(io.close(h))
      expect(requests.counts()).to.deep.equal({ PutObject: 1 })
    })

    it('a failed part fails the upload: the write or close is a Left with the SDK error as cause, and no object appears', async function () {
      this.timeout(60_000)
      await putRaw('victim', 'old content')
      failRequests(client, (command, input) => command === 'UploadPartCommand' && input.PartNumber === 2)
      const io = make({ partSize: MIN_PART_SIZE })
      const h = await expectRight(io.open('/victim', 'wb'))
      const block = pattern(1 << 20)
      let failure
      for (let i = 0; i < 16 && failure === undefined; i++) {
        const written = await io.write(h, block)()
        if (written._tag === 'Left') failure = written.left
      }
      const closed = await io.close(h)()
      const error = failure ?? (closed._tag === 'Left' ? closed.left : undefined)
      expect(error?.reason).to.equal('Busy')
      expect((error?.cause as { name?: string }).name).to.equal('SlowDown')
      // The old object is untouched, and nothing half-written replaced it.
      expect(await readFile(io, '/victim')).to.equal('old content')
      await expectLeft(io.write(h, block), 'BadHandle', 'write')
    })

    it('an upload never closed leaves no object, even with parts sent (s3rver cannot abort uploads)', async function () {
      this.timeout(60_000)
      const io = make({ partSize: MIN_PART_SIZE })
      const h = await expectRight(io.open('/abandoned', 'wb'))
      const requests = countRequests(client)
      await expectRight(io.write(h, pattern(MIN_PART_SIZE + 1)))
      await expectRight(io.write(h, pattern(MIN_PART_SIZE)))
      expect(requests.counts().UploadPart).to.be.at.least(1)
      expect(await expectRight(io.exists('/abandoned'))).to.equal(false)
      expect(await rawKeys()).to.deep.equal([])
    })

    it('REST-style: a wb handle cannot seek away from where it is', async () => {
      const io = make()
      const h = await expectRight(io.open('/f', 'wb'))
      await expectRight(io.write(h, bytes('abc')))
      await expectLeft(io.seek(h, 0), 'Unsupported', 'seek')
      expect(await expectRight(io.seek(h, 0, SEEK_END))).to.equal(3)
      await expectRight(io.close(h))
    })
  })

  describe('reads', () => {
    it('a sequential read is one streaming GET; a seek starts another from there; reads past the end give nothing', async function () {
      this.timeout(60_000)
      const data = pattern(3 * MIN_PART_SIZE + 999)
      await putRaw('r', data)
      const io = make({ partSize: MIN_PART_SIZE })
      const requests = countRequests(client)
      const h = await expectRight(io.open('/r', 'rb'))
      expect(requests.counts()).to.deep.equal({ HeadObject: 1 })
      const got: Array<Uint8Array> = []
      for (
        let block = await expectRight(io.read(h, 1 << 20));
        block.length > 0;
        block = await expectRight(io.read(h, 1 << 20))
      )
        got.push(block)
      expect(sha256(Buffer.concat(got))).to.equal(sha256(data))
      expect(requests.counts()).to.deep.equal({ HeadObject: 1, GetObject: 1 })
      const seeks = [MIN_PART_SIZE - 3, 17, 2 * MIN_PART_SIZE + 5, data.length - 2]
      for (const at of seeks) {
        await expectRight(io.seek(h, at))
        expect(Buffer.from(await expectRight(io.read(h, 10))).equals(data.subarray(at, at + 10)), `at ${at}`).to.equal(
          true
        )
        // Reading on from where the last read stopped needs no new request.
        expect(
          Buffer.from(await expectRight(io.read(h, 5))).equals(data.subarray(at + 10, at + 15)),
          `after ${at}`
        ).to.equal(true)
      }
      expect(requests.counts().GetObject).to.equal(1 + seeks.length)
      await expectRight(io.seek(h, data.length + 100))
      expect((await expectRight(io.read(h))).length).to.equal(0)
      await expectRight(io.close(h))
      expect(requests.counts().GetObject).to.equal(1 + seeks.length)
    })

    it('a reader never mixes two versions: an object replaced under it is an error, not a blend', async function () {
      this.timeout(60_000)
      await putRaw('v', pattern(2 * MIN_PART_SIZE))
      const io = make({ partSize: MIN_PART_SIZE })
      const h = await expectRight(io.open('/v', 'rb'))
      await expectRight(io.read(h, 10))
      await putRaw('v', Buffer.alloc(2 * MIN_PART_SIZE, 1))
      await expectRight(io.seek(h, MIN_PART_SIZE + 1))
      await expectLeft(io.read(h, 10), 'Busy', 'read')
      await expectRight(io.close(h))
    })
  })

  describe('errors', () => {
    it('map to reasons with the SDK error as cause: a missing bucket is NotFound, a server that is gone Unknown', async () => {
      const noBucket = makeS3PathIO({ client, bucket: 'no-such-bucket' })
      const missing = await expectLeft(noBucket.list('/'), 'NotFound', 'list')
      expect((missing.cause as { name?: string }).name).to.equal('NoSuchBucket')
      const gone = makeS3PathIO({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        bucket: BUCKET
      })
      const error = await expectLeft(gone.stat('/f'), 'Unknown', 'stat')
      expect(error.cause).to.be.instanceOf(Error)
      gone.state.client.destroy()
    })
  })

  describe('options', () => {
    const throwsNaming = (options: unknown, option: string): void => {
      expect(() => makeS3PathIO(options as never))
        .to.throw(TypeError)
        .with.property('message')
        .that.includes(option)
    }

    it('bad options are a TypeError naming the option', () => {
      throwsNaming({ client, bucket: BUCKET, partSize: MIN_PART_SIZE - 1 }, 'partSize')
      throwsNaming({ client, bucket: BUCKET, partSize: MIN_PART_SIZE + 0.5 }, 'partSize')
      throwsNaming({ client, bucket: BUCKET, partSize: '8' }, 'partSize')
      throwsNaming({ client, bucket: 'ab' }, 'bucket')
      throwsNaming({ client }, 'bucket')
      throwsNaming({ client: {}, bucket: BUCKET }, 'client')
      throwsNaming({ client, bucket: BUCKET, prefix: '/abs' }, 'prefix')
      throwsNaming({ client, bucket: BUCKET, prefix: 42 }, 'prefix')
      throwsNaming({ client, bucket: BUCKET, cwd: 'relative' }, 'cwd')
      throwsNaming({ client, bucket: BUCKET, timeout: -1 }, 'timeout')
      throwsNaming({ state: {}, bucket: BUCKET }, 'state')
      throwsNaming({ endpoint: 42, bucket: BUCKET }, 'endpoint')
      throwsNaming({ credentials: { accessKeyId: 1 }, bucket: BUCKET }, 'credentials')
    })

    it('cwd resolves relative paths; prefix keeps records apart on one bucket', async () => {
      const io = make({ cwd: '/home' })
      await expectRight(io.mkdir('/home'))
      await writeFile(io, 'notes', 'n')
      expect(await rawKeys()).to.include('home/notes')
      const other = makeS3PathIO({ client, bucket: BUCKET, prefix: `${prefix}other` })
      expect(await expectRight(other.list('/'))).to.deep.equal([])
      await writeFile(other, '/x', 'x')
      expect(await rawKeys()).to.include('other/x')
      expect(text(Buffer.from(await expectRight(io.read(await expectRight(io.open('notes'))))))).to.equal('n')
    })
  })

  it('HEAD and GET agree with stat: size and a time at the second', async () => {
    const io = make()
    await writeFile(io, '/t', 'time')
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}t` }))
    const stat = await expectRight(io.stat('/t'))
    expect(stat.mtimeMs).to.equal(Math.floor(head.LastModified!.getTime() / 1000) * 1000)
    expect(stat.size).to.equal(4)
  })
})
