/**
 * The symbolic-link race out of a `withRoot` jail, run for real: another
 * process swaps a link inside the jail between a directory inside and one
 * outside as fast as it can, while reads, writes, appends, truncations,
 * stats, listings (list, scan, opendir/readdir), realpath, mkdir, rename, chmod, utimes and unlink go through the link via the
 * record (node and pool backends), and RETR, STOR, APPE, SIZE, LIST and NLST
 * go through it from a real FTP client (python3 ftplib). Not one byte of the
 * outside may be read, not one file outside created, changed or removed (no
 * `.part` file either), and no listing may show anything of the outside.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeNodePathIO, makePoolPathIO, makeWorkerPool, withRoot, withTimeout, type PathIO } from '../../lib'
import { startServer, USER, type BackendName, type Running } from '../ftp/harness'

/** The least time the race runs (it goes on until both outcomes were seen, at most `RACE_CAP_MS`). */
const RACE_MS = 3000
const RACE_CAP_MS = 60_000

/** Swaps at least this many times, however slow a loaded machine makes it. */
const MIN_FLIPS = 300

/** Swaps `link` between its targets as fast as it can (symlink beside it, then rename over it: atomic), until `stop` exists. */
const FLIPPER = `
import os, sys
link, stop, targets = sys.argv[1], sys.argv[2], sys.argv[3:]
MIN_FLIPS = ${MIN_FLIPS}
spare = link + '.next'
flips = 0
while not os.path.exists(stop) or flips < MIN_FLIPS:
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

/**
 * The same with FTP commands alone: a client renames two real directories
 * into each other's place as `x`, over and over, until `stop` exists: in
 * one, `L` links inside; in the other, `L` links outside (a link the jail
 * refuses to follow). Clients go through `x/L`.
 */
const RENAMER = `
import ftplib, os, sys
port, user, password, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=30)
ftp.login(user, password)
flips = 0
while not os.path.exists(stop) or flips < ${MIN_FLIPS}:
    for source, destination in (('x', 'B'), ('A', 'x'), ('x', 'A'), ('B', 'x')):
        ftp.rename(source, destination)
    flips += 2
ftp.quit()
print(flips)
`

/** A flipper: a python3 script swapping `x` until the file it is given exists; resolves with the swaps made. */
type Flipper = { readonly child: ChildProcess; readonly flips: Promise<number> }

/** Starts a python3 flipper with these arguments. */
const startFlipper = (script: string, args: ReadonlyArray<string>): Flipper => {
  const child = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const flips = new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`flipper exited ${code}`))))
  })
  return { child, flips }
}

/** Swaps `jail/x` between inside, the outside directory (absolute) and '../outside' until the file `stop` exists. */
const flip = (jail: string, outside: string, stop: string): Flipper =>
  startFlipper(FLIPPER, [path.join(jail, 'x'), stop, 'inside', outside, '../outside'])

/** The fixture: `jail/inside` with its secret, `outside` with another, and `jail/x` a link to `inside`. */
const plant = (jail: string, outside: string): void => {
  for (const dir of [path.join(jail, 'inside'), outside]) fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(jail, 'inside', 'secret.txt'), INSIDE_SECRET)
  fs.writeFileSync(path.join(outside, 'secret.txt'), OUTSIDE_SECRET)
  fs.writeFileSync(path.join(outside, 'victim.txt'), 'outside victim')
  fs.writeFileSync(path.join(outside, 'outside-only.txt'), 'only outside')
  fs.mkdirSync(path.join(outside, 'outside-dir'))
  fs.symlinkSync('inside', path.join(jail, 'x'))
}

/**
 * An FTP client racing through the directory `x` it is given (`x`, or
 * `x/L`) until the file `stop` exists: RETR, SIZE,
 * LIST, NLST, STOR, APPE and DELE, printing each outcome as a line: `inside`,
 * `refused`, or `outside` and what it saw.
 */
const CLIENT = `
import ftplib, io, os, sys
port, user, password, stop, inside_secret, x = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=30)
ftp.login(user, password)
def attempt(what, call, leaked):
    try:
        value = call()
    except ftplib.error_perm:
        print('refused', flush=True)
        return
    print('outside %s: %r' % (what, value) if leaked(value) else 'inside', flush=True)
def retr():
    out = io.BytesIO()
    ftp.retrbinary('RETR %s/secret.txt' % x, out.write)
    return out.getvalue()
def lines(cmd):
    got = []
    ftp.retrlines(cmd, got.append)
    return got
i = 0
while not os.path.exists(stop):
    i += 1
    attempt('RETR', retr, lambda b: b != inside_secret.encode())
    attempt('SIZE', lambda: ftp.size(x + '/secret.txt'), lambda n: n != len(inside_secret))
    attempt('LIST', lambda: lines('LIST ' + x), lambda ls: any('outside' in l for l in ls))
    attempt('NLST', lambda: lines('NLST ' + x), lambda ls: any('outside' in l for l in ls))
    attempt('STOR', lambda: ftp.storbinary('STOR %s/up-%d.txt' % (x, i), io.BytesIO(b'jailed')), lambda _: False)
    attempt('APPE', lambda: ftp.storbinary('APPE %s/victim.txt' % x, io.BytesIO(b'jailed')), lambda _: False)
    attempt('DELE', lambda: ftp.delete(x + '/outside-only.txt'), lambda _: True)
ftp.quit()
`

/** What the operations through the link saw: inside, refused, or anything of the outside. */
interface Tally {
  inside: number
  refused: number
  outside: Array<string>
}

/**
 * The verdict: the race did happen (the link moved hundreds of times, and
 * operations both went through inside and were refused), nothing of the
 * outside was seen, the outside is as it was, and the inside secret too.
 */
const expectNoEscape = (
  flips: number,
  tally: Tally,
  where: { readonly jail: string; readonly outside: string; readonly before: Record<string, string> }
): void => {
  expect(flips).to.be.at.least(MIN_FLIPS)
  expect(tally.inside, 'operations that went through inside').to.be.greaterThan(0)
  expect(tally.refused, 'operations refused (the link pointed out)').to.be.greaterThan(0)
  expect(tally.outside, 'anything of the outside seen').to.deep.equal([])
  expect(tree(where.outside)).to.deep.equal(where.before)
  expect(fs.readFileSync(path.join(where.jail, 'inside', 'secret.txt'), 'utf8')).to.equal(INSIDE_SECRET)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Lets the race run `RACE_MS`, then on until it has both gone through
 * inside and been refused (the link did move under the operations), at most
 * `RACE_CAP_MS`; then creates `stop`, which ends the flipper and the clients.
 */
const raceUntilSeen = async (tally: Tally, stop: string): Promise<void> => {
  await sleep(RACE_MS)
  for (let waited = RACE_MS; waited < RACE_CAP_MS && (tally.inside === 0 || tally.refused === 0); waited += 100)
    await sleep(100)
  fs.writeFileSync(stop, '')
}

/** Everything under `dir`: name -> content (a directory as 'dir', a link as '-> target'), with its permission bits and mtime. */
const tree = (dir: string): Record<string, string> => {
  const all: Record<string, string> = {}
  const walk = (at: string, prefix: string): void => {
    for (const name of fs.readdirSync(at).sort()) {
      const full = path.join(at, name)
      const s = fs.lstatSync(full)
      const attributes = ` [${(s.mode & 0o7777).toString(8)} ${s.mtimeMs}]`
      all[prefix + name] = s.isSymbolicLink()
        ? `-> ${fs.readlinkSync(full)}`
        : s.isDirectory()
          ? `dir${attributes}`
          : fs.readFileSync(full, 'latin1') + attributes
      if (s.isDirectory()) walk(full, `${prefix}${name}/`)
    }
  }
  walk(dir, '')
  return all
}

const backends: ReadonlyArray<{
  readonly name: string
  readonly make: () => { io: PathIO<unknown>; close: () => Promise<void> }
}> = [
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
        plant(jail, outside)
      })

      afterEach(() => {
        if (flipper?.pid !== undefined && flipper.exitCode === null) flipper.kill()
        fs.rmSync(temp, { recursive: true, force: true })
      })

      it('reads, writes, appends, truncates, stats, lists, resolves, mkdirs, renames, chmods, sets times and unlinks through it: nothing outside touched or seen', async () => {
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
        const stop = path.join(temp, 'stop')
        const flipping = flip(jail, outside, stop)
        flipper = flipping.child
        const flipped = flipping.flips
        let running = true
        void raceUntilSeen(tally, stop).then(() => (running = false))

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
            note('list', await io.list('x')(), (names) =>
              (names as ReadonlyArray<string>).some((p) => p.includes('outside'))
            )
            const dir = await io.opendir('x')()
            if (E.isRight(dir)) {
              const page = await io.readdir(dir.right, 2)()
              await io.closedir(dir.right)()
              note('readdir', page, (entries) =>
                (entries as ReadonlyArray<{ name: string; stat: { size: number } }>).some(
                  (e) =>
                    e.name.startsWith('outside') || (e.name === 'secret.txt' && e.stat.size !== INSIDE_SECRET.length)
                )
              )
            } else tally.refused++
            note('isDir', await io.isDir('x/outside-dir')(), (yes) => yes === true)
            // realpath follows x wherever it leads now: the inside target's path, or a refusal, never a path outside.
            note('realpath', await io.realpath('x/secret.txt')(), (found) => found !== '/inside/secret.txt')
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
            // chmod and utimes follow the final link: through x they act inside or are refused.
            note('chmod', await io.chmod('x/secret.txt', 0o640)(), () => false)
            note('utimes', await io.utimes('x/victim.txt', 1_600_000_000_000)(), () => false)
            note('unlink', await io.unlink('x/outside-only.txt')(), () => true)
            note('rmdir', await io.rmdir('x/outside-dir')(), () => true)
            // The node backend answers in microtasks: let the event loop run the timers of raceUntilSeen.
            await new Promise((resolve) => setImmediate(resolve))
          }
        }
        try {
          await Promise.all([0, 1, 2, 3].map(worker))
          expectNoEscape(await flipped, tally, { jail, outside, before })
        } finally {
          await close()
        }
      })
    })
  }
})

describe('the FTP server on a real disk: a link swapped in while a client transfers never opens a way out', function () {
  this.timeout(120_000)

  const cases = (['node', 'pool'] as ReadonlyArray<BackendName>).flatMap((backend) => [
    {
      backend,
      how: 'another process swaps the link',
      through: 'x',
      flipper: (_: Running, jail: string, outside: string, stop: string) => flip(jail, outside, stop)
    },
    {
      backend,
      how: 'another session swaps directories with RNFR/RNTO',
      through: 'x/L',
      flipper: (running: Running, jail: string, outside: string, stop: string) => {
        // x: a real directory whose L leads inside; A: one whose L leads outside.
        fs.unlinkSync(path.join(jail, 'x'))
        fs.mkdirSync(path.join(jail, 'x'))
        fs.symlinkSync('../inside', path.join(jail, 'x', 'L'))
        fs.mkdirSync(path.join(jail, 'A'))
        fs.symlinkSync(outside, path.join(jail, 'A', 'L'))
        return startFlipper(RENAMER, [String(running.port), USER.name, USER.password, stop])
      }
    }
  ])
  for (const { backend, how, through, flipper: startFlipping } of cases) {
    it(`${backend}, ${how}: RETR, SIZE, LIST, NLST, STOR, APPE and DELE through it see and touch nothing outside`, async () => {
      const running = await startServer(backend)
      // The server's root is the jail; the outside is its sibling.
      const jail = running.root
      const outside = `${jail}-outside`
      const stop = `${jail}-stop`
      let flipper: ChildProcess | undefined
      try {
        plant(jail, outside)
        const before = tree(outside)
        const tally: Tally = { inside: 0, refused: 0, outside: [] }
        const flipping = startFlipping(running, jail, outside, stop)
        flipper = flipping.child
        const clients = [0, 1].map(
          () =>
            new Promise<void>((resolve, reject) => {
              const child = spawn(
                'python3',
                ['-c', CLIENT, String(running.port), USER.name, USER.password, stop, INSIDE_SECRET, through],
                {
                  stdio: ['ignore', 'pipe', 'inherit']
                }
              )
              let pending = ''
              child.stdout.on('data', (chunk: Buffer) => {
                const lines = (pending + chunk.toString()).split('\n')
                pending = lines.pop() ?? ''
                for (const line of lines)
                  if (line === 'inside') tally.inside++
                  else if (line === 'refused') tally.refused++
                  else if (line !== '') tally.outside.push(line)
              })
              child.on('error', reject)
              child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the client exited ${code}`))))
            })
        )
        await raceUntilSeen(tally, stop)
        await Promise.all(clients)
        expectNoEscape(await flipping.flips, tally, { jail, outside, before })
      } finally {
        if (flipper?.pid !== undefined && flipper.exitCode === null) flipper.kill()
        await running.stop()
        for (const dir of [outside, stop]) fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})
