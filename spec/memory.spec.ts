import { expect } from 'chai'
import { makeMemoryPathIO, makeMemoryTree, type MemoryTree, type PathIO } from '../lib'
import { makeMemoryBackend, memoryBackend } from './contract/backends'
import { expectLeft, expectRight, readFile, writeFile } from './contract/helpers'
import { runContract } from './contract/suite'

runContract(memoryBackend)
runContract(makeMemoryBackend('/srv/ftp'))

describe('memory backend only', () => {
  describe('factory options', () => {
    const throwsNaming = (options: unknown, option: string): void => {
      expect(() => makeMemoryPathIO(options as never))
        .to.throw(TypeError)
        .with.property('message')
        .that.includes(option)
    }

    it('a relative or non-string cwd is a TypeError naming cwd', () => {
      throwsNaming({ cwd: 'relative' }, 'cwd')
      throwsNaming({ cwd: 42 }, 'cwd')
      throwsNaming({ cwd: '' }, 'cwd')
      throwsNaming({ cwd: '/a\0' }, 'cwd')
      throwsNaming({ cwd: null }, 'cwd')
    })

    it('a maxFileSize that is not an integer within the largest Buffer is a TypeError naming it', () => {
      throwsNaming({ maxFileSize: -1 }, 'maxFileSize')
      throwsNaming({ maxFileSize: 1.5 }, 'maxFileSize')
      throwsNaming({ maxFileSize: '10' }, 'maxFileSize')
      throwsNaming({ maxFileSize: 2 ** 53 }, 'maxFileSize')
    })

    it('a state that is not a memory tree is a TypeError naming state', () => {
      throwsNaming({ state: {} }, 'state')
      throwsNaming({ state: { _tag: 'MemoryTree' } }, 'state')
      throwsNaming({ state: 42 }, 'state')
    })

    it('a timeout that is not a positive number is a TypeError naming timeout', () => {
      throwsNaming({ timeout: -1 }, 'timeout')
      throwsNaming({ timeout: 0 }, 'timeout')
      throwsNaming({ timeout: NaN }, 'timeout')
      throwsNaming({ timeout: '100' }, 'timeout')
    })

    it('a context that is not an object is a TypeError', () => {
      expect(() => makeMemoryPathIO(42 as never)).to.throw(TypeError)
    })

    it('no options, null options and a valid timeout all give a working record', async () => {
      for (const io of [makeMemoryPathIO(), makeMemoryPathIO(null as never), makeMemoryPathIO({ timeout: 10_000 })]) {
        await writeFile(io, '/f', 'x')
        expect(await readFile(io, 'f')).to.equal('x')
      }
    })

    it('cwd resolves relative paths, and is normalised', async () => {
      const tree = makeMemoryTree()
      const io = makeMemoryPathIO({ state: tree, cwd: '/home//user/' })
      await expectRight(io.mkdir('/home/user', { parents: true }))
      await writeFile(io, 'notes', 'n')
      expect(await readFile(makeMemoryPathIO({ state: tree }), '/home/user/notes')).to.equal('n')
      expect(await expectRight(io.list('.'))).to.deep.equal(['./notes'])
    })
  })

  describe('state', () => {
    it('is the tree, shared by every record given it', async () => {
      const first = makeMemoryPathIO()
      const tree: MemoryTree = first.state
      expect(tree._tag).to.equal('MemoryTree')
      const second: PathIO<MemoryTree> = makeMemoryPathIO({ state: tree })
      expect(second.state).to.equal(tree)
      await writeFile(first, '/shared', 'one')
      expect(await readFile(second, '/shared')).to.equal('one')
      await expectRight(second.unlink('/shared'))
      expect(await expectRight(first.exists('/shared'))).to.equal(false)
      const other = makeMemoryPathIO()
      expect(await expectRight(other.list('/'))).to.deep.equal([])
    })

    it('is the same tree through a factory timeout', async () => {
      const tree = makeMemoryTree()
      const timed = makeMemoryPathIO({ state: tree, timeout: 10_000 })
      expect(timed.state).to.equal(tree)
    })
  })

  describe('errors', () => {
    it('carry the errno code the kernel would give', async () => {
      const io = makeMemoryPathIO()
      await writeFile(io, '/f', 'x')
      await expectRight(io.mkdir('/d/e', { parents: true }))
      const cases = [
        [io.stat('/missing'), 'ENOENT'],
        [io.mkdir('/f'), 'EEXIST'],
        [io.stat('/f/x'), 'ENOTDIR'],
        [io.unlink('/d'), 'EISDIR'],
        [io.rmdir('/d'), 'ENOTEMPTY'],
        [io.read({} as never), 'EBADF']
      ] as const
      for (const [te, code] of cases) {
        const result = await te()
        expect(result._tag).to.equal('Left')
        if (result._tag === 'Left') expect(result.left.code).to.equal(code)
      }
    })

    it('the root cannot be removed or renamed: Busy', async () => {
      const io = makeMemoryPathIO()
      await expectRight(io.mkdir('/d'))
      expect((await expectLeft(io.rmdir('/'), 'Busy', 'rmdir')).code).to.equal('EBUSY')
      await expectLeft(io.rmdir('/..'), 'Busy', 'rmdir')
      await expectLeft(io.rename('/', '/x'), 'Busy', 'rename')
      await expectLeft(io.rename('/d', '/'), 'Busy', 'rename')
      await expectLeft(io.unlink('/'), 'IsADirectory', 'unlink')
      expect(await expectRight(io.isDir('/d'))).to.equal(true)
    })
  })

  describe('file size limit', () => {
    it('a write past maxFileSize is NoSpace (EFBIG) and changes nothing', async () => {
      const io = makeMemoryPathIO({ maxFileSize: 16 })
      await writeFile(io, '/f', '0123456789')
      const h = await expectRight(io.open('/f', 'r+b'))
      await expectRight(io.seek(h, 10))
      const error = await expectLeft(io.write(h, Buffer.alloc(7)), 'NoSpace')
      expect(error.code).to.equal('EFBIG')
      expect(await expectRight(io.write(h, Buffer.alloc(6, 65)))).to.equal(6)
      await expectRight(io.close(h))
      expect(await readFile(io, '/f')).to.equal('0123456789AAAAAA')
    })

    it('a write far past the end (2 ** 40) is NoSpace by default, not a crash or an 8 GiB allocation', async () => {
      const io = makeMemoryPathIO()
      await writeFile(io, '/f', 'x')
      const h = await expectRight(io.open('/f', 'r+b'))
      await expectRight(io.seek(h, 2 ** 40))
      await expectLeft(io.write(h, Buffer.from('y')), 'NoSpace')
      await expectRight(io.close(h))
      expect((await expectRight(io.stat('/f'))).size).to.equal(1)
    })
  })

  describe('scale', () => {
    it('holds 10,000 files in one directory, and lists and scans them all', async () => {
      const io = makeMemoryPathIO()
      await expectRight(io.mkdir('/big'))
      for (let i = 0; i < 10_000; i++) {
        const h = await expectRight(io.open(`/big/f${i}`, 'wb'))
        await expectRight(io.close(h))
      }
      const listed = await expectRight(io.list('/big'))
      expect(listed).to.have.length(10_000)
      expect(new Set(listed).size).to.equal(10_000)
      expect(listed).to.include('/big/f9999')
      const scanned = await expectRight(io.scan('/big'))
      expect(scanned).to.have.length(10_000)
      expect(scanned.every((entry) => entry.stat.size === 0)).to.equal(true)
    })
  })
})
