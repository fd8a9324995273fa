/**
 * `overlay`'s own rules (the contract suite runs it over every backend in
 * spec/compose/contract.spec.ts): reads fall through, changes land in
 * upper after a copy-up, whiteouts and opaque directories, the whiteout's
 * form, handles moved to a copy, merged listings, lower never written.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  makeCapabilities,
  makeMemoryPathIO,
  makeMemoryTree,
  makeNodePathIO,
  MUTATING_OPERATIONS,
  overlay,
  S_IFMT,
  SEEK_SET,
  type DirHandle,
  type Entry,
  type OverlayState,
  type PathIO
} from '../../lib'
import { makeTempRoot, removeTempRoot } from '../contract/diskBackends'
import { bytes, expectLeft, expectRight, readFile, sorted, text, writeFile } from '../contract/helpers'
import { treeOf } from '../reliability/model'

/** Every path of a record, with kind, content, mode and mtime: what "never written" compares. */
const everything = async (io: PathIO<unknown>): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await expectRight(io.scan(dir))) {
      const { mode, mtimeMs, size, nlink } = entry.stat
      out[entry.path] = { mode, mtimeMs, size, nlink }
      if ((mode & S_IFMT) === 0o040000) await walk(entry.path)
      else out[`${entry.path} content`] = await readFile(io, entry.path)
    }
  }
  await walk('/')
  return out
}

const names = async (io: PathIO<unknown>, dir: string): Promise<Array<string>> =>
  sorted((await expectRight(io.scan(dir))).map((e) => e.name))

/** A lower tree: /a.txt, /docs/{one,two}, /docs/sub/deep, /empty/. */
const makeLower = async (): Promise<PathIO<unknown>> => {
  const lower = makeMemoryPathIO()
  await writeFile(lower, '/a.txt', 'from lower')
  await expectRight(lower.mkdir('/docs/sub', { parents: true }))
  await writeFile(lower, '/docs/one', '1')
  await writeFile(lower, '/docs/two', '22')
  await writeFile(lower, '/docs/sub/deep', 'deep')
  await expectRight(lower.mkdir('/empty'))
  await expectRight(lower.chmod('/a.txt', 0o600))
  await expectRight(lower.utimes('/a.txt', 1_000_000_000_000))
  return lower
}

describe('overlay', () => {
  let lower: PathIO<unknown>
  let upper: PathIO<unknown>
  let io: PathIO<OverlayState>
  let before: Record<string, unknown>

  beforeEach(async () => {
    lower = await makeLower()
    upper = makeMemoryPathIO()
    io = overlay({ upper, lower })
    before = await everything(lower)
  })
  afterEach(async () => {
    // Whatever a test did through the overlay, lower is as it was.
    expect(await everything(lower)).to.deep.equal(before)
  })

  describe('reads fall through', () => {
    it("shows lower's files and directories where upper has nothing, and upper's where it has them", async () => {
      expect(await readFile(io, '/a.txt')).to.equal('from lower')
      expect(await readFile(io, '/docs/sub/deep')).to.equal('deep')
      expect(await expectRight(io.isDir('/docs'))).to.equal(true)
      await writeFile(upper, '/a.txt', 'from upper')
      expect(await readFile(io, '/a.txt')).to.equal('from upper')
      expect((await expectRight(io.stat('/a.txt'))).size).to.equal('from upper'.length)
    })

    it("merges a directory of both layers: upper's entries, then lower's, no name twice; its nlink counts both", async () => {
      await expectRight(upper.mkdir('/docs/mine', { parents: true }))
      await writeFile(upper, '/docs/one', 'upper one')
      expect(await names(io, '/docs')).to.deep.equal(['mine', 'one', 'sub', 'two'])
      expect(sorted(await expectRight(io.list('/docs')))).to.deep.equal([
        '/docs/mine',
        '/docs/one',
        '/docs/sub',
        '/docs/two'
      ])
      expect((await expectRight(io.stat('/docs'))).nlink).to.equal(4) // 2 + mine + sub
      const docs = (await expectRight(io.scan('/'))).find((e) => e.name === 'docs') as Entry
      expect(docs.stat.nlink).to.equal(4)
      expect(await readFile(io, '/docs/one')).to.equal('upper one')
    })

    it('misses what neither layer has, as a plain record does', async () => {
      await expectLeft(io.stat('/missing'), 'NotFound', 'stat')
      await expectLeft(io.stat('/a.txt/x'), 'NotADirectory', 'stat')
      await expectLeft(io.list('/a.txt'), 'NotADirectory', 'list')
      await expectLeft(io.open('/missing/x', 'wb'), 'NotFound', 'open')
      expect(await expectRight(io.exists('/docs/missing'))).to.equal(false)
    })
  })

  describe('changes land in upper', () => {
    it('copies a file of lower up whole before ab or r+b, with its mode and mtime, and writes there', async () => {
      const appending = await expectRight(io.open('/a.txt', 'ab'))
      await expectRight(io.write(appending, bytes('!')))
      await expectRight(io.close(appending))
      expect(await readFile(io, '/a.txt')).to.equal('from lower!')
      expect(await readFile(upper, '/a.txt')).to.equal('from lower!')
      const copied = await expectRight(upper.stat('/a.txt'))
      expect(copied.mode & 0o7777).to.equal(0o600)
      const updating = await expectRight(io.open('/docs/two', 'r+b'))
      await expectRight(io.write(updating, bytes('X')))
      await expectRight(io.close(updating))
      expect(await readFile(io, '/docs/two')).to.equal('X2')
      // The directory was copied up as itself alone: its other entries still come from lower.
      expect(sorted(await expectRight(upper.list('/docs')))).to.deep.equal(['/docs/two'])
      expect(await names(io, '/docs')).to.deep.equal(['one', 'sub', 'two'])
    })

    it('keeps the mtime of a copy as lower had it, until it is written', async () => {
      const h = await expectRight(io.open('/a.txt', 'r+b'))
      expect((await expectRight(io.stat('/a.txt'))).mtimeMs).to.equal(1_000_000_000_000)
      await expectRight(io.close(h))
    })

    it("makes a file of lower opened wb anew in upper, empty, with lower's mode", async () => {
      const h = await expectRight(io.open('/a.txt', 'wb'))
      expect((await expectRight(io.stat('/a.txt'))).size).to.equal(0)
      await expectRight(io.write(h, bytes('new')))
      await expectRight(io.close(h))
      expect(await readFile(io, '/a.txt')).to.equal('new')
      expect((await expectRight(io.stat('/a.txt'))).mode & 0o7777).to.equal(0o600)
    })

    it('chmod and utimes copy a file up, and a directory up as itself alone', async () => {
      await expectRight(io.chmod('/docs/one', 0o640))
      await expectRight(io.utimes('/docs', 1_500_000_000_000))
      expect((await expectRight(io.stat('/docs/one'))).mode & 0o7777).to.equal(0o640)
      expect((await expectRight(io.stat('/docs'))).mtimeMs).to.equal(1_500_000_000_000)
      expect(await readFile(io, '/docs/one')).to.equal('1')
      expect(await names(io, '/docs')).to.deep.equal(['one', 'sub', 'two'])
      expect(sorted(await expectRight(upper.list('/docs')))).to.deep.equal(['/docs/one'])
    })

    it('makes new entries in upper, copying up the directories that hold them', async () => {
      await writeFile(io, '/docs/sub/new', 'n')
      await expectRight(io.mkdir('/docs/sub/dir'))
      expect(await names(io, '/docs/sub')).to.deep.equal(['deep', 'dir', 'new'])
      expect(await expectRight(upper.isDir('/docs/sub/dir'))).to.equal(true)
      expect(await readFile(upper, '/docs/sub/new')).to.equal('n')
    })
  })

  describe('whiteouts and opaque directories', () => {
    it('unlink of a file of lower leaves a whiteout .wh.<name> in upper: gone from the view, there in lower', async () => {
      await expectRight(io.unlink('/docs/one'))
      expect(await expectRight(io.exists('/docs/one'))).to.equal(false)
      await expectLeft(io.open('/docs/one', 'rb'), 'NotFound', 'open')
      await expectLeft(io.unlink('/docs/one'), 'NotFound', 'unlink')
      expect(await names(io, '/docs')).to.deep.equal(['sub', 'two'])
      expect(sorted(await expectRight(upper.list('/docs')))).to.deep.equal(['/docs/.wh.one'])
      expect((await expectRight(upper.stat('/docs/.wh.one'))).size).to.equal(0)
      // Made again: the whiteout goes.
      await writeFile(io, '/docs/one', 'again')
      expect(await readFile(io, '/docs/one')).to.equal('again')
      expect(sorted(await expectRight(upper.list('/docs')))).to.deep.equal(['/docs/one'])
    })

    it('a file of upper that hides one of lower leaves a whiteout when removed; one of upper alone leaves none', async () => {
      await writeFile(io, '/a.txt', 'changed')
      await writeFile(io, '/mine', 'mine')
      await expectRight(io.unlink('/a.txt'))
      await expectRight(io.unlink('/mine'))
      expect(await expectRight(io.exists('/a.txt'))).to.equal(false)
      expect(sorted(await expectRight(upper.list('/')))).to.deep.equal(['/.wh.a.txt'])
    })

    it("a directory removed then made again hides lower's old entries (an opaque marker .wh..wh..opq)", async () => {
      for (const path of ['/docs/one', '/docs/two', '/docs/sub/deep']) await expectRight(io.unlink(path))
      await expectLeft(io.rmdir('/docs'), 'NotEmpty', 'rmdir')
      await expectRight(io.rmdir('/docs/sub'))
      await expectRight(io.rmdir('/docs'))
      expect(await expectRight(io.exists('/docs'))).to.equal(false)
      expect(await expectRight(upper.list('/'))).to.include('/.wh.docs')
      await expectRight(io.mkdir('/docs'))
      expect(await expectRight(io.list('/docs'))).to.deep.equal([])
      expect(await expectRight(io.exists('/docs/one'))).to.equal(false)
      expect(await expectRight(upper.list('/docs'))).to.deep.equal(['/docs/.wh..wh..opq'])
      expect(await expectRight(upper.exists('/.wh.docs'))).to.equal(false)
      expect((await expectRight(io.stat('/docs'))).nlink).to.equal(2)
      // ... and it holds what is made in it, as any directory.
      await writeFile(io, '/docs/one', 'new one')
      expect(await names(io, '/docs')).to.deep.equal(['one'])
    })

    it('rmdir of an empty directory of lower leaves a whiteout; of a view-empty merged one too', async () => {
      await expectRight(io.rmdir('/empty'))
      expect(await expectRight(io.exists('/empty'))).to.equal(false)
      expect(await expectRight(upper.exists('/.wh.empty'))).to.equal(true)
      await expectRight(io.unlink('/docs/sub/deep'))
      await expectRight(io.rmdir('/docs/sub'))
      expect(await names(io, '/docs')).to.deep.equal(['one', 'two'])
    })

    it('names a whiteout of a name too long for the prefix .wh.#<sha256 of the name>', async () => {
      const long = 'L'.repeat(255)
      await writeFile(lower, `/${long}`, 'long')
      expect(await readFile(io, `/${long}`)).to.equal('long')
      await expectRight(io.unlink(`/${long}`))
      expect(await expectRight(io.exists(`/${long}`))).to.equal(false)
      const hash = createHash('sha256').update(long).digest('hex')
      expect(await expectRight(upper.exists(`/.wh.#${hash}`))).to.equal(true)
      await expectRight(lower.unlink(`/${long}`))
      before = await everything(lower)
    })

    it('keeps every name starting with .wh. out of the view: not listed, not found, not made', async () => {
      await writeFile(lower, '/.wh.hidden', 'x')
      before = await everything(lower)
      await expectRight(io.unlink('/a.txt'))
      expect(await expectRight(io.list('/'))).to.not.include('/.wh.a.txt')
      expect(await expectRight(io.list('/'))).to.not.include('/.wh.hidden')
      await expectLeft(io.stat('/.wh.a.txt'), 'NotFound', 'stat')
      expect(await expectRight(io.exists('/.wh.hidden'))).to.equal(false)
      await expectLeft(io.open('/.wh.a.txt', 'wb'), 'InvalidArgument', 'open')
      await expectLeft(io.mkdir('/.wh.dir'), 'InvalidArgument', 'mkdir')
      await expectLeft(io.rename('/docs/one', '/.wh.x'), 'InvalidArgument', 'rename')
      await expectLeft(io.unlink('/.wh.a.txt'), 'NotFound', 'unlink')
      expect(await expectRight(io.exists('/a.txt'))).to.equal(false)
    })
  })

  describe('rename', () => {
    it('moves a file of lower: a copy-up, a rename in upper, a whiteout where it was', async () => {
      expect(await expectRight(io.rename('/a.txt', '/docs/moved'))).to.equal('/docs/moved')
      expect(await readFile(io, '/docs/moved')).to.equal('from lower')
      expect(await expectRight(io.exists('/a.txt'))).to.equal(false)
      expect(await expectRight(upper.exists('/.wh.a.txt'))).to.equal(true)
    })

    it('moves a directory lower has a part of: the whole of it copied up first, opaque where lower has a directory', async () => {
      await writeFile(io, '/docs/added', 'added')
      await expectRight(io.unlink('/docs/two'))
      await expectRight(io.rename('/docs', '/empty'))
      expect(await names(io, '/empty')).to.deep.equal(['added', 'one', 'sub'])
      expect(await readFile(io, '/empty/sub/deep')).to.equal('deep')
      expect(await expectRight(io.exists('/docs'))).to.equal(false)
      expect(await expectRight(io.exists('/empty/two'))).to.equal(false)
      expect(await expectRight(upper.exists('/empty/.wh..wh..opq'))).to.equal(true)
    })

    it('follows rename(2) on the view: onto a non-empty directory of lower NotEmpty, a file onto a directory IsADirectory, into itself InvalidArgument', async () => {
      await expectLeft(io.rename('/empty', '/docs'), 'NotEmpty', 'rename')
      await expectLeft(io.rename('/a.txt', '/docs'), 'IsADirectory', 'rename')
      await expectLeft(io.rename('/docs', '/a.txt'), 'NotADirectory', 'rename')
      await expectLeft(io.rename('/docs', '/docs/sub/x'), 'InvalidArgument', 'rename')
      await expectLeft(io.rename('/missing', '/x'), 'NotFound', 'rename')
      expect(await expectRight(upper.list('/'))).to.deep.equal([])
    })

    it('replaces a directory that is empty only in the view (every lower entry whited out)', async () => {
      await expectRight(io.unlink('/docs/sub/deep'))
      await expectRight(io.mkdir('/new'))
      await writeFile(io, '/new/file', 'f')
      await expectRight(io.rename('/new', '/docs/sub'))
      expect(await names(io, '/docs/sub')).to.deep.equal(['file'])
    })
  })

  describe('handles', () => {
    it("a handle reading lower's file moves to the copy: it sees what is written there, at its position", async () => {
      const reader = await expectRight(io.open('/a.txt', 'rb'))
      expect(text(await expectRight(io.read(reader, 5)))).to.equal('from ')
      const writer = await expectRight(io.open('/a.txt', 'r+b'))
      await expectRight(io.seek(writer, 5, SEEK_SET))
      await expectRight(io.write(writer, bytes('UPPER')))
      expect(text(await expectRight(io.read(reader)))).to.equal('UPPER')
      await expectRight(io.close(writer))
      await expectRight(io.close(reader))
    })

    it('a reader sees a wb truncation; after an unlink it keeps reading what it had', async () => {
      const reader = await expectRight(io.open('/a.txt', 'rb'))
      const truncating = await expectRight(io.open('/a.txt', 'wb'))
      expect((await expectRight(io.read(reader))).length).to.equal(0)
      await expectRight(io.close(truncating))
      await expectRight(io.close(reader))
      const kept = await expectRight(io.open('/docs/one', 'rb'))
      await expectRight(io.unlink('/docs/one'))
      expect(text(await expectRight(io.read(kept)))).to.equal('1')
      await expectRight(io.close(kept))
    })

    it("a reader of lower's file follows it when it is renamed", async () => {
      const reader = await expectRight(io.open('/docs/two', 'rb'))
      await expectRight(io.rename('/docs/two', '/two'))
      const writer = await expectRight(io.open('/two', 'ab'))
      await expectRight(io.write(writer, bytes('!')))
      expect(text(await expectRight(io.read(reader)))).to.equal('22!')
      await expectRight(io.close(writer))
      await expectRight(io.close(reader))
    })

    it("are the overlay's own: BadHandle on either layer, on another overlay, as a copy; shared by the records of one state", async () => {
      const h = await expectRight(io.open('/a.txt', 'rb'))
      await expectLeft(lower.read(h), 'BadHandle', 'read')
      await expectLeft(upper.read(h), 'BadHandle', 'read')
      await expectLeft(overlay({ upper, lower }).read(h), 'BadHandle', 'read')
      await expectLeft(io.read({ ...h }), 'BadHandle', 'read')
      const sibling = overlay({ upper: makeMemoryPathIO({ state: upper.state as never }), lower, state: io.state })
      expect(text(await expectRight(sibling.read(h, 4)))).to.equal('from')
      await expectRight(sibling.close(h))
      await expectLeft(io.read(h), 'BadHandle', 'read')
      await expectRight(io.close(h))
      const listing = await expectRight(io.opendir('/'))
      await expectLeft(lower.readdir(listing as DirHandle), 'BadHandle', 'readdir')
      await expectLeft(overlay({ upper, lower }).readdir(listing), 'BadHandle', 'readdir')
      await expectRight(io.closedir(listing))
    })

    it('never opens a file of lower but to read it', async () => {
      const opened: Array<unknown> = []
      const watched = {
        ...lower,
        open: (p: string, mode?: never) => (opened.push(mode ?? 'rb'), lower.open(p, mode))
      } as PathIO<unknown>
      const view = overlay({ upper, lower: watched })
      for (const mode of ['rb', 'r+b', 'ab', 'wb'] as const)
        await expectRight(view.close(await expectRight(view.open('/docs/one', mode))))
      expect(opened.length).to.be.greaterThan(0)
      expect(opened.every((mode) => mode === 'rb')).to.equal(true)
    })
  })

  describe('listings page by page', () => {
    it("give upper's entries then lower's, without whiteouts or duplicates, in pages of at most max", async () => {
      for (let i = 0; i < 7; i++) await writeFile(lower, `/docs/l${i}`, 'l')
      before = await everything(lower)
      for (let i = 0; i < 5; i++) await writeFile(io, `/docs/u${i}`, 'u')
      await writeFile(io, '/docs/l0', 'shadowed')
      await expectRight(io.unlink('/docs/l1'))
      const dir = await expectRight(io.opendir('/docs'))
      const seen: Array<string> = []
      for (;;) {
        const page = await expectRight(io.readdir(dir, 3))
        expect(page.length).to.be.at.most(3)
        if (page.length === 0) break
        seen.push(...page.map((e) => e.name))
      }
      await expectRight(io.closedir(dir))
      expect(seen.length).to.equal(new Set(seen).size)
      expect(sorted(seen)).to.deep.equal(await names(io, '/docs'))
      expect(seen).to.not.include('l1')
      expect(seen.some((name) => name.startsWith('.wh.'))).to.equal(false)
    })
  })

  describe('what it is', () => {
    it('was written knowing every operation that changes something: a new one is checked in lib/compose/overlay.ts first', () => {
      // The overlay treats each of these by name, or (utimes, chmod, and the handle operations) as the table
      // says: a change at existing paths is a copy-up then upper's operation. A new changing operation may need
      // more (a removal needs a whiteout): look, then add it here.
      expect([...MUTATING_OPERATIONS].sort()).to.deep.equal([
        'chmod',
        'mkdir',
        'open',
        'rename',
        'rmdir',
        'truncate',
        'unlink',
        'utimes',
        'write'
      ])
    })

    it("has upper's capabilities, long names where both have them, links where either may, renames not atomic", () => {
      const view = overlay({
        upper: { ...makeMemoryPathIO(), capabilities: makeCapabilities({ symlinks: false, times: false }) },
        lower: {
          ...makeMemoryPathIO(),
          capabilities: makeCapabilities({ symlinks: true, longNames: false, append: false })
        }
      })
      expect(view.capabilities.times).to.equal(false)
      expect(view.capabilities.append).to.equal(true)
      expect(view.capabilities.longNames).to.equal(false)
      expect(view.capabilities.symlinks).to.equal(true)
      expect(view.capabilities.atomicRename).to.equal(false)
      expect(view.capabilities.listingOrder).to.equal('unspecified')
    })

    it("has a state of its layers' states, shared through the option", () => {
      const tree = makeMemoryTree()
      const view = overlay({ upper: makeMemoryPathIO({ state: tree }), lower })
      expect(view.state.upper).to.equal(tree)
      expect(view.state.lower).to.equal(lower.state)
      expect(overlay({ upper: makeMemoryPathIO({ state: tree }), lower, state: view.state }).state).to.equal(view.state)
    })

    it('refuses bad options with a TypeError at once', () => {
      const memory = makeMemoryPathIO()
      for (const bad of [
        undefined,
        null,
        {},
        { upper: memory },
        { upper: memory, lower: { exists: () => undefined } },
        { upper: memory, lower: memory },
        { upper: memory, lower: makeMemoryPathIO(), cwd: 'relative' },
        { upper: memory, lower: makeMemoryPathIO(), state: { upper: 1, lower: 2 } }
      ])
        expect(() => overlay(bad as never), JSON.stringify(bad)).to.throw(TypeError)
    })

    it('resolves relative paths against its cwd and names them as given in errors and listings', async () => {
      const view = overlay({ upper, lower, cwd: '/docs' })
      expect(await readFile(view, 'one')).to.equal('1')
      expect(sorted(await expectRight(view.list('sub')))).to.deep.equal(['sub/deep'])
      const error = await expectLeft(view.stat('missing/../nope'), 'NotFound', 'stat')
      expect(error.path).to.equal('missing/../nope')
      expect(error.message).to.include("'missing/../nope'")
    })
  })

  describe('over a disk', () => {
    let root: string
    beforeEach(() => {
      root = makeTempRoot('overlay')
      fs.mkdirSync(path.join(root, 'lower', 'd'), { recursive: true })
      fs.writeFileSync(path.join(root, 'lower', 'd', 'f'), 'on disk')
    })
    afterEach(() => removeTempRoot(root))

    it('memory over node: the disk is read, never written', async () => {
      const view = overlay({ upper: makeMemoryPathIO(), lower: makeNodePathIO(), cwd: path.join(root, 'lower') })
      expect(await readFile(view, 'd/f')).to.equal('on disk')
      await writeFile(view, 'd/f', 'changed')
      await expectRight(view.unlink('d/f'))
      await expectRight(view.rmdir('d'))
      await writeFile(view, 'new', 'n')
      expect(await expectRight(view.list('.'))).to.deep.equal(['./new'])
      expect(fs.readdirSync(path.join(root, 'lower'))).to.deep.equal(['d'])
      expect(fs.readFileSync(path.join(root, 'lower', 'd', 'f'), 'utf8')).to.equal('on disk')
    })

    it('node over memory: whiteouts are files on disk', async () => {
      const below = makeMemoryPathIO()
      await expectRight(below.mkdir(path.join(root, 'upper'), { parents: true }))
      await writeFile(below, path.join(root, 'upper', 'old'), 'old')
      fs.mkdirSync(path.join(root, 'upper'))
      const view = overlay({ upper: makeNodePathIO(), lower: below, cwd: path.join(root, 'upper') })
      await expectRight(view.unlink('old'))
      expect(fs.readdirSync(path.join(root, 'upper'))).to.deep.equal(['.wh.old'])
      expect(await treeOf(view, '.')).to.deep.equal({})
    })
  })
})
