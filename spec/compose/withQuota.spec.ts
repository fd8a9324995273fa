/**
 * `withQuota`'s own rules (the contract suite runs it, with generous
 * limits, over every backend in spec/compose/contract.spec.ts): limits
 * reached exactly, crossed never, nothing changed by a refusal; what frees
 * space; one walk; a shared counter; other writers.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  makeMemoryPathIO,
  makeQuotaUsage,
  mount,
  remeasure,
  SEEK_SET,
  withQuota,
  wrapOperations,
  type PathIO,
  type QuotaOptions
} from '../../lib'
import { bytes, expectLeft, expectRight, readFile, writeFile } from '../contract/helpers'

/** A memory record whose listings are counted (each walk opens them). */
const counted = () => {
  let opendirs = 0
  const pathio = wrapOperations((op, args, next) => {
    if (op === 'opendir') opendirs++
    return next(...args)
  })(makeMemoryPathIO())
  return { pathio, opendirs: () => opendirs }
}

describe('withQuota', () => {
  let inner: PathIO<unknown>
  const quota = (options: QuotaOptions) => withQuota(options)(inner)

  beforeEach(() => {
    inner = makeMemoryPathIO()
  })

  describe('maxBytes', () => {
    it('allows reaching the limit exactly and refuses a write that would cross it, writing none of its bytes', async () => {
      const io = quota({ maxBytes: 10 })
      const h = await expectRight(io.open('/f', 'wb'))
      expect(await expectRight(io.write(h, bytes('123456')))).to.equal(6)
      const error = await expectLeft(io.write(h, bytes('12345')), 'NoSpace', 'write')
      expect(error.code).to.equal('EDQUOT')
      expect(await expectRight(io.seek(h, 0, 1))).to.equal(6)
      expect(await expectRight(io.write(h, bytes('7890')))).to.equal(4)
      await expectLeft(io.write(h, bytes('x')), 'NoSpace', 'write')
      await expectRight(io.close(h))
      expect(await readFile(io, '/f')).to.equal('1234567890')
    })

    it('keeps what a file held when a write over its bytes would grow it past the limit', async () => {
      const io = quota({ maxBytes: 7 })
      await writeFile(io, '/f', 'abcdef')
      const h = await expectRight(io.open('/f', 'r+b'))
      await expectRight(io.seek(h, 4, SEEK_SET))
      await expectLeft(io.write(h, bytes('WXYZ')), 'NoSpace', 'write')
      expect(await expectRight(io.write(h, bytes('WXY')))).to.equal(3) // two over old bytes, one more: to the limit
      await expectRight(io.close(h))
      expect(await readFile(io, '/f')).to.equal('abcdWXY')
    })

    it('counts holes: a write far past the end, or a truncate that lengthens, counts the whole size', async () => {
      const io = quota({ maxBytes: 100 })
      const h = await expectRight(io.open('/f', 'wb'))
      await expectRight(io.seek(h, 99))
      await expectLeft(io.write(h, bytes('xy')), 'NoSpace', 'write')
      await expectRight(io.write(h, bytes('x')))
      await expectLeft(io.truncate(h, 101), 'NoSpace', 'truncate')
      expect((await expectRight(io.stat('/f'))).size).to.equal(100)
      await expectRight(io.truncate(h, 10))
      await expectRight(io.truncate(h, 100))
      await expectRight(io.close(h))
    })

    it('counts appends at the end, wherever the handle was', async () => {
      const io = quota({ maxBytes: 5 })
      await writeFile(io, '/f', 'abc')
      const h = await expectRight(io.open('/f', 'ab'))
      await expectRight(io.seek(h, 0))
      await expectLeft(io.write(h, bytes('def')), 'NoSpace', 'write')
      await expectRight(io.write(h, bytes('de')))
      await expectRight(io.close(h))
      expect(await readFile(io, '/f')).to.equal('abcde')
    })

    it('frees what wb truncates, unlink removes and a rename replaces', async () => {
      const usage = makeQuotaUsage()
      const io = quota({ maxBytes: 10, usage })
      await writeFile(io, '/a', '12345678')
      await writeFile(io, '/a', '1234')
      expect(usage.bytes).to.equal(4)
      await writeFile(io, '/b', '123456')
      await expectRight(io.unlink('/a'))
      expect(usage).to.include({ bytes: 6, files: 1 })
      await writeFile(io, '/c', '1234')
      await expectRight(io.rename('/c', '/b'))
      expect(usage).to.include({ bytes: 4, files: 1 })
      await expectRight(io.mkdir('/d'))
      await expectRight(io.rename('/b', '/d/b'))
      expect(usage).to.include({ bytes: 4, files: 1 })
      await writeFile(io, '/d/e', '123456')
      expect(usage).to.include({ bytes: 10, files: 2 })
    })
  })

  describe('maxFiles', () => {
    it('allows reaching it; refuses making one more file, making nothing; directories are free', async () => {
      const io = quota({ maxFiles: 2 })
      await writeFile(io, '/a', 'a')
      await writeFile(io, '/b', 'b')
      await expectLeft(io.open('/c', 'wb'), 'NoSpace', 'open')
      await expectLeft(io.open('/c', 'ab'), 'NoSpace', 'open')
      expect(await expectRight(io.exists('/c'))).to.equal(false)
      await writeFile(io, '/a', 'replaced') // no new file
      await expectRight(io.mkdir('/dir/sub', { parents: true }))
      await expectRight(io.unlink('/b'))
      await writeFile(io, '/dir/c', 'c')
    })
  })

  describe('the counter', () => {
    it('is measured once, by a walk, at the first change, not at a lookup', async () => {
      const { pathio, opendirs } = counted()
      await expectRight(pathio.mkdir('/d/e', { parents: true }))
      await writeFile(pathio, '/d/e/old', '1234')
      const usage = makeQuotaUsage()
      const io = withQuota({ maxBytes: 10, usage })(pathio)
      await expectRight(io.list('/d'))
      await expectRight(io.stat('/d/e/old'))
      expect(usage.measured).to.equal(false)
      const walked = opendirs()
      await expectRight(io.mkdir('/x'))
      expect(usage).to.deep.equal({ bytes: 4, files: 1, measured: true })
      expect(opendirs() - walked).to.equal(3) // /, /d, /d/e
      await writeFile(io, '/new', '123456')
      await expectRight(io.unlink('/new'))
      expect(opendirs() - walked).to.equal(3)
    })

    it('is shared by the records given it: every session of a user counts against one quota', async () => {
      const usage = makeQuotaUsage()
      const tree = makeMemoryPathIO().state
      const session = () => withQuota({ maxBytes: 10, usage })(makeMemoryPathIO({ state: tree }))
      const first = session()
      const second = session()
      const a = await expectRight(first.open('/a', 'wb'))
      const b = await expectRight(second.open('/b', 'wb'))
      await expectRight(first.write(a, bytes('123456')))
      await expectLeft(second.write(b, bytes('12345')), 'NoSpace', 'write')
      await expectRight(second.write(b, bytes('1234')))
      for (const [io, h] of [
        [first, a],
        [second, b]
      ] as const)
        await expectRight(io.close(h))
      expect(usage).to.include({ bytes: 10, files: 2 })
    })

    it('lets two writes at once cross the limit together no more than one at a time', async () => {
      const io = quota({ maxBytes: 10 })
      const a = await expectRight(io.open('/a', 'wb'))
      const b = await expectRight(io.open('/b', 'wb'))
      const results = await Promise.all([io.write(a, bytes('123456'))(), io.write(b, bytes('123456'))()])
      expect(results.filter(E.isRight)).to.have.length(1)
      await expectRight(io.close(a))
      await expectRight(io.close(b))
    })

    it('does not see another writer until remeasured', async () => {
      const usage = makeQuotaUsage()
      const io = quota({ maxBytes: 10, usage })
      await writeFile(io, '/mine', '12345')
      await writeFile(inner, '/theirs', '12345') // behind the quota's back
      await writeFile(io, '/more', '12345') // the counter says 5 + 5
      expect(usage.bytes).to.equal(10)
      remeasure(usage)
      expect(usage.measured).to.equal(false)
      await expectRight(io.mkdir('/d'))
      expect(usage).to.include({ bytes: 15, files: 3, measured: true })
      const h = await expectRight(io.open('/mine', 'r+b'))
      await expectLeft(io.truncate(h, 6), 'NoSpace', 'truncate')
      await expectRight(io.close(h))
      await expectRight(inner.unlink('/theirs'))
      await expectRight(inner.unlink('/more'))
      remeasure(usage)
      await writeFile(io, '/next', '12345')
      expect(usage.bytes).to.equal(10)
    })

    it('never counts below zero when another writer removed what it counted', async () => {
      const usage = makeQuotaUsage()
      const io = quota({ maxBytes: 10, usage })
      await writeFile(io, '/f', '12345')
      const h = await expectRight(io.open('/f', 'r+b'))
      await expectRight(inner.unlink('/f'))
      await writeFile(inner, '/f', '1')
      await expectRight(io.unlink('/f'))
      expect(usage.bytes).to.be.at.least(0)
      expect(usage.files).to.be.at.least(0)
      await expectRight(io.close(h))
    })
  })

  it('refuses bad options with a TypeError at once', () => {
    for (const bad of [
      undefined,
      null,
      { maxBytes: -1 },
      { maxBytes: 1.5 },
      { maxFiles: '3' },
      { maxBytes: NaN },
      { usage: {} },
      { usage: { bytes: 0, files: 0 } }
    ])
      expect(() => withQuota(bad as never), JSON.stringify(bad)).to.throw(TypeError)
    expect(() => withQuota({ maxBytes: Infinity, maxFiles: 0 })).to.not.throw()
  })

  it('composes: one quota per mounted folder, or one around the mount for the whole tree', async () => {
    const home = makeMemoryPathIO()
    const shared = makeMemoryPathIO()
    const perFolder = mount({ '/': withQuota({ maxBytes: 4 })(home), '/shared': withQuota({ maxBytes: 4 })(shared) })
    await writeFile(perFolder, '/a', '1234')
    await writeFile(perFolder, '/shared/b', '1234')
    const whole = withQuota({ maxBytes: 10 })(mount({ '/': home, '/shared': shared }))
    await writeFile(whole, '/shared/c', '12')
    const h = await expectRight(whole.open('/d', 'wb'))
    await expectLeft(whole.write(h, bytes('123')), 'NoSpace', 'write')
    await expectRight(whole.close(h))
  })
})
