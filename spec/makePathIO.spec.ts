/**
 * `makePathIO`, the builder of backends: the operations it derives keep the
 * contract (the whole suite runs on a memory core that gives none of its
 * own: lookups from `stat`, listings from `opendir`/`readdir`/`closedir`),
 * a listing it opens is always closed, its errors name the operation the
 * caller used, and a core that is not one is a `TypeError` at once.
 */
import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import {
  makeCapabilities,
  makeMemoryPathIO,
  makeMemoryTree,
  makePathIO,
  normaliseErrors,
  OPERATION_NAMES,
  OPERATIONS,
  pathIOError,
  type DerivableOperation,
  type PathIO,
  type PathIOCore
} from '../lib'
import type { Backend } from './contract/fixture'
import { countHandles } from './contract/stacks'
import { expectLeft, expectRight, writeFile } from './contract/helpers'
import { runContract } from './contract/suite'

/** The operations the table says a core may leave out. */
const DERIVABLE = OPERATION_NAMES.filter((op) => OPERATIONS[op].derivable) as ReadonlyArray<DerivableOperation>

/** A record's core: the record without the operations the builder derives. */
const coreOf = <S>(pathio: PathIO<S>): PathIOCore<S> => {
  const core: Record<string, unknown> = { ...pathio }
  for (const op of DERIVABLE) delete core[op]
  return core as PathIOCore<S>
}

/** The memory backend with every derivable operation made by the builder. */
const derivedBackend: Backend = {
  name: 'makePathIO(memory core): derived lookups and listings',
  disk: false,
  setup: async () => {
    const tree = makeMemoryTree()
    const derived = (): PathIO<unknown> => makePathIO(coreOf(makeMemoryPathIO({ state: tree })))
    return {
      pathio: derived(),
      root: '/',
      sibling: derived,
      stranger: () => makePathIO(coreOf(makeMemoryPathIO())),
      teardown: async () => undefined
    }
  }
}

runContract(derivedBackend)

describe('makePathIO', () => {
  it('derives exactly the derivable operations, and keeps a core operation it is given for one', async () => {
    expect([...DERIVABLE].sort()).to.deep.equal(['exists', 'isDir', 'isFile', 'list', 'realpath', 'scan'])
    const memory = makeMemoryPathIO()
    const own = makePathIO({ ...coreOf(memory), exists: memory.exists })
    expect(own.exists).to.equal(memory.exists)
    expect(own.stat).to.equal(memory.stat)
    expect(own.capabilities).to.equal(memory.capabilities)
    expect(own.state).to.equal(memory.state)
    // A record it made is normalised: normaliseErrors hands it back as it is.
    expect(normaliseErrors(own)).to.equal(own)
  })

  it('a derived list or scan closes its listing whatever happens, and its errors name list or scan', async () => {
    const counted = countHandles(makeMemoryPathIO())
    await expectRight(counted.pathio.mkdir('/d'))
    await writeFile(counted.pathio, '/d/f', 'x')
    const failingPage = {
      ...coreOf(counted.pathio),
      readdir: () => TE.left(pathIOError('Busy', 'readdir', { code: 'EBUSY' }))
    }
    const io = makePathIO(failingPage)
    const error = await expectLeft(io.scan('/d'), 'Busy', 'scan')
    expect(error.path).to.equal('/d')
    expect(error.message).to.equal("scan '/d': resource busy (EBUSY)")
    expect(counted.listingsOpened()).to.equal(1)
    expect(counted.openListings()).to.equal(0)
    const plain = makePathIO(coreOf(counted.pathio))
    expect(await expectRight(plain.list('/d'))).to.deep.equal(['/d/f'])
    expect(counted.openListings()).to.equal(0)
    const missing = await expectLeft(plain.list('/nothing'), 'NotFound', 'list')
    expect(missing.message).to.equal("list '/nothing': no such file or directory (ENOENT)")
  })

  it('a derived lookup is false where stat says NotFound or NotADirectory, and fails, named, otherwise', async () => {
    const memory = makeMemoryPathIO()
    await writeFile(memory, '/f', 'x')
    const io = makePathIO(coreOf(memory))
    expect(await expectRight(io.exists('/missing'))).to.equal(false)
    expect(await expectRight(io.isDir('/f/x'))).to.equal(false)
    expect(await expectRight(io.isFile('/f'))).to.equal(true)
    expect(await expectRight(io.isDir('/'))).to.equal(true)
    await expectLeft(io.exists(''), 'InvalidArgument', 'exists')
    const denied = makePathIO({
      ...coreOf(memory),
      stat: (path: string) => TE.left(pathIOError('PermissionDenied', 'stat', { path, code: 'EACCES' }))
    })
    const error = await expectLeft(denied.isFile('/f'), 'PermissionDenied', 'isFile')
    expect(error.message).to.equal("isFile '/f': permission denied (EACCES)")
  })

  it('a derived realpath (no links): the path resolved against the core’s cwd, once stat finds it; stat’s errors named realpath', async () => {
    const tree = makeMemoryTree()
    const memory = makeMemoryPathIO({ state: tree })
    await expectRight(memory.mkdir('/srv/d', { parents: true }))
    await writeFile(memory, '/srv/d/f', 'x')
    const atSrv = makeMemoryPathIO({ state: tree, cwd: '/srv' })
    const io = makePathIO({ ...coreOf(atSrv), cwd: '/srv' })
    expect(await expectRight(io.realpath('d/f'))).to.equal('/srv/d/f')
    expect(await expectRight(io.realpath('d/../d//f/'))).to.equal('/srv/d/f')
    expect(await expectRight(io.realpath('/'))).to.equal('/')
    expect(await expectRight(io.realpath('..'))).to.equal('/')
    const missing = await expectLeft(io.realpath('d/nothing'), 'NotFound', 'realpath')
    expect(missing.message).to.equal("realpath 'd/nothing': no such file or directory (ENOENT)")
    await expectLeft(io.realpath('d/f/x'), 'NotADirectory', 'realpath')
    await expectLeft(io.realpath(''), 'InvalidArgument', 'realpath')
    // Without a cwd, the core's paths resolve against '/'.
    expect(await expectRight(makePathIO(coreOf(memory)).realpath('srv/d'))).to.equal('/srv/d')
    // stat is what it asks: a refusal of stat is realpath's, named so.
    const denied = makePathIO({
      ...coreOf(memory),
      stat: (path: string) => TE.left(pathIOError('PermissionDenied', 'stat', { path, code: 'EACCES' }))
    })
    const error = await expectLeft(denied.realpath('/srv'), 'PermissionDenied', 'realpath')
    expect(error.message).to.equal("realpath '/srv': permission denied (EACCES)")
  })

  it('only a core without links may leave realpath out: with links it is a TypeError at once, naming realpath', () => {
    const core = coreOf(makeMemoryPathIO())
    const withLinks = { ...core, capabilities: makeCapabilities({ symlinks: true }) }
    expect(() => makePathIO(withLinks)).to.throw(TypeError, /realpath.*symlinks/)
    const own = (path: string) => TE.right(`/own${path}`)
    expect(makePathIO({ ...withLinks, realpath: own }).realpath).to.equal(own)
    // A core with no links may still give its own.
    expect(makePathIO({ ...core, realpath: own }).realpath).to.equal(own)
  })

  it('a core missing an operation, with an operation that is not a function, or without whole capabilities, is a TypeError at once', () => {
    const core = coreOf(makeMemoryPathIO())
    const { truncate: _truncate, ...missingOne } = core
    expect(() => makePathIO(missingOne as never)).to.throw(TypeError, /truncate/)
    expect(() => makePathIO({ ...core, stat: 'stat' } as never)).to.throw(TypeError, /stat/)
    expect(() => makePathIO({ ...core, list: 42 } as never)).to.throw(TypeError, /list/)
    expect(() => makePathIO({ ...core, capabilities: { append: true } } as never)).to.throw(TypeError, /capabilities/)
    expect(() => makePathIO({ ...core, rootedAt: 'here' } as never)).to.throw(TypeError, /rootedAt/)
    for (const cwd of ['relative', '', 42, '/a\0b'])
      expect(() => makePathIO({ ...core, cwd } as never), String(cwd)).to.throw(TypeError, /cwd/)
    expect(() => makePathIO(null as never)).to.throw(TypeError)
  })
})
