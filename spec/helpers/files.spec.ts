import { expect } from 'chai'
import { makeMemoryPathIO, readFile, withFaults, wrapOperations, writeFile, type PathIO } from '../../lib'
import * as contract from '../contract/helpers'
import { expectLeft, expectRight, sorted } from '../contract/helpers'
import { countHandles } from '../contract/stacks'

const text = (u: Uint8Array): string => Buffer.from(u).toString('utf8')

/**
 * A record whose `write` takes at most 3 bytes per call (a short write, as a
 * socket or a full disk may do) and, before each, has a reader look at `watched`.
 */
const slowWriter = (memory: PathIO<unknown>, watched: string, seen: Array<string>): PathIO<unknown> =>
  wrapOperations((op, args, next) =>
    op !== 'write'
      ? next(...args)
      : async () => {
          seen.push(await contract.readFile(memory, watched))
          return next(...([args[0], (args[1] as Uint8Array).subarray(0, 3)] as typeof args))()
        }
  )(memory)

describe('readFile and writeFile', () => {
  let memory: PathIO<unknown>
  beforeEach(async () => {
    memory = makeMemoryPathIO()
    await expectRight(memory.mkdir('/dir'))
  })

  it('round-trip, replace and append', async () => {
    await expectRight(writeFile(memory, '/dir/f', Buffer.from('hello')))
    expect(text(await expectRight(readFile(memory, '/dir/f')))).to.equal('hello')
    await expectRight(writeFile(memory, '/dir/f', Buffer.from('bye')))
    expect(text(await expectRight(readFile(memory, '/dir/f')))).to.equal('bye')
    await expectRight(writeFile(memory, '/dir/f', Buffer.from('!'), { append: true }))
    expect(text(await expectRight(readFile(memory, '/dir/f')))).to.equal('bye!')
    await expectRight(writeFile(memory, '/dir/new', new Uint8Array(0), { append: true }))
    expect((await expectRight(readFile(memory, '/dir/new'))).length).to.equal(0)
  })

  it('write all the data through short writes, and close every handle', async () => {
    const counted = countHandles(memory)
    const seen: Array<string> = []
    await contract.writeFile(memory, '/dir/f', '')
    await expectRight(writeFile(slowWriter(counted.pathio, '/dir/f', seen), '/dir/f', Buffer.from('0123456789')))
    expect(text(await expectRight(readFile(counted.pathio, '/dir/f')))).to.equal('0123456789')
    expect(seen).to.have.length(4)
    expect(counted.openHandles()).to.equal(0)
  })

  it('atomic: a reader during the write sees the old content or the new, never half', async () => {
    await contract.writeFile(memory, '/dir/motd', 'the old message')
    const seen: Array<string> = []
    await expectRight(
      writeFile(slowWriter(memory, '/dir/motd', seen), '/dir/motd', Buffer.from('a brand new one'), { atomic: true })
    )
    expect(seen.length).to.be.greaterThan(2)
    for (const view of seen) expect(view).to.equal('the old message')
    expect(await contract.readFile(memory, '/dir/motd')).to.equal('a brand new one')
    expect(await expectRight(memory.list('/dir'))).to.deep.equal(['/dir/motd'])
    // The same watch on a plain write does see half a file: the check above can fail.
    const plain: Array<string> = []
    await expectRight(writeFile(slowWriter(memory, '/dir/motd', plain), '/dir/motd', Buffer.from('the old message')))
    expect(plain.some((view) => view !== 'a brand new one' && view !== 'the old message')).to.equal(true)
  })

  it('atomic append copies the old content, then adds', async () => {
    await contract.writeFile(memory, '/dir/log', 'line 1\n')
    await expectRight(writeFile(memory, '/dir/log', Buffer.from('line 2\n'), { atomic: true, append: true }))
    expect(await contract.readFile(memory, '/dir/log')).to.equal('line 1\nline 2\n')
    await expectRight(writeFile(memory, '/dir/fresh', Buffer.from('first'), { atomic: true, append: true }))
    expect(await contract.readFile(memory, '/dir/fresh')).to.equal('first')
    expect(sorted(await expectRight(memory.list('/dir')))).to.deep.equal(['/dir/fresh', '/dir/log'])
  })

  it('a failed atomic write leaves the old content and no temporary file', async () => {
    await contract.writeFile(memory, '/dir/motd', 'the old message')
    const counted = countHandles(memory)
    const faulty = withFaults({ seed: 2, rate: 1, ops: ['write'], reasons: ['NoSpace'] })(counted.pathio)
    const error = await expectLeft(
      writeFile(faulty, '/dir/motd', Buffer.from('new'), { atomic: true }),
      'NoSpace',
      'write'
    )
    expect(await contract.readFile(memory, '/dir/motd')).to.equal('the old message')
    expect(await expectRight(memory.list('/dir'))).to.deep.equal(['/dir/motd'])
    expect(counted.openHandles()).to.equal(0)
    expect(error.message).not.to.contain('.fp-pathio-upload-')
  })

  it('an atomic write onto a directory fails before any temporary file is made, and names the path', async () => {
    await expectRight(memory.mkdir('/dir/sub'))
    const error = await expectLeft(
      writeFile(memory, '/dir/sub', Buffer.from('x'), { atomic: true }),
      'IsADirectory',
      'open'
    )
    expect(error.message).not.to.contain('.fp-pathio-upload-')
    expect(await expectRight(memory.list('/dir'))).to.deep.equal(['/dir/sub'])
    expect(await expectRight(memory.list('/dir/sub'))).to.deep.equal([])
  })

  it('relative paths work atomically too', async () => {
    const io = makeMemoryPathIO({ state: memory.state as never, cwd: '/dir' })
    await expectRight(writeFile(io, 'rel.txt', Buffer.from('relative'), { atomic: true }))
    expect(await contract.readFile(memory, '/dir/rel.txt')).to.equal('relative')
    expect(await expectRight(memory.list('/dir'))).to.deep.equal(['/dir/rel.txt'])
  })

  it('bad input is a Left and creates nothing', async () => {
    await expectLeft(writeFile(memory, '/dir/f', 'text' as unknown as Uint8Array), 'InvalidArgument')
    await expectLeft(writeFile(memory, '/dir/f', 'text' as unknown as Uint8Array, { atomic: true }), 'InvalidArgument')
    await expectLeft(writeFile(memory, 42 as unknown as string, Buffer.from('x'), { atomic: true }), 'InvalidArgument')
    await expectLeft(writeFile(memory, '/dir/a\0b', Buffer.from('x'), { atomic: true }), 'InvalidArgument')
    await expectLeft(readFile(memory, '/dir'), 'IsADirectory', 'open')
    expect(await expectRight(memory.list('/dir'))).to.deep.equal([])
  })
})
