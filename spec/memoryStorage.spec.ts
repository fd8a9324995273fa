/**
 * The memory backend's storage: sparse files (holes read as zeros and cost
 * nothing), the bytes a tree holds, and its total size limit (`maxTotalSize`).
 * The sparse-file behaviour is run on the Node backend too: a disk is the
 * reference for what a file with holes reads.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { makeMemoryPathIO, makeMemoryTree, type FileHandle, type MemoryTree, type PathIO } from '../lib'
import { memoryBackend } from './contract/backends'
import { nodeBackend } from './contract/diskBackends'
import type { Backend } from './contract/fixture'
import { expectLeft, expectRight, readFile, writeFile } from './contract/helpers'

const KiB = 2 ** 10
const MiB = 2 ** 20
const GiB = 2 ** 30

/** Writes `data` at `position` through an open handle. */
const writeAt = async (io: PathIO<unknown>, h: FileHandle, position: number, data: Uint8Array): Promise<void> => {
  await expectRight(io.seek(h, position))
  expect(await expectRight(io.write(h, data))).to.equal(data.length)
}

/** Reads `size` bytes at `position`. */
const readAt = async (io: PathIO<unknown>, h: FileHandle, position: number, size: number): Promise<Buffer> => {
  await expectRight(io.seek(h, position))
  return Buffer.from(await expectRight(io.read(h, size)))
}

/** A whole file's bytes. */
const readBytes = async (io: PathIO<unknown>, path: string): Promise<Buffer> => {
  const h = await expectRight(io.open(path, 'rb'))
  const data = Buffer.from(await expectRight(io.read(h)))
  await expectRight(io.close(h))
  return data
}

/** A small deterministic generator (xorshift), so a failure can be replayed. */
const generator = (seed: number): ((below: number) => number) => {
  let state = seed >>> 0 || 1
  return (below) => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state % below
  }
}

const sparseFiles = (backend: Backend): void => {
  describe(`sparse files (${backend.name})`, function () {
    this.timeout(30_000)
    let io: PathIO<unknown>
    let teardown: () => Promise<void>

    beforeEach(async () => {
      const fixture = await backend.setup()
      io = fixture.pathio
      teardown = fixture.teardown
    })
    afterEach(() => teardown())

    it('a byte written far past the end: the size is right and the hole reads as zeros', async () => {
      const h = await expectRight(io.open('f', 'wb'))
      await writeAt(io, h, 3 * MiB + 5, Buffer.from('x'))
      await expectRight(io.close(h))
      expect((await expectRight(io.stat('f'))).size).to.equal(3 * MiB + 6)
      const r = await expectRight(io.open('f', 'rb'))
      const whole = Buffer.from(await expectRight(io.read(r)))
      expect(whole.length).to.equal(3 * MiB + 6)
      expect(whole.subarray(0, -1).every((b) => b === 0)).to.equal(true)
      expect(whole.at(-1)).to.equal(0x78)
      // Reads that start in the hole, cross chunk boundaries and end past the end.
      expect((await readAt(io, r, MiB - 3, 7)).equals(Buffer.alloc(7))).to.equal(true)
      expect((await readAt(io, r, 3 * MiB + 2, 100)).equals(Buffer.from([0, 0, 0, 0x78]))).to.equal(true)
      expect((await readAt(io, r, 3 * MiB + 6, 10)).length).to.equal(0)
      await expectRight(io.close(r))
    })

    it('holes between and inside written ranges read as zeros; bytes written across chunk boundaries read back', async () => {
      const expected = Buffer.alloc(2 * MiB + 300)
      const h = await expectRight(io.open('f', 'wb'))
      const pieces: ReadonlyArray<readonly [number, number]> = [
        [0, 100],
        [2 * MiB, 300],
        [MiB - 10, 20], // across the first chunk boundary
        [5000, 1], // inside the first chunk, past what it held: the gap before it is zeros
        [MiB + 4096, 64 * KiB]
      ]
      for (const [position, length] of pieces) {
        const data = randomBytes(length)
        data.copy(expected, position)
        await writeAt(io, h, position, data)
      }
      await expectRight(io.close(h))
      expect((await readBytes(io, 'f')).equals(expected)).to.equal(true)
    })

    it('capacity a file grew into but never wrote reads as zeros once a later write leaves a gap over it', async () => {
      // 1,000 then 1,100 bytes: the buffer doubled past 1,100; a byte at 1,900 leaves 1,100..1,900 a hole.
      const h = await expectRight(io.open('f', 'wb'))
      await writeAt(io, h, 0, Buffer.alloc(1000, 1))
      await writeAt(io, h, 1000, Buffer.alloc(100, 2))
      await writeAt(io, h, 1900, Buffer.from([3]))
      await expectRight(io.close(h))
      const expected = Buffer.concat([Buffer.alloc(1000, 1), Buffer.alloc(100, 2), Buffer.alloc(800), Buffer.from([3])])
      expect((await readBytes(io, 'f')).equals(expected)).to.equal(true)
    })

    it('bytes from before a truncation never show through a hole written after it', async () => {
      await writeFile(io, 'f', 'y'.repeat(10_000))
      const h = await expectRight(io.open('f', 'wb'))
      await writeAt(io, h, 9000, Buffer.from('z'))
      await expectRight(io.close(h))
      const back = await readBytes(io, 'f')
      expect(back.length).to.equal(9001)
      expect(back.subarray(0, 9000).every((b) => b === 0)).to.equal(true)
    })

    it('random writes and reads anywhere in the first 3 MiB agree with a plain buffer', async () => {
      const next = generator(16)
      const size = 3 * MiB
      const model = Buffer.alloc(size)
      let end = 0
      const h = await expectRight(io.open('f', 'wb'))
      for (let i = 0; i < 60; i++) {
        const position = next(size - 1)
        const length = 1 + next(Math.min(size - position, [16, 4 * KiB, 300 * KiB][i % 3]))
        const data = randomBytes(length)
        data.copy(model, position)
        end = Math.max(end, position + length)
        await writeAt(io, h, position, data)
      }
      await expectRight(io.close(h))
      const r = await expectRight(io.open('f', 'rb'))
      for (let i = 0; i < 60; i++) {
        const position = next(end + 10)
        const length = next(512 * KiB)
        const got = await readAt(io, r, position, length)
        const want = model.subarray(Math.min(position, end), Math.min(position + length, end))
        expect(got.equals(want), `read of ${length} at ${position}`).to.equal(true)
      }
      await expectRight(io.close(r))
    })
  })
}

sparseFiles(memoryBackend)
sparseFiles(nodeBackend)

describe('memory backend storage', function () {
  this.timeout(30_000)

  /** Bytes of ArrayBuffers the process holds (Buffers live there, off the JS heap). */
  const arrayBufferBytes = (): number => process.memoryUsage().arrayBuffers

  describe('a hole costs nothing', () => {
    it('REST 1 GiB then one byte: the file is 1 GiB + 1 long and the tree holds one byte, not a gigabyte', async () => {
      const io = makeMemoryPathIO()
      const before = arrayBufferBytes()
      const h = await expectRight(io.open('/big', 'wb'))
      await writeAt(io, h, GiB, Buffer.from('!'))
      await expectRight(io.close(h))
      expect((await expectRight(io.stat('/big'))).size).to.equal(GiB + 1)
      expect(io.state.budget.held).to.equal(1)
      expect(arrayBufferBytes() - before).to.be.below(16 * MiB)
      const r = await expectRight(io.open('/big', 'rb'))
      expect([...(await readAt(io, r, GiB - 2, 10))]).to.deep.equal([0, 0, 0x21])
      await expectRight(io.close(r))
    })

    it("chunks a removed file gave back are reused, and never show its bytes through another file's holes", async () => {
      const io = makeMemoryPathIO()
      for (let i = 0; i < 2; i++) {
        const h = await expectRight(io.open(`/secret${i}`, 'wb'))
        for (let k = 0; k < 4; k++) await expectRight(io.write(h, Buffer.alloc(MiB, 0xff)))
        await expectRight(io.close(h))
        await expectRight(io.unlink(`/secret${i}`))
      }
      const h = await expectRight(io.open('/f', 'wb'))
      await expectRight(io.write(h, Buffer.alloc(MiB, 1))) // a whole first chunk
      await writeAt(io, h, MiB + 500 * KiB, Buffer.from([2])) // the second chunk, sized whole at once
      await writeAt(io, h, 3 * MiB + 10, Buffer.from([3]))
      await expectRight(io.close(h))
      const back = await readBytes(io, '/f')
      expect(back.length).to.equal(3 * MiB + 11)
      expect(back.subarray(0, MiB).every((b) => b === 1)).to.equal(true)
      expect(back.subarray(MiB).filter((b) => b !== 0).length).to.equal(2)
      expect([back[MiB + 500 * KiB], back[3 * MiB + 10]]).to.deep.equal([2, 3])
    })

    it('a file written block by block holds at most 1.3 times its bytes once closed, whatever the block size', async () => {
      for (const [size, block] of [
        [100, 100],
        [5000, 1000],
        [3 * MiB + 17, 8 * KiB],
        [4 * MiB, MiB],
        [2 * MiB + 1, 64 * KiB]
      ]) {
        const io = makeMemoryPathIO()
        const h = await expectRight(io.open('/f', 'wb'))
        for (let at = 0; at < size; at += block)
          expect(await expectRight(io.write(h, Buffer.alloc(Math.min(block, size - at), 7)))).to.be.above(0)
        await expectRight(io.close(h))
        expect(io.state.budget.held, `${size} bytes in blocks of ${block}`).to.be.within(size, 1.3 * size)
      }
    })
  })

  describe('maxTotalSize', () => {
    const limited = (maxTotalSize: number): PathIO<MemoryTree> => makeMemoryPathIO({ maxTotalSize })

    it('is an option of makeMemoryPathIO and makeMemoryTree; anything but a non-negative safe integer is a TypeError naming it', () => {
      for (const bad of [-1, 1.5, '10', 2 ** 53, NaN, null]) {
        expect(() => makeMemoryPathIO({ maxTotalSize: bad as never })).to.throw(TypeError, /maxTotalSize/)
        expect(() => makeMemoryTree({ maxTotalSize: bad as never })).to.throw(TypeError, /maxTotalSize/)
      }
      expect(() => makeMemoryTree(42 as never)).to.throw(TypeError)
      expect(makeMemoryTree().budget.max).to.equal(Infinity)
      expect(makeMemoryTree({ maxTotalSize: 0 }).budget.max).to.equal(0)
    })

    it("given with a state, it must be that tree's own limit", () => {
      const tree = makeMemoryTree({ maxTotalSize: 100 })
      expect(makeMemoryPathIO({ state: tree, maxTotalSize: 100 }).state).to.equal(tree)
      expect(makeMemoryPathIO({ state: tree }).state).to.equal(tree)
      expect(() => makeMemoryPathIO({ state: tree, maxTotalSize: 200 })).to.throw(TypeError, /maxTotalSize/)
    })

    it('a write past it is NoSpace (ENOSPC) and changes nothing: not the file, not its size, not the position', async () => {
      const io = limited(1000)
      await writeFile(io, '/kept', 'k'.repeat(400))
      const h = await expectRight(io.open('/f', 'wb'))
      expect(await expectRight(io.write(h, Buffer.alloc(500, 1)))).to.equal(500)
      const error = await expectLeft(io.write(h, Buffer.alloc(101, 2)), 'NoSpace', 'write')
      expect(error.code).to.equal('ENOSPC')
      expect(error.message).to.include('maxTotalSize')
      expect(await expectRight(io.seek(h, 0, 1))).to.equal(500)
      expect((await expectRight(io.stat('/f'))).size).to.equal(500)
      // What still fits is written.
      expect(await expectRight(io.write(h, Buffer.alloc(100, 3)))).to.equal(100)
      await expectLeft(io.write(h, Buffer.alloc(1)), 'NoSpace', 'write')
      await expectRight(io.close(h))
      expect(await readFile(io, '/kept')).to.equal('k'.repeat(400))
      const back = await readBytes(io, '/f')
      expect(back.equals(Buffer.concat([Buffer.alloc(500, 1), Buffer.alloc(100, 3)]))).to.equal(true)
      expect(io.state.budget.held).to.equal(1000)
    })

    it('a write that would straddle chunks and pass it writes none of its chunks', async () => {
      const io = limited(2 * MiB)
      const h = await expectRight(io.open('/f', 'wb'))
      await writeAt(io, h, 0, Buffer.alloc(MiB, 1))
      await expectLeft(io.write(h, Buffer.alloc(MiB + 1, 2)), 'NoSpace', 'write')
      expect((await expectRight(io.stat('/f'))).size).to.equal(MiB)
      await expectRight(io.close(h))
      const back = await readBytes(io, '/f')
      expect(back.equals(Buffer.alloc(MiB, 1))).to.equal(true)
    })

    it('spare capacity never refuses a write whose bytes fit: exactly the limit in 100-byte writes', async () => {
      const io = limited(100 * 1000)
      const h = await expectRight(io.open('/f', 'wb'))
      for (let i = 0; i < 1000; i++) await expectRight(io.write(h, Buffer.alloc(100, i & 0xff)))
      await expectLeft(io.write(h, Buffer.alloc(1)), 'NoSpace', 'write')
      await expectRight(io.close(h))
      expect((await expectRight(io.stat('/f'))).size).to.equal(100_000)
    })

    it('holes count nothing: a 3 GiB sparse file fits a 1 MiB limit', async () => {
      const io = limited(MiB)
      const h = await expectRight(io.open('/f', 'wb'))
      await writeAt(io, h, 3 * GiB, Buffer.alloc(1000, 9))
      await expectRight(io.close(h))
      expect((await expectRight(io.stat('/f'))).size).to.equal(3 * GiB + 1000)
      expect(io.state.budget.held).to.equal(1000)
    })

    it('bytes come back on unlink, on truncation (wb) and when a rename replaces a file', async () => {
      const io = limited(1000)
      await writeFile(io, '/a', 'a'.repeat(1000))
      await expectLeft(writeFileEither(io, '/b', 'b'), 'NoSpace')
      await expectRight(io.unlink('/a'))
      expect(io.state.budget.held).to.equal(0)
      await writeFile(io, '/b', 'b'.repeat(1000))
      await writeFile(io, '/b', 'c'.repeat(1000)) // wb truncates first: the old bytes do not count twice
      expect(await readFile(io, '/b')).to.equal('c'.repeat(1000))
      const h = await expectRight(io.open('/b', 'wb'))
      await expectRight(io.write(h, Buffer.from('d'.repeat(600))))
      await expectRight(io.close(h))
      await writeFile(io, '/e', 'e'.repeat(400))
      await expectRight(io.rename('/e', '/b'))
      expect(io.state.budget.held).to.equal(400)
      expect(await readFile(io, '/b')).to.equal('e'.repeat(400))
    })

    it('a file unlinked while open keeps its bytes, counted, until its last handle closes', async () => {
      const io = limited(1000)
      await writeFile(io, '/a', 'a'.repeat(800))
      const r1 = await expectRight(io.open('/a', 'rb'))
      const r2 = await expectRight(io.open('/a', 'rb'))
      await expectRight(io.unlink('/a'))
      expect(io.state.budget.held).to.equal(800)
      await expectLeft(writeFileEither(io, '/b', 'b'.repeat(300)), 'NoSpace')
      await expectRight(io.close(r1))
      expect(Buffer.from(await expectRight(io.read(r2))).toString()).to.equal('a'.repeat(800))
      await expectRight(io.close(r2))
      await expectRight(io.close(r2)) // twice is harmless and gives nothing back twice
      expect(io.state.budget.held).to.equal(0)
      await writeFile(io, '/b', 'b'.repeat(1000))
    })

    it('every record of one tree shares the limit', async () => {
      const tree = makeMemoryTree({ maxTotalSize: 1000 })
      const alice = makeMemoryPathIO({ state: tree })
      const bob = makeMemoryPathIO({ state: tree, cwd: '/' })
      await writeFile(alice, '/a', 'a'.repeat(700))
      await expectLeft(writeFileEither(bob, '/b', 'b'.repeat(301)), 'NoSpace')
      await writeFile(bob, '/b', 'b'.repeat(300))
      expect(tree.budget.held).to.equal(1000)
    })

    it('a limit of 0 refuses every byte but still makes empty files', async () => {
      const io = limited(0)
      await writeFile(io, '/empty', '')
      expect((await expectRight(io.stat('/empty'))).size).to.equal(0)
      await expectLeft(writeFileEither(io, '/x', 'x'), 'NoSpace')
    })
  })
})

/** Like `writeFile`, but gives the write's result instead of failing the test on a Left (the file is closed either way). */
const writeFileEither = (io: PathIO<unknown>, path: string, text: string) => async () => {
  const opened = await io.open(path, 'wb')()
  if (opened._tag === 'Left') return opened
  const written = await io.write(opened.right, Buffer.from(text))()
  await io.close(opened.right)()
  return written
}
