/**
 * withMetrics: each operation reported once, after it answered, with its
 * outcome; the answer itself untouched, even by a sink that throws.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { makeMemoryPathIO, withMetrics, wrapOperations, writeFile, type OperationSample } from '../../lib'

describe('withMetrics', () => {
  it('reports every operation once, with its name, a duration and ok or the reason', async () => {
    const samples: Array<OperationSample> = []
    const io = withMetrics((sample) => samples.push(sample))(makeMemoryPathIO())
    await writeFile(io, '/a.txt', Buffer.from('x'))()
    await io.stat('/missing')()
    await io.mkdir('/a.txt')()
    expect(samples.map(({ op, outcome }) => `${op}:${outcome}`)).to.deep.equal([
      'open:ok',
      'write:ok',
      'close:ok',
      'stat:NotFound',
      'mkdir:AlreadyExists'
    ])
    expect(samples.every(({ ms }) => typeof ms === 'number' && ms >= 0)).to.equal(true)
  })

  it('measures from the call to its answer, the stack below included (a 30 ms wait shows)', async () => {
    const samples: Array<OperationSample> = []
    const waiting = wrapOperations(
      (_op, args, next) => () => new Promise((done) => setTimeout(() => done(next(...args)()), 30))
    )
    const io = withMetrics((sample) => samples.push(sample))(waiting(makeMemoryPathIO()))
    await io.exists('/')()
    expect(samples).to.have.length(1)
    expect(samples[0].ms).to.be.at.least(25)
  })

  it('a sink that throws changes nothing the caller sees; a sink that is not a function is a TypeError', async () => {
    const io = withMetrics(() => {
      throw new Error('broken sink')
    })(makeMemoryPathIO())
    expect(await io.mkdir('/pub')()).to.deep.equal(E.right(undefined))
    expect(await io.list('/')()).to.deep.equal(E.right(['/pub']))
    expect(() => withMetrics(42 as never)).to.throw(TypeError, /sink/)
  })

  it('passes capabilities through', () => {
    const inner = makeMemoryPathIO()
    expect(withMetrics(() => undefined)(inner).capabilities).to.deep.equal(inner.capabilities)
  })
})
