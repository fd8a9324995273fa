/**
 * What the contract suite does not cover of `makeNodePathIO`: its options,
 * handles shared by every Node record, no over-allocation on reads, no
 * descriptor leaks, and how it treats what only a real disk has (symlinks).
 */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { makeMemoryPathIO, makeNodePathIO, S_IFLNK, S_IFMT, S_IFREG, type PathIO } from '../../lib'
import { makeTempRoot, removeTempRoot } from '../contract/diskBackends'
import { bytes, expectLeft, expectRight, readFile, text, writeFile } from '../contract/helpers'
import { openFileDescriptors } from './fds'

describe('makeNodePathIO', () => {
  let root: string
  let io: PathIO<undefined>
  beforeEach(() => {
    root = makeTempRoot('node-spec')
    io = makeNodePathIO({ cwd: root })
  })
  afterEach(() => removeTempRoot(root))

  describe('options', () => {
    it('a cwd that is not an absolute path string throws a TypeError naming it', () => {
      for (const cwd of ['relative/dir', '', 42, {}, '/a\0b', null])
        expect(() => makeNodePathIO({ cwd } as never)).to.throw(TypeError, /cwd/)
    })

    it('a bad timeout throws a TypeError naming it; a good one still gives working records', async () => {
      for (const timeout of [0, -1, NaN, '5'])
        expect(() => makeNodePathIO({ cwd: root, timeout } as never)).to.throw(TypeError, /timeout/)
      const timed = makeNodePathIO({ cwd: root, timeout: 5000 })
      await writeFile(timed, 'f', 'in time')
      expect(await readFile(timed, 'f')).to.equal('in time')
    })

    it('resolves relative paths against process.cwd() by default', async () => {
      fs.writeFileSync(path.join(root, 'here'), 'x')
      const relative = path.relative(process.cwd(), path.join(root, 'here'))
      expect(await expectRight(makeNodePathIO().isFile(relative))).to.equal(true)
    })

    it('has no state', () => {
      expect(io.state).to.equal(undefined)
    })
  })

  describe('handles', () => {
    it('any two Node records share handles, whatever their cwd', async () => {
      await writeFile(io, 'f', 'shared')
      const elsewhere = makeNodePathIO({ cwd: '/' })
      const h = await expectRight(io.open('f', 'rb'))
      expect(text(await expectRight(elsewhere.read(h, 3)))).to.equal('sha')
      expect(text(await expectRight(io.read(h)))).to.equal('red')
      await expectRight(elsewhere.close(h))
      await expectLeft(io.read(h), 'BadHandle', 'read')
    })

    it('a handle of a memory record is BadHandle here, and the reverse', async () => {
      const memory = makeMemoryPathIO()
      await writeFile(memory, '/m', 'memory')
      const foreign = await expectRight(memory.open('/m', 'rb'))
      await expectLeft(io.read(foreign), 'BadHandle', 'read')
      await expectLeft(io.close(foreign), 'BadHandle', 'close')
      await writeFile(io, 'f', 'disk')
      const ours = await expectRight(io.open('f', 'rb'))
      await expectLeft(memory.read(ours), 'BadHandle', 'read')
      await expectRight(io.close(ours))
      await expectRight(memory.close(foreign))
    })

    it('reads what another handle appended after this one was opened', async () => {
      await writeFile(io, 'f', '')
      const reader = await expectRight(io.open('f', 'rb'))
      const writer = await expectRight(io.open('f', 'ab'))
      await expectRight(io.write(writer, bytes('late')))
      expect(text(await expectRight(io.read(reader, 10)))).to.equal('late')
      await expectRight(io.close(writer))
      await expectRight(io.close(reader))
    })
  })

  describe('allocation', () => {
    // Small reads are cut from a shared 256 KiB slab (as Node's Buffer pool does); large ones own their memory.
    const SLAB = 256 * 1024

    it('read(h, 2 ** 40) of a large file allocates the file size, not more', async () => {
      const size = 300 * 1024 + 7
      await writeFile(io, 'f', Buffer.alloc(size, 3))
      const h = await expectRight(io.open('f', 'rb'))
      const data = await expectRight(io.read(h, 2 ** 40))
      expect(data.length).to.equal(size)
      expect(data.buffer.byteLength).to.equal(size)
      await expectRight(io.close(h))
    })

    it('read(h, 2 ** 40) of 10 bytes takes 10 bytes of a slab, not 2 ** 40', async () => {
      await writeFile(io, 'f', '0123456789')
      const h = await expectRight(io.open('f', 'rb'))
      const data = await expectRight(io.read(h, 2 ** 40))
      expect(data.length).to.equal(10)
      expect(data.buffer.byteLength).to.be.at.most(SLAB)
      await expectRight(io.close(h))
    })

    it('block reads give exactly the block, the last one only what is left, each with bytes of its own', async () => {
      await writeFile(io, 'f', Buffer.alloc(8192 * 3 + 100, 7))
      const h = await expectRight(io.open('f', 'rb'))
      const blocks: Array<Uint8Array> = []
      for (;;) {
        const block = await expectRight(io.read(h, 8192))
        if (block.length === 0) break
        blocks.push(block)
      }
      expect(blocks.map((b) => b.length)).to.deep.equal([8192, 8192, 8192, 100])
      // Writing into one block must not show in another (no shared bytes).
      blocks[0].fill(1)
      expect(blocks.slice(1).every((b) => b.every((x) => x === 7))).to.equal(true)
      expect(blocks.every((b) => b.buffer.byteLength <= SLAB)).to.equal(true)
      await expectRight(io.close(h))
    })

    it('write sends the caller bytes as they are and leaves them untouched', async () => {
      const data = bytes('keep me')
      const h = await expectRight(io.open('f', 'wb'))
      expect(await expectRight(io.write(h, data))).to.equal(7)
      await expectRight(io.close(h))
      expect(text(data)).to.equal('keep me')
      expect(fs.readFileSync(path.join(root, 'f'), 'utf8')).to.equal('keep me')
    })
  })

  describe('errors', () => {
    it('keep the errno code and the original error as cause', async () => {
      const error = await expectLeft(io.stat('missing'), 'NotFound', 'stat')
      expect(error.code).to.equal('ENOENT')
      expect(error.path).to.equal('missing')
      expect((error.cause as NodeJS.ErrnoException).syscall).to.equal('stat')
    })

    it('a permission refused by the disk is PermissionDenied', async function () {
      if (process.getuid?.() === 0) return this.skip() // root reads everything
      fs.writeFileSync(path.join(root, 'secret'), 'x')
      fs.chmodSync(path.join(root, 'secret'), 0)
      await expectLeft(io.open('secret', 'rb'), 'PermissionDenied', 'open')
    })
  })

  describe('symbolic links (only a disk has them)', () => {
    it('stat, isFile and open follow a link; scan shows a link by what it points at', async () => {
      await writeFile(io, 'target', 'pointed at')
      fs.symlinkSync('target', path.join(root, 'link'))
      expect((await expectRight(io.stat('link'))).mode & S_IFMT).to.equal(S_IFREG)
      expect(await expectRight(io.isFile('link'))).to.equal(true)
      expect(await readFile(io, 'link')).to.equal('pointed at')
      const entry = (await expectRight(io.scan('.'))).find((e) => e.name === 'link')
      expect((entry?.stat.mode ?? 0) & S_IFMT).to.equal(S_IFREG)
    })

    it('a dangling link does not exist, yet scan lists it (as a link) rather than hide it', async () => {
      fs.symlinkSync('nowhere', path.join(root, 'dangling'))
      expect(await expectRight(io.exists('dangling'))).to.equal(false)
      await expectLeft(io.stat('dangling'), 'NotFound', 'stat')
      const entries = await expectRight(io.scan('.'))
      expect(entries.map((e) => [e.name, e.stat.mode & S_IFMT])).to.deep.equal([['dangling', S_IFLNK]])
      // ... and it can be removed like the file it is.
      await expectRight(io.unlink('dangling'))
      expect(await expectRight(io.list('.'))).to.deep.equal([])
    })

    it('a link loop is InvalidArgument (ELOOP), not a hang', async () => {
      fs.symlinkSync('loop', path.join(root, 'loop'))
      await expectLeft(io.stat('loop'), 'InvalidArgument', 'stat')
      await expectLeft(io.exists('loop'), 'InvalidArgument', 'exists')
    })
  })

  describe('descriptors', () => {
    it('opening and closing 10,000 handles leaves the process with the descriptors it had', async () => {
      await writeFile(io, 'f', 'x')
      await expectRight(io.mkdir('d'))
      const before = openFileDescriptors()
      for (let i = 0; i < 10_000; i++) {
        const h = await expectRight(io.open('f', i % 2 === 0 ? 'rb' : 'ab'))
        if (i % 1000 === 0) await expectLeft(io.open('d', 'rb'), 'IsADirectory', 'open') // opened, then refused: closed too
        await expectRight(io.close(h))
      }
      expect(openFileDescriptors()).to.equal(before)
    })
  })
})
