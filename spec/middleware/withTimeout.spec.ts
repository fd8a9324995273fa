import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { makeMemoryPathIO, withTimeout, type FileHandle, type PathIO } from '../../lib'
import { expectLeft, expectRight } from '../contract/helpers'

/** A promise and the function that settles it: lets a test decide when a slow operation finishes. */
const gate = (): { readonly opened: Promise<void>; readonly release: () => void } => {
  let release = (): void => undefined
  const opened = new Promise<void>((resolve) => (release = resolve))
  return { opened, release }
}

/** A memory record whose `open` waits for `until` and whose `close` calls are recorded. */
const slowOpen = (until: Promise<void>) => {
  const memory = makeMemoryPathIO()
  const closed: Array<FileHandle> = []
  let whenClosed = (): void => undefined
  const aClose = new Promise<void>((resolve) => (whenClosed = resolve))
  const pathio: PathIO<unknown> = {
    ...memory,
    open: (path, mode) => () => until.then(() => memory.open(path, mode)()),
    close: (file) => () => {
      closed.push(file)
      whenClosed()
      return memory.close(file)()
    }
  }
  return { pathio, memory, closed, aClose }
}

describe('withTimeout', () => {
  it('an operation still running after the limit is Left Timeout, naming op and path', async () => {
    const { opened, release } = gate()
    const slow = slowOpen(opened)
    const error = await expectLeft(withTimeout(5)(slow.pathio).open('/f', 'wb'), 'Timeout', 'open')
    expect(error.path).to.equal('/f')
    release()
  })

  it('closes a handle that open returns after its timeout fired, exactly once', async () => {
    const { opened, release } = gate()
    const slow = slowOpen(opened)
    await expectLeft(withTimeout(5)(slow.pathio).open('/late', 'wb'), 'Timeout', 'open')
    expect(slow.closed).to.have.length(0)
    release()
    await slow.aClose
    expect(slow.closed).to.have.length(1)
    // The late handle really is closed in the backend: any use of it now is BadHandle.
    await expectLeft(slow.memory.write(slow.closed[0], Buffer.from('x')), 'BadHandle')
    // The file was created by the late open (an operation cannot be cancelled), and nothing else happened.
    expect(await expectRight(slow.memory.list('/'))).to.deep.equal(['/late'])
    expect(slow.closed).to.have.length(1)
  })

  it('passes results and Lefts through when in time', async () => {
    const io = withTimeout(10_000)(makeMemoryPathIO())
    await expectRight(io.mkdir('/d'))
    expect(await expectRight(io.list('/'))).to.deep.equal(['/d'])
    await expectLeft(io.rmdir('/missing'), 'NotFound', 'rmdir')
    expect(io.state).to.have.property('_tag', 'MemoryTree')
  })

  it('a wrapped operation that throws or rejects is a Left, never a rejection', async () => {
    const memory = makeMemoryPathIO()
    const broken: PathIO<unknown> = {
      ...memory,
      stat: () => {
        throw Object.assign(new Error('boom'), { code: 'EACCES' })
      },
      list: () => () => Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' }))
    }
    const io = withTimeout(10_000)(broken)
    const thrown = await expectLeft(io.stat('/x'), 'PermissionDenied', 'stat')
    expect(thrown.cause).to.be.instanceOf(Error)
    await expectLeft(io.list('/x'), 'NotFound', 'list')
  })

  it('does not open a handle a caller would never see when open fails late', async () => {
    const { opened, release } = gate()
    const slow = slowOpen(opened)
    await expectLeft(withTimeout(5)(slow.pathio).open('/missing', 'rb'), 'Timeout')
    release()
    // The late Left needs nothing closed: wait for the open to have settled, then check.
    await opened
    await new Promise((resolve) => setImmediate(resolve))
    expect(slow.closed).to.have.length(0)
  })

  it('arms no timer for an operation whose result was computed before the call returned (memory)', async () => {
    // Count the timers withTimeout arms: it looks setTimeout up when it needs one.
    const LIMIT = 60_001
    const real = globalThis.setTimeout
    let armed = 0
    // Only timers of this test's limit count (the helpers arm their own watchdogs).
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      if (args[1] === LIMIT) armed++
      return real(...args)
    }) as typeof setTimeout
    try {
      const io = withTimeout(LIMIT)(makeMemoryPathIO())
      await expectRight(io.mkdir('/d'))
      await expectRight(io.stat('/d'))
      expect(armed).to.equal(0)
      // A slow operation under another withTimeout still gets its deadline.
      const { opened, release } = gate()
      const waiting = withTimeout(LIMIT)(slowOpen(opened).pathio).open('/f', 'wb')()
      expect(armed).to.equal(1)
      release()
      expect(E.isRight(await waiting)).to.equal(true)
    } finally {
      globalThis.setTimeout = real
    }
  })

  it('a bad limit is a TypeError at once, naming the option', () => {
    for (const bad of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5', undefined]) {
      expect(() => withTimeout(bad as number), String(bad)).to.throw(TypeError, /timeout/)
    }
  })
})
