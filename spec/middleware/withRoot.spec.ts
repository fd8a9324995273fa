import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  S_IFLNK,
  S_IFMT,
  makeMemoryPathIO,
  makeMemoryTree,
  makeNodePathIO,
  makePoolPathIO,
  makeWorkerPool,
  normaliseErrors,
  withRoot,
  withTimeout,
  type PathIO,
  type WorkerPool
} from '../../lib'
import { expectLeft, expectRight, readFile, snapshot, sorted, writeFile } from '../contract/helpers'
import { loosen } from '../contract/stacks'

describe('withRoot', () => {
  describe('on a memory tree', () => {
    let outer: PathIO<unknown>
    let io: PathIO<unknown>

    beforeEach(async () => {
      outer = makeMemoryPathIO({ state: makeMemoryTree() })
      await expectRight(outer.mkdir('/jail'))
      await expectRight(outer.mkdir('/etc'))
      await writeFile(outer, '/etc/passwd', 'root:x:0:0')
      await writeFile(outer, '/secret', 'outside')
      await writeFile(outer, '/jail/inside', 'in')
      io = withRoot('/jail')(outer)
    })

    const outside = async (): Promise<Record<string, unknown>> => {
      const all = await snapshot(outer, '/')
      return Object.fromEntries(Object.entries(all).filter(([p]) => p !== '/jail' && !p.startsWith('/jail/')))
    }

    it("'/' is the root; relative paths start there", async () => {
      expect(await expectRight(io.list('/'))).to.deep.equal(['/inside'])
      expect(await readFile(io, 'inside')).to.equal('in')
      expect(await readFile(io, '/inside')).to.equal('in')
      await writeFile(io, 'new', 'made')
      expect(await readFile(outer, '/jail/new')).to.equal('made')
    })

    it('`..` never climbs above the virtual root', async () => {
      const before = await outside()
      expect(await readFile(io, '../inside')).to.equal('in')
      expect(await readFile(io, '/../../inside')).to.equal('in')
      await expectLeft(io.open('../secret', 'rb'), 'NotFound', 'open')
      await expectLeft(io.open('../../etc/passwd', 'rb'), 'NotFound', 'open')
      await writeFile(io, '../../secret', 'jailed')
      await expectRight(io.mkdir('../../etc', { parents: true }))
      await expectRight(io.rename('../../secret', '../../etc/moved'))
      expect(await outside()).to.deep.equal(before)
      expect(await readFile(outer, '/jail/etc/moved')).to.equal('jailed')
    })

    it('/etc/passwd is the jail’s own /etc/passwd', async () => {
      const before = await outside()
      await expectLeft(io.stat('/etc/passwd'), 'NotFound', 'stat')
      expect(await expectRight(io.exists('/etc/passwd'))).to.equal(false)
      await expectLeft(io.unlink('/etc/passwd'), 'NotFound', 'unlink')
      await expectLeft(io.rmdir('/etc'), 'NotFound', 'rmdir')
      expect(await outside()).to.deep.equal(before)
    })

    it('a NUL byte or a 5,000-character path is InvalidArgument, naming the path as given', async () => {
      const before = await snapshot(outer, '/')
      const long = `/${'a/'.repeat(2500)}`
      for (const bad of ['in\0side', '../\0', long]) {
        for (const task of [
          io.stat(bad),
          io.open(bad, 'wb'),
          io.mkdir(bad, { parents: true }),
          io.rename('inside', bad)
        ]) {
          const error = await expectLeft(task, 'InvalidArgument')
          expect(error.path).to.equal(bad)
        }
      }
      expect(await snapshot(outer, '/')).to.deep.equal(before)
    })

    it('errors name the virtual path, never the real directory', async () => {
      for (const given of ['missing', '/missing', '../missing', 'a/b/../missing']) {
        const error = await expectLeft(io.stat(given), 'NotFound', 'stat')
        expect(error.path).to.equal(given)
        expect(error.message).to.contain(`'${given}'`)
        expect(error.message).not.to.contain('/jail')
      }
      const renamed = await expectLeft(io.rename('inside', 'nowhere/x'), 'NotFound', 'rename')
      expect(renamed.message).not.to.contain('/jail')
      const busy = await expectLeft(io.rmdir('/'), 'Busy', 'rmdir')
      expect(busy.message).not.to.contain('/jail')
      expect(busy.path).to.equal('/')
    })

    it('the root itself cannot be removed or renamed, even when empty: Busy', async () => {
      await expectRight(io.unlink('inside'))
      await expectLeft(io.rmdir('/'), 'Busy', 'rmdir')
      await expectLeft(io.rmdir('..'), 'Busy', 'rmdir')
      await expectLeft(io.rename('/', '/x'), 'Busy', 'rename')
      await expectRight(io.mkdir('/d'))
      await expectLeft(io.rename('/d', '/'), 'Busy', 'rename')
      expect(await expectRight(outer.isDir('/jail'))).to.equal(true)
      expect(await expectRight(io.list('/'))).to.deep.equal(['/d'])
    })

    it('rewrites real paths in a message and keeps the cause untouched', async () => {
      const raw = Object.assign(new Error("EACCES: permission denied, open '/jail/inside'"), { code: 'EACCES' })
      const inner = normaliseErrors({ ...loosen(outer), open: () => TE.left(raw) })
      const error = await expectLeft(withRoot('/jail')(inner).open('inside', 'rb'), 'PermissionDenied', 'open')
      expect(error.path).to.equal('inside')
      expect(error.message).not.to.contain('/jail')
      expect(error.cause).to.equal(raw)
      // An Unknown error carries the cause's text: the root is hidden there too.
      const weird = Object.assign(new Error("EWEIRD: odd, stat '/jail/inside' in /jail"), { code: 'EWEIRD' })
      const unknown = await expectLeft(
        withRoot('/jail')(normaliseErrors({ ...loosen(outer), stat: () => Promise.reject(weird) })).stat('inside'),
        'Unknown'
      )
      expect(unknown.message).to.contain("'inside'")
      expect(unknown.message).not.to.contain('/jail')
      expect(unknown.cause).to.equal(weird)
    })

    it('list and scan give the directory as given (relative stays relative); rename the destination as given', async () => {
      await expectRight(io.mkdir('d'))
      await writeFile(io, 'd/x', 'x')
      expect(await expectRight(io.list('d'))).to.deep.equal(['d/x'])
      expect(await expectRight(io.list('d/'))).to.deep.equal(['d/x'])
      expect(await expectRight(io.list('/d'))).to.deep.equal(['/d/x'])
      expect(sorted(await expectRight(io.list('..')))).to.deep.equal(['../d', '../inside'])
      expect((await expectRight(io.scan('./d'))).map((e) => [e.path, e.name])).to.deep.equal([['./d/x', 'x']])
      expect(await expectRight(io.rename('d/x', '../d/y'))).to.equal('../d/y')
    })

    it('realpath gives the caller’s path: the real root stripped, / for the root itself', async () => {
      await expectRight(io.mkdir('d'))
      expect(await expectRight(io.realpath('/'))).to.equal('/')
      expect(await expectRight(io.realpath('..'))).to.equal('/')
      expect(await expectRight(io.realpath('inside'))).to.equal('/inside')
      expect(await expectRight(io.realpath('../../d/../inside'))).to.equal('/inside')
      expect(await expectRight(io.realpath('/d/'))).to.equal('/d')
      // The jail's /etc/passwd does not exist: the outer one is never found.
      const error = await expectLeft(io.realpath('/etc/passwd'), 'NotFound', 'realpath')
      expect(error.message).not.to.contain('/jail')
      // Nested: each jail strips its own root.
      await writeFile(io, '/d/g', 'g')
      const nested = withRoot('/d')(io)
      expect(await expectRight(nested.realpath('g'))).to.equal('/g')
      expect(await expectRight(nested.realpath('/'))).to.equal('/')
    })

    it('realpath: an inner answer outside the root is PermissionDenied, never shown; an answer that is no absolute path is Unknown', async () => {
      const answering = (answer: unknown): PathIO<unknown> =>
        withRoot('/jail')(normaliseErrors({ ...loosen(outer), realpath: () => Promise.resolve(answer as string) }))
      for (const outside of ['/etc/passwd', '/', '/jail-other/x', '/jail/../secret']) {
        const error = await expectLeft(answering(outside).realpath('inside'), 'PermissionDenied', 'realpath')
        expect(error.path).to.equal('inside')
        expect(JSON.stringify(error)).not.to.contain(outside === '/' ? '"/"' : outside)
      }
      for (const odd of ['relative/x', 42, null, ''])
        expect(
          JSON.stringify(await expectLeft(answering(odd).realpath('inside'), 'Unknown', 'realpath'))
        ).not.to.contain('relative')
      // One inside, not canonical, is made canonical first.
      expect(await expectRight(answering('/jail/x/../inside').realpath('inside'))).to.equal('/inside')
    })

    it('a valid path too long once under the root cannot exist there', async () => {
      let virtual = '/'
      while (virtual.length + 201 < 4095) virtual += `${'a'.repeat(200)}/`
      virtual += 'z'.repeat(4095 - virtual.length)
      expect(Buffer.byteLength(virtual)).to.equal(4095)
      expect(await expectRight(io.exists(virtual))).to.equal(false)
      await expectLeft(io.stat(virtual), 'NotFound', 'stat')
      await expectLeft(io.open(virtual, 'wb'), 'InvalidArgument', 'open')
      await expectLeft(io.mkdir(virtual, { parents: true }), 'InvalidArgument', 'mkdir')
    })

    it('a root that is not an absolute path string is a TypeError at once, naming root', () => {
      for (const bad of ['relative/path', '', './jail', '/ja\0il', 42, undefined, null])
        expect(() => withRoot(bad as string), String(bad)).to.throw(TypeError, /root/)
    })
  })

  const disks: ReadonlyArray<{ readonly name: string; readonly make: () => PathIO<unknown> }> = [
    { name: 'node', make: () => makeNodePathIO() },
    // Under withTimeout: the pool's rooted form passes through middleware.
    { name: 'pool', make: () => withTimeout(20_000)(makePoolPathIO({ state: pool })) }
  ]
  let pool: WorkerPool
  before(() => {
    pool = makeWorkerPool({ size: 2 })
  })
  after(() => pool.close())

  for (const disk of disks)
    describe(`on a real disk (${disk.name}), with symbolic links`, () => {
      let temp: string
      let jail: string
      let io: PathIO<unknown>

      beforeEach(() => {
        temp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-jail-')))
        jail = path.join(temp, 'jail')
        fs.mkdirSync(path.join(jail, 'sub'), { recursive: true })
        fs.mkdirSync(path.join(temp, 'outside'))
        fs.writeFileSync(path.join(temp, 'outside', 'secret'), 'secret')
        fs.writeFileSync(path.join(jail, 'f'), 'in the jail')
        fs.symlinkSync('/', path.join(jail, 'toRoot'))
        fs.symlinkSync(path.join(temp, 'outside'), path.join(jail, 'out'))
        fs.symlinkSync('../outside/new-file', path.join(jail, 'dangling'))
        fs.symlinkSync('sub', path.join(jail, 'inner'))
        io = withRoot(jail)(disk.make())
      })
      afterEach(() => fs.rmSync(temp, { recursive: true, force: true }))

      const outsideNow = (): Array<string> => fs.readdirSync(path.join(temp, 'outside')).sort()

      it('refuses every path that leads out through a link, touching nothing outside', async () => {
        const secret = (): { mode: number; mtimeMs: number } => {
          const { mode, mtimeMs } = fs.statSync(path.join(temp, 'outside', 'secret'))
          return { mode, mtimeMs }
        }
        const secretBefore = secret()
        const refused = [
          io.stat('toRoot/etc/passwd'),
          io.open('toRoot/etc/passwd', 'rb'),
          io.list('toRoot'),
          io.scan('toRoot/etc'),
          io.exists('toRoot/etc/passwd'),
          io.open('out/secret', 'rb'),
          io.open('out/secret', 'wb'),
          io.open('out/planted', 'wb'),
          io.open('dangling', 'wb'),
          io.open('/sub/../dangling', 'ab'),
          io.mkdir('out/newdir'),
          io.mkdir(`toRoot${temp}/outside/escaped/deeper`, { parents: true }),
          io.unlink('out/secret'),
          io.rename('f', 'out/f'),
          io.rename('out/secret', 'stolen'),
          // chmod and utimes follow a final link: where they land is checked too.
          io.chmod('out/secret', 0o600),
          io.utimes('out/secret', 0),
          io.chmod('out', 0o700),
          io.utimes('dangling', 0),
          io.chmod('dangling', 0o600),
          // realpath follows every link: one that leads out is refused, never answered.
          io.realpath('out'),
          io.realpath('out/secret'),
          io.realpath('toRoot'),
          io.realpath('toRoot/etc/passwd'),
          io.realpath('dangling')
        ]
        for (const task of refused) {
          const error = await expectLeft(task, 'PermissionDenied')
          expect(error.message).not.to.contain(jail)
        }
        expect(outsideNow()).to.deep.equal(['secret'])
        expect(fs.readFileSync(path.join(temp, 'outside', 'secret'), 'utf8')).to.equal('secret')
        expect(secret()).to.deep.equal(secretBefore)
        expect(fs.readFileSync(path.join(jail, 'f'), 'utf8')).to.equal('in the jail')
      })

      it('a sibling whose name starts with the root’s name (jail-other beside jail) is outside', async () => {
        const sibling = `${jail}-other`
        fs.mkdirSync(sibling)
        fs.writeFileSync(path.join(sibling, 'secret'), 'next door')
        fs.symlinkSync(sibling, path.join(jail, 'near'))
        fs.symlinkSync('../jail-other/secret', path.join(jail, 'nearFile'))
        for (const task of [
          io.open('near/secret', 'rb'),
          io.open('nearFile', 'rb'),
          io.open('near/planted', 'wb'),
          io.open('nearFile', 'ab'),
          io.stat('near/secret'),
          io.list('near'),
          io.mkdir('near/made'),
          io.unlink('near/secret'),
          io.rename('f', 'near/f')
        ])
          await expectLeft(task, 'PermissionDenied')
        expect(fs.readdirSync(sibling)).to.deep.equal(['secret'])
        expect(fs.readFileSync(path.join(sibling, 'secret'), 'utf8')).to.equal('next door')
      })

      it('a missing path behind a link that leads out is refused as an existing one is: the outside cannot be probed', async () => {
        for (const [what, task] of [
          ['stat', () => io.stat('out/nothing/x')],
          ['open rb', () => io.open('out/nothing/x', 'rb')],
          ['open wb', () => io.open('out/nothing/x', 'wb')],
          ['mkdir', () => io.mkdir('out/nothing/x')],
          ['list', () => io.list('out/nothing/x')],
          ['realpath', () => io.realpath('out/nothing/x')],
          ['unlink', () => io.unlink('toRoot/no-such-dir-here/x')]
        ] as const)
          await expectLeft(task(), 'PermissionDenied').catch((error: Error) => {
            throw new Error(`${what}: ${error.message}`)
          })
        expect(outsideNow()).to.deep.equal(['secret'])
      })

      it('realpath through links that stay inside gives the target’s path in the jail; a dangling one inside is NotFound', async () => {
        fs.writeFileSync(path.join(jail, 'sub', 'g'), 'g')
        fs.symlinkSync('../f', path.join(jail, 'sub', 'toF'))
        fs.symlinkSync(path.join(jail, 'sub', 'g'), path.join(jail, 'absolute'))
        fs.symlinkSync('sub/nothing', path.join(jail, 'danglingInside'))
        expect(await expectRight(io.realpath('inner'))).to.equal('/sub')
        expect(await expectRight(io.realpath('/inner/g'))).to.equal('/sub/g')
        expect(await expectRight(io.realpath('inner/toF'))).to.equal('/f')
        expect(await expectRight(io.realpath('absolute'))).to.equal('/sub/g')
        expect(await expectRight(io.realpath('/'))).to.equal('/')
        await expectLeft(io.realpath('danglingInside'), 'NotFound', 'realpath')
        // A record with no rooted form (checked path by path) answers the same, its answers mapped from where the root really is.
        fs.symlinkSync(jail, path.join(temp, 'alias'))
        for (const checked of [
          withRoot(jail)(normaliseErrors(loosen(disk.make()))),
          withRoot(path.join(temp, 'alias'))(normaliseErrors(loosen(disk.make())))
        ]) {
          expect(await expectRight(checked.realpath('inner/toF'))).to.equal('/f')
          expect(await expectRight(checked.realpath('/'))).to.equal('/')
          const error = await expectLeft(checked.realpath('out/secret'), 'PermissionDenied', 'realpath')
          expect(JSON.stringify(error)).not.to.contain(temp)
        }
      })

      it('chmod and utimes through a link that stays inside act on its target, inside', async () => {
        await expectRight(io.chmod('inner', 0o700))
        await expectRight(io.utimes('inner', 1_600_000_000_000))
        const sub = fs.statSync(path.join(jail, 'sub'))
        expect(sub.mode & 0o7777).to.equal(0o700)
        expect(sub.mtimeMs).to.equal(1_600_000_000_000)
        // The link itself is untouched: it is still a link to 'sub'.
        expect(fs.readlinkSync(path.join(jail, 'inner'))).to.equal('sub')
      })

      it('a link that stays inside works, and a link itself can be removed', async () => {
        await writeFile(io, 'inner/x', 'through a link')
        expect(await readFile(io, '/sub/x')).to.equal('through a link')
        expect(await expectRight(io.list('inner'))).to.deep.equal(['inner/x'])
        // unlink acts on the link, not on what it points to.
        await expectRight(io.unlink('out'))
        expect(outsideNow()).to.deep.equal(['secret'])
        expect(fs.existsSync(path.join(jail, 'out'))).to.equal(false)
      })

      it('errors name the virtual path on disk too, and keep the errno cause', async () => {
        const error = await expectLeft(io.open('sub/missing', 'rb'), 'NotFound', 'open')
        expect(error.path).to.equal('sub/missing')
        expect(error.message).not.to.contain(temp)
        expect(error.code).to.equal('ENOENT')
      })

      it('works when the root itself is reached through a link', async () => {
        fs.symlinkSync(jail, path.join(temp, 'alias'))
        const aliased = withRoot(path.join(temp, 'alias'))(disk.make())
        expect(await readFile(aliased, '/f')).to.equal('in the jail')
        // Its rooted form answers under the root as given: the jail maps that back.
        expect(await expectRight(aliased.realpath('inner'))).to.equal('/sub')
        expect(await expectRight(aliased.realpath('/'))).to.equal('/')
        await expectLeft(aliased.realpath('out'), 'PermissionDenied', 'realpath')
        await expectLeft(aliased.open('out/secret', 'rb'), 'PermissionDenied', 'open')
        expect(sorted(await expectRight(aliased.list('/')))).to.deep.equal([
          '/dangling',
          '/f',
          '/inner',
          '/out',
          '/sub',
          '/toRoot'
        ])
      })

      it('a listing shows a link that leads outside as a link (its own lstat), never with its target’s stat', async () => {
        fs.writeFileSync(path.join(temp, 'outside', 'big'), 'x'.repeat(12345))
        fs.symlinkSync(path.join(temp, 'outside', 'big'), path.join(jail, 'toBig'))
        fs.symlinkSync('f', path.join(jail, 'toF'))
        const entries = await expectRight(io.scan('/'))
        const byName = Object.fromEntries(entries.map((entry) => [entry.name, entry.stat]))
        expect(Object.keys(byName).sort()).to.deep.equal([
          'dangling',
          'f',
          'inner',
          'out',
          'sub',
          'toBig',
          'toF',
          'toRoot'
        ])
        for (const name of ['out', 'toRoot', 'toBig', 'dangling']) {
          const own = fs.lstatSync(path.join(jail, name))
          expect(byName[name].mode & S_IFMT, name).to.equal(S_IFLNK)
          expect(byName[name].size, name).to.equal(own.size)
          expect(byName[name].nlink, name).to.equal(own.nlink)
        }
        // Links that stay inside are followed, as without a jail.
        expect(byName.toF.size).to.equal('in the jail'.length)
        expect(byName.inner.mode & S_IFMT).to.equal(fs.statSync(path.join(jail, 'sub')).mode & S_IFMT)
      })

      it('a listing page by page (opendir/readdir) obeys the same rule; opendir through a link that leads out is refused', async () => {
        fs.writeFileSync(path.join(temp, 'outside', 'big'), 'x'.repeat(12345))
        fs.symlinkSync(path.join(temp, 'outside', 'big'), path.join(jail, 'toBig'))
        const dir = await expectRight(io.opendir('/'))
        const entries: Array<{
          readonly name: string
          readonly stat: { readonly size: number; readonly nlink: number; readonly mode: number }
        }> = []
        for (
          let page = await expectRight(io.readdir(dir, 3));
          page.length > 0;
          page = await expectRight(io.readdir(dir, 3))
        )
          entries.push(...page)
        await expectRight(io.closedir(dir))
        const byName = Object.fromEntries(entries.map((entry) => [entry.name, entry.stat]))
        expect(Object.keys(byName).sort()).to.deep.equal(['dangling', 'f', 'inner', 'out', 'sub', 'toBig', 'toRoot'])
        for (const name of ['out', 'toRoot', 'toBig', 'dangling']) {
          const own = fs.lstatSync(path.join(jail, name))
          expect(byName[name].mode & S_IFMT, name).to.equal(S_IFLNK)
          expect(byName[name].size, name).to.equal(own.size)
          expect(byName[name].nlink, name).to.equal(own.nlink)
        }
        expect(byName.inner.mode & S_IFMT).to.equal(fs.statSync(path.join(jail, 'sub')).mode & S_IFMT)
        for (const outward of ['out', 'toRoot/etc', 'sub/../out'])
          await expectLeft(io.opendir(outward), 'PermissionDenied', 'opendir')
        // Through a link that stays inside, it lists what the link points to.
        await writeFile(io, 'sub/x', 'x')
        const inner = await expectRight(io.opendir('inner'))
        expect((await expectRight(io.readdir(inner))).map((entry) => entry.path)).to.deep.equal(['inner/x'])
        await expectRight(io.closedir(inner))
      })

      it('a jail inside a jail acts exactly on outer root + inner root, and its own links are checked against that', async () => {
        // The inner root is a path of the outer jail. The same path exists on the real disk too (a decoy): a nested
        // jail that lost the outer root either refuses its own files (rooted at the decoy, it finds them outside)
        // or, worse, acts on the decoy; it must do neither.
        const innerRoot = path.join(temp, 'decoy')
        const nestedDir = jail + innerRoot
        fs.mkdirSync(innerRoot)
        fs.writeFileSync(path.join(innerRoot, 'f'), 'decoy')
        fs.mkdirSync(path.join(nestedDir, 'd'), { recursive: true })
        fs.writeFileSync(path.join(nestedDir, 'f'), 'nested')
        // Inside the outer jail but outside the inner one: a link there leads out of the inner jail.
        fs.symlinkSync(jail, path.join(nestedDir, 'up'))
        const outer = withRoot(jail)(disk.make())
        const nested = withRoot(innerRoot)(outer)
        const decoyBefore = fs.readdirSync(innerRoot).sort()

        expect(await readFile(nested, '/f')).to.equal('nested')
        expect(await readFile(nested, '../../f')).to.equal('nested')
        expect(sorted(await expectRight(nested.list('/')))).to.deep.equal(['/d', '/f', '/up'])
        await writeFile(nested, '/d/new', 'made')
        await expectRight(nested.mkdir('/made'))
        await expectRight(nested.rename('/d/new', '/made/moved'))
        await expectRight(nested.unlink('/f'))
        expect(fs.readFileSync(path.join(nestedDir, 'made', 'moved'), 'utf8')).to.equal('made')
        expect(fs.existsSync(path.join(nestedDir, 'f'))).to.equal(false)
        expect(fs.readdirSync(innerRoot).sort()).to.deep.equal(decoyBefore)
        expect(fs.readFileSync(path.join(innerRoot, 'f'), 'utf8')).to.equal('decoy')
        // The outer jail's own files are out of the inner jail's reach, through '..' and through a link.
        await expectLeft(nested.open('/up/f', 'rb'), 'PermissionDenied', 'open')
        await expectLeft(nested.open('/up/planted', 'wb'), 'PermissionDenied', 'open')
        expect(await expectRight(nested.realpath('/made/moved'))).to.equal('/made/moved')
        const up = await expectLeft(nested.realpath('/up'), 'PermissionDenied', 'realpath')
        expect(JSON.stringify(up)).not.to.contain(temp)
        expect(fs.existsSync(path.join(jail, 'planted'))).to.equal(false)
        const busy = await expectLeft(nested.rmdir('/'), 'Busy', 'rmdir')
        expect(busy.message).not.to.contain(temp)
        // Three deep: each root is a path of the jail around it.
        fs.mkdirSync(path.join(nestedDir, 'made', 'deeper'))
        fs.writeFileSync(path.join(nestedDir, 'made', 'deeper', 'g'), 'three deep')
        const third = withRoot('/made/deeper')(nested)
        expect(await readFile(third, '/g')).to.equal('three deep')
        expect(await expectRight(third.list('/'))).to.deep.equal(['/g'])
        expect(await readFile(third, '../../../g')).to.equal('three deep')
      })

      it('rename whose destination leads out through a link is PermissionDenied, naming the destination; nothing moves', async () => {
        fs.symlinkSync('../../outside', path.join(jail, 'sub', 'esc'))
        const refused: ReadonlyArray<readonly [string, string]> = [
          ['f', 'out/f'],
          ['f', 'sub/esc/f'],
          ['/sub', 'out/sub'],
          ['f', `toRoot${temp}/outside/f`],
          ['inner', 'out/inner']
        ]
        for (const [source, destination] of refused) {
          const error = await expectLeft(io.rename(source, destination), 'PermissionDenied', 'rename')
          expect(error.path, destination).to.equal(destination)
          expect(error.message).to.contain('destination')
          expect(error.message).not.to.contain(jail)
        }
        expect(outsideNow()).to.deep.equal(['secret'])
        expect(fs.readFileSync(path.join(jail, 'f'), 'utf8')).to.equal('in the jail')
        expect(fs.statSync(path.join(jail, 'sub')).isDirectory()).to.equal(true)
        // A rename onto a link that leads out replaces the link itself, inside the jail.
        await expectRight(io.rename('f', 'dangling'))
        expect(fs.readFileSync(path.join(jail, 'dangling'), 'utf8')).to.equal('in the jail')
        expect(outsideNow()).to.deep.equal(['secret'])
      })
    })
})
