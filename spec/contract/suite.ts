/**
 * The one behaviour suite: DESIGN.md's "Semantics every backend shares", run
 * against any backend or middleware stack that provides a `Backend` fixture.
 *
 * Paths are written relative to the fixture's cwd (`'d/f'`) or as `p('d/f')`
 * (the fixture's root joined with them), so the suite works with root `/` and
 * with root a temporary directory.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as nodePath from 'node:path'
import {
  isCapabilities,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  type FileHandle,
  type PathIO
} from '../../lib'
import type { Backend, Fixture } from './fixture'
import { PROBES, type Capability } from './capabilities'
import { describeListings } from './listings'
import {
  bytes,
  expectLeft,
  expectRight,
  readFile,
  run,
  sleep,
  snapshot,
  sorted,
  text,
  under,
  writeFile
} from './helpers'

/** Long enough for any clock the kernel or `Date.now` uses to tick. */
const TICK_MS = 20

/** Values that are not strings, for every path argument. */
const NON_STRINGS: ReadonlyArray<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['a boolean', true],
  ['an object', { toString: () => 'f' }],
  ['an array', ['f']],
  ['a Buffer', Buffer.from('f')],
  ['a symbol', Symbol('f')],
  ['a bigint', BigInt(1)]
]

/** A path of exactly `total` UTF-8 bytes under `root` (names of at most 201 bytes). */
const pathOfBytes = (root: string, total: number): string => {
  let path = root.endsWith('/') ? root : `${root}/`
  while (Buffer.byteLength(path) + 201 < total) path += `${'a'.repeat(200)}/`
  return path + 'b'.repeat(total - Buffer.byteLength(path))
}

const isDirMode = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR
const isFileMode = (mode: number): boolean => (mode & S_IFMT) === S_IFREG

export const runContract = (backend: Backend): void => {
  describe(`contract: ${backend.name}`, function () {
    let fixture: Fixture
    let io: PathIO<unknown>
    let root: string
    /** The fixture's root joined with a relative path: an absolute path to the same place. */
    const p = (rel: string): string => under(root, rel)

    beforeEach(async () => {
      fixture = await backend.setup()
      io = fixture.pathio
      root = fixture.root
    })
    afterEach(async () => {
      await fixture.teardown()
    })
    after(async () => {
      if (backend.after) await backend.after()
    })

    /** Whether the record says it lacks `capability` (its own `capabilities`, not the fixture's word). */
    const lacks = (capability: Capability): boolean => !io.capabilities[capability]

    /**
     * A test that needs `capabilities`: where the record lacks one, the
     * suite checks instead that the backend says so (see capabilities.ts).
     */
    const needs = (capabilities: ReadonlyArray<Capability>, body: () => Promise<void>) => async (): Promise<void> => {
      const lacking = capabilities.filter(lacks)
      if (lacking.length === 0) return body()
      for (const capability of lacking) await PROBES[capability](io)
    }

    /** `r+b`, or `rb` where the backend cannot update in place: for tests that only need a handle to a file. */
    const readWrite = (): 'r+b' | 'rb' => (lacks('update') ? 'rb' : 'r+b')

    const open = (path: string, mode: 'rb' | 'wb' | 'ab' | 'r+b'): Promise<FileHandle> =>
      expectRight(io.open(path, mode))
    const position = (h: FileHandle): Promise<number> => expectRight(io.seek(h, 0, SEEK_CUR))
    const size = async (path: string): Promise<number> => (await expectRight(io.stat(path))).size

    // ---------------------------------------------------------------------------------
    describe('capabilities', () => {
      it('the record carries them: a frozen record of every flag, the same on a record sharing its state', () => {
        expect(isCapabilities(io.capabilities), JSON.stringify(io.capabilities)).to.equal(true)
        expect(Object.isFrozen(io.capabilities)).to.equal(true)
        expect(fixture.sibling().capabilities).to.deep.equal(io.capabilities)
        // Every backend and stack here can write: the suite makes its own files.
        expect(io.capabilities.write).to.equal(true)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('paths', () => {
      describe('lexical resolution', () => {
        beforeEach(async () => {
          await expectRight(io.mkdir('d'))
          await writeFile(io, 'f', 'eff')
        })

        it('resolves a relative path against the cwd, the same place as the absolute one', async () => {
          await writeFile(io, 'd/g', 'gee')
          expect(await readFile(io, p('d/g'))).to.equal('gee')
          expect(await expectRight(io.isFile(p('d/g')))).to.equal(true)
          expect(await readFile(io, './d/./g')).to.equal('gee')
        })

        it('d/../f, f/, ./f and f//. all mean f', async () => {
          for (const path of ['d/../f', 'f/', './f', 'f//.', `${p('d')}/../f`]) {
            expect(await readFile(io, path), path).to.equal('eff')
            expect((await expectRight(io.stat(path))).size, path).to.equal(3)
          }
        })

        it('resolves `..` lexically, whatever exists: through a missing directory or a file', async () => {
          expect(await readFile(io, 'missing/../f')).to.equal('eff')
          expect(await readFile(io, 'f/../f')).to.equal('eff')
          expect(await expectRight(io.isDir('f/..'))).to.equal(true)
          expect(await expectRight(io.exists('missing/x/../..'))).to.equal(true)
        })

        it('keeps `..` above / at /', async () => {
          expect(await readFile(io, `/../../..${p('f')}`)).to.equal('eff')
          expect(await expectRight(io.isDir('/../..'))).to.equal(true)
          // Resolved to /, listed as given: '/../name'.
          const above = await expectRight(io.list('/..'))
          expect(sorted(above.map((path) => path.replace(/^\/\.\.\//, '/')))).to.deep.equal(
            sorted(await expectRight(io.list('/')))
          )
        })

        it('collapses repeated slashes', async () => {
          await writeFile(io, 'd//g', 'gee')
          expect(await readFile(io, 'd/g')).to.equal('gee')
          expect(await readFile(io, `${p('d')}///g`)).to.equal('gee')
          expect(sorted(await expectRight(io.list('d')))).to.deep.equal(['d/g'])
        })

        it('creates through a trailing slash what it names without one', async () => {
          await expectRight(io.mkdir('e/'))
          expect(await expectRight(io.isDir('e'))).to.equal(true)
          await writeFile(io, 'd/g/', 'gee')
          expect(await expectRight(io.isFile('d/g'))).to.equal(true)
        })

        it('checks the resolved path, not the given one, against the limits', async () => {
          const detour = `${'x/../'.repeat(1000)}f` // 5001 bytes given, resolves to f
          expect(await readFile(io, detour)).to.equal('eff')
          expect(await readFile(io, `${'n'.repeat(300)}/../f`)).to.equal('eff')
        })
      })

      describe('invalid paths are InvalidArgument', () => {
        /** Every operation that takes a path, called with `path` in each path position. */
        const pathCalls = (path: unknown) => {
          const any = path as string
          return [
            ['exists', () => io.exists(any)],
            ['isDir', () => io.isDir(any)],
            ['isFile', () => io.isFile(any)],
            ['stat', () => io.stat(any)],
            ['mkdir', () => io.mkdir(any)],
            ['mkdir', () => io.mkdir(any, { parents: true, existOk: true })],
            ['rmdir', () => io.rmdir(any)],
            ['unlink', () => io.unlink(any)],
            ['rename', () => io.rename(any, 'renamed')],
            ['rename', () => io.rename('f', any)],
            ['list', () => io.list(any)],
            ['scan', () => io.scan(any)],
            ['realpath', () => io.realpath(any)],
            ['open', () => io.open(any, 'rb')],
            ['open', () => io.open(any, 'wb')],
            ['open', () => io.open(any, 'ab')],
            ['open', () => io.open(any, 'r+b')]
          ] as const
        }

        beforeEach(async () => {
          await writeFile(io, 'f', 'keep')
        })

        const refusedEverywhere = async (path: unknown): Promise<void> => {
          const before = await snapshot(io, root)
          for (const [op, call] of pathCalls(path)) await expectLeft(call(), 'InvalidArgument', op)
          expect(await snapshot(io, root)).to.deep.equal(before)
        }

        for (const [what, value] of NON_STRINGS)
          it(`refuses ${what}`, async () => {
            await refusedEverywhere(value)
          })

        it('refuses the empty string', async () => {
          await refusedEverywhere('')
        })

        it('refuses a NUL byte anywhere', async () => {
          await refusedEverywhere('a\0b')
          await refusedEverywhere('\0')
          await refusedEverywhere('f\0')
          await refusedEverywhere(`${p('d')}/\0/x`)
        })

        it(
          'refuses a name of 256 bytes and accepts one of 255',
          needs(['longNames'], async () => {
            await refusedEverywhere('a'.repeat(256))
            await refusedEverywhere(`d/${'a'.repeat(256)}/x`)
            await expectRight(io.mkdir('a'.repeat(255)))
            await writeFile(io, `${'a'.repeat(255)}/${'z'.repeat(255)}`, 'long')
            expect(await readFile(io, p(`${'a'.repeat(255)}/${'z'.repeat(255)}`))).to.equal('long')
          })
        )

        it(
          'counts a name in UTF-8 bytes: 255 accepted, 256 refused',
          needs(['longNames'], async () => {
            const accepted = ['é'.repeat(127) + 'a', '€'.repeat(85), '😀'.repeat(63) + 'abc']
            const refused = ['é'.repeat(128), '€'.repeat(85) + 'a', '😀'.repeat(64)]
            for (const name of accepted) expect(Buffer.byteLength(name)).to.equal(255)
            for (const name of refused) expect(Buffer.byteLength(name)).to.equal(256)
            for (const name of refused) await refusedEverywhere(name)
            for (const name of accepted) await writeFile(io, name, name)
            expect(sorted(await expectRight(io.list('.')))).to.have.length(1 + accepted.length)
            for (const name of accepted) {
              expect(await readFile(io, p(name))).to.equal(name)
              expect((await expectRight(io.list(root))).includes(p(name)), name).to.equal(true)
            }
          })
        )

        it('refuses a path of 4096 bytes; one of 4095 is looked up', async () => {
          const longest = pathOfBytes(root, 4095)
          const tooLong = pathOfBytes(root, 4096)
          expect(Buffer.byteLength(longest)).to.equal(4095)
          expect(Buffer.byteLength(tooLong)).to.equal(4096)
          await expectLeft(io.stat(longest), 'NotFound', 'stat')
          await refusedEverywhere(tooLong)
          // Multi-byte: 4096 bytes in fewer characters is refused too.
          const multi = `${pathOfBytes(root, 4094)}é`
          expect(Buffer.byteLength(multi)).to.equal(4096)
          await expectLeft(io.stat(multi), 'InvalidArgument', 'stat')
        })

        it('mkdir with parents leaves nothing behind on an invalid path', async () => {
          await expectLeft(io.mkdir(`x/y/${'a'.repeat(256)}`, { parents: true }), 'InvalidArgument', 'mkdir')
          await expectLeft(io.mkdir('x/y\0/z', { parents: true }), 'InvalidArgument', 'mkdir')
          await expectLeft(io.mkdir(pathOfBytes(p('x'), 4096), { parents: true }), 'InvalidArgument', 'mkdir')
          expect(await expectRight(io.exists('x'))).to.equal(false)
          expect(await expectRight(io.list(root))).to.deep.equal([p('f')])
        })
      })
    })

    // ---------------------------------------------------------------------------------
    describe('errors', () => {
      it('are tagged records with reason, op, the path as given, a message naming both', async () => {
        const given = 'nope/../missing//'
        const error = await expectLeft(io.stat(given), 'NotFound', 'stat')
        expect(error._tag).to.equal('PathIOError')
        expect(error.path).to.equal(given)
        expect(error.message).to.be.a('string').and.include('stat').and.include(given)
        if (error.code !== undefined) expect(error.code).to.be.a('string').and.equal('ENOENT')
      })

      it('name the operation that failed, and its path where there is one', async () => {
        await writeFile(io, 'f', 'x')
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'd/g', 'x')
        const cases = [
          ['exists', io.exists('\0'), 'InvalidArgument', '\0'],
          ['isDir', io.isDir(''), 'InvalidArgument', ''],
          ['isFile', io.isFile('a\0'), 'InvalidArgument', 'a\0'],
          ['stat', io.stat('missing'), 'NotFound', 'missing'],
          ['mkdir', io.mkdir('f'), 'AlreadyExists', 'f'],
          ['rmdir', io.rmdir('./d/'), 'NotEmpty', './d/'],
          ['unlink', io.unlink('d'), 'IsADirectory', 'd'],
          ['rename', io.rename('missing/', 'x'), 'NotFound', 'missing/'],
          ['list', io.list('f'), 'NotADirectory', 'f'],
          ['scan', io.scan('missing'), 'NotFound', 'missing'],
          ['open', io.open('d', 'wb'), 'IsADirectory', 'd'],
          ['realpath', io.realpath('d/g/x'), 'NotADirectory', 'd/g/x']
        ] as const
        for (const [op, te, reason, path] of cases) {
          const error = await expectLeft(te, reason, op)
          expect(error._tag).to.equal('PathIOError')
          expect(error.path, op).to.equal(path)
          expect(error.message, op).to.include(op)
          if (path !== '') expect(error.message, op).to.include(path)
          if (error.code !== undefined) expect(error.code).to.be.a('string')
        }
      })

      it('of handle operations name the operation', async () => {
        const forged = {} as FileHandle
        await expectLeft(io.read(forged), 'BadHandle', 'read')
        await expectLeft(io.write(forged, bytes('x')), 'BadHandle', 'write')
        await expectLeft(io.seek(forged, 0), 'BadHandle', 'seek')
        const error = await expectLeft(io.close(forged), 'BadHandle', 'close')
        expect(error.message).to.include('close')
      })

      it('carry no path that is not a string', async () => {
        const error = await expectLeft(io.stat(42 as unknown as string), 'InvalidArgument', 'stat')
        expect(error.path === undefined || typeof error.path === 'string').to.equal(true)
        expect(error.message).to.include('stat')
      })
    })

    // ---------------------------------------------------------------------------------
    describe('exists / isDir / isFile', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'f', 'x')
      })

      it('answer for a directory and a file', async () => {
        expect(await expectRight(io.exists('d'))).to.equal(true)
        expect(await expectRight(io.isDir('d'))).to.equal(true)
        expect(await expectRight(io.isFile('d'))).to.equal(false)
        expect(await expectRight(io.exists(p('f')))).to.equal(true)
        expect(await expectRight(io.isDir(p('f')))).to.equal(false)
        expect(await expectRight(io.isFile(p('f')))).to.equal(true)
        expect(await expectRight(io.isDir(root))).to.equal(true)
        expect(await expectRight(io.isDir('.'))).to.equal(true)
      })

      it('answer false for a missing path, a missing parent, and a path through a file', async () => {
        for (const path of ['missing', 'missing/x', 'f/x', 'f/x/y', p('f/x')]) {
          expect(await expectRight(io.exists(path)), path).to.equal(false)
          expect(await expectRight(io.isDir(path)), path).to.equal(false)
          expect(await expectRight(io.isFile(path)), path).to.equal(false)
        }
      })
    })

    // ---------------------------------------------------------------------------------
    describe('stat', () => {
      it('gives a file its size, type bits, nlink and times', async () => {
        const before = Date.now()
        await writeFile(io, 'f', 'hello')
        const stat = await expectRight(io.stat('f'))
        expect(stat.size).to.equal(5)
        expect(isFileMode(stat.mode)).to.equal(true)
        expect(stat.nlink).to.equal(1)
        expect(stat.mtimeMs).to.be.a('number')
        expect(stat.ctimeMs).to.be.a('number')
        // Generous: a disk's clock may be coarse, but not minutes off.
        expect(Math.abs(stat.mtimeMs - before)).to.be.below(60_000)
      })

      it('gives a directory its type bits', async () => {
        await expectRight(io.mkdir('d'))
        expect(isDirMode((await expectRight(io.stat('d'))).mode)).to.equal(true)
        expect(isDirMode((await expectRight(io.stat(root))).mode)).to.equal(true)
      })

      it('is NotFound for a missing path and NotADirectory through a file', async () => {
        await writeFile(io, 'f', 'x')
        await expectLeft(io.stat('missing'), 'NotFound', 'stat')
        await expectLeft(io.stat('missing/x'), 'NotFound', 'stat')
        await expectLeft(io.stat('f/x'), 'NotADirectory', 'stat')
      })

      it(
        "a write changes the file's mtime",
        needs(['visibleWhileWriting'], async () => {
          const h = await open('f', 'wb')
          await expectRight(io.write(h, bytes('a')))
          const first = (await expectRight(io.stat('f'))).mtimeMs
          await sleep(TICK_MS)
          await expectRight(io.write(h, bytes('b')))
          const second = (await expectRight(io.stat('f'))).mtimeMs
          expect(second).to.be.above(first)
          await expectRight(io.close(h))
        })
      )

      it(
        "adding or removing an entry changes its directory's mtime",
        needs(['directoryTimes'], async () => {
          await expectRight(io.mkdir('d'))
          await expectRight(io.mkdir('e'))
          const mtime = async (path: string) => (await expectRight(io.stat(path))).mtimeMs
          const changes = async (dir: string, action: () => Promise<unknown>) => {
            const before = await mtime(dir)
            await sleep(TICK_MS)
            await action()
            expect(await mtime(dir), dir).to.be.above(before)
          }
          await changes('d', () => writeFile(io, 'd/f', 'x'))
          await changes('d', () => expectRight(io.mkdir('d/s')))
          await changes('d', () => expectRight(io.rmdir('d/s')))
          await changes('d', () => expectRight(io.unlink('d/f')))
          await writeFile(io, 'd/g', 'x')
          await changes('d', () => expectRight(io.rename('d/g', 'e/g')))
          await changes('e', () => expectRight(io.rename('e/g', 'd/g')))
        })
      )

      it(
        'a directory has nlink 2 plus its subdirectories',
        needs(['directoryTimes'], async () => {
          await expectRight(io.mkdir('d'))
          const nlink = async (path: string) => (await expectRight(io.stat(path))).nlink
          expect(await nlink('d')).to.equal(2)
          await expectRight(io.mkdir('d/a'))
          await expectRight(io.mkdir('d/b'))
          await writeFile(io, 'd/f', 'x')
          expect(await nlink('d')).to.equal(4)
          await expectRight(io.rmdir('d/a'))
          expect(await nlink('d')).to.equal(3)
          await expectRight(io.mkdir('e'))
          await expectRight(io.rename('d/b', 'e/b'))
          expect(await nlink('d')).to.equal(2)
          expect(await nlink('e')).to.equal(3)
        })
      )
    })

    // ---------------------------------------------------------------------------------
    describe('realpath', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'd/f', 'eff')
        await writeFile(io, 'g', 'gee')
      })

      it('gives an existing file and directory their absolute path: relative against the cwd, resolved lexically', async () => {
        expect(await expectRight(io.realpath('g'))).to.equal(p('g'))
        expect(await expectRight(io.realpath('d'))).to.equal(p('d'))
        expect(await expectRight(io.realpath('d/f'))).to.equal(p('d/f'))
        expect(await expectRight(io.realpath(p('d/f')))).to.equal(p('d/f'))
        for (const [path, canonical] of [
          ['d/../g', 'g'],
          ['./g', 'g'],
          ['g/', 'g'],
          ['d//f/.', 'd/f'],
          ['missing/../g', 'g'],
          [`${p('d')}/../d/f`, 'd/f'],
          ['d/f/../../g', 'g']
        ])
          expect(await expectRight(io.realpath(path)), path).to.equal(p(canonical))
        expect(await expectRight(io.realpath('.'))).to.equal(root)
        expect(await expectRight(io.realpath(root))).to.equal(root)
        expect(await expectRight(io.realpath('/'))).to.equal('/')
        expect(await expectRight(io.realpath('/../..'))).to.equal('/')
      })

      it('a missing path is NotFound; a path through a file NotADirectory; errors name the path as given', async () => {
        for (const path of ['missing', 'missing/x', 'd/missing', p('missing')]) {
          const error = await expectLeft(io.realpath(path), 'NotFound', 'realpath')
          expect(error.path).to.equal(path)
          expect(error.message).to.include('realpath').and.include(path)
        }
        for (const path of ['g/x', 'd/f/x/y', p('g/x')])
          await expectLeft(io.realpath(path), 'NotADirectory', 'realpath')
      })

      it('a bad path is InvalidArgument, and changes nothing', async () => {
        const before = await snapshot(io, root)
        for (const path of [
          '',
          'g\0',
          '\0',
          `d/${'a'.repeat(256)}`,
          pathOfBytes(root, 4096),
          ...NON_STRINGS.map(([, value]) => value)
        ])
          await expectLeft(io.realpath(path as string), 'InvalidArgument', 'realpath')
        expect(await snapshot(io, root)).to.deep.equal(before)
      })

      // Only where links can be planted and seen: a disk fixture that says where its root really is (an overlay's
      // view of a disk layer mixes in another layer's entries: its links are not the disk's alone).
      if (backend.disk && backend.links !== false)
        describe('on a real disk, through symbolic links', () => {
          /** Where a relative path of the fixture really is on the disk. */
          const real = (rel: string): string => nodePath.join(fixture.realRoot as string, rel)
          /** A jail shows its real directory under another name (`/`): the disk beyond it must stay unseen. */
          const jailed = (): boolean => fixture.root !== fixture.realRoot

          beforeEach(() => {
            expect(fixture.realRoot, 'a disk fixture gives its realRoot').to.be.a('string')
          })

          it('a link inside the root resolves to its target’s path, followed as often as it takes', async () => {
            fs.symlinkSync('d', real('toD'))
            fs.symlinkSync('toD/f', real('toF'))
            fs.symlinkSync(real('d'), real('absolute'))
            fs.symlinkSync('../g', real('d/up'))
            expect(await expectRight(io.realpath('toD'))).to.equal(p('d'))
            expect(await expectRight(io.realpath('toD/f'))).to.equal(p('d/f'))
            expect(await expectRight(io.realpath('toF'))).to.equal(p('d/f'))
            expect(await expectRight(io.realpath('absolute/f'))).to.equal(p('d/f'))
            expect(await expectRight(io.realpath('toD/up'))).to.equal(p('g'))
            expect(await expectRight(io.realpath(p('toF')))).to.equal(p('d/f'))
            // Lexical first: 'toD/..' is the cwd, not the parent of where toD leads.
            expect(await expectRight(io.realpath('toD/..'))).to.equal(root)
          })

          it('a dangling link is NotFound; a link through a file NotADirectory; a loop InvalidArgument', async () => {
            fs.symlinkSync('nothing', real('dangling'))
            fs.symlinkSync('d/missing/deeper', real('danglingDeep'))
            fs.symlinkSync('g/x', real('throughFile'))
            fs.symlinkSync('loop2', real('loop1'))
            fs.symlinkSync('loop1', real('loop2'))
            await expectLeft(io.realpath('dangling'), 'NotFound', 'realpath')
            await expectLeft(io.realpath('danglingDeep'), 'NotFound', 'realpath')
            await expectLeft(io.realpath('dangling/x'), 'NotFound', 'realpath')
            await expectLeft(io.realpath('throughFile'), 'NotADirectory', 'realpath')
            await expectLeft(io.realpath('loop1'), 'InvalidArgument', 'realpath')
          })

          it('a link leading outside the root: its real path without a jail; under one, PermissionDenied, never revealing where', async () => {
            const parent = nodePath.dirname(fixture.realRoot as string)
            fs.symlinkSync('..', real('up'))
            fs.symlinkSync('/', real('toSlash'))
            fs.symlinkSync('../no-such-dir-here/x', real('upDangling'))
            const outward = [
              'up',
              'toSlash',
              'toSlash/etc',
              'd/../up',
              'up/no-such-file',
              'upDangling',
              'toSlash/no-such-dir/x'
            ]
            if (!jailed()) {
              expect(await expectRight(io.realpath('up'))).to.equal(parent)
              expect(await expectRight(io.realpath('toSlash'))).to.equal('/')
              return
            }
            for (const path of outward) {
              const error = await expectLeft(io.realpath(path), 'PermissionDenied', 'realpath')
              expect(error.path, path).to.equal(path)
              expect(error.message, path).not.to.include(parent)
              expect(JSON.stringify(error), path).not.to.include(parent)
            }
          })
        })
    })

    // ---------------------------------------------------------------------------------
    describe('list', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'd/a', 'x')
        await expectRight(io.mkdir('d/b'))
        await writeFile(io, 'f', 'x')
      })

      it('joins the path as given with each name: relative stays relative', async () => {
        expect(sorted(await expectRight(io.list('d')))).to.deep.equal(['d/a', 'd/b'])
        expect(sorted(await expectRight(io.list('d/')))).to.deep.equal(['d/a', 'd/b'])
        expect(sorted(await expectRight(io.list(p('d'))))).to.deep.equal([p('d/a'), p('d/b')])
        expect(sorted(await expectRight(io.list(root)))).to.deep.equal([p('d'), p('f')])
      })

      it('gives an empty directory as []', async () => {
        expect(await expectRight(io.list('d/b'))).to.deep.equal([])
      })

      it('is NotFound for a missing directory, NotADirectory for a file', async () => {
        await expectLeft(io.list('missing'), 'NotFound', 'list')
        await expectLeft(io.list('missing/x'), 'NotFound', 'list')
        await expectLeft(io.list('f'), 'NotADirectory', 'list')
        await expectLeft(io.list('d/a'), 'NotADirectory', 'list')
        await expectLeft(io.list('f/x'), 'NotADirectory', 'list')
      })
    })

    // ---------------------------------------------------------------------------------
    describe('scan', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'd/three', 'abc')
        await writeFile(io, 'd/empty', '')
        await expectRight(io.mkdir('d/sub'))
      })

      it('gives each child its path as list does, its name and its stat', async () => {
        const entries = [...(await expectRight(io.scan('d')))].sort((a, b) => (a.name < b.name ? -1 : 1))
        expect(entries.map((e) => e.name)).to.deep.equal(['empty', 'sub', 'three'])
        expect(entries.map((e) => e.path)).to.deep.equal(['d/empty', 'd/sub', 'd/three'])
        expect(sorted(entries.map((e) => e.path))).to.deep.equal(sorted(await expectRight(io.list('d'))))
        const [empty, sub, three] = entries
        expect(isFileMode(empty.stat.mode)).to.equal(true)
        expect(empty.stat.size).to.equal(0)
        expect(isFileMode(three.stat.mode)).to.equal(true)
        expect(three.stat.size).to.equal(3)
        expect(isDirMode(sub.stat.mode)).to.equal(true)
        for (const entry of entries) {
          const stat = await expectRight(io.stat(entry.path))
          expect(entry.stat.mode, entry.name).to.equal(stat.mode)
          expect(entry.stat.mtimeMs, entry.name).to.equal(stat.mtimeMs)
          expect(entry.stat.nlink, entry.name).to.equal(stat.nlink)
          if (isFileMode(stat.mode)) expect(entry.stat.size, entry.name).to.equal(stat.size)
        }
      })

      it('keeps absolute paths absolute', async () => {
        const paths = (await expectRight(io.scan(p('d')))).map((e) => e.path)
        expect(sorted(paths)).to.deep.equal([p('d/empty'), p('d/sub'), p('d/three')])
      })

      it('gives an empty directory as []', async () => {
        expect(await expectRight(io.scan('d/sub'))).to.deep.equal([])
      })

      it('is NotFound for a missing directory, NotADirectory for a file', async () => {
        await expectLeft(io.scan('missing'), 'NotFound', 'scan')
        await expectLeft(io.scan('d/three'), 'NotADirectory', 'scan')
        await expectLeft(io.scan('d/three/x'), 'NotADirectory', 'scan')
      })
    })

    // ---------------------------------------------------------------------------------
    describe('mkdir', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'f', 'keep')
      })

      it('creates a directory', async () => {
        await expectRight(io.mkdir('e'))
        expect(await expectRight(io.isDir('e'))).to.equal(true)
        expect(await expectRight(io.list('e'))).to.deep.equal([])
        await expectRight(io.mkdir(p('d/x')))
        expect(await expectRight(io.isDir('d/x'))).to.equal(true)
      })

      it('an existing directory is AlreadyExists unless existOk', async () => {
        await expectLeft(io.mkdir('d'), 'AlreadyExists', 'mkdir')
        await expectLeft(io.mkdir('d', { parents: true }), 'AlreadyExists', 'mkdir')
        await expectLeft(io.mkdir('d', { existOk: false }), 'AlreadyExists', 'mkdir')
        await expectLeft(io.mkdir(root), 'AlreadyExists', 'mkdir')
        await expectLeft(io.mkdir('.'), 'AlreadyExists', 'mkdir')
        await expectRight(io.mkdir('d', { existOk: true }))
        await expectRight(io.mkdir('d', { parents: true, existOk: true }))
        await expectRight(io.mkdir(root, { existOk: true }))
      })

      it('an existing file is AlreadyExists, even with existOk', async () => {
        await expectLeft(io.mkdir('f'), 'AlreadyExists', 'mkdir')
        await expectLeft(io.mkdir('f', { existOk: true }), 'AlreadyExists', 'mkdir')
        await expectLeft(io.mkdir('f', { parents: true, existOk: true }), 'AlreadyExists', 'mkdir')
        expect(await readFile(io, 'f')).to.equal('keep')
      })

      it('a missing parent is NotFound unless parents', async () => {
        await expectLeft(io.mkdir('x/y'), 'NotFound', 'mkdir')
        await expectLeft(io.mkdir('x/y', { parents: false }), 'NotFound', 'mkdir')
        expect(await expectRight(io.exists('x'))).to.equal(false)
        await expectRight(io.mkdir('x/y/z', { parents: true }))
        expect(await expectRight(io.isDir('x/y/z'))).to.equal(true)
        await expectRight(io.mkdir('d/y/z', { parents: true }))
        expect(await expectRight(io.isDir(p('d/y/z')))).to.equal(true)
      })

      it('a parent that is a file is NotADirectory, with or without parents', async () => {
        await expectLeft(io.mkdir('f/x'), 'NotADirectory', 'mkdir')
        await expectLeft(io.mkdir('f/x', { parents: true }), 'NotADirectory', 'mkdir')
        await expectLeft(io.mkdir('f/x/y', { parents: true }), 'NotADirectory', 'mkdir')
        await expectLeft(io.mkdir('f/x', { parents: true, existOk: true }), 'NotADirectory', 'mkdir')
        expect(await readFile(io, 'f')).to.equal('keep')
      })

      it('null options mean no options; options of the wrong type are InvalidArgument', async () => {
        await expectRight(io.mkdir('e', null))
        await expectLeft(io.mkdir('e', null), 'AlreadyExists', 'mkdir')
        await expectRight(io.mkdir('e', { parents: null, existOk: true }))
        const bad: ReadonlyArray<unknown> = [
          'parents',
          42,
          { parents: 'yes' },
          { existOk: 1 },
          {
            get parents(): boolean {
              throw new Error('hostile getter')
            }
          }
        ]
        for (const options of bad) await expectLeft(io.mkdir('x/y', options as never), 'InvalidArgument', 'mkdir')
        expect(await expectRight(io.exists('x'))).to.equal(false)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('rmdir', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d/sub', { parents: true }))
        await expectRight(io.mkdir('e'))
        await writeFile(io, 'f', 'keep')
      })

      it('removes an empty directory', async () => {
        await expectRight(io.rmdir('e'))
        expect(await expectRight(io.exists('e'))).to.equal(false)
        await expectRight(io.rmdir(p('d/sub/')))
        expect(await expectRight(io.list('d'))).to.deep.equal([])
      })

      it('missing is NotFound; a file is NotADirectory; not empty is NotEmpty', async () => {
        await expectLeft(io.rmdir('missing'), 'NotFound', 'rmdir')
        await expectLeft(io.rmdir('missing/x'), 'NotFound', 'rmdir')
        await expectLeft(io.rmdir('f'), 'NotADirectory', 'rmdir')
        await expectLeft(io.rmdir('f/x'), 'NotADirectory', 'rmdir')
        await expectLeft(io.rmdir('d'), 'NotEmpty', 'rmdir')
        expect(await expectRight(io.isDir('d/sub'))).to.equal(true)
        expect(await readFile(io, 'f')).to.equal('keep')
      })
    })

    // ---------------------------------------------------------------------------------
    describe('unlink', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'f', 'x')
      })

      it('removes a file', async () => {
        await expectRight(io.unlink('f'))
        expect(await expectRight(io.exists('f'))).to.equal(false)
        await writeFile(io, 'd/g', 'x')
        await expectRight(io.unlink(p('d/g')))
        expect(await expectRight(io.list('d'))).to.deep.equal([])
      })

      it('missing is NotFound; a directory is IsADirectory', async () => {
        await expectLeft(io.unlink('missing'), 'NotFound', 'unlink')
        await expectLeft(io.unlink('missing/x'), 'NotFound', 'unlink')
        await expectLeft(io.unlink('d'), 'IsADirectory', 'unlink')
        await expectLeft(io.unlink('f/x'), 'NotADirectory', 'unlink')
        expect(await expectRight(io.isDir('d'))).to.equal(true)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('rename', () => {
      beforeEach(async () => {
        await writeFile(io, 'f', 'eff')
        await writeFile(io, 'g', 'gee')
        await expectRight(io.mkdir('d/sub', { parents: true }))
        await writeFile(io, 'd/inner', 'in')
        await expectRight(io.mkdir('empty'))
        await expectRight(io.mkdir('full'))
        await writeFile(io, 'full/x', 'x')
      })

      // Regressions the differential test found (spec/reliability/regressions.spec.ts): Linux says
      // ENOTEMPTY when a file goes onto its own ancestor; the contract says a file onto a directory is IsADirectory.
      it('regression: a file renamed onto its own parent directory is IsADirectory, and stays', async () => {
        await expectLeft(io.rename('d/inner', 'd'), 'IsADirectory', 'rename')
        expect(sorted(await expectRight(io.list('d')))).to.deep.equal(['d/inner', 'd/sub'])
      })

      it('regression: a file renamed onto its grandparent is IsADirectory; a directory onto its non-empty parent NotEmpty', async () => {
        await writeFile(io, 'd/sub/deep', 'z')
        await expectLeft(io.rename('d/sub/deep', 'd'), 'IsADirectory', 'rename')
        await expectLeft(io.rename('d/sub', 'd'), 'NotEmpty', 'rename')
        expect(await readFile(io, 'd/sub/deep')).to.equal('z')
      })

      it('moves a file and returns the destination as given', async () => {
        expect(await expectRight(io.rename('f', 'd/../h'))).to.equal('d/../h')
        expect(await expectRight(io.exists('f'))).to.equal(false)
        expect(await readFile(io, 'h')).to.equal('eff')
        expect(await expectRight(io.rename('h', p('d/h')))).to.equal(p('d/h'))
        expect(await readFile(io, 'd/h')).to.equal('eff')
      })

      it('replaces an existing file', async () => {
        expect(await expectRight(io.rename('f', 'g'))).to.equal('g')
        expect(await readFile(io, 'g')).to.equal('eff')
        expect(await expectRight(io.exists('f'))).to.equal(false)
      })

      it('moves a directory with its contents', async () => {
        await expectRight(io.rename('d', 'moved'))
        expect(await expectRight(io.exists('d'))).to.equal(false)
        expect(sorted(await expectRight(io.list('moved')))).to.deep.equal(['moved/inner', 'moved/sub'])
        expect(await readFile(io, 'moved/inner')).to.equal('in')
      })

      it('a directory replaces an empty directory', async () => {
        await expectRight(io.rename('d', 'empty'))
        expect(await expectRight(io.exists('d'))).to.equal(false)
        expect(sorted(await expectRight(io.list('empty')))).to.deep.equal(['empty/inner', 'empty/sub'])
      })

      it('onto a non-empty directory is NotEmpty', async () => {
        await expectLeft(io.rename('d', 'full'), 'NotEmpty', 'rename')
        await expectLeft(io.rename('empty', 'full'), 'NotEmpty', 'rename')
        expect(await readFile(io, 'full/x')).to.equal('x')
        expect(await readFile(io, 'd/inner')).to.equal('in')
      })

      it('a file onto a directory is IsADirectory', async () => {
        await expectLeft(io.rename('f', 'empty'), 'IsADirectory', 'rename')
        await expectLeft(io.rename('f', 'full'), 'IsADirectory', 'rename')
        expect(await readFile(io, 'f')).to.equal('eff')
        expect(await expectRight(io.isDir('empty'))).to.equal(true)
      })

      it('a directory onto a file is NotADirectory', async () => {
        await expectLeft(io.rename('empty', 'f'), 'NotADirectory', 'rename')
        await expectLeft(io.rename('d', 'g'), 'NotADirectory', 'rename')
        expect(await readFile(io, 'g')).to.equal('gee')
        expect(await expectRight(io.isDir('d'))).to.equal(true)
      })

      it('a directory into its own subtree is InvalidArgument', async () => {
        await expectLeft(io.rename('d', 'd/x'), 'InvalidArgument', 'rename')
        await expectLeft(io.rename('d', 'd/sub/x'), 'InvalidArgument', 'rename')
        await expectLeft(io.rename(p('d'), 'd/sub/x'), 'InvalidArgument', 'rename')
        expect(sorted(await expectRight(io.list('d')))).to.deep.equal(['d/inner', 'd/sub'])
      })

      it('a missing source or destination parent is NotFound', async () => {
        const missing = await expectLeft(io.rename('missing', 'x'), 'NotFound', 'rename')
        expect(missing.path).to.equal('missing')
        await expectLeft(io.rename('missing/y', 'x'), 'NotFound', 'rename')
        const parent = await expectLeft(io.rename('f', 'missing/x'), 'NotFound', 'rename')
        expect(['f', 'missing/x']).to.include(parent.path)
        expect(await readFile(io, 'f')).to.equal('eff')
      })

      it('a destination parent that is a file is NotADirectory', async () => {
        await expectLeft(io.rename('f', 'g/x'), 'NotADirectory', 'rename')
        expect(await readFile(io, 'f')).to.equal('eff')
        expect(await readFile(io, 'g')).to.equal('gee')
      })

      it('onto itself changes nothing', async () => {
        expect(await expectRight(io.rename('f', './f'))).to.equal('./f')
        expect(await readFile(io, 'f')).to.equal('eff')
        await expectRight(io.rename('d', p('d')))
        expect(sorted(await expectRight(io.list('d')))).to.deep.equal(['d/inner', 'd/sub'])
      })

      it(
        'keeps an open handle on the moved file working',
        needs(['openAfterRemoval'], async () => {
          const h = await open('f', 'rb')
          await expectRight(io.rename('f', 'd/moved'))
          expect(text(await expectRight(io.read(h)))).to.equal('eff')
          await expectRight(io.close(h))
        })
      )
    })

    // ---------------------------------------------------------------------------------
    describe('open', () => {
      beforeEach(async () => {
        await expectRight(io.mkdir('d'))
        await writeFile(io, 'f', 'hello')
      })

      describe('rb', () => {
        it('reads an existing file from 0', async () => {
          const h = await open('f', 'rb')
          expect(await position(h)).to.equal(0)
          expect(text(await expectRight(io.read(h)))).to.equal('hello')
          await expectRight(io.close(h))
        })

        it('is the mode when none is given (undefined or null)', async () => {
          for (const h of [await expectRight(io.open('f')), await expectRight(io.open('f', null))]) {
            expect(text(await expectRight(io.read(h)))).to.equal('hello')
            await expectLeft(io.write(h, bytes('x')), 'BadHandle', 'write')
            await expectRight(io.close(h))
          }
        })

        it('needs an existing file: NotFound, IsADirectory', async () => {
          await expectLeft(io.open('missing', 'rb'), 'NotFound', 'open')
          await expectLeft(io.open('missing/x', 'rb'), 'NotFound', 'open')
          await expectLeft(io.open('d', 'rb'), 'IsADirectory', 'open')
          await expectLeft(io.open(root, 'rb'), 'IsADirectory', 'open')
          expect(await expectRight(io.exists('missing'))).to.equal(false)
        })
      })

      describe('wb', () => {
        it(
          'creates a file',
          needs(['visibleWhileWriting'], async () => {
            const h = await open('new', 'wb')
            expect(await expectRight(io.isFile('new'))).to.equal(true)
            expect(await size('new')).to.equal(0)
            await expectRight(io.close(h))
          })
        )

        it(
          'truncates an existing file at once',
          needs(['visibleWhileWriting'], async () => {
            const h = await open('f', 'wb')
            expect(await size('f')).to.equal(0)
            await expectRight(io.write(h, bytes('ab')))
            await expectRight(io.close(h))
            expect(await readFile(io, 'f')).to.equal('ab')
          })
        )

        it('a missing parent is NotFound; a directory is IsADirectory; through a file NotADirectory', async () => {
          await expectLeft(io.open('missing/x', 'wb'), 'NotFound', 'open')
          await expectLeft(io.open('d', 'wb'), 'IsADirectory', 'open')
          await expectLeft(io.open('d/', 'wb'), 'IsADirectory', 'open')
          await expectLeft(io.open('f/x', 'wb'), 'NotADirectory', 'open')
          expect(await expectRight(io.exists('missing'))).to.equal(false)
          expect(await readFile(io, 'f')).to.equal('hello')
        })
      })

      describe('ab', () => {
        it(
          'creates a file, and keeps an existing one',
          needs(['append'], async () => {
            const made = await open('new', 'ab')
            expect(await expectRight(io.isFile('new'))).to.equal(true)
            await expectRight(io.close(made))
            const h = await open('f', 'ab')
            expect(await size('f')).to.equal(5)
            await expectRight(io.close(h))
            expect(await readFile(io, 'f')).to.equal('hello')
          })
        )

        it(
          'every write lands at the end, even after a seek, and leaves the position at the end',
          needs(['append'], async () => {
            const h = await open('f', 'ab')
            expect(await expectRight(io.write(h, bytes(' world')))).to.equal(6)
            expect(await position(h)).to.equal(11)
            expect(await expectRight(io.seek(h, 0, SEEK_SET))).to.equal(0)
            await expectRight(io.write(h, bytes('!')))
            expect(await position(h)).to.equal(12)
            expect(await expectRight(io.seek(h, 100, SEEK_SET))).to.equal(100)
            await expectRight(io.write(h, bytes('?')))
            expect(await position(h)).to.equal(13)
            await expectRight(io.close(h))
            expect(await readFile(io, 'f')).to.equal('hello world!?')
          })
        )

        it(
          'writes at the end as another handle grew it',
          needs(['append', 'update'], async () => {
            const appender = await open('f', 'ab')
            const writer = await open('f', 'r+b')
            await expectRight(io.seek(writer, 0, SEEK_END))
            await expectRight(io.write(writer, bytes('123')))
            await expectRight(io.write(appender, bytes('!')))
            expect(await position(appender)).to.equal(9)
            await expectRight(io.close(appender))
            await expectRight(io.close(writer))
            expect(await readFile(io, 'f')).to.equal('hello123!')
          })
        )

        it(
          'a missing parent is NotFound; a directory is IsADirectory',
          needs(['append'], async () => {
            await expectLeft(io.open('missing/x', 'ab'), 'NotFound', 'open')
            await expectLeft(io.open('d', 'ab'), 'IsADirectory', 'open')
          })
        )
      })

      describe('r+b', () => {
        it(
          'reads and writes an existing file from 0, without truncating',
          needs(['update'], async () => {
            const h = await open('f', 'r+b')
            expect(await position(h)).to.equal(0)
            expect(await size('f')).to.equal(5)
            expect(await expectRight(io.write(h, bytes('J')))).to.equal(1)
            expect(text(await expectRight(io.read(h, 2)))).to.equal('el')
            await expectRight(io.write(h, bytes('LO')))
            expect(await position(h)).to.equal(5)
            await expectRight(io.close(h))
            expect(await readFile(io, 'f')).to.equal('JelLO')
          })
        )

        it(
          'needs an existing file: NotFound, IsADirectory',
          needs(['update'], async () => {
            await expectLeft(io.open('missing', 'r+b'), 'NotFound', 'open')
            await expectLeft(io.open('missing/x', 'r+b'), 'NotFound', 'open')
            await expectLeft(io.open('d', 'r+b'), 'IsADirectory', 'open')
            expect(await expectRight(io.exists('missing'))).to.equal(false)
          })
        )
      })

      it('any other mode is InvalidArgument, and touches nothing', async () => {
        const before = await snapshot(io, root)
        for (const mode of ['r', 'w', 'a', 'rw', 'RB', 'wb+', 'r+', 'x', '', ' rb', 42, {}, ['rb'], true, Symbol('rb')])
          for (const path of ['f', 'new']) await expectLeft(io.open(path, mode as never), 'InvalidArgument', 'open')
        expect(await snapshot(io, root)).to.deep.equal(before)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('read', () => {
      let h: FileHandle
      beforeEach(async () => {
        await writeFile(io, 'f', '0123456789')
        h = await open('f', 'rb')
      })
      afterEach(async () => {
        await run(io.close(h))
      })

      it('with no size, or null, reads to the end; at the end it gives an empty array', async () => {
        const all = await expectRight(io.read(h))
        expect(all).to.be.instanceOf(Uint8Array)
        expect(text(all)).to.equal('0123456789')
        const empty = await expectRight(io.read(h))
        expect(empty).to.be.instanceOf(Uint8Array)
        expect(empty.length).to.equal(0)
        await expectRight(io.seek(h, 4))
        expect(text(await expectRight(io.read(h, null)))).to.equal('456789')
        expect((await expectRight(io.read(h, null))).length).to.equal(0)
        expect((await expectRight(io.read(h, 5))).length).to.equal(0)
      })

      it('reads at most size bytes and advances the position', async () => {
        expect(text(await expectRight(io.read(h, 3)))).to.equal('012')
        expect(await position(h)).to.equal(3)
        expect(text(await expectRight(io.read(h, 4)))).to.equal('3456')
        expect((await expectRight(io.read(h, 0))).length).to.equal(0)
        expect(await position(h)).to.equal(7)
        expect(text(await expectRight(io.read(h, 100)))).to.equal('789')
        expect(await position(h)).to.equal(10)
      })

      it('never allocates more than the file holds: read(h, 2 ** 40) of 10 bytes gives 10', async () => {
        const data = await expectRight(io.read(h, 2 ** 40))
        expect(data.length).to.equal(10)
        expect(text(data)).to.equal('0123456789')
        expect((await expectRight(io.read(h, Number.MAX_SAFE_INTEGER))).length).to.equal(0)
      })

      it('past the end gives an empty array', async () => {
        await expectRight(io.seek(h, 50))
        expect((await expectRight(io.read(h))).length).to.equal(0)
        expect((await expectRight(io.read(h, 3))).length).to.equal(0)
      })

      it('a size that is not a non-negative safe integer is InvalidArgument and moves nothing', async () => {
        await expectRight(io.read(h, 2))
        for (const size of [-1, NaN, 1.5, '3', Infinity, -Infinity, 2 ** 53, -0.5, {}, true, BigInt(3)])
          await expectLeft(io.read(h, size as never), 'InvalidArgument', 'read')
        expect(await position(h)).to.equal(2)
        expect(text(await expectRight(io.read(h)))).to.equal('23456789')
      })

      it(
        'a handle opened only for writing is BadHandle',
        needs(['append', 'seekWrite'], async () => {
          for (const mode of ['wb', 'ab'] as const) {
            const w = await open('g', mode)
            await expectRight(io.write(w, bytes('abc')))
            await expectRight(io.seek(w, 0))
            await expectLeft(io.read(w), 'BadHandle', 'read')
            await expectLeft(io.read(w, 1), 'BadHandle', 'read')
            await expectRight(io.close(w))
          }
        })
      )
    })

    // ---------------------------------------------------------------------------------
    describe('write', () => {
      it('returns the number of bytes written, and they are there', async () => {
        const h = await open('f', 'wb')
        expect(await expectRight(io.write(h, bytes('hello')))).to.equal(5)
        expect(await expectRight(io.write(h, new Uint8Array([0x20, 0x77])))).to.equal(2)
        expect(await position(h)).to.equal(7)
        await expectRight(io.close(h))
        expect(await readFile(io, 'f')).to.equal('hello w')
      })

      it('takes a Buffer, a Uint8Array and a view into a larger buffer (only its bytes)', async () => {
        const h = await open('f', 'wb')
        await expectRight(io.write(h, Buffer.from('ab')))
        const backing = new Uint8Array([0x78, 0x63, 0x64, 0x78])
        expect(await expectRight(io.write(h, new Uint8Array(backing.buffer, 1, 2)))).to.equal(2)
        expect(await expectRight(io.write(h, Buffer.from('xxefx').subarray(2, 4)))).to.equal(2)
        await expectRight(io.close(h))
        expect(await readFile(io, 'f')).to.equal('abcdef')
      })

      it(
        'anything but a Uint8Array is InvalidArgument and changes nothing',
        needs(['update'], async () => {
          await writeFile(io, 'f', 'keep')
          const h = await open('f', 'r+b')
          await expectRight(io.seek(h, 1))
          const mtime = (await expectRight(io.stat('f'))).mtimeMs
          const bad: ReadonlyArray<unknown> = [
            'text',
            [1, 2],
            new ArrayBuffer(2),
            new DataView(new ArrayBuffer(2)),
            new Uint16Array(2),
            new Int8Array(2),
            undefined,
            null,
            42,
            { length: 1, 0: 1 }
          ]
          for (const data of bad) await expectLeft(io.write(h, data as never), 'InvalidArgument', 'write')
          expect(await position(h)).to.equal(1)
          await expectRight(io.close(h))
          expect(await readFile(io, 'f')).to.equal('keep')
          expect((await expectRight(io.stat('f'))).mtimeMs).to.equal(mtime)
        })
      )

      it(
        'past the end fills the gap with zeros',
        needs(['seekWrite'], async () => {
          const h = await open('f', 'wb')
          expect(await expectRight(io.seek(h, 5))).to.equal(5)
          await expectRight(io.write(h, bytes('x')))
          await expectRight(io.close(h))
          const r = await open('f', 'rb')
          expect(Array.from(await expectRight(io.read(r)))).to.deep.equal([0, 0, 0, 0, 0, 0x78])
          await expectRight(io.close(r))
        })
      )

      it(
        'fills with zeros where old bytes were before a truncation',
        needs(['seekWrite'], async () => {
          await writeFile(io, 'f', 'abcdefgh')
          const h = await open('f', 'wb')
          await expectRight(io.seek(h, 3))
          await expectRight(io.write(h, bytes('x')))
          await expectRight(io.close(h))
          const r = await open('f', 'rb')
          expect(Array.from(await expectRight(io.read(r)))).to.deep.equal([0, 0, 0, 0x78])
          await expectRight(io.close(r))
        })
      )

      it(
        'of zero bytes changes nothing: not the size, the content, the position or the mtime',
        needs(['update', 'append', 'seekWrite'], async () => {
          await writeFile(io, 'f', 'abc')
          for (const mode of ['r+b', 'ab', 'wb'] as const) {
            const h = await open('f', mode)
            if (mode === 'wb') await expectRight(io.write(h, bytes('abc')))
            const stamp = (await expectRight(io.stat('f'))).mtimeMs
            await sleep(TICK_MS)
            await expectRight(io.seek(h, 1))
            expect(await expectRight(io.write(h, new Uint8Array(0)))).to.equal(0)
            expect(await expectRight(io.write(h, Buffer.alloc(0)))).to.equal(0)
            expect(await position(h), mode).to.equal(1)
            await expectRight(io.seek(h, 10))
            expect(await expectRight(io.write(h, new Uint8Array(0)))).to.equal(0)
            expect(await position(h), mode).to.equal(10)
            const stat = await expectRight(io.stat('f'))
            expect(stat.size, mode).to.equal(3)
            expect(stat.mtimeMs, mode).to.equal(stamp)
            await expectRight(io.close(h))
            expect(await readFile(io, 'f'), mode).to.equal('abc')
          }
        })
      )

      it('on an rb handle is BadHandle', async () => {
        await writeFile(io, 'f', 'keep')
        const h = await open('f', 'rb')
        await expectLeft(io.write(h, bytes('x')), 'BadHandle', 'write')
        await expectRight(io.close(h))
        expect(await readFile(io, 'f')).to.equal('keep')
      })
    })

    // ---------------------------------------------------------------------------------
    describe('seek', () => {
      let h: FileHandle
      beforeEach(async () => {
        await writeFile(io, 'f', '0123456789')
        h = await open('f', 'rb')
      })
      afterEach(async () => {
        await run(io.close(h))
      })

      it('SET, CUR and END return the new position, and reads follow it', async () => {
        expect(await expectRight(io.seek(h, 3, SEEK_SET))).to.equal(3)
        expect(text(await expectRight(io.read(h, 2)))).to.equal('34')
        expect(await expectRight(io.seek(h, 2, SEEK_CUR))).to.equal(7)
        expect(await expectRight(io.seek(h, -3, SEEK_CUR))).to.equal(4)
        expect(text(await expectRight(io.read(h, 1)))).to.equal('4')
        expect(await expectRight(io.seek(h, -2, SEEK_END))).to.equal(8)
        expect(text(await expectRight(io.read(h)))).to.equal('89')
        expect(await expectRight(io.seek(h, 0, SEEK_END))).to.equal(10)
        expect(await expectRight(io.seek(h, 0, SEEK_CUR))).to.equal(10)
      })

      it('leaving whence out, or null, means SET', async () => {
        await expectRight(io.seek(h, 5))
        expect(await expectRight(io.seek(h, 2))).to.equal(2)
        await expectRight(io.seek(h, 5))
        expect(await expectRight(io.seek(h, 2, null))).to.equal(2)
        expect(text(await expectRight(io.read(h, 1)))).to.equal('2')
      })

      it('past the end is allowed', async () => {
        expect(await expectRight(io.seek(h, 1000))).to.equal(1000)
        expect(await expectRight(io.seek(h, 5, SEEK_END))).to.equal(15)
        expect(await expectRight(io.seek(h, 5, SEEK_CUR))).to.equal(20)
      })

      it('before 0 is InvalidArgument and leaves the position', async () => {
        await expectRight(io.seek(h, 4))
        await expectLeft(io.seek(h, -1), 'InvalidArgument', 'seek')
        await expectLeft(io.seek(h, -5, SEEK_CUR), 'InvalidArgument', 'seek')
        await expectLeft(io.seek(h, -11, SEEK_END), 'InvalidArgument', 'seek')
        expect(await position(h)).to.equal(4)
        expect(await expectRight(io.seek(h, -4, SEEK_CUR))).to.equal(0)
        expect(await expectRight(io.seek(h, -10, SEEK_END))).to.equal(0)
      })

      it('an offset that is not a safe integer, or a bad whence, is InvalidArgument', async () => {
        await expectRight(io.seek(h, 4))
        for (const offset of [1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), '3', null, undefined, BigInt(1), {}])
          await expectLeft(io.seek(h, offset as never), 'InvalidArgument', 'seek')
        for (const whence of [3, -1, 0.5, '0', 'SET', true, {}])
          await expectLeft(io.seek(h, 1, whence as never), 'InvalidArgument', 'seek')
        expect(await position(h)).to.equal(4)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('utimes', () => {
      /** A time in the past, to the millisecond, that no clock of the test gives by chance. */
      const WHEN = 1_600_000_000_123

      beforeEach(async () => {
        await writeFile(io, 'f', 'hello')
        await expectRight(io.mkdir('d'))
      })

      it(
        "sets a file's and a directory's mtime, to the millisecond, and stat reports it",
        needs(['times'], async () => {
          await expectRight(io.utimes('f', WHEN))
          await expectRight(io.utimes(p('d'), WHEN + 1000))
          expect((await expectRight(io.stat('f'))).mtimeMs).to.equal(WHEN)
          expect((await expectRight(io.stat('d'))).mtimeMs).to.equal(WHEN + 1000)
          // What scan and a listing report, too; and the content stays.
          const entries = await expectRight(io.scan('.'))
          expect(entries.find((e) => e.name === 'f')?.stat.mtimeMs).to.equal(WHEN)
          expect(await readFile(io, 'f')).to.equal('hello')
          await expectRight(io.utimes('f', 0))
          expect((await expectRight(io.stat('f'))).mtimeMs).to.equal(0)
        })
      )

      it(
        'a missing path is NotFound; a path through a file NotADirectory',
        needs(['times'], async () => {
          await expectLeft(io.utimes('missing', WHEN), 'NotFound', 'utimes')
          await expectLeft(io.utimes('f/x', WHEN), 'NotADirectory', 'utimes')
        })
      )

      it('a time that is not a non-negative safe integer, or a bad path, is InvalidArgument and changes nothing', async () => {
        const before = await snapshot(io, root)
        for (const time of [-1, 1.5, NaN, Infinity, 2 ** 53, '1000', null, undefined, BigInt(1), {}, new Date(WHEN)])
          await expectLeft(io.utimes('f', time as never), 'InvalidArgument', 'utimes')
        for (const path of ['', 'f\0', 42, null])
          await expectLeft(io.utimes(path as never, WHEN), 'InvalidArgument', 'utimes')
        expect(await snapshot(io, root)).to.deep.equal(before)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('chmod', () => {
      const permissions = async (path: string): Promise<number> => (await expectRight(io.stat(path))).mode & 0o7777

      beforeEach(async () => {
        await writeFile(io, 'f', 'hello')
        await expectRight(io.mkdir('d'))
      })

      it(
        'sets the permission bits, which stat reports beside the type bits',
        needs(['modes'], async () => {
          await expectRight(io.chmod('f', 0o600))
          await expectRight(io.chmod(p('d'), 0o750))
          expect(await permissions('f')).to.equal(0o600)
          expect(await permissions('d')).to.equal(0o750)
          expect(isFileMode((await expectRight(io.stat('f'))).mode)).to.equal(true)
          expect(isDirMode((await expectRight(io.stat('d'))).mode)).to.equal(true)
          await expectRight(io.chmod('f', 0o644))
          expect(await permissions('f')).to.equal(0o644)
          expect(await readFile(io, 'f')).to.equal('hello')
        })
      )

      it(
        'a missing path is NotFound; a path through a file NotADirectory',
        needs(['modes'], async () => {
          await expectLeft(io.chmod('missing', 0o600), 'NotFound', 'chmod')
          await expectLeft(io.chmod('f/x', 0o600), 'NotADirectory', 'chmod')
        })
      )

      it('a mode that is not an integer from 0 to 0o7777, or a bad path, is InvalidArgument and changes nothing', async () => {
        const before = await expectRight(io.stat('f'))
        for (const mode of [-1, 0o10000, 0o100644, 1.5, NaN, Infinity, '644', '0o644', null, undefined, {}])
          await expectLeft(io.chmod('f', mode as never), 'InvalidArgument', 'chmod')
        for (const path of ['', 'f\0', 42, null])
          await expectLeft(io.chmod(path as never, 0o600), 'InvalidArgument', 'chmod')
        expect(await expectRight(io.stat('f'))).to.deep.equal(before)
      })
    })

    // ---------------------------------------------------------------------------------
    describe('truncate', () => {
      beforeEach(async () => {
        await writeFile(io, 'f', 'hello world')
      })

      it(
        'cuts a file open for writing, leaving the position where it was',
        needs(['truncate', 'update'], async () => {
          const h = await open('f', 'r+b')
          await expectRight(io.seek(h, 8))
          await expectRight(io.truncate(h, 5))
          expect(await position(h)).to.equal(8)
          expect(await size('f')).to.equal(5)
          await expectRight(io.seek(h, 0))
          expect(text(await expectRight(io.read(h)))).to.equal('hello')
          await expectRight(io.close(h))
          expect(await readFile(io, 'f')).to.equal('hello')
        })
      )

      it(
        'lengthens with zeros, where the file held bytes before too',
        needs(['truncate', 'update'], async () => {
          const h = await open('f', 'r+b')
          await expectRight(io.truncate(h, 2))
          await expectRight(io.truncate(h, 6))
          expect(await position(h)).to.equal(0)
          expect(text(await expectRight(io.read(h)))).to.equal('he\0\0\0\0')
          await expectRight(io.truncate(h, 0))
          expect(await size('f')).to.equal(0)
          await expectRight(io.close(h))
        })
      )

      it(
        "works on every handle opened for writing ('wb', 'ab'), and other handles see it at once",
        needs(['truncate', 'append', 'visibleWhileWriting'], async () => {
          const reader = await open('f', 'rb')
          const appender = await open('f', 'ab')
          await expectRight(io.truncate(appender, 4))
          expect(text(await expectRight(io.read(reader)))).to.equal('hell')
          await expectRight(io.write(appender, bytes('!')))
          const writer = await open('g', 'wb')
          await expectRight(io.write(writer, bytes('abc')))
          await expectRight(io.truncate(writer, 1))
          await expectRight(io.write(writer, bytes('d')))
          for (const h of [reader, appender, writer]) await expectRight(io.close(h))
          expect(await readFile(io, 'f')).to.equal('hell!')
          // The position stayed at 3: the write after the cut left a hole of zeros.
          expect(await readFile(io, 'g')).to.equal('a\0\0d')
        })
      )

      it(
        "changes the file's mtime",
        needs(['truncate', 'visibleWhileWriting'], async () => {
          const h = await open('f', 'wb')
          const before = (await expectRight(io.stat('f'))).mtimeMs
          await sleep(TICK_MS)
          await expectRight(io.truncate(h, 3))
          expect((await expectRight(io.stat('f'))).mtimeMs).to.be.greaterThan(before)
          await expectRight(io.close(h))
        })
      )

      it('an rb, closed, copied or foreign handle is BadHandle; a bad size InvalidArgument; the file unchanged', async () => {
        const reader = await open('f', 'rb')
        await expectLeft(io.truncate(reader, 1), 'BadHandle', 'truncate')
        const closed = await open('f', 'rb')
        await expectRight(io.close(closed))
        await expectLeft(io.truncate(closed, 1), 'BadHandle', 'truncate')
        await expectLeft(io.truncate({ ...reader } as FileHandle, 1), 'BadHandle', 'truncate')
        for (const forged of [null, undefined, {}, 'f', 3])
          await expectLeft(io.truncate(forged as never, 1), 'BadHandle', 'truncate')
        const writer = await open('g', 'wb')
        for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53, '3', null, undefined, {}])
          await expectLeft(io.truncate(writer, bad as never), 'InvalidArgument', 'truncate')
        await expectRight(io.close(writer))
        await expectRight(io.close(reader))
        expect(await readFile(io, 'f')).to.equal('hello world')
      })
    })

    // ---------------------------------------------------------------------------------
    describe('handles', () => {
      beforeEach(async () => {
        await writeFile(io, 'f', 'hello')
      })

      it(
        'close twice is harmless; any other use of a closed handle is BadHandle',
        needs(['append', 'update'], async () => {
          for (const mode of ['rb', 'wb', 'ab', 'r+b'] as const) {
            const h = await open('f', mode)
            await expectRight(io.close(h))
            await expectRight(io.close(h))
            await expectLeft(io.read(h), 'BadHandle', 'read')
            await expectLeft(io.write(h, bytes('x')), 'BadHandle', 'write')
            await expectLeft(io.seek(h, 0), 'BadHandle', 'seek')
            await expectRight(io.close(h))
          }
        })
      )

      it('a copy or an imitation of a handle is BadHandle, and the original still works', async () => {
        const h = await open('f', readWrite())
        const fakes: ReadonlyArray<unknown> = [
          { ...h },
          Object.assign(Object.create(Object.getPrototypeOf(h)), h),
          {},
          Object.freeze(Object.create(null)),
          null,
          undefined,
          42,
          'f',
          [],
          () => h
        ]
        for (const fake of fakes) {
          const forged = fake as FileHandle
          await expectLeft(io.read(forged), 'BadHandle', 'read')
          await expectLeft(io.write(forged, bytes('x')), 'BadHandle', 'write')
          await expectLeft(io.seek(forged, 0), 'BadHandle', 'seek')
          await expectLeft(io.close(forged), 'BadHandle', 'close')
        }
        expect(text(await expectRight(io.read(h)))).to.equal('hello')
        await expectRight(io.close(h))
        expect(await readFile(io, 'f')).to.equal('hello')
      })

      it('a handle of another tree or pool is BadHandle', async function () {
        if (fixture.stranger === undefined) return this.skip()
        const stranger = fixture.stranger()
        await writeFile(stranger, 'f', 'other')
        const foreign = await expectRight(stranger.open('f', readWrite()))
        await expectLeft(io.read(foreign), 'BadHandle', 'read')
        await expectLeft(io.write(foreign, bytes('x')), 'BadHandle', 'write')
        await expectLeft(io.seek(foreign, 0), 'BadHandle', 'seek')
        await expectLeft(io.close(foreign), 'BadHandle', 'close')
        // ... and still works where it belongs.
        expect(text(await expectRight(stranger.read(foreign)))).to.equal('other')
        await expectRight(stranger.close(foreign))
        expect(await readFile(io, 'f')).to.equal('hello')
      })

      it(
        'works on every record that shares the backend state',
        needs(['update'], async () => {
          const sibling = fixture.sibling()
          const h = await open('f', 'r+b')
          expect(text(await expectRight(sibling.read(h, 2)))).to.equal('he')
          expect(await expectRight(io.seek(h, 0, SEEK_CUR))).to.equal(2)
          await expectRight(sibling.write(h, bytes('LL')))
          expect(await readFile(io, 'f')).to.equal('heLLo')
          await expectRight(sibling.close(h))
          await expectLeft(io.read(h), 'BadHandle', 'read')
          await expectRight(io.close(h))
          await writeFile(sibling, 'g', 'from sibling')
          expect(await readFile(io, 'g')).to.equal('from sibling')
        })
      )

      it('every handle has its own position', async () => {
        const a = await open('f', 'rb')
        const b = await open('f', 'rb')
        expect(text(await expectRight(io.read(a, 2)))).to.equal('he')
        expect(text(await expectRight(io.read(b, 1)))).to.equal('h')
        expect(text(await expectRight(io.read(a)))).to.equal('llo')
        expect(text(await expectRight(io.read(b)))).to.equal('ello')
        await expectRight(io.close(a))
        await expectRight(io.close(b))
      })

      it(
        'writes through one handle are seen at once through the others',
        needs(['update'], async () => {
          const reader = await open('f', 'rb')
          const writer = await open('f', 'r+b')
          await expectRight(io.write(writer, bytes('J')))
          await expectRight(io.seek(writer, 0, SEEK_END))
          await expectRight(io.write(writer, bytes(' world')))
          expect(text(await expectRight(io.read(reader)))).to.equal('Jello world')
          await expectRight(io.close(writer))
          await expectRight(io.close(reader))
        })
      )

      it(
        'truncation by wb is seen by open readers',
        needs(['visibleWhileWriting'], async () => {
          const reader = await open('f', 'rb')
          expect(text(await expectRight(io.read(reader, 2)))).to.equal('he')
          const writer = await open('f', 'wb')
          expect((await expectRight(io.read(reader))).length).to.equal(0)
          await expectRight(io.write(writer, bytes('abcdef')))
          expect(text(await expectRight(io.read(reader)))).to.equal('cdef')
          await expectRight(io.close(writer))
          await expectRight(io.close(reader))
        })
      )

      it(
        'a file unlinked while open stays readable through the handles still open',
        needs(['update', 'openAfterRemoval'], async () => {
          const reader = await open('f', 'rb')
          const writer = await open('f', 'r+b')
          await expectRight(io.unlink('f'))
          expect(await expectRight(io.exists('f'))).to.equal(false)
          await expectRight(io.write(writer, bytes('J')))
          expect(text(await expectRight(io.read(reader)))).to.equal('Jello')
          await expectRight(io.close(writer))
          await expectRight(io.seek(reader, 0))
          expect(text(await expectRight(io.read(reader)))).to.equal('Jello')
          await expectRight(io.close(reader))
          // A new file by the same name is a new file.
          await writeFile(io, 'f', 'new')
          expect(await readFile(io, 'f')).to.equal('new')
        })
      )
    })

    // ---------------------------------------------------------------------------------
    describe('bad input', () => {
      it('leaves the tree as it was: nothing stored is lost by a failed call', async () => {
        await expectRight(io.mkdir('d/sub', { parents: true }))
        await writeFile(io, 'd/f', 'keep')
        await writeFile(io, 'g', 'gee')
        await expectRight(io.mkdir('e'))
        await writeFile(io, 'e/x', 'x')
        const h = await open('g', readWrite())
        const hr = await open('g', 'rb')
        const before = await snapshot(io, root)
        expect(Object.keys(before)).to.have.length(7)
        const tooLong = 'a'.repeat(256)
        const calls = [
          [io.mkdir('d'), 'AlreadyExists'],
          [io.mkdir('g', { existOk: true }), 'AlreadyExists'],
          [io.mkdir('g/x', { parents: true }), 'NotADirectory'],
          [io.mkdir(`q/${tooLong}`, { parents: true }), 'InvalidArgument'],
          [io.mkdir('q/a\0/b', { parents: true }), 'InvalidArgument'],
          [io.mkdir('q', { parents: 'yes' } as never), 'InvalidArgument'],
          [io.rmdir('d'), 'NotEmpty'],
          [io.rmdir('g'), 'NotADirectory'],
          [io.rmdir(''), 'InvalidArgument'],
          [io.unlink('d'), 'IsADirectory'],
          [io.unlink('g\0'), 'InvalidArgument'],
          [io.unlink(42 as never), 'InvalidArgument'],
          [io.rename('g', 'd'), 'IsADirectory'],
          [io.rename('d', 'g'), 'NotADirectory'],
          [io.rename('d', 'e'), 'NotEmpty'],
          [io.rename('d', 'd/sub/x'), 'InvalidArgument'],
          [io.rename('g', ''), 'InvalidArgument'],
          [io.rename('g', `x/${tooLong}`), 'InvalidArgument'],
          [io.rename('g', 'missing/x'), 'NotFound'],
          [io.rename('g', 'g/x'), 'NotADirectory'],
          [io.rename('g', null as never), 'InvalidArgument'],
          [io.rename('', 'g'), 'InvalidArgument'],
          [io.open('g', 'w' as never), 'InvalidArgument'],
          [io.open('g', 'wb+' as never), 'InvalidArgument'],
          [io.open('new', 'w' as never), 'InvalidArgument'],
          [io.open('d', 'wb'), 'IsADirectory'],
          [io.open('new\0', 'wb'), 'InvalidArgument'],
          [io.open('missing/x', lacks('append') ? 'wb' : 'ab'), 'NotFound'],
          [io.write(h, 'str' as never), 'InvalidArgument'],
          [io.write(h, [1, 2] as never), 'InvalidArgument'],
          [io.write(hr, bytes('x')), 'BadHandle'],
          [io.write({ ...h } as FileHandle, bytes('x')), 'BadHandle'],
          [io.read(hr, -1), 'InvalidArgument'],
          [io.seek(h, -1), 'InvalidArgument'],
          [io.seek(h, 1.5), 'InvalidArgument'],
          [io.utimes('g', -1), 'InvalidArgument'],
          [io.utimes('missing/x', 0), lacks('times') ? 'Unsupported' : 'NotFound'],
          [io.chmod('g', 0o10000), 'InvalidArgument'],
          [io.chmod('g\0', 0o600), 'InvalidArgument'],
          [io.truncate(hr, 0), 'BadHandle'],
          [io.truncate(h, -1), lacks('update') ? 'BadHandle' : 'InvalidArgument'],
          [io.realpath('g/x'), 'NotADirectory'],
          [io.realpath('d/missing'), 'NotFound'],
          [io.realpath('g\0'), 'InvalidArgument']
        ] as const
        for (const [te, reason] of calls) await expectLeft(te, reason)
        expect(await position(h)).to.equal(0)
        expect(await position(hr)).to.equal(0)
        await expectRight(io.close(h))
        await expectRight(io.close(hr))
        expect(await snapshot(io, root)).to.deep.equal(before)
      })

      it('no operation throws, rejects or hangs, whatever it is given', async () => {
        const hostile = new Proxy(
          {},
          {
            get: () => {
              throw new Error('hostile')
            },
            getPrototypeOf: () => {
              throw new Error('hostile')
            },
            ownKeys: () => {
              throw new Error('hostile')
            }
          }
        )
        const values: ReadonlyArray<unknown> = [undefined, null, '', 'f\0', 42, -1, NaN, {}, [], hostile, Symbol('x')]
        const calls = (v: never) => [
          // Left-out, null and empty options are fine options; everything else in that place is not.
          ...(v === undefined || v === null ? [] : [io.open('x', v)]),
          ...(v !== undefined && (typeof v !== 'object' || v === hostile) ? [io.mkdir('x', v)] : []),
          io.exists(v),
          io.isDir(v),
          io.isFile(v),
          io.stat(v),
          io.mkdir(v),
          io.rmdir(v),
          io.unlink(v),
          io.rename(v, v),
          io.list(v),
          io.scan(v),
          io.open(v),
          io.open(v, v),
          io.read(v),
          io.read(v, v),
          io.write(v, v),
          io.seek(v, v),
          io.seek(v, v, v),
          io.close(v),
          io.utimes(v, v),
          io.chmod(v, v),
          io.truncate(v, v),
          io.realpath(v)
        ]
        for (const value of values)
          for (const te of calls(value as never)) {
            const result = await run(te as never)
            expect(result._tag, `${typeof value}: ${E.isRight(result) ? String(result.right) : ''}`).to.equal('Left')
          }
        expect(await expectRight(io.list('.'))).to.deep.equal([])
      })
    })

    // ---------------------------------------------------------------------------------
    describeListings(() => ({ fixture, io, p }))
  })
}
