import { expect } from 'chai'
import { isPathIOError, makeMemoryPathIO, pathIOError, withFaults, iterByBlock, type PathIO } from '../../lib'
import { writeFile } from '../contract/helpers'
import { countHandles } from '../contract/stacks'

const bytesOf = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256))

const collect = async (blocks: AsyncIterable<Uint8Array>): Promise<Array<Uint8Array>> => {
  const out: Array<Uint8Array> = []
  for await (const block of blocks) out.push(block)
  return out
}

describe('iterByBlock', () => {
  it('yields blocks of 8192 bytes by default, the rest last, and closes the handle', async () => {
    const counted = countHandles(makeMemoryPathIO())
    const data = bytesOf(8192 * 2 + 1000)
    await writeFile(counted.pathio, '/f', data)
    const blocks = await collect(iterByBlock(counted.pathio, '/f'))
    expect(blocks.map((b) => b.length)).to.deep.equal([8192, 8192, 1000])
    expect(Buffer.concat(blocks).equals(data)).to.equal(true)
    expect(counted.openHandles()).to.equal(0)
  })

  it('takes a block size, and an empty file gives no block', async () => {
    const io = makeMemoryPathIO()
    await writeFile(io, '/f', bytesOf(10))
    await writeFile(io, '/empty', '')
    expect((await collect(iterByBlock(io, '/f', 4))).map((b) => b.length)).to.deep.equal([4, 4, 2])
    expect(await collect(iterByBlock(io, '/empty'))).to.deep.equal([])
  })

  it('closes the handle when the loop ends early', async () => {
    const memory = makeMemoryPathIO()
    await writeFile(memory, '/f', bytesOf(100_000))
    const counted = countHandles(memory)
    let seen = 0
    for await (const block of iterByBlock(counted.pathio, '/f')) {
      seen += block.length
      if (seen >= 8192) break
    }
    expect(seen).to.equal(8192)
    expect(counted.opens()).to.equal(1)
    expect(counted.openHandles()).to.equal(0)
    // A throw in the loop body closes it too.
    const thrown = await (async () => {
      for await (const _ of iterByBlock(counted.pathio, '/f')) throw new Error('consumer failed')
    })().catch((e: Error) => e.message)
    expect(thrown).to.equal('consumer failed')
    expect(counted.opens()).to.equal(2)
    expect(counted.openHandles()).to.equal(0)
  })

  it('throws a failed read as the PathIOError itself, and closes the handle', async () => {
    const counted = countHandles(makeMemoryPathIO())
    await writeFile(counted.pathio, '/f', bytesOf(50_000))
    const io = withFaults({ seed: 1, rate: 1, ops: ['read'], reasons: ['Busy'] })(counted.pathio)
    const error = await collect(iterByBlock(io, '/f')).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(isPathIOError(error) && error.reason).to.equal('Busy')
    expect(counted.openHandles()).to.equal(0)
  })

  it('throws NotFound for a missing file, InvalidArgument for a bad block size', async () => {
    const io = makeMemoryPathIO()
    await writeFile(io, '/f', 'x')
    const reasonOf = (blocks: AsyncIterable<Uint8Array>) =>
      collect(blocks).then(
        () => 'no error',
        (e: unknown) => (isPathIOError(e) ? e.reason : 'not a PathIOError')
      )
    expect(await reasonOf(iterByBlock(io, '/missing'))).to.equal('NotFound')
    for (const bad of [0, -1, 1.5, Number.NaN, '8192'])
      expect(await reasonOf(iterByBlock(io, '/f', bad as number)), String(bad)).to.equal('InvalidArgument')
  })

  it('throws a failed close after the last block', async () => {
    const memory = makeMemoryPathIO()
    await writeFile(memory, '/f', 'abc')
    const io: PathIO<unknown> = {
      ...memory,
      close: (h) => () =>
        memory
          .close(h)()
          .then(() => ({ _tag: 'Left', left: pathIOError('NoSpace', 'close') }) as const)
    }
    const error = await collect(iterByBlock(io, '/f')).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(isPathIOError(error) && error.op).to.equal('close')
  })
})
