/**
 * The symbolic-link race out of a `withRoot` jail, run for real: another
 * process swaps a link inside the jail between a directory inside and one
 * outside as fast as it can, while reads, writes, appends, truncations,
 * stats, listings, mkdir, rename and unlink go through the link via the
 * record (node and pool backends). Not one byte of the outside may be read,
 * not one file outside created, changed or removed, and no listing may show
 * anything of the outside.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeNodePathIO, makePoolPathIO, makeWorkerPool, withRoot, withTimeout, type PathIO } from '../../lib'

/** How long the link flips: long enough for thousands of operations through it. */
const FLIP_SECONDS = 3

/** Swaps `link` between its targets as fast as it can (symlink beside it, then rename over it: atomic). */
const FLIPPER = `
import os, sys, time
link, seconds, targets = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
spare = link + '.next'
flips, end = 0, time.time() + seconds
while time.time() < end:
    for target in targets:
        try:
            os.unlink(spare)
        except FileNotFoundError:
            pass
        os.symlink(target, spare)
        os.replace(spare, link)
        flips += 1
print(flips)
`

const OUTSIDE_SECRET = 'OUTSIDE SECRET, never to be read through the jail'
const INSIDE_SECRET = 'inside'

interface Tally {
  inside: number
  refused: number
  outside: Array<string>
}

/** Everything under `dir`: name -> content (a directory as 'dir', a link as '-> target'). */
const tree = (dir: string): Record<string, string> => {
  const all: Record<string, string> = {}
  const walk = (at: string, prefix: string): void => {
    for (const name of fs.readdirSync(at).sort()) {
      const full = path.join(at, name)
      const s = fs.lstatSync(full)
      all[prefix + name] = s.isSymbolicLink()
        ? `-> ${fs.readlinkSync(full)}`
        : s.isDirectory()
          ? 'dir'
          : fs.readFileSync(full, 'latin1')
      if (s.isDirectory()) walk(full, `${prefix}${name}/`)
    }
  }
  walk(dir, '')
  return all
}

const backends: ReadonlyArray<{ readonly name: string; readonly make: () => { io: PathIO<unknown>; close: () => Promise<void> } }> = [
  { name: 'node', make: () => ({ io: makeNodePathIO(), close: async () => undefined }) },
  {
    name: 'pool (under withTimeout)',
    make: () => {
      const pool = makeWorkerPool({ size: 4 })
      return { io: withTimeout(30_000)(makePoolPathIO({ state: pool })), close: () => pool.close() }
    }
  }
]

describe('withRoot on a real disk: a link swapped in while operations run never opens a way out', function () {
  this.timeout(120_000)

  for (const backend of backends) {
    describe(backend.name, () => {
      let temp: string
      let jail: string
      let outside: string
      let flipper: ChildProcess | undefined

      beforeEach(() => {
        temp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-race-')))
        jail = path.join(temp, 'jail')
        outside = path.join(temp, 'outside')
        for (const dir of [path.join(jail, 'inside'), outside]) fs.mkdirSync(dir, { recursive: true })
        fs.writeFileSync(path.join(jail, 'inside', 'secret.txt'), INSIDE_SECRET)
        fs.writeFileSync(path.join(outside, 'secret.txt'), OUTSIDE_SECRET)
        fs.writeFileSync(path.join(outside, 'victim.txt'), 'outside victim')
        fs.writeFileSync(path.join(outside, 'outside-only.txt'), 'only outside')
        fs.mkdirSync(path.join(outside, 'outside-dir'))
        fs.symlinkSync('inside', path.join(jail, 'x'))
      })

      afterEach(() => {
        if (flipper?.pid !== undefined && flipper.exitCode === null) flipper.kill()
        fs.rmSync(temp, { recursive: true, force: true })
      })

      it('reads, writes, appends, truncates, stats, lists, mkdirs, renames and unlinks through it: nothing outside touched or seen', async () => {
        const before = tree(outside)
        const { io: inner, close } = backend.make()
        const io = withRoot(jail)(inner)
        const tally: Tally = { inside: 0, refused: 0, outside: [] }
        /** An outcome of one operation: what it saw inside, a refusal, or anything of the outside. */
        const note = (what: string, result: E.Either<unknown, unknown>, leaked: (value: unknown) => boolean): void => {
          if (E.isLeft(result)) tally.refused++
          else if (leaked(result.right)) tally.outside.push(`${what}: ${JSON.stringify(result.right)}`)
          else tally.inside++
        }
        const flipped = new Promise<number>((resolve, reject) => {
          // Relative and absolute targets: inside, the outside directory, and out by '..'.
          flipper = spawn('python3', ['-c', FLIPPER, path.join(jail, 'x'), String(FLIP_SECONDS), 'inside', outside, '../outside'], {
            stdio: ['ignore', 'pipe', 'inherit']
          })
          let out = ''
          flipper.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
          flipper.on('error', reject)
          flipper.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`flipper exited ${code}`))))
        })
        let running = true
        void flipped.finally(() => (running = false)).catch(() => undefined)

        const worker = async (n: number): Promise<void> => {
          for (let i = 0; running; i++) {
            const name = `w${n}-${i}`
            const opened = await io.open('x/secret.txt', 'rb')()
            if (E.isRight(opened)) {
              const bytes = await io.read(opened.right)()
              await io.close(opened.right)()
              note('read', bytes, (b) => Buffer.from(b as Uint8Array).toString() !== INSIDE_SECRET)
            } else tally.refused++
            note('stat', await io.stat('x/secret.txt')(), (s) => (s as { size: number }).size !== INSIDE_SECRET.length)
            note('scan', await io.scan('x')(), (entries) =>
              (entries as ReadonlyArray<{ name: string; stat: { size: number } }>).some(
                (e) => e.name.startsWith('outside') || (e.name === 'secret.txt' && e.stat.size !== INSIDE_SECRET.length)
              )
            )
            note('list', await io.list('x')(), (names) => (names as ReadonlyArray<string>).some((p) => p.includes('outside')))
            note('isDir', await io.isDir('x/outside-dir')(), (yes) => yes === true)
            // Writes: create, truncate, append through the link (victim.txt exists outside, never inside).
            for (const [mode, file] of [
              ['wb', `x/${name}.txt`],
              ['wb', 'x/victim.txt'],
              ['ab', 'x/victim.txt'],
              ['r+b', 'x/secret.txt']
            ] as const) {
              const handle = await io.open(file, mode)()
              if (E.isRight(handle)) {
                // r+b: write what is already there, so the inside secret stays as it is.
                await io.write(handle.right, Buffer.from(mode === 'r+b' ? INSIDE_SECRET : 'jailed'))()
                await io.close(handle.right)()
              }
              note(`open ${mode}`, handle, () => false)
            }
            note('mkdir', await io.mkdir(`x/${name}-dir`)(), () => false)
            note('rename', await io.rename(`x/${name}.txt`, `x/${name}-moved.txt`)(), () => false)
            note('rename into', await io.rename(`x/${name}-dir`, `/${name}-dir`)(), () => false)
            note('unlink', await io.unlink('x/outside-only.txt')(), () => true)
            note('rmdir', await io.rmdir('x/outside-dir')(), () => true)
            // The node backend answers in microtasks: let the event loop hear the flipper's exit.
            await new Promise((resolve) => setImmediate(resolve))
          }
        }
        try {
          await Promise.all([0, 1, 2, 3].map(worker))
          const flips = await flipped
          // The race did happen: the link moved thousands of times, and operations both succeeded and were refused.
          expect(flips).to.be.greaterThan(100)
          expect(tally.inside, 'operations that went through inside').to.be.greaterThan(0)
          expect(tally.refused, 'operations refused (the link pointed out)').to.be.greaterThan(0)
          expect(tally.outside, 'anything of the outside seen').to.deep.equal([])
          expect(tree(outside)).to.deep.equal(before)
          expect(fs.readFileSync(path.join(jail, 'inside', 'secret.txt'), 'utf8')).to.equal(INSIDE_SECRET)
        } finally {
          await close()
        }
      })
    })
  }
})
