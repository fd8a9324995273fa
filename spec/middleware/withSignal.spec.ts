import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  OPERATION_NAMES,
  makeMemoryPathIO,
  makeNodePathIO,
  makePoolPathIO,
  makeWorkerPool,
  withSignal,
  wrapOperations,
  type FileHandle,
  type PathIO
} from '../../lib'
import { makeTempRoot, removeTempRoot } from '../contract/diskBackends'
import { countHandles } from '../contract/stacks'
import { expectLeft, expectRight, run, sleep } from '../contract/helpers'

/** `pathio` whose `ops` answer only when `release()` is called: an operation still running, on demand. */
const held = (pathio: PathIO<unknown>, ops: ReadonlyArray<string>) => {
  const waiting: Array<() => void> = []
  const slow = wrapOperations((op, args, next) =>
    ops.includes(op)
      ? async () => {
          await new Promise<void>((resolve) => waiting.push(resolve))
          return next(...args)()
        }
      : next(...args)
  )(pathio)
  return { pathio: slow, release: () => waiting.splice(0).forEach((go) => go()), waiting: () => waiting.length }
}

describe('withSignal', () => {
  it('a signal that is not an AbortSignal is a TypeError at once, naming the option; so in a factory context', () => {
    for (const bad of [undefined, null, 42, 'signal', {}, { aborted: false }, new AbortController()])
      expect(() => withSignal(bad as never), String(bad)).to.throw(TypeError, /signal/)
    for (const factory of [makeMemoryPathIO, makeNodePathIO, makePoolPathIO] as const)
      expect(() => factory({ signal: 42 as never }), factory.name).to.throw(TypeError, /signal/)
  })

  it('before the abort, every operation runs as the inner record answers it', async () => {
    const controller = new AbortController()
    const io = withSignal(controller.signal)(makeMemoryPathIO())
    await expectRight(io.mkdir('/d'))
    const h = await expectRight(io.open('/d/f', 'wb'))
    expect(await expectRight(io.write(h, Buffer.from('hi')))).to.equal(2)
    await expectRight(io.close(h))
    const dir = await expectRight(io.opendir('/d'))
    expect((await expectRight(io.readdir(dir))).map((entry) => entry.name)).to.deep.equal(['f'])
    await expectRight(io.closedir(dir))
    await expectLeft(io.stat('/missing'), 'NotFound', 'stat')
  })

  it('once aborted, every operation but close and closedir is Cancelled without calling the inner record', async () => {
    const controller = new AbortController()
    const inner = makeMemoryPathIO()
    await expectRight(inner.mkdir('/d'))
    const h = await expectRight(inner.open('/d/f', 'wb'))
    const dir = await expectRight(inner.opendir('/d'))
    const calls: Array<string> = []
    const spied = wrapOperations((op, args, next) => {
      calls.push(op)
      return next(...args)
    })(inner)
    const io = withSignal(controller.signal)(spied)
    controller.abort(new Error('client went away'))
    const args: Record<string, ReadonlyArray<unknown>> = {
      mkdir: ['/e'],
      rename: ['/d/f', '/d/g'],
      open: ['/d/f', 'wb'],
      read: [h],
      write: [h, Buffer.from('x')],
      seek: [h, 0],
      readdir: [dir]
    }
    for (const op of OPERATION_NAMES.filter((name) => name !== 'close' && name !== 'closedir')) {
      const operation = io[op] as unknown as (...xs: ReadonlyArray<unknown>) => Parameters<typeof run>[0]
      const error = await expectLeft(operation(...(args[op] ?? ['/d'])), 'Cancelled', op)
      expect(error.code).to.equal(undefined)
      expect((error.cause as Error).message).to.equal('client went away')
    }
    expect(calls).to.deep.equal([])
    // Freeing still works: nothing opened before the abort need leak.
    await expectRight(io.close(h))
    await expectRight(io.closedir(dir))
    expect(calls).to.deep.equal(['close', 'closedir'])
    await expectLeft(inner.read(h), 'BadHandle')
    await expectLeft(inner.readdir(dir), 'BadHandle')
  })

  it('an operation still running when the signal aborts is Cancelled at once; a late handle or listing is closed', async () => {
    const controller = new AbortController()
    const base = makeMemoryPathIO()
    await expectRight(base.mkdir('/d'))
    const counted = countHandles(base)
    const slow = held(counted.pathio, ['open', 'opendir', 'stat'])
    const io = withSignal(controller.signal)(slow.pathio)
    const opening = run(io.open('/d/f', 'wb'))
    const listing = run(io.opendir('/d'))
    const statting = run(io.stat('/d'))
    await sleep(5)
    expect(slow.waiting()).to.equal(3)
    controller.abort()
    for (const [op, result] of [
      ['open', await opening],
      ['opendir', await listing],
      ['stat', await statting]
    ] as const) {
      expect(E.isLeft(result) && result.left.reason, op).to.equal('Cancelled')
    }
    // The inner operations finish underneath; what they opened is closed, not leaked.
    slow.release()
    await sleep(20)
    expect(counted.opens()).to.equal(1)
    expect(counted.openHandles()).to.equal(0)
    expect(counted.listingsOpened()).to.equal(1)
    expect(counted.openListings()).to.equal(0)
  })

  it('a factory given signal applies it: memory, node and pool records refuse work once it aborts', async () => {
    const root = makeTempRoot('signal')
    const pool = makeWorkerPool({ size: 1 })
    try {
      const controller = new AbortController()
      const records: ReadonlyArray<PathIO<unknown>> = [
        makeMemoryPathIO({ signal: controller.signal }),
        makeNodePathIO({ cwd: root, signal: controller.signal }),
        makePoolPathIO({ cwd: root, state: pool, signal: controller.signal, timeout: 10_000 })
      ]
      for (const io of records) await expectRight(io.stat('/'))
      controller.abort()
      for (const io of records) {
        await expectLeft(io.stat('/'), 'Cancelled', 'stat')
        await expectLeft(io.opendir('/'), 'Cancelled', 'opendir')
      }
    } finally {
      await pool.close()
      removeTempRoot(root)
    }
  })

  it('a pool read still running when the signal aborts is Cancelled at once, and the handle stays usable by close', async () => {
    const root = makeTempRoot('signal-pool')
    const pool = makeWorkerPool({ size: 1 })
    try {
      const controller = new AbortController()
      const plain = makePoolPathIO({ cwd: root, state: pool })
      const h = await expectRight(plain.open('big', 'wb'))
      await expectRight(plain.write(h, Buffer.alloc(8 << 20, 7)))
      await expectRight(plain.close(h))
      const io = makePoolPathIO({ cwd: root, state: pool, signal: controller.signal })
      const reader = await expectRight(io.open('big', 'rb'))
      const reading = run(io.read(reader))
      controller.abort()
      const result = await reading
      expect(E.isLeft(result) && result.left.reason).to.equal('Cancelled')
      await expectRight(io.close(reader as FileHandle))
      await expectLeft(plain.read(reader), 'BadHandle')
    } finally {
      await pool.close()
      removeTempRoot(root)
    }
  })
})
