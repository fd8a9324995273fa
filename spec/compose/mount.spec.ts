/**
 * `mount`'s own rules (the contract suite runs it over every backend in
 * spec/compose/contract.spec.ts): the longest mount point wins, paths made
 * relative to it, mount points listed in their parent and in use, renames
 * between mounts refused, handles routed back, the table as state, the
 * joint capabilities.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  makeCapabilities,
  makeMemoryPathIO,
  makeQuotaUsage,
  mount,
  mountOf,
  readOnly,
  withQuota,
  withRoot,
  wrapOperations,
  type DirHandle,
  type PathIO
} from '../../lib'
import { expectLeft, expectRight, readFile, sorted, writeFile } from '../contract/helpers'

/** A memory record that notes every path it is given. */
const noting = () => {
  const seen: Array<string> = []
  const pathio = wrapOperations((op, args, next) => {
    if (typeof args[0] === 'string') seen.push(`${op} ${args[0]}`)
    return next(...args)
  })(makeMemoryPathIO())
  return { pathio, seen }
}

describe('mount', () => {
  let home: PathIO<unknown>
  let shared: PathIO<unknown>
  let deep: PathIO<unknown>
  let io: PathIO<unknown>

  beforeEach(async () => {
    home = makeMemoryPathIO()
    shared = makeMemoryPathIO()
    deep = makeMemoryPathIO()
    await expectRight(home.mkdir('/projects'))
    await writeFile(home, '/notes.txt', 'home')
    await writeFile(shared, '/team.txt', 'shared')
    io = mount({ '/': home, '/shared': shared, '/projects/deep': deep })
  })

  describe('routing', () => {
    it('sends each path to the longest mount point that holds it, made relative to it', async () => {
      const { pathio, seen } = noting()
      const view = mount({ '/': home, '/shared': pathio, '/shared/inner': makeMemoryPathIO() })
      await view.exists('/shared/x/y')()
      await view.exists('/shared')()
      await view.exists('/sharedx')()
      await view.exists('/shared/inner/z')()
      expect(seen).to.deep.equal(['exists /x/y', 'exists /'])
      expect(await readFile(io, '/shared/team.txt')).to.equal('shared')
      await writeFile(io, '/projects/deep/d.txt', 'deep')
      expect(await readFile(deep, '/d.txt')).to.equal('deep')
    })

    it('resolves relative paths against its cwd, and names the paths as given in errors and results', async () => {
      const view = mount({ '/': home, '/shared': shared }, { cwd: '/shared' })
      expect(await readFile(view, 'team.txt')).to.equal('shared')
      expect(await expectRight(view.list('.'))).to.deep.equal(['./team.txt'])
      expect(await expectRight(view.rename('team.txt', './moved.txt'))).to.equal('./moved.txt')
      const error = await expectLeft(view.stat('gone/../missing'), 'NotFound', 'stat')
      expect(error.path).to.equal('gone/../missing')
      expect(error.message).to.include("'gone/../missing'")
      expect(error.message).to.not.include("'/missing'")
    })

    it('refuses an invalid path before any record sees it', async () => {
      const { pathio, seen } = noting()
      const view = mount({ '/': pathio })
      await expectLeft(view.stat(''), 'InvalidArgument', 'stat')
      await expectLeft(view.mkdir(`/${'a'.repeat(256)}`), 'InvalidArgument', 'mkdir')
      expect(seen).to.deep.equal([])
    })
  })

  describe('mount points', () => {
    it("are listed in their parent as directories with their record's stat of /, even where the parent record has no such entry", async () => {
      expect(sorted(await expectRight(io.list('/')))).to.deep.equal(['/notes.txt', '/projects', '/shared'])
      expect(await expectRight(io.list('/projects'))).to.deep.equal(['/projects/deep'])
      const entry = (await expectRight(io.scan('/'))).find((e) => e.name === 'shared')
      expect(entry?.stat).to.deep.equal(await expectRight(shared.stat('/')))
      expect(await expectRight(io.stat('/shared'))).to.deep.equal(await expectRight(shared.stat('/')))
      expect(await expectRight(io.isDir('/shared'))).to.equal(true)
    })

    it("hide an entry of the same name in the parent's record, listed once", async () => {
      await writeFile(home, '/shared', 'a file of home')
      expect(sorted(await expectRight(io.list('/')))).to.deep.equal(['/notes.txt', '/projects', '/shared'])
      expect(await expectRight(io.isDir('/shared'))).to.equal(true)
    })

    it("count in their parent's nlink", async () => {
      expect((await expectRight(home.stat('/'))).nlink).to.equal(3)
      expect((await expectRight(io.stat('/'))).nlink).to.equal(4)
      expect((await expectRight(io.stat('/projects'))).nlink).to.equal(3)
      const projects = (await expectRight(io.scan('/'))).find((e) => e.name === 'projects')
      expect(projects?.stat.nlink).to.equal(3)
    })

    it("come last in a listing read page by page, after the parent record's own entries", async () => {
      for (let i = 0; i < 4; i++) await writeFile(home, `/f${i}`, 'x')
      const dir = await expectRight(io.opendir('/'))
      const pages: Array<Array<string>> = []
      for (;;) {
        const page = await expectRight(io.readdir(dir, 2))
        if (page.length === 0) break
        pages.push(page.map((e) => e.path))
      }
      await expectRight(io.closedir(dir))
      expect(pages.flat().slice(-1)).to.deep.equal(['/shared'])
      expect(sorted(pages.flat())).to.deep.equal(['/f0', '/f1', '/f2', '/f3', '/notes.txt', '/projects', '/shared'])
      for (const page of pages) expect(page.length).to.be.at.most(2)
    })

    it('and the directories that hold them are in use: rmdir and rename of them are Busy', async () => {
      for (const path of ['/shared', '/projects', '/projects/deep']) {
        await expectLeft(io.rmdir(path), 'Busy', 'rmdir')
        await expectLeft(io.rename(path, '/elsewhere'), 'Busy', 'rename')
      }
      await expectRight(io.mkdir('/empty'))
      await expectLeft(io.rename('/empty', '/shared'), 'Busy', 'rename')
      await expectLeft(io.rename('/empty', '/projects'), 'Busy', 'rename')
      await expectLeft(io.unlink('/shared'), 'IsADirectory', 'unlink')
      await expectLeft(io.mkdir('/shared'), 'AlreadyExists', 'mkdir')
      await expectRight(io.mkdir('/shared', { existOk: true }))
      await expectLeft(io.open('/shared', 'wb'), 'IsADirectory', 'open')
    })
  })

  describe('rename between mounts', () => {
    it('is Unsupported (EXDEV), and leaves both sides as they were', async () => {
      const error = await expectLeft(io.rename('/notes.txt', '/shared/notes.txt'), 'Unsupported', 'rename')
      expect(error.code).to.equal('EXDEV')
      await expectLeft(io.rename('/shared/team.txt', '/team.txt'), 'Unsupported', 'rename')
      expect(await readFile(io, '/notes.txt')).to.equal('home')
      expect(await expectRight(io.exists('/shared/notes.txt'))).to.equal(false)
      expect(await readFile(io, '/shared/team.txt')).to.equal('shared')
    })

    it("is the record's own rename between two mount points of the one same record", async () => {
      const view = mount({ '/': home, '/a': shared, '/b': shared })
      expect(await expectRight(view.rename('/a/team.txt', '/b/moved.txt'))).to.equal('/b/moved.txt')
      expect(await readFile(shared, '/moved.txt')).to.equal('shared')
    })
  })

  describe('handles and listings', () => {
    it('go back to the record of their mount point, and work on every mount whose record there shares its state', async () => {
      const h = await expectRight(io.open('/shared/team.txt', 'r+b'))
      await expectRight(io.write(h, Buffer.from('S')))
      const sibling = mount({
        '/': makeMemoryPathIO({ state: home.state as never }),
        '/shared': makeMemoryPathIO({ state: shared.state as never })
      })
      await expectRight(sibling.seek(h, 0))
      expect(Buffer.from(await expectRight(sibling.read(h))).toString()).to.equal('Shared')
      await expectRight(sibling.close(h))
      await expectLeft(io.read(h), 'BadHandle', 'read')
    })

    it('are a BadHandle on a mount with another record there, with no record there, and as copies', async () => {
      const h = await expectRight(io.open('/shared/team.txt', 'rb'))
      await expectLeft(mount({ '/': home, '/shared': makeMemoryPathIO() }).read(h), 'BadHandle', 'read')
      await expectLeft(mount({ '/': shared }).read(h), 'BadHandle', 'read')
      await expectLeft(io.read({ ...h }), 'BadHandle', 'read')
      const mine = await expectRight(home.open('/notes.txt', 'rb'))
      await expectLeft(io.read(mine), 'BadHandle', 'read')
      const dir = await expectRight(io.opendir('/'))
      await expectLeft(io.read(dir as never), 'BadHandle', 'read')
      await expectLeft(mount({ '/': makeMemoryPathIO() }).readdir(dir as DirHandle), 'BadHandle', 'readdir')
      await expectRight(home.close(mine))
      await expectRight(io.close(h))
      await expectRight(io.closedir(dir))
      await expectRight(io.closedir(dir))
      await expectLeft(io.readdir(dir), 'BadHandle', 'readdir')
    })
  })

  describe('what it is', () => {
    it('has the table as its state (mount points resolved, frozen), and mountOf says where a path lands', () => {
      const view = mount({ '/': home, '/shared/': shared })
      expect(Object.keys(view.state)).to.deep.equal(['/', '/shared'])
      expect(Object.isFrozen(view.state)).to.equal(true)
      expect(mountOf(view.state, '/shared/a/b')).to.deep.equal({ point: '/shared', record: shared, path: '/a/b' })
      expect(mountOf(view.state, 'shared')).to.deep.equal({ point: '/shared', record: shared, path: '/' })
      expect(mountOf(view.state, '/x/../notes')).to.deep.equal({ point: '/', record: home, path: '/notes' })
    })

    it('can do what every mounted record can; may have links where any may; lists in no order unless only / is mounted', () => {
      const view = mount({
        '/': { ...makeMemoryPathIO(), capabilities: makeCapabilities({ symlinks: false, listingOrder: 'insertion' }) },
        '/bucket': { ...makeMemoryPathIO(), capabilities: makeCapabilities({ append: false, symlinks: false }) },
        '/disk': { ...makeMemoryPathIO(), capabilities: makeCapabilities({ symlinks: true }) },
        '/archive': readOnly(makeMemoryPathIO())
      })
      expect(view.capabilities.append).to.equal(false)
      expect(view.capabilities.write).to.equal(false)
      expect(view.capabilities.symlinks).to.equal(true)
      expect(view.capabilities.listingOrder).to.equal('unspecified')
      expect(mount({ '/': makeMemoryPathIO() }).capabilities).to.deep.equal(makeMemoryPathIO().capabilities)
    })

    it('refuses a bad table or cwd with a TypeError at once', () => {
      const memory = makeMemoryPathIO()
      for (const bad of [
        undefined,
        null,
        {},
        { '/shared': memory },
        { '/': memory, relative: memory },
        { '/': memory, '/a': memory, '/a/': memory },
        { '/': memory, '/a\0': memory },
        { '/': memory, '/a': { exists: () => undefined } },
        { '/': null }
      ])
        expect(() => mount(bad as never), JSON.stringify(bad)).to.throw(TypeError)
      expect(() => mount({ '/': memory }, { cwd: 'relative' })).to.throw(TypeError)
      expect(() => mountOf({ '/a': memory }, '/a')).to.throw(TypeError)
    })
  })

  it("builds a user's tree as a server would: a jailed home, a shared folder under a quota, a read-only archive", async () => {
    const disk = makeMemoryPathIO()
    await expectRight(disk.mkdir('/home/alice', { parents: true }))
    const bucket = makeMemoryPathIO()
    const archive = makeMemoryPathIO()
    await writeFile(archive, '/2023.tar', 'old')
    const usage = makeQuotaUsage() // one per user and folder, shared by every session of the user
    const session = () =>
      mount({
        '/': withRoot('/home/alice')(disk),
        '/shared': withQuota({ maxBytes: 10, usage })(bucket),
        '/archive': readOnly(archive)
      })
    const first = session()
    await writeFile(first, '/shared/a', '123456')
    const second = session()
    const opened = await expectRight(second.open('/shared/b', 'wb'))
    await expectLeft(second.write(opened, Buffer.from('12345')), 'NoSpace', 'write')
    await expectRight(second.close(opened))
    await expectLeft(second.unlink('/archive/2023.tar'), 'ReadOnly', 'unlink')
    await writeFile(second, '/mine.txt', 'mine')
    expect(await readFile(disk, '/home/alice/mine.txt')).to.equal('mine')
    expect(sorted(await expectRight(second.list('/')))).to.deep.equal(['/archive', '/mine.txt', '/shared'])
    expect(E.isRight(await second.stat('/archive/2023.tar')())).to.equal(true)
  })
})
