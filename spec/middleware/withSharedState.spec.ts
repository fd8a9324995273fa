import { expect } from 'chai'
import { makeMemoryPathIO, withSharedState, type FactoryContext, type MemoryTree, type PathIOFactory } from '../../lib'
import { expectLeft, expectRight, readFile, writeFile } from '../contract/helpers'

describe('withSharedState', () => {
  it('every record of the factory sees the same memory tree', async () => {
    const perConnection = withSharedState(makeMemoryPathIO)
    const alice = perConnection()
    const bob = perConnection()
    expect(bob.state).to.equal(alice.state)
    await writeFile(alice, '/shared.txt', 'from alice')
    expect(await readFile(bob, '/shared.txt')).to.equal('from alice')
    await expectRight(bob.mkdir('/pub'))
    expect(await expectRight(alice.isDir('/pub'))).to.equal(true)
  })

  it('a handle opened through one record works on another', async () => {
    const perConnection = withSharedState(makeMemoryPathIO)
    const alice = perConnection()
    const bob = perConnection({ timeout: 10_000 })
    const h = await expectRight(alice.open('/f', 'wb'))
    expect(await expectRight(bob.write(h, Buffer.from('abc')))).to.equal(3)
    await expectRight(bob.close(h))
    await expectLeft(alice.write(h, Buffer.from('x')), 'BadHandle', 'write')
    expect(await readFile(alice, '/f')).to.equal('abc')
  })

  it('two factories do not share: a handle of one is foreign to the other', async () => {
    const one = withSharedState(makeMemoryPathIO)()
    const other = withSharedState(makeMemoryPathIO)()
    expect(other.state).not.to.equal(one.state)
    const h = await expectRight(one.open('/f', 'wb'))
    await expectLeft(other.write(h, Buffer.from('x')), 'BadHandle', 'write')
  })

  it('calls the factory with the given context first, then with the first state added', () => {
    const seen: Array<FactoryContext<MemoryTree> | undefined> = []
    const spy: PathIOFactory<MemoryTree> = (context) => {
      seen.push(context)
      return makeMemoryPathIO(context)
    }
    const perConnection = withSharedState(spy)
    const first = perConnection({ connection: 'c1' })
    perConnection({ connection: 'c2', timeout: 500 })
    perConnection()
    expect(seen[0]).to.deep.equal({ connection: 'c1' })
    expect(seen[1]).to.deep.equal({ connection: 'c2', timeout: 500, state: first.state })
    expect(seen[2]).to.deep.equal({ state: first.state })
  })

  it('shares a first state of undefined too (the node backend has no state)', () => {
    const states: Array<unknown> = []
    const factory: PathIOFactory<undefined> = (context) => {
      states.push(context === undefined ? 'no context' : 'state' in context ? context.state : 'no state')
      return { ...makeMemoryPathIO(), state: undefined, rootedAt: undefined }
    }
    const perConnection = withSharedState(factory)
    perConnection()
    perConnection()
    expect(states).to.deep.equal(['no context', undefined])
  })

  it('a factory that is not a function is a TypeError at once, naming the option', () => {
    for (const bad of [undefined, null, 42, {}, 'makeMemoryPathIO'])
      expect(() => withSharedState(bad as unknown as PathIOFactory<unknown>), String(bad)).to.throw(
        TypeError,
        /factory/
      )
  })
})
