/**
 * withAtomicWrites: a 'wb' file appears whole at close or not at all, and its
 * temporaries are nobody's to see or touch. The contract suite runs the whole
 * contract under it too (spec/contract/stacks.ts, the session stack).
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  abandonWrite,
  makeMemoryPathIO,
  readFile,
  sweepTemporaries,
  withAtomicWrites,
  writeFile,
  type FileHandle,
  type PathIO
} from '../../lib'

const TEMPORARY = /^\.fp-pathio-upload-[0-9a-f]{16}\.part$/

const text = async (io: PathIO<unknown>, path: string): Promise<string | undefined> => {
  const read = await readFile(io, path)()
  return E.isRight(read) ? Buffer.from(read.right).toString() : undefined
}

const names = async (io: PathIO<unknown>, dir = '/'): Promise<ReadonlyArray<string>> => {
  const listed = await io.scan(dir)()
  return E.isRight(listed) ? listed.right.map((entry) => entry.name).sort() : []
}

const opened = async (io: PathIO<unknown>, path: string): Promise<FileHandle> => {
  const handle = await io.open(path, 'wb')()
  if (E.isLeft(handle)) throw new Error(handle.left.message)
  return handle.right
}

describe('withAtomicWrites', () => {
  let inner: PathIO<unknown>
  let io: PathIO<unknown>
  beforeEach(async () => {
    inner = makeMemoryPathIO()
    io = withAtomicWrites()(inner)
    await writeFile(inner, '/a.txt', Buffer.from('old'))()
  })

  it('a wb file replaces its target only at close; readers see the old content until then', async () => {
    const h = await opened(io, '/a.txt')
    await io.write(h, Buffer.from('new content'))()
    expect(await text(io, '/a.txt')).to.equal('old')
    expect((await names(inner)).filter((name) => TEMPORARY.test(name))).to.have.length(1)
    expect(E.isRight(await io.close(h)())).to.equal(true)
    expect(await text(io, '/a.txt')).to.equal('new content')
    expect(await names(inner)).to.deep.equal(['a.txt'])
  })

  it('an abandoned write leaves the target as it was and no temporary; abandonWrite is false for other handles', async () => {
    const h = await opened(io, '/a.txt')
    await io.write(h, Buffer.from('half'))()
    expect(abandonWrite(h)).to.equal(true)
    expect(E.isRight(await io.close(h)())).to.equal(true)
    expect(await text(io, '/a.txt')).to.equal('old')
    expect(await names(inner)).to.deep.equal(['a.txt'])
    const plain = await inner.open('/a.txt', 'rb')()
    expect(E.isRight(plain) && abandonWrite(plain.right)).to.equal(false)
  })

  it('opening wb fails as it would on the target: a directory, a missing parent, a file in the way', async () => {
    await inner.mkdir('/d')()
    for (const [path, reason] of [
      ['/d', 'IsADirectory'],
      ['/missing/x', 'NotFound'],
      ['/a.txt/x', 'NotADirectory']
    ]) {
      const refused = await io.open(path, 'wb')()
      expect(E.isLeft(refused) && refused.left.reason, path).to.equal(reason)
      expect(E.isLeft(refused) && refused.left.message, path).to.not.match(/fp-pathio-upload/)
    }
    expect(await names(inner)).to.deep.equal(['a.txt', 'd'])
  })

  it('temporaries are hidden from every listing and untouchable by name; such names cannot be made', async () => {
    const h = await opened(io, '/a.txt')
    const temporary = (await names(inner)).find((name) => TEMPORARY.test(name)) as string
    expect(await names(io)).to.deep.equal(['a.txt'])
    expect(await io.list('/')()).to.deep.equal(E.right(['/a.txt']))
    for (const lookup of [io.exists(temporary), io.isFile(temporary)])
      expect(await lookup()).to.deep.equal(E.right(false))
    for (const call of [
      io.stat(temporary),
      io.open(temporary, 'rb'),
      io.unlink(temporary),
      io.rename(temporary, '/x'),
      io.utimes(temporary, 0)
    ]) {
      const refused = await call()
      expect(E.isLeft(refused) && refused.left.reason).to.equal('NotFound')
    }
    for (const call of [
      io.mkdir('/.fp-pathio-upload-0000000000000000.part'),
      io.rename('/a.txt', `/${temporary}`),
      io.open('/.fp-pathio-upload-0000000000000000.part', 'ab')
    ]) {
      const refused = await call()
      expect(E.isLeft(refused) && refused.left.reason).to.equal('InvalidArgument')
    }
    await io.close(h)()
  })

  it('a page of nothing but temporaries does not end a listing', async () => {
    const writing: Array<FileHandle> = []
    for (let i = 0; i < 5; i++) writing.push(await opened(io, `/t${i}`))
    await writeFile(inner, '/z.txt', Buffer.from('z'))()
    const dir = await io.opendir('/')()
    if (E.isLeft(dir)) throw new Error(dir.left.message)
    const seen: Array<string> = []
    for (;;) {
      const page = await io.readdir(dir.right, 1)()
      if (E.isLeft(page) || page.right.length === 0) break
      seen.push(...page.right.map((entry) => entry.name))
    }
    await io.closedir(dir.right)()
    expect(seen.sort()).to.deep.equal(['a.txt', 'z.txt'])
    for (const h of writing) await io.close(h)()
  })

  it('with staleAfterMs, stale temporaries are removed when listed; running writes and fresh ones are kept', async () => {
    const keeper = withAtomicWrites({ staleAfterMs: 1 })(inner)
    const running = await opened(keeper, '/running.txt')
    await writeFile(inner, '/.fp-pathio-upload-00000000000000aa.part', Buffer.from('left by a crash'))()
    await new Promise((later) => setTimeout(later, 5))
    expect(await names(keeper)).to.deep.equal(['a.txt'])
    const left = (await names(inner)).filter((name) => TEMPORARY.test(name))
    expect(left, 'the running write is kept, the stale one removed').to.have.length(1)
    await keeper.close(running)()
    expect(await names(inner)).to.deep.equal(['a.txt', 'running.txt'])
    // Without the option nothing is removed, only hidden.
    await writeFile(inner, '/.fp-pathio-upload-00000000000000bb.part', Buffer.from('x'))()
    await new Promise((later) => setTimeout(later, 5))
    expect(await names(io)).to.deep.equal(['a.txt', 'running.txt'])
    expect(await names(inner)).to.include('.fp-pathio-upload-00000000000000bb.part')
    expect(await sweepTemporaries(inner, '/', { staleAfterMs: 1 })).to.equal(1)
  })

  it('writeFile({ atomic: true }) is the same mechanism: a failure leaves the old content and no temporary', async () => {
    const stored = await writeFile(inner, '/a.txt', Buffer.from('atomic'), { atomic: true })()
    expect(E.isRight(stored)).to.equal(true)
    expect(await text(inner, '/a.txt')).to.equal('atomic')
    expect(await names(inner)).to.deep.equal(['a.txt'])
  })

  it("says a wb file is not visible while it is written (the record's capabilities)", () => {
    expect(inner.capabilities.visibleWhileWriting).to.equal(true)
    expect(io.capabilities.visibleWhileWriting).to.equal(false)
  })
})
