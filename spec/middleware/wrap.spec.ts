import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import {
  OPERATION_NAMES,
  makeMemoryPathIO,
  mapOperations,
  makeCapabilities,
  withContext,
  withRoot,
  wrapOperations,
  type PathIO
} from '../../lib'
import { expectLeft, expectRight } from '../contract/helpers'

describe('wrapOperations and mapOperations', () => {
  it('wrap every operation in OPERATION_NAMES, passing name, arguments and the inner record', async () => {
    const memory = makeMemoryPathIO()
    const seen: Array<[string, ReadonlyArray<unknown>]> = []
    let innerSeen: PathIO<unknown> | undefined
    const io = wrapOperations((op, args, next, inner) => {
      seen.push([op, args])
      innerSeen = inner
      return next(...args)
    })(memory)
    expect(io.state).to.equal(memory.state)
    for (const op of OPERATION_NAMES) expect(io[op], op).to.be.a('function')
    await expectRight(io.mkdir('/d', { parents: true }))
    await expectRight(io.rename('/d', '/e'))
    expect(seen).to.deep.equal([
      ['mkdir', ['/d', { parents: true }]],
      ['rename', ['/d', '/e']]
    ])
    expect(innerSeen).to.equal(memory)
  })

  it('an around may change the arguments or answer without the inner call', async () => {
    const io = wrapOperations((op, args, next) =>
      op === 'exists'
        ? TE.right('answered' as never)
        : next(...(args.map((a) => (a === '/alias' ? '/real' : a)) as typeof args))
    )(makeMemoryPathIO())
    expect(await expectRight(io.exists('/'))).to.equal('answered')
    await expectRight(io.mkdir('/real'))
    expect(await expectRight(io.isDir('/alias'))).to.equal(true)
  })

  it('a record missing an operation is a TypeError at once, naming it', () => {
    const { open: _open, ...partial } = makeMemoryPathIO()
    expect(() => wrapOperations((_op, args, next) => next(...args))(partial as PathIO<unknown>)).to.throw(
      TypeError,
      /open/
    )
    expect(() => mapOperations('test', 42 as unknown as object, () => () => TE.right(1))).to.throw(TypeError, /test/)
  })

  it('pass capabilities and the rooted form through; a record without capabilities has every one', async () => {
    const memory = makeMemoryPathIO()
    const wrapped = wrapOperations((_op, args, next) => next(...args))(memory)
    expect(wrapped.capabilities).to.equal(memory.capabilities)
    expect(wrapped.capabilities.symlinks).to.equal(false)
    expect(wrapped.rootedAt).to.equal(undefined)
    const adjusted = wrapOperations(
      (_op, args, next) => next(...args),
      (c) => ({ ...c, append: false })
    )(memory)
    expect(adjusted.capabilities.append).to.equal(false)
    // A rooted form is wrapped too: the same around over the inner record's rooted form.
    const seen: Array<string> = []
    const rooted: PathIO<unknown> = { ...memory, rootedAt: (root) => withRoot(root)(memory) }
    const logged = wrapOperations((op, args, next) => {
      seen.push(op)
      return next(...args)
    })(rooted)
    await expectRight(memory.mkdir('/jail'))
    const jailed = logged.rootedAt?.('/jail')
    expect(jailed).to.not.equal(undefined)
    await expectRight((jailed as PathIO<unknown>).mkdir('/d'))
    expect(seen).to.deep.equal(['mkdir'])
    expect(await expectRight(memory.isDir('/jail/d'))).to.equal(true)
    const record = Object.fromEntries(OPERATION_NAMES.map((op) => [op, () => TE.right(1)]))
    expect(
      mapOperations(
        'test',
        record,
        (_op, call) =>
          (...args) =>
            TE.right(call(...args))
      ).capabilities
    ).to.deep.equal(makeCapabilities())
    expect(() =>
      mapOperations('test', { ...record, capabilities: { append: 'yes' } as never }, () => () => TE.right(1))
    ).to.throw(TypeError, /append/)
  })

  it('mapOperations builds a record from any record of functions', async () => {
    const record = Object.fromEntries(
      OPERATION_NAMES.map((op) => [op, (...args: Array<unknown>) => `${op}(${args.join(',')})`])
    )
    const io = mapOperations(
      'test',
      { ...record, state: 'S' },
      (_op, call) =>
        (...args) =>
          TE.right(call(...args))
    )
    expect(io.state).to.equal('S')
    expect(await expectRight(io.rename('/a', '/b'))).to.equal('rename(/a,/b)')
  })
})

describe('withContext', () => {
  it('applies withTimeout when the context has a timeout, nothing otherwise', async () => {
    const memory = makeMemoryPathIO()
    const slow: PathIO<unknown> = { ...memory, stat: () => () => new Promise(() => undefined) }
    await expectLeft(withContext({ timeout: 5 })(slow).stat('/'), 'Timeout', 'stat')
    expect(withContext()(memory)).to.equal(memory)
    expect(withContext({ connection: 'c' })(memory)).to.equal(memory)
  })

  it('a bad context or timeout is a TypeError at once', () => {
    expect(() => withContext({ timeout: -1 })).to.throw(TypeError, /timeout/)
    expect(() => withContext('nope' as never)).to.throw(TypeError)
  })
})
