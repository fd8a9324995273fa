/**
 * The contract of listings page by page (DESIGN.md's `opendir` paragraph),
 * run by `runContract` on every backend and middleware stack: `opendir`
 * fails as `list` does; pages of at most `max` entries, each as `scan` gives
 * it; `[]` at the end and after; exactly once under concurrent changes;
 * `BadHandle` for a closed, forged, file or foreign handle; `closedir` twice
 * harmless; and the `entries` helper over it.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { entries, type DirHandle, type Entry, type FileHandle, type PathIO } from '../../lib'
import type { Fixture } from './fixture'
import { bytes, expectLeft, expectRight, run, sorted, writeFile } from './helpers'
import { countHandles } from './stacks'

/** What the suite's `beforeEach` made for the running test. */
export interface ListingContext {
  readonly fixture: Fixture
  readonly io: PathIO<unknown>
  /** The fixture's root joined with a relative path. */
  readonly p: (rel: string) => string
}

/** Every page of a listing up to and including the empty one that ends it. */
export const readPages = async (
  io: PathIO<unknown>,
  dir: DirHandle,
  max?: number
): Promise<Array<ReadonlyArray<Entry>>> => {
  const pages: Array<ReadonlyArray<Entry>> = []
  for (;;) {
    const page = await expectRight(io.readdir(dir, max))
    pages.push(page)
    if (page.length === 0) return pages
    if (pages.length > 100_000) return expect.fail('a listing that never ends')
  }
}

/** Entries in a stable order, to compare with `scan`'s. */
const byName = (xs: ReadonlyArray<Entry>): Array<Entry> =>
  [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

export const describeListings = (context: () => ListingContext): void => {
  describe('opendir / readdir / closedir', () => {
    let io: PathIO<unknown>
    let fixture: Fixture
    let p: (rel: string) => string

    beforeEach(async () => {
      ;({ io, fixture, p } = context())
      await expectRight(io.mkdir('d'))
      await writeFile(io, 'd/a', 'aaa')
      await writeFile(io, 'd/b', 'b')
      await expectRight(io.mkdir('d/sub'))
      await writeFile(io, 'f', 'eff')
    })

    const fill = async (dir: string, count: number, prefix = 'n'): Promise<Array<string>> => {
      const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`)
      for (const name of names) await writeFile(io, `${dir}/${name}`, name)
      return names
    }

    it('opendir fails as list does: NotFound for a missing directory, NotADirectory for a file or through one', async () => {
      await expectLeft(io.opendir('missing'), 'NotFound', 'opendir')
      await expectLeft(io.opendir('missing/x'), 'NotFound', 'opendir')
      await expectLeft(io.opendir('f'), 'NotADirectory', 'opendir')
      await expectLeft(io.opendir('f/x'), 'NotADirectory', 'opendir')
      for (const bad of ['', 'd\0', 'x'.repeat(256), 42, null, undefined, {}])
        await expectLeft(io.opendir(bad as never), 'InvalidArgument', 'opendir')
    })

    it('gives pages of at most max entries that together are the directory, each entry as scan gives it', async () => {
      await fill('d', 22)
      const dir = await expectRight(io.opendir('d'))
      const pages = await readPages(io, dir, 4)
      await expectRight(io.closedir(dir))
      for (const page of pages) expect(page.length).to.be.at.most(4)
      const listed = pages.flat()
      expect(listed).to.have.length(25)
      expect(byName(listed)).to.deep.equal(byName(await expectRight(io.scan('d'))))
    })

    it('reads one page of the backend size when max is left out or null, and the whole of a small directory in it', async () => {
      for (const max of [undefined, null]) {
        const dir = await expectRight(io.opendir('d'))
        const page = await expectRight(io.readdir(dir, max))
        expect(sorted(page.map((entry) => entry.name))).to.deep.equal(['a', 'b', 'sub'])
        expect(await expectRight(io.readdir(dir, max))).to.deep.equal([])
        await expectRight(io.closedir(dir))
      }
    })

    it('gives [] at the end and on every call after it', async () => {
      const dir = await expectRight(io.opendir('d'))
      expect((await readPages(io, dir, 1)).map((page) => page.length)).to.deep.equal([1, 1, 1, 0])
      for (let i = 0; i < 3; i++) expect(await expectRight(io.readdir(dir, 5))).to.deep.equal([])
      await expectRight(io.closedir(dir))
    })

    it('ends an empty directory at once', async () => {
      await expectRight(io.mkdir('e'))
      const dir = await expectRight(io.opendir('e'))
      expect(await expectRight(io.readdir(dir))).to.deep.equal([])
      await expectRight(io.closedir(dir))
    })

    it('joins the path as given with each name: relative stays relative, absolute stays absolute', async () => {
      for (const [given, expected] of [
        ['d', 'd/a'],
        ['./d', './d/a'],
        ['d/', 'd/a'],
        [p('d'), `${p('d')}/a`]
      ] as const) {
        const dir = await expectRight(io.opendir(given))
        const listed = (await readPages(io, dir)).flat()
        await expectRight(io.closedir(dir))
        expect(listed.find((entry) => entry.name === 'a')?.path, given).to.equal(expected)
        const scanned = await expectRight(io.scan(given))
        expect(sorted(listed.map((entry) => entry.path)), given).to.deep.equal(
          sorted(scanned.map((entry) => entry.path))
        )
      }
    })

    it('gives each entry its stat: type bits, size, nlink', async () => {
      const dir = await expectRight(io.opendir('d'))
      const listed = byName((await readPages(io, dir, 2)).flat())
      await expectRight(io.closedir(dir))
      expect(listed.map((entry) => [entry.name, entry.stat.size === 3 ? 3 : 'other'])).to.deep.equal([
        ['a', 3],
        ['b', 'other'],
        ['sub', 'other']
      ])
      expect(listed[2].stat.mode & 0o170000).to.equal(0o040000)
      expect(listed[0].stat.mode & 0o170000).to.equal(0o100000)
      expect(listed[0].stat.nlink).to.equal(1)
    })

    it('a max that is not a positive safe integer is InvalidArgument and reads nothing', async () => {
      const dir = await expectRight(io.opendir('d'))
      for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 53, '2', true, {}, [], Symbol('max'), 2n])
        await expectLeft(io.readdir(dir, bad as never), 'InvalidArgument', 'readdir')
      expect(sorted((await readPages(io, dir)).flat().map((entry) => entry.name))).to.deep.equal(['a', 'b', 'sub'])
      await expectRight(io.closedir(dir))
    })

    it('gives every entry present throughout exactly once while others are created and removed', async () => {
      const kept = await fill('d', 30, 'k')
      const doomed = await fill('d', 20, 'x')
      const dir = await expectRight(io.opendir('d'))
      const seen: Array<string> = []
      let created = 0
      for (;;) {
        const page = await expectRight(io.readdir(dir, 7))
        if (page.length === 0) break
        seen.push(...page.map((entry) => entry.name))
        // Between pages: new names appear, doomed ones go.
        for (let i = 0; i < 3; i++) await writeFile(io, `d/new${created++}`, 'n')
        for (let i = 0; i < 3 && doomed.length > 0; i++) await expectRight(io.unlink(`d/${doomed.pop() as string}`))
      }
      await expectRight(io.closedir(dir))
      expect(new Set(seen).size, 'no name twice').to.equal(seen.length)
      for (const name of [...kept, 'a', 'b', 'sub'])
        expect(
          seen.filter((s) => s === name),
          name
        ).to.have.length(1)
    })

    it('closedir twice is harmless; readdir after closedir is BadHandle', async () => {
      const dir = await expectRight(io.opendir('d'))
      expect(await expectRight(io.readdir(dir, 1))).to.have.length(1)
      await expectRight(io.closedir(dir))
      await expectRight(io.closedir(dir))
      await expectLeft(io.readdir(dir), 'BadHandle', 'readdir')
      await expectLeft(io.readdir(dir, 1), 'BadHandle', 'readdir')
      await expectRight(io.closedir(dir))
      // Read to its end first, then closed: the same.
      const ended = await expectRight(io.opendir('d'))
      await readPages(io, ended)
      await expectRight(io.closedir(ended))
      await expectLeft(io.readdir(ended), 'BadHandle', 'readdir')
    })

    it('a file handle, a copy or an imitation of a directory handle is BadHandle, and a directory handle is no file handle', async () => {
      const dir = await expectRight(io.opendir('d'))
      const file = await expectRight(io.open('f', 'rb'))
      const fakes: ReadonlyArray<unknown> = [
        file,
        { ...dir },
        Object.create(dir as object),
        {},
        Object.freeze(Object.create(null)),
        null,
        undefined,
        42,
        'd',
        [],
        () => dir
      ]
      for (const fake of fakes) {
        await expectLeft(io.readdir(fake as DirHandle), 'BadHandle', 'readdir')
        await expectLeft(io.readdir(fake as DirHandle, 1), 'BadHandle', 'readdir')
        await expectLeft(io.closedir(fake as DirHandle), 'BadHandle', 'closedir')
      }
      const asFile = dir as unknown as FileHandle
      await expectLeft(io.read(asFile), 'BadHandle', 'read')
      await expectLeft(io.write(asFile, bytes('x')), 'BadHandle', 'write')
      await expectLeft(io.seek(asFile, 0), 'BadHandle', 'seek')
      await expectLeft(io.close(asFile), 'BadHandle', 'close')
      // Both still work.
      expect(sorted((await readPages(io, dir)).flat().map((entry) => entry.name))).to.deep.equal(['a', 'b', 'sub'])
      expect(Buffer.from(await expectRight(io.read(file))).toString()).to.equal('eff')
      await expectRight(io.closedir(dir))
      await expectRight(io.close(file))
    })

    it('a listing of another tree or pool is BadHandle', async function () {
      if (fixture.stranger === undefined) return this.skip()
      const stranger = fixture.stranger()
      await expectRight(stranger.mkdir('elsewhere'))
      const foreign = await expectRight(stranger.opendir('elsewhere'))
      await expectLeft(io.readdir(foreign), 'BadHandle', 'readdir')
      await expectLeft(io.closedir(foreign), 'BadHandle', 'closedir')
      expect(await expectRight(stranger.readdir(foreign))).to.deep.equal([])
      await expectRight(stranger.closedir(foreign))
    })

    it('works on every record that shares the backend state', async () => {
      const sibling = fixture.sibling()
      const dir = await expectRight(io.opendir('d'))
      const first = await expectRight(sibling.readdir(dir, 2))
      const rest = (await readPages(io, dir)).flat()
      expect(sorted([...first, ...rest].map((entry) => entry.name))).to.deep.equal(['a', 'b', 'sub'])
      await expectRight(sibling.closedir(dir))
      await expectLeft(io.readdir(dir), 'BadHandle', 'readdir')
    })

    it('no listing operation throws, rejects or hangs, whatever it is given', async () => {
      const values: ReadonlyArray<unknown> = [
        undefined,
        null,
        '',
        'f\0',
        42,
        -1,
        NaN,
        {},
        [],
        Symbol('x'),
        new Proxy(
          {},
          {
            get: () => {
              throw new Error('hostile')
            }
          }
        )
      ]
      for (const value of values) {
        const v = value as never
        for (const te of [io.opendir(v), io.readdir(v), io.readdir(v, v), io.readdir(v, 1), io.closedir(v)]) {
          const result = await run(te as never)
          expect(result._tag, String(typeof value)).to.equal('Left')
        }
      }
    })

    describe('entries', () => {
      it('walks the whole directory in batches, each entry as scan gives it', async () => {
        await fill('d', 12)
        const walked: Array<Entry> = []
        for await (const entry of entries(io, 'd', { batch: 5 })) walked.push(entry)
        expect(byName(walked)).to.deep.equal(byName(await expectRight(io.scan('d'))))
      })

      it('closes the listing on break, on a throw in the loop, and at the end', async () => {
        await fill('d', 6)
        const counted = countHandles(io)
        let taken = 0
        for await (const entry of entries(counted.pathio, 'd', { batch: 2 })) {
          expect(entry.path.startsWith('d/')).to.equal(true)
          if (++taken === 3) break
        }
        expect(taken).to.equal(3)
        expect(counted.openListings(), 'after break').to.equal(0)
        const oops = new Error('oops')
        try {
          for await (const _ of entries(counted.pathio, 'd', { batch: 2 })) throw oops
        } catch (error) {
          expect(error).to.equal(oops)
        }
        expect(counted.openListings(), 'after a throw').to.equal(0)
        let count = 0
        for await (const _ of entries(counted.pathio, 'd')) count++
        expect(count).to.equal(9)
        expect(counted.openListings(), 'after the end').to.equal(0)
        expect(counted.listingsOpened()).to.equal(3)
      })

      it('throws the PathIOError itself: a missing directory, a file, a bad batch', async () => {
        for (const [path, batch, reason] of [
          ['missing', undefined, 'NotFound'],
          ['f', undefined, 'NotADirectory'],
          ['d', 0, 'InvalidArgument'],
          ['d', 1.5, 'InvalidArgument']
        ] as const) {
          let thrown: unknown
          try {
            for await (const _ of entries(io, path, { batch })) expect.fail('no entry expected')
          } catch (error) {
            thrown = error
          }
          expect((thrown as { reason?: unknown }).reason, path).to.equal(reason)
        }
      })

      it('stops with Cancelled once its signal aborts, between two entries', async () => {
        await fill('d', 10)
        const controller = new AbortController()
        const walked: Array<string> = []
        let thrown: unknown
        try {
          for await (const entry of entries(io, 'd', { batch: 4, signal: controller.signal })) {
            walked.push(entry.name)
            if (walked.length === 5) controller.abort()
          }
        } catch (error) {
          thrown = error
        }
        expect(walked).to.have.length(5)
        expect((thrown as { reason?: unknown }).reason).to.equal('Cancelled')
        expect(E.isRight(await run(io.list('d')))).to.equal(true)
      })
    })
  })
}
