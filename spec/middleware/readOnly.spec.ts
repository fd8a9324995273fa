import { expect } from 'chai'
import { CAPABILITY_FLAGS, makeMemoryPathIO, readOnly, WRITE_CAPABILITIES, type PathIO } from '../../lib'
import { expectLeft, expectRight, readFile, snapshot, writeFile } from '../contract/helpers'

describe('readOnly', () => {
  let inner: PathIO<unknown>
  let io: PathIO<unknown>

  beforeEach(async () => {
    inner = makeMemoryPathIO()
    await expectRight(inner.mkdir('/d'))
    await expectRight(inner.mkdir('/empty'))
    await writeFile(inner, '/d/f', 'content')
    io = readOnly(inner)
  })

  it('refuses every mutating operation with ReadOnly and leaves the tree unchanged', async () => {
    const before = await snapshot(inner, '/')
    const refused = [
      io.mkdir('/new'),
      io.mkdir('/d', { existOk: true }),
      io.rmdir('/empty'),
      io.unlink('/d/f'),
      io.rename('/d/f', '/g'),
      io.open('/d/f', 'wb'),
      io.open('/d/f', 'ab'),
      io.open('/d/f', 'r+b'),
      io.open('/new-file', 'wb'),
      io.utimes('/d/f', 0),
      io.utimes('/d', 0),
      io.chmod('/d/f', 0o600)
    ]
    for (const task of refused) {
      const error = await expectLeft(task, 'ReadOnly')
      expect(error.code).to.equal('EROFS')
    }
    expect(await snapshot(inner, '/')).to.deep.equal(before)
  })

  it('refuses a write even through a handle opened for writing by another record', async () => {
    const h = await expectRight(inner.open('/d/f', 'r+b'))
    await expectLeft(io.write(h, Buffer.from('XX')), 'ReadOnly', 'write')
    await expectLeft(io.truncate(h, 0), 'ReadOnly', 'truncate')
    // Reading, seeking and closing the same handle are not changes.
    expect((await expectRight(io.read(h, 3))).length).to.equal(3)
    expect(await expectRight(io.seek(h, 0))).to.equal(0)
    await expectRight(io.close(h))
    expect(await readFile(inner, '/d/f')).to.equal('content')
  })

  it('lets every read through', async () => {
    expect(await expectRight(io.exists('/d/f'))).to.equal(true)
    expect(await expectRight(io.isDir('/d'))).to.equal(true)
    expect(await expectRight(io.isFile('/d/f'))).to.equal(true)
    expect((await expectRight(io.stat('/d/f'))).size).to.equal(7)
    expect(await expectRight(io.list('/d'))).to.deep.equal(['/d/f'])
    expect((await expectRight(io.scan('/d'))).map((e) => e.name)).to.deep.equal(['f'])
    expect(await expectRight(io.realpath('/d/../d/f'))).to.equal('/d/f')
    expect(await readFile(io, '/d/f')).to.equal('content')
    const h = await expectRight(io.open('/d/f'))
    expect(Buffer.from(await expectRight(io.read(h))).toString()).to.equal('content')
    await expectRight(io.close(h))
  })

  it('keeps the backend errors of reads and of a bad mode', async () => {
    await expectLeft(io.stat('/missing'), 'NotFound', 'stat')
    await expectLeft(io.open('/d/f', 'xb' as 'rb'), 'InvalidArgument', 'open')
  })

  it('declares what it can do: every write flag off, what it shows as the inner record shows it', () => {
    for (const flag of WRITE_CAPABILITIES) expect(io.capabilities[flag], flag).to.equal(false)
    for (const flag of CAPABILITY_FLAGS.filter((f) => !WRITE_CAPABILITIES.includes(f)))
      expect(io.capabilities[flag], flag).to.equal(inner.capabilities[flag])
    expect(io.capabilities.listingOrder).to.equal(inner.capabilities.listingOrder)
    expect(Object.isFrozen(io.capabilities)).to.equal(true)
  })
})
