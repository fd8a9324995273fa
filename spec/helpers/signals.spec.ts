/**
 * `{ signal }` on every looping helper (iterByBlock, entries, readFile,
 * writeFile, toReadable, toWritable): each stops between two steps once the
 * signal aborts, closes what it opened and reports `Cancelled`, on every
 * backend.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { pipeline } from 'node:stream/promises'
import { Readable, Writable } from 'node:stream'
import {
  entries,
  iterByBlock,
  makeMemoryPathIO,
  makeNodePathIO,
  makePoolPathIO,
  makeWorkerPool,
  readFile,
  toReadable,
  toWritable,
  wrapOperations,
  writeFile,
  type PathIO,
  type WorkerPool
} from '../../lib'
import { makeTempRoot, removeTempRoot } from '../contract/diskBackends'
import { countHandles } from '../contract/stacks'
import { expectLeft, expectRight, readFile as readText } from '../contract/helpers'

const MiB = 2 ** 20

/** Counts `op` calls on `pathio`, and aborts `controller` when the `at`-th one has answered. */
const abortAfter = (pathio: PathIO<unknown>, op: string, at: number, controller: AbortController) => {
  let calls = 0
  let afterAbort = 0
  const watched = wrapOperations((name, args, next) =>
    name === op
      ? async () => {
          if (controller.signal.aborted) afterAbort++
          const result = await next(...args)()
          if (++calls === at) controller.abort()
          return result
        }
      : next(...args)
  )(pathio)
  return { pathio: watched, calls: () => calls, afterAbort: () => afterAbort }
}

const thrownBy = async (body: () => Promise<unknown>): Promise<unknown> => {
  try {
    await body()
  } catch (error) {
    return error
  }
  return expect.fail('expected a throw')
}

describe('helpers: { signal } stops every loop, closes what it opened, reports Cancelled', function () {
  this.timeout(120_000)
  let root: string
  let pool: WorkerPool
  const backends: Array<readonly [string, () => PathIO<unknown>]> = []

  before(() => {
    root = makeTempRoot('signals')
    pool = makeWorkerPool({ size: 2 })
    const memory = makeMemoryPathIO({ cwd: '/' })
    backends.push(
      ['memory', () => memory],
      ['node', () => makeNodePathIO({ cwd: root })],
      ['pool', () => makePoolPathIO({ cwd: root, state: pool })]
    )
  })
  after(async () => {
    await pool.close()
    removeTempRoot(root)
  })

  for (const name of ['memory', 'node', 'pool'] as const) {
    const io = (): PathIO<unknown> =>
      (backends.find(([n]) => n === name) as readonly [string, () => PathIO<unknown>])[1]()
    describe(name, () => {
      it('readFile of 64 MiB aborted in the middle gives Left Cancelled, reads no further block, and leaves no handle open', async () => {
        await expectRight(writeFile(io(), 'big.bin', Buffer.alloc(64 * MiB, 9)))
        const controller = new AbortController()
        const counted = countHandles(io())
        const watched = abortAfter(counted.pathio, 'read', 3, controller)
        const result = await readFile(watched.pathio, 'big.bin', { signal: controller.signal })()
        expect(E.isLeft(result) && result.left.reason).to.equal('Cancelled')
        expect(watched.calls()).to.equal(3)
        expect(watched.afterAbort(), 'reads after the abort').to.equal(0)
        expect(counted.openHandles()).to.equal(0)
        // Without an abort the same call reads it all.
        const whole = await expectRight(readFile(io(), 'big.bin', { signal: new AbortController().signal }))
        expect(whole.length).to.equal(64 * MiB)
        expect(whole[64 * MiB - 1]).to.equal(9)
      })

      it('writeFile, atomic, aborted in the middle: Cancelled, the old content stays, no temporary file, no handle', async () => {
        await expectRight(writeFile(io(), 'keep.txt', Buffer.from('old')))
        const controller = new AbortController()
        const counted = countHandles(io())
        const watched = abortAfter(counted.pathio, 'write', 2, controller)
        const result = await writeFile(watched.pathio, 'keep.txt', Buffer.alloc(8 * MiB, 1), {
          atomic: true,
          signal: controller.signal
        })()
        expect(E.isLeft(result) && result.left.reason).to.equal('Cancelled')
        expect(watched.afterAbort()).to.equal(0)
        expect(counted.openHandles()).to.equal(0)
        expect(await readText(io(), 'keep.txt')).to.equal('old')
        expect((await expectRight(io().list('.'))).filter((path) => path.includes('.tmp'))).to.deep.equal([])
      })

      it('iterByBlock stops before its next read, closes the file and throws Cancelled', async () => {
        await expectRight(writeFile(io(), 'blocks.bin', Buffer.alloc(100_000, 2)))
        const controller = new AbortController()
        const counted = countHandles(io())
        let blocks = 0
        const thrown = await thrownBy(async () => {
          for await (const _ of iterByBlock(counted.pathio, 'blocks.bin', 8192, { signal: controller.signal }))
            if (++blocks === 2) controller.abort()
        })
        expect((thrown as { reason?: unknown }).reason).to.equal('Cancelled')
        expect(blocks).to.equal(2)
        expect(counted.openHandles()).to.equal(0)
      })

      it('toReadable is destroyed with Cancelled once its signal aborts, and closes its file', async () => {
        await expectRight(writeFile(io(), 'stream.bin', Buffer.alloc(4 * MiB, 3)))
        const controller = new AbortController()
        const counted = countHandles(io())
        let received = 0
        const sink = new Writable({
          highWaterMark: 1,
          write: (chunk: Buffer, _encoding, callback) => {
            received += chunk.length
            if (received >= MiB) controller.abort()
            setImmediate(callback)
          }
        })
        const thrown = await thrownBy(() =>
          pipeline(toReadable(counted.pathio, 'stream.bin', { signal: controller.signal }), sink)
        )
        expect((thrown as { reason?: unknown }).reason).to.equal('Cancelled')
        expect(received).to.be.below(4 * MiB)
        expect(counted.openHandles()).to.equal(0)
      })

      it('toWritable is destroyed with Cancelled once its signal aborts, and closes its file', async () => {
        const controller = new AbortController()
        const counted = countHandles(io())
        let sent = 0
        const source = new Readable({
          read() {
            sent++
            if (sent === 5) controller.abort()
            this.push(sent > 1000 ? null : Buffer.alloc(65536, 4))
          }
        })
        const thrown = await thrownBy(() =>
          pipeline(source, toWritable(counted.pathio, 'upload.bin', { signal: controller.signal }))
        )
        expect((thrown as { reason?: unknown }).reason).to.equal('Cancelled')
        expect(sent).to.be.below(1000)
        expect(counted.openHandles()).to.equal(0)
      })

      it('a signal aborted already: nothing is opened; a value that is not a signal is InvalidArgument', async () => {
        const controller = new AbortController()
        controller.abort()
        const counted = countHandles(io())
        const { signal } = controller
        await expectLeft(readFile(counted.pathio, 'big.bin', { signal }), 'Cancelled')
        await expectLeft(writeFile(counted.pathio, 'x', Buffer.from('x'), { signal }), 'Cancelled')
        for (const iterable of [
          iterByBlock(counted.pathio, 'big.bin', 8192, { signal }),
          entries(counted.pathio, '.', { signal })
        ]) {
          const thrown = await thrownBy(async () => {
            for await (const _ of iterable as AsyncIterable<unknown>) expect.fail('nothing expected')
          })
          expect((thrown as { reason?: unknown }).reason).to.equal('Cancelled')
        }
        expect(counted.opens()).to.equal(0)
        await expectLeft(readFile(io(), 'big.bin', { signal: 42 as never }), 'InvalidArgument')
        await expectLeft(writeFile(io(), 'x', Buffer.from('x'), { signal: {} as never }), 'InvalidArgument')
        const bad = await thrownBy(() =>
          pipeline(
            toReadable(io(), 'big.bin', { signal: 'no' as never }),
            new Writable({ write: (_c, _e, cb) => cb() })
          )
        )
        expect((bad as { reason?: unknown }).reason).to.equal('InvalidArgument')
      })
    })
  }
})
