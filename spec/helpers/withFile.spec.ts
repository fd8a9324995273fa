import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { makeMemoryPathIO, pathIOError, withFile, type FileHandle, type PathIO } from '../../lib'
import { expectLeft, expectRight, readFile, run, writeFile } from '../contract/helpers'
import { countHandles } from '../contract/stacks'

describe('withFile', () => {
  it('gives what use gives, and closes the handle', async () => {
    const counted = countHandles(makeMemoryPathIO())
    const io = counted.pathio
    expect(await expectRight(withFile(io, '/f', 'wb', (h) => io.write(h, Buffer.from('hello'))))).to.equal(5)
    expect(counted.opens()).to.equal(1)
    expect(counted.openHandles()).to.equal(0)
    expect(await readFile(io, '/f')).to.equal('hello')
  })

  it('closes when use gives a Left, and gives that Left', async () => {
    const memory = makeMemoryPathIO()
    await writeFile(memory, '/f', 'x')
    const counted = countHandles(memory)
    const io = counted.pathio
    const custom = { kind: 'mine' as const }
    const result = await run(withFile(io, '/f', 'rb', () => TE.left(custom)) as TE.TaskEither<never, unknown>)
    expect(result).to.deep.equal(E.left(custom))
    await expectLeft(
      withFile(io, '/f', 'rb', (h) => io.write(h, Buffer.from('no'))),
      'BadHandle',
      'write'
    )
    expect(counted.opens()).to.equal(2)
    expect(counted.openHandles()).to.equal(0)
  })

  it('closes when use throws or its task rejects: a Left with the original as cause', async () => {
    const counted = countHandles(makeMemoryPathIO())
    const io = counted.pathio
    const boom = new Error('boom')
    const thrown = await expectLeft(
      withFile(io, '/f', 'wb', () => {
        throw boom
      }),
      'Unknown',
      'withFile'
    )
    expect(thrown.cause).to.equal(boom)
    expect(thrown.path).to.equal('/f')
    const rejected = await expectLeft(
      withFile(io, '/f', 'wb', () => () => Promise.reject({ code: 'ENOSPC' })),
      'NoSpace'
    )
    expect(rejected.cause).to.deep.equal({ code: 'ENOSPC' })
    expect(counted.opens()).to.equal(2)
    expect(counted.openHandles()).to.equal(0)
  })

  it('does not call use when open fails', async () => {
    let called = false
    const io = makeMemoryPathIO()
    await expectLeft(
      withFile(io, '/missing', 'rb', () => {
        called = true
        return TE.right(1)
      }),
      'NotFound',
      'open'
    )
    expect(called).to.equal(false)
  })

  it("reports a failed close after a success; use's error wins over a failed close", async () => {
    const memory = makeMemoryPathIO()
    const closed: Array<FileHandle> = []
    const failingClose: PathIO<unknown> = {
      ...memory,
      close: (h) => () => {
        closed.push(h)
        return memory
          .close(h)()
          .then(() => E.left(pathIOError('NoSpace', 'close', { code: 'ENOSPC' })))
      }
    }
    await expectLeft(
      withFile(failingClose, '/f', 'wb', () => TE.right('done')),
      'NoSpace',
      'close'
    )
    await expectLeft(
      withFile(failingClose, '/f', 'rb', (h) => failingClose.write(h, Buffer.from('x'))),
      'BadHandle',
      'write'
    )
    expect(closed).to.have.length(2)
  })
})
