import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  isPathIOError,
  makeMemoryPathIO,
  readFile,
  toReadable,
  toWritable,
  withFaults,
  wrapOperations,
  type PathIO
} from '../../lib'
import * as contract from '../contract/helpers'
import { expectRight } from '../contract/helpers'
import { countHandles } from '../contract/stacks'

const MiB = 1024 * 1024

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

const collect = async (readable: Readable): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of readable) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The error a stream ends with (or 'no error'). */
const streamError = (stream: Readable | Writable): Promise<unknown> =>
  new Promise((resolve) => {
    stream.on('error', resolve)
    stream.on('close', () => setImmediate(() => resolve('no error')))
    if (stream instanceof Readable) stream.resume()
  })

/** `pathio` whose writes answer a few ticks late, as a disk or a worker does; `answered` sees each write's bytes as they are when it answers. */
const lateWrites = (pathio: PathIO<unknown>, answered: (bytes: Uint8Array) => void): PathIO<unknown> =>
  wrapOperations((op, args, next) =>
    op !== 'write'
      ? next(...args)
      : async () => {
          const bytes = args[1] as Uint8Array
          await ticks(3)
          answered(bytes)
          return next(...args)()
        }
  )(pathio)

/** Counts the bytes `read` gave. */
const countingReads = (pathio: PathIO<unknown>) => {
  let bytes = 0
  const counted = wrapOperations((op, args, next) =>
    op !== 'read'
      ? next(...args)
      : async () => {
          const result = await next(...args)()
          if (result._tag === 'Right') bytes += (result.right as Uint8Array).length
          return result
        }
  )(pathio)
  return { pathio: counted, bytesRead: () => bytes }
}

describe('toReadable and toWritable', () => {
  let memory: PathIO<unknown>
  beforeEach(() => {
    memory = makeMemoryPathIO()
  })

  it('round-trip 1 MiB through pipeline(), closing both handles', async () => {
    const data = randomBytes(MiB)
    await contract.writeFile(memory, '/src', data)
    const counted = countHandles(memory)
    await pipeline(toReadable(counted.pathio, '/src'), toWritable(counted.pathio, '/dst'))
    const copied = await expectRight(memory.open('/dst', 'rb'))
    expect(Buffer.from(await expectRight(memory.read(copied))).equals(data)).to.equal(true)
    expect(counted.opens()).to.equal(2)
    expect(counted.openHandles()).to.equal(0)
  })

  it('reads from start to end inclusive, as fs.createReadStream', async () => {
    const data = randomBytes(1000)
    await contract.writeFile(memory, '/f', data)
    expect(
      (await collect(toReadable(memory, '/f', { start: 100, end: 199 }))).equals(data.subarray(100, 200))
    ).to.equal(true)
    expect((await collect(toReadable(memory, '/f', { start: 990 }))).equals(data.subarray(990))).to.equal(true)
    expect((await collect(toReadable(memory, '/f', { end: 0 }))).equals(data.subarray(0, 1))).to.equal(true)
    expect((await collect(toReadable(memory, '/f', { start: 5000 }))).length).to.equal(0)
    expect((await collect(toReadable(memory, '/f', { highWaterMark: 7 }))).equals(data)).to.equal(true)
  })

  it('writes from start into an existing file without truncating it (REST + STOR)', async () => {
    await contract.writeFile(memory, '/f', 'abcdefghij')
    await pipeline(Readable.from([Buffer.from('XYZ')]), toWritable(memory, '/f', { start: 3 }))
    expect(await contract.readFile(memory, '/f')).to.equal('abcXYZghij')
    await pipeline(Readable.from([Buffer.from('END')]), toWritable(memory, '/f', { start: 10 }))
    expect(await contract.readFile(memory, '/f')).to.equal('abcXYZghijEND')
  })

  it('creates a missing file with start (zeros before it), truncates without, appends with append', async () => {
    await pipeline(Readable.from([Buffer.from('XYZ')]), toWritable(memory, '/new', { start: 2 }))
    expect(await contract.readFile(memory, '/new')).to.equal('\0\0XYZ')
    await pipeline(Readable.from([Buffer.from('ab')]), toWritable(memory, '/new'))
    expect(await contract.readFile(memory, '/new')).to.equal('ab')
    await pipeline(Readable.from([Buffer.from('cd'), Buffer.from('ef')]), toWritable(memory, '/new', { append: true }))
    expect(await contract.readFile(memory, '/new')).to.equal('abcdef')
  })

  it('does not read ahead more than highWaterMark of a consumer that does not read', async () => {
    await contract.writeFile(memory, '/big', randomBytes(MiB))
    const counted = countHandles(memory)
    const reads = countingReads(counted.pathio)
    const readable = toReadable(reads.pathio, '/big', { highWaterMark: 1024 })
    await new Promise((resolve) => readable.once('readable', resolve))
    await ticks(20)
    expect(reads.bytesRead()).to.be.within(1, 1024)
    let consumed = 0
    for (let i = 0; i < 5; i++) {
      const chunk = readable.read() as Buffer | null
      consumed += chunk === null ? 0 : chunk.length
      await ticks(20)
      expect(reads.bytesRead() - consumed).to.be.at.most(1024)
    }
    expect(consumed).to.be.greaterThan(0)
    readable.destroy()
    await new Promise((resolve) => readable.once('close', resolve))
    expect(counted.openHandles()).to.equal(0)
  })

  it('a slow consumer in a pipeline holds the reader back', async () => {
    await contract.writeFile(memory, '/big', randomBytes(256 * 1024))
    const reads = countingReads(memory)
    const highWaterMark = 4096
    let processed = 0
    let mostAhead = 0
    const slow = new Writable({
      highWaterMark: 1,
      write: (chunk: Buffer, _encoding, callback) => {
        setImmediate(() => {
          processed += chunk.length
          mostAhead = Math.max(mostAhead, reads.bytesRead() - processed)
          callback()
        })
      }
    })
    await pipeline(toReadable(reads.pathio, '/big', { highWaterMark }), slow)
    expect(processed).to.equal(256 * 1024)
    // The readable's buffer plus the one chunk the writable holds.
    expect(mostAhead).to.be.at.most(2 * highWaterMark)
  })

  it('toWritable waits for each write: backpressure reaches the producer', async () => {
    let inFlight = 0
    let mostInFlight = 0
    const slowWrites = wrapOperations((op, args, next) =>
      op !== 'write'
        ? next(...args)
        : async () => {
            inFlight++
            mostInFlight = Math.max(mostInFlight, inFlight)
            await ticks(1)
            inFlight--
            return next(...args)()
          }
    )(memory)
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(`chunk ${i};`))
    await pipeline(Readable.from(chunks), toWritable(slowWrites, '/out'))
    expect(mostInFlight).to.equal(1)
    expect(await contract.readFile(memory, '/out')).to.equal(chunks.map(String).join(''))
  })

  it('toWritable with blockSize: small chunks reach the backend as whole blocks, big ones as they are, the rest at the end', async () => {
    const sizes: Array<number> = []
    const counted = wrapOperations((op, args, next) => {
      if (op === 'write') sizes.push((args[1] as Uint8Array).length)
      return next(...args)
    })(memory)
    // 3 + 3 + 3 + 3 bytes in blocks of 5, then a chunk bigger than a block with nothing gathered, then 2 more.
    const chunks = ['abc', 'def', 'ghi', 'jkl', 'MNOPQRS', 'tu'].map((text) => Buffer.from(text))
    await pipeline(Readable.from(chunks), toWritable(counted, '/blocks', { blockSize: 5 }))
    expect(await contract.readFile(memory, '/blocks')).to.equal('abcdefghijklMNOPQRStu')
    // 'abcde', 'fghij', then 'kl' + 'MNO' fills a block, 'PQRS' + 't' another, 'u' at the end.
    expect(sizes).to.deep.equal([5, 5, 5, 5, 1])
    sizes.length = 0
    await pipeline(Readable.from([Buffer.from('0123456789')]), toWritable(counted, '/whole', { blockSize: 5 }))
    expect(sizes).to.deep.equal([10])
    const refused = await pipeline(
      Readable.from([Buffer.from('x')]),
      toWritable(memory, '/bad', { blockSize: -1 })
    ).then(
      () => 'no error',
      (e: unknown) => (isPathIOError(e) ? e.reason : String(e))
    )
    expect(refused).to.equal('InvalidArgument')
  })

  it('toWritable with a block bigger than its first size: the block grows with what it holds, and the bytes arrive whole', async () => {
    const sizes: Array<number> = []
    const counted = lateWrites(memory, (bytes) => sizes.push(bytes.length))
    // Chunks of 7,000 and 18,000 bytes in turn into blocks of 100,000: the block starts smaller and must
    // carry what it has gathered each time it grows.
    const data = randomBytes(350_000)
    const chunks: Array<Buffer> = []
    for (let at = 0, i = 0; at < data.length; i++) {
      const size = Math.min(data.length - at, 7_000 + ((i * 11_000) % 22_000))
      chunks.push(data.subarray(at, at + size))
      at += size
    }
    await pipeline(Readable.from(chunks), toWritable(counted, '/grown', { blockSize: 100_000 }))
    expect(sizes).to.deep.equal([100_000, 100_000, 100_000, 50_000])
    expect(Buffer.from(await expectRight(readFile(memory, '/grown'))).equals(data)).to.equal(true)
    // One small chunk is one small write.
    sizes.length = 0
    await pipeline(Readable.from([Buffer.from('tiny')]), toWritable(counted, '/tiny', { blockSize: 100_000 }))
    expect(sizes).to.deep.equal([4])
  })

  it('toWritable with blockSize reuses its block only after the backend answered, and fails with the write error', async () => {
    // A backend that answers each write late: the next chunks must not overwrite the block it was given.
    const seen: Array<string> = []
    const late = lateWrites(memory, (bytes) => seen.push(Buffer.from(bytes).toString()))
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(String.fromCharCode(97 + (i % 26))))
    await pipeline(Readable.from(chunks), toWritable(late, '/late', { blockSize: 4 }))
    const text = chunks.map(String).join('')
    expect(seen.join('')).to.equal(text)
    expect(await contract.readFile(memory, '/late')).to.equal(text)
    const failingWrites = withFaults({ seed: 4, rate: 1, ops: ['write'], reasons: ['NoSpace'] })(memory)
    const failed = await pipeline(
      Readable.from([Buffer.from('ab'), Buffer.from('c')]),
      toWritable(failingWrites, '/g', { blockSize: 64 })
    ).then(
      () => 'no error',
      (e: unknown) => (isPathIOError(e) ? e.reason : String(e))
    )
    expect(failed).to.equal('NoSpace')
  })

  it('closes the handle when destroyed early', async () => {
    await contract.writeFile(memory, '/big', randomBytes(MiB))
    const counted = countHandles(memory)
    const readable = toReadable(counted.pathio, '/big', { highWaterMark: 1024 })
    await new Promise((resolve) => readable.once('readable', resolve))
    readable.destroy()
    await new Promise((resolve) => readable.once('close', resolve))
    const writable = toWritable(counted.pathio, '/out')
    await new Promise((resolve) => writable.write(Buffer.from('part'), resolve))
    writable.destroy()
    await new Promise((resolve) => writable.once('close', resolve))
    expect(counted.opens()).to.equal(2)
    expect(counted.openHandles()).to.equal(0)
  })

  it('errors are the PathIOError itself, and the handle is closed', async () => {
    await contract.writeFile(memory, '/f', randomBytes(100_000))
    const counted = countHandles(memory)
    const reasonOf = async (stream: Readable | Writable): Promise<string> => {
      const error = await streamError(stream)
      return isPathIOError(error) ? error.reason : String(error)
    }
    expect(await reasonOf(toReadable(counted.pathio, '/missing'))).to.equal('NotFound')
    expect(await reasonOf(toReadable(counted.pathio, '/f', { start: -1 }))).to.equal('InvalidArgument')
    expect(await reasonOf(toReadable(counted.pathio, '/f', { end: 1.5 }))).to.equal('InvalidArgument')
    expect(await reasonOf(toReadable(counted.pathio, '/f', { highWaterMark: 0 }))).to.equal('InvalidArgument')
    expect(await reasonOf(toWritable(counted.pathio, '/no/dir/f'))).to.equal('NotFound')
    expect(await reasonOf(toWritable(counted.pathio, '/f', { start: Number.NaN }))).to.equal('InvalidArgument')
    expect(await reasonOf(toWritable(counted.pathio, '/f', { start: 1, append: true }))).to.equal('InvalidArgument')
    const failingReads = withFaults({ seed: 4, rate: 1, ops: ['read'], reasons: ['Busy'] })(counted.pathio)
    expect(await reasonOf(toReadable(failingReads, '/f'))).to.equal('Busy')
    const failingWrites = withFaults({ seed: 4, rate: 1, ops: ['write'], reasons: ['NoSpace'] })(counted.pathio)
    const failed = await pipeline(Readable.from([Buffer.from('data')]), toWritable(failingWrites, '/g')).then(
      () => 'no error',
      (e: unknown) => (isPathIOError(e) ? e.reason : String(e))
    )
    expect(failed).to.equal('NoSpace')
    expect(counted.openHandles()).to.equal(0)
  })
})
