import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import { makeMemoryPathIO, withFaults, withFile, type FaultOptions, type PathIO } from '../../lib'
import { expectLeft, expectRight, readFile, run, writeFile } from '../contract/helpers'
import { countHandles } from '../contract/stacks'

/** What 200 `exists` calls give: '.' for a Right, the reason for a Left. */
const pattern = async (options: FaultOptions): Promise<Array<string>> => {
  const io = withFaults(options)(makeMemoryPathIO())
  const out: Array<string> = []
  for (let i = 0; i < 200; i++) {
    const result = await run(io.exists('/'))
    out.push(E.isRight(result) ? '.' : result.left.reason)
  }
  return out
}

describe('withFaults', () => {
  it('the same seed gives the same faults, another seed other faults', async () => {
    const first = await pattern({ seed: 7, rate: 0.3 })
    expect(await pattern({ seed: 7, rate: 0.3 })).to.deep.equal(first)
    expect(await pattern({ seed: 8, rate: 0.3 })).not.to.deep.equal(first)
    // About 30 % fail (a wide margin: this is a fixed sequence, not a statistics test).
    const failed = first.filter((r) => r !== '.').length
    expect(failed).to.be.within(30, 90)
  })

  it('draws reasons from the defaults, or only from the given ones', async () => {
    const defaults = new Set((await pattern({ seed: 1, rate: 1 })).filter((r) => r !== '.'))
    expect([...defaults].sort()).to.deep.equal(['Busy', 'NoSpace', 'PermissionDenied', 'Unknown'])
    const given = new Set(await pattern({ seed: 1, rate: 1, reasons: ['Timeout', 'NoSpace'] }))
    expect([...given].sort()).to.deep.equal(['NoSpace', 'Timeout'])
  })

  it('rate 0 never fails, rate 1 always does', async () => {
    expect((await pattern({ seed: 3, rate: 0 })).every((r) => r === '.')).to.equal(true)
    expect((await pattern({ seed: 3, rate: 1 })).every((r) => r !== '.')).to.equal(true)
  })

  it('faults only the given operations, without calling the inner one', async () => {
    const memory = makeMemoryPathIO()
    await writeFile(memory, '/f', 'old')
    const io = withFaults({ seed: 5, rate: 1, ops: ['write'], reasons: ['NoSpace'] })(memory)
    const h = await expectRight(io.open('/f', 'wb'))
    const error = await expectLeft(io.write(h, Buffer.from('new')), 'NoSpace', 'write')
    expect(error.message).to.contain('injected')
    await expectRight(io.close(h))
    // The open (not faulted) truncated; the faulted write wrote nothing.
    expect(await readFile(memory, '/f')).to.equal('')
  })

  it('names the path of a faulted path operation', async () => {
    const io = withFaults({ seed: 5, rate: 1, ops: ['mkdir'] })(makeMemoryPathIO())
    const result = await run(io.mkdir('/pub'))
    expect(E.isLeft(result) && result.left.path).to.equal('/pub')
    expect(await expectRight(io.exists('/pub'))).to.equal(false)
  })

  it('never faults close by default, and a faulted close still closes the inner handle', async () => {
    const counted = countHandles(makeMemoryPathIO())
    const all = withFaults({ seed: 9, rate: 1, ops: ['open', 'close'], reasons: ['Busy'] })
    const byDefault = withFaults({ seed: 9, rate: 1 })(counted.pathio)
    expect(E.isLeft(await run(byDefault.open('/f', 'wb')))).to.equal(true)
    expect(counted.opens()).to.equal(0)
    // Open through the inner record, close through the faulty one: close passes.
    const h1 = await expectRight(counted.pathio.open('/f', 'wb'))
    await expectRight(byDefault.close(h1))
    expect(counted.openHandles()).to.equal(0)
    // With close among the ops: the caller hears the fault, the handle is closed all the same.
    const h2 = await expectRight(counted.pathio.open('/f', 'wb'))
    await expectLeft(all(counted.pathio).close(h2), 'Busy', 'close')
    expect(counted.openHandles()).to.equal(0)
    await expectLeft(counted.pathio.write(h2, Buffer.from('x')), 'BadHandle')
  })

  it('withFile leaks no handle under faults', async () => {
    const counted = countHandles(makeMemoryPathIO())
    await writeFile(counted.pathio, '/f', 'content')
    const io = withFaults({ seed: 11, rate: 0.4 })(counted.pathio)
    let failures = 0
    for (let i = 0; i < 100; i++) {
      const used = await run(
        withFile(io, '/f', 'r+b', (h) =>
          pipe(
            io.read(h, 3),
            TE.chain(() => io.seek(h, 0)),
            TE.chain(() => io.write(h, Buffer.from('con')))
          )
        )
      )
      if (E.isLeft(used)) failures++
    }
    expect(failures).to.be.greaterThan(0)
    expect(counted.opens()).to.be.greaterThan(0)
    expect(counted.openHandles()).to.equal(0)
    expect(counted.closes()).to.equal(counted.opens())
  })

  it('each record has its own generator: applying the middleware twice repeats the sequence', async () => {
    const faults = withFaults({ seed: 21, rate: 0.5 })
    const seq = async (io: PathIO<unknown>): Promise<Array<boolean>> => {
      const out: Array<boolean> = []
      for (let i = 0; i < 50; i++) out.push(E.isLeft(await run(io.exists('/'))))
      return out
    }
    const a = faults(makeMemoryPathIO())
    const b = faults(makeMemoryPathIO())
    expect(await seq(a)).to.deep.equal(await seq(b))
  })

  it('bad options are a TypeError at once, naming the option', () => {
    const bad: ReadonlyArray<[unknown, RegExp]> = [
      [{ seed: 1, rate: 1.5 }, /rate/],
      [{ seed: 1, rate: -0.1 }, /rate/],
      [{ seed: 1, rate: Number.NaN }, /rate/],
      [{ seed: 1, rate: '0.5' }, /rate/],
      [{ seed: 1.5, rate: 0.5 }, /seed/],
      [{ seed: '1', rate: 0.5 }, /seed/],
      [{ rate: 0.5 }, /seed/],
      [{ seed: 1, rate: 0.5, reasons: ['Nope'] }, /reasons/],
      [{ seed: 1, rate: 0.5, reasons: [] }, /reasons/],
      [{ seed: 1, rate: 0.5, ops: ['frobnicate'] }, /ops/],
      [{ seed: 1, rate: 0.5, ops: 'write' }, /ops/],
      [null, /options/],
      [undefined, /options/]
    ]
    for (const [options, message] of bad)
      expect(() => withFaults(options as FaultOptions), JSON.stringify(options)).to.throw(TypeError, message)
  })
})
