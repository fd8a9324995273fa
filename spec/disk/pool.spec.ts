/**
 * What the contract suite does not cover of `makePoolPathIO`: its options,
 * one job per operation, handles that outlive the worker that opened them,
 * workers that die, `close`, no descriptor leaks, and a pool that never keeps
 * a process alive.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  makeNodePathIO,
  makePoolPathIO,
  makeWorkerPool,
  withSharedState,
  type PathIO,
  type WorkerPool
} from '../../lib'
import { internalsOf } from '../../lib/backends/pool/workerPool'
import { WORKER_FILE, WORKER_LAUNCH, workerLaunch } from '../../lib/backends/pool/launch'
import { makeTempRoot, removeTempRoot } from '../contract/diskBackends'
import { bytes, expectLeft, expectRight, readFile, run, text, writeFile } from '../contract/helpers'
import { openFileDescriptors } from './fds'

/** Jobs the pool has posted to its workers so far. */
const posted = (pool: WorkerPool): number => internalsOf(pool).posted

/** Waits until the pool has a live worker, and gives it. */
const aWorker = async (io: PathIO<WorkerPool>) => {
  await expectRight(io.exists('.'))
  const slot = internalsOf(io.state).slots[0]
  expect(slot, 'a worker').to.not.equal(undefined)
  return slot.worker
}

describe('makePoolPathIO', () => {
  let root: string
  let pool: WorkerPool
  let io: PathIO<WorkerPool>
  beforeEach(() => {
    root = makeTempRoot('pool-spec')
    pool = makeWorkerPool({ size: 2 })
    io = makePoolPathIO({ state: pool, cwd: root })
  })
  afterEach(async () => {
    await pool.close()
    removeTempRoot(root)
  })

  describe('options', () => {
    it('a size of 0, negative, fractional or not a number throws a TypeError naming it', () => {
      for (const size of [0, -1, 1.5, NaN, Infinity, '2', null]) {
        expect(() => makePoolPathIO({ size } as never)).to.throw(TypeError, /size/)
        expect(() => makeWorkerPool({ size } as never)).to.throw(TypeError, /size/)
      }
    })

    it('a cwd that is not absolute, or a state that is not a pool, throws a TypeError naming it', () => {
      expect(() => makePoolPathIO({ cwd: 'relative' })).to.throw(TypeError, /cwd/)
      expect(() => makePoolPathIO({ cwd: null } as never)).to.throw(TypeError, /cwd/)
      expect(() => makePoolPathIO({ state: {} as never })).to.throw(TypeError, /state/)
      expect(() => makePoolPathIO({ state: { ...pool } })).to.throw(TypeError, /state/)
    })

    it('defaults to the available parallelism, at least 2 threads', async () => {
      const made = makePoolPathIO({ cwd: root })
      expect(made.state.size).to.be.at.least(2)
      await made.state.close()
    })

    it('its state is the pool, shared by the records made on it and by withSharedState', async () => {
      expect(io.state).to.equal(pool)
      const factory = withSharedState(makePoolPathIO)
      const first = factory({ cwd: root } as never)
      const second = factory()
      expect(second.state).to.equal(first.state)
      await writeFile(first, path.join(root, 'f'), 'shared')
      const h = await expectRight(first.open(path.join(root, 'f'), 'rb'))
      expect(text(await expectRight(second.read(h)))).to.equal('shared')
      await expectRight(second.close(h))
      await first.state.close()
    })
  })

  describe('one operation is one job', () => {
    it('mkdir with parents, rename, rmdir and scan each post one job', async () => {
      await expectRight(io.exists('.'))
      let before = posted(pool)
      await expectRight(io.mkdir('a/b/c/d/e', { parents: true }))
      expect(posted(pool) - before).to.equal(1)
      for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(root, 'a', `f${i}`), String(i))
      before = posted(pool)
      const entries = await expectRight(io.scan('a'))
      expect(posted(pool) - before).to.equal(1)
      expect(entries).to.have.length(51)
      expect(entries.find((e) => e.name === 'f42')?.stat.size).to.equal(2)
      before = posted(pool)
      await expectLeft(io.rename('a', 'a/b/inside'), 'InvalidArgument', 'rename')
      await expectRight(io.rename('a/b/c/d/e', 'e'))
      await expectLeft(io.rmdir('a'), 'NotEmpty', 'rmdir')
      await expectRight(io.rmdir('e'))
      expect(posted(pool) - before).to.equal(4)
    })

    it('bad arguments are refused on the main thread: no job is posted', async () => {
      await expectRight(io.exists('.'))
      const before = posted(pool)
      await expectLeft(io.stat(''), 'InvalidArgument', 'stat')
      await expectLeft(io.open('f', 'rw' as never), 'InvalidArgument', 'open')
      await expectLeft(io.mkdir('x', { parents: 'yes' } as never), 'InvalidArgument', 'mkdir')
      await expectLeft(io.read({} as never), 'BadHandle', 'read')
      expect(posted(pool)).to.equal(before)
    })
  })

  describe('handles', () => {
    it('calls on one handle run in order, each from where the one before left', async () => {
      await writeFile(io, 'f', 'abcdefgh')
      const h = await expectRight(io.open('f', 'rb'))
      const blocks = await Promise.all([io.read(h, 2)(), io.read(h, 2)(), io.read(h, 2)(), io.read(h, 2)()])
      expect(blocks.map((b) => (E.isRight(b) ? text(b.right) : b.left.message))).to.deep.equal(['ab', 'cd', 'ef', 'gh'])
      await expectRight(io.close(h))
    })

    it('a write leaves the caller bytes whole (they are copied, not moved away)', async () => {
      const data = bytes('still mine')
      const h = await expectRight(io.open('f', 'wb'))
      await expectRight(io.write(h, data))
      await expectRight(io.close(h))
      expect(data.byteLength).to.equal(10)
      expect(text(data)).to.equal('still mine')
      expect(await readFile(io, 'f')).to.equal('still mine')
    })

    it('a write of 1 MiB, and 100 writes at once, land intact (the caller keeps its bytes)', async () => {
      const big = Buffer.alloc(1024 * 1024 + 3)
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff
      await writeFile(io, 'big', big)
      expect(fs.readFileSync(path.join(root, 'big')).equals(big)).to.equal(true)
      const many = Array.from({ length: 100 }, (_, i) => Buffer.alloc(1000, i))
      const handles = await Promise.all(many.map((_, i) => expectRight(io.open(`f${i}`, 'wb'))))
      const written = await Promise.all(handles.map((h, i) => expectRight(io.write(h, many[i]))))
      expect(written.every((n) => n === 1000)).to.equal(true)
      await Promise.all(handles.map((h) => expectRight(io.close(h))))
      for (let i = 0; i < many.length; i++)
        expect(fs.readFileSync(path.join(root, `f${i}`)).equals(many[i]), `f${i}`).to.equal(true)
    })

    it('a handle of the Node backend is BadHandle here, and the reverse', async () => {
      const node = makeNodePathIO({ cwd: root })
      await writeFile(node, 'f', 'x')
      const nodeHandle = await expectRight(node.open('f', 'rb'))
      const poolHandle = await expectRight(io.open('f', 'rb'))
      await expectLeft(io.read(nodeHandle), 'BadHandle', 'read')
      await expectLeft(node.read(poolHandle), 'BadHandle', 'read')
      await expectRight(node.close(nodeHandle))
      await expectRight(io.close(poolHandle))
    })

    it('outlive the worker that opened them: descriptors are process-wide', async () => {
      await writeFile(io, 'f', 'survives')
      const h = await expectRight(io.open('f', 'rb'))
      const workers = internalsOf(pool).slots.map((slot) => slot.worker)
      await Promise.all(workers.map((worker) => worker.terminate()))
      expect(text(await expectRight(io.read(h)))).to.equal('survives')
      await expectRight(io.close(h))
    })
  })

  describe('a worker that dies', () => {
    it('by process.exit fails its own jobs with a Left, and is replaced', async () => {
      const single = makeWorkerPool({ size: 1 })
      const one = makePoolPathIO({ state: single, cwd: root })
      try {
        const worker = await aWorker(one)
        // The worker reads its port in order: the exit comes before the stats posted after it.
        worker.postMessage([{ id: 1e9, request: { op: 'exit', code: 7 } }])
        const results = await Promise.all([1, 2, 3, 4].map(() => run(one.stat('.'))))
        const lefts = results.filter(E.isLeft).map((r) => r.left)
        expect(lefts.length, 'jobs in flight on the dead worker').to.be.at.least(1)
        for (const error of lefts) {
          expect(error.reason).to.equal('Unknown')
          expect(error.message).to.match(/exited \(code 7\)/)
        }
        expect(await expectRight(one.isDir('.'))).to.equal(true)
        expect(internalsOf(single).slots[0].worker).to.not.equal(worker)
      } finally {
        await single.close()
      }
    })

    it('by terminate (or a crash) fails its jobs too, and no call hangs', async () => {
      const worker = await aWorker(io)
      const pending = [1, 2, 3, 4, 5, 6].map(() => run(io.list('.')))
      await worker.terminate()
      for (const result of await Promise.all(pending))
        if (E.isLeft(result)) expect(result.left.reason).to.equal('Unknown')
      expect(await expectRight(io.list('.'))).to.deep.equal([])
    })
  })

  describe('close', () => {
    it('jobs pending at close, and every later call, are a Left; close twice is harmless', async () => {
      await writeFile(io, 'f', 'x')
      const h = await expectRight(io.open('f', 'rb'))
      const fresh = makeWorkerPool({ size: 2 })
      const other = makePoolPathIO({ state: fresh, cwd: root })
      // Posted before any worker is up: all still pending when close runs.
      const pending = [1, 2, 3, 4, 5].map(() => run(other.stat('f')))
      await fresh.close()
      for (const result of await Promise.all(pending)) {
        expect(E.isLeft(result) && result.left.reason).to.equal('Busy')
        expect(E.isLeft(result) && result.left.message).to.match(/pool closed/)
      }
      await pool.close()
      await pool.close()
      expect(pool.isClosed()).to.equal(true)
      const later = await expectLeft(io.stat('f'), 'Busy', 'stat')
      expect(later.message).to.match(/pool is closed/)
      await expectLeft(io.open('f', 'rb'), 'Busy', 'open')
      await expectLeft(io.read(h), 'BadHandle', 'read')
      await expectLeft(io.write(h, bytes('x')), 'BadHandle', 'write')
      await expectLeft(io.seek(h, 0), 'BadHandle', 'seek')
      // The pool closed the file: closing the handle now is harmless.
      await expectRight(io.close(h))
    })

    it('closes the files left open: no descriptor leaks', async () => {
      await writeFile(io, 'f', 'x')
      const before = openFileDescriptors()
      for (let i = 0; i < 20; i++) await expectRight(io.open('f', 'rb'))
      expect(openFileDescriptors()).to.equal(before + 20)
      await pool.close()
      expect(openFileDescriptors()).to.equal(before)
    })
  })

  describe('descriptors', () => {
    it('opening and closing 10,000 handles leaves the process with the descriptors it had', async () => {
      await writeFile(io, 'f', 'x')
      await expectRight(io.mkdir('d'))
      const before = openFileDescriptors()
      const streams = 16
      const each = async (stream: number): Promise<void> => {
        for (let i = stream; i < 10_000; i += streams) {
          const h = await expectRight(io.open('f', i % 2 === 0 ? 'rb' : 'ab'))
          if (i % 1000 === 0) await expectLeft(io.open('d', 'rb'), 'IsADirectory', 'open')
          await expectRight(io.close(h))
        }
      }
      await Promise.all(Array.from({ length: streams }, (_, s) => each(s)))
      expect(openFileDescriptors()).to.equal(before)
    })
  })

  describe('how a worker starts', () => {
    it('the compiled worker.js, or the launch the process set (the tests set one: spec/support/poolWorker.ts)', () => {
      expect(WORKER_FILE.endsWith(path.join('pool', 'worker.js'))).to.equal(true)
      const set = Object.getOwnPropertyDescriptor(globalThis, WORKER_LAUNCH)
      expect(set, 'the tests run the worker from the sources').to.not.equal(undefined)
      const { script, options } = workerLaunch({ mine: 1 })
      expect(options.eval).to.equal(true)
      expect(options.workerData).to.include({ mine: 1 })
      expect(options.trackUnmanagedFds).to.equal(false)
      expect(script).to.not.contain('worker.js')
      // Without a launch and without the compiled worker (here: the sources), a clear error, not a hang.
      delete (globalThis as Record<symbol, unknown>)[WORKER_LAUNCH]
      try {
        expect(() => workerLaunch({})).to.throw(Error, /worker\.js is missing/)
      } finally {
        Object.defineProperty(globalThis, WORKER_LAUNCH, set as PropertyDescriptor)
      }
    })
  })

  describe('the process', () => {
    /** Runs a script in a child Node (under ts-node, its pool workers from the sources) and gives its exit code and output; kills it if it hangs. */
    const child = (script: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const proc = spawn(
          process.execPath,
          ['-r', 'ts-node/register/transpile-only', '-r', './spec/support/poolWorker.ts', '-e', script],
          {
            cwd: path.join(__dirname, '..', '..'),
            stdio: ['ignore', 'pipe', 'inherit']
          }
        )
        let out = ''
        proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
        const guard = setTimeout(() => proc.kill('SIGKILL'), 15_000)
        proc.on('exit', (code) => {
          clearTimeout(guard)
          resolve({ code, out })
        })
      })

    it('exits by itself when a pool is never closed, after its pending call is answered', async function () {
      this.timeout(30_000)
      const script = `
        const { makePoolPathIO } = require('./lib')
        const io = makePoolPathIO({ cwd: ${JSON.stringify(root)} })
        io.open('left-open', 'wb')().then((h) => {
          console.log('open', h._tag)
          return io.exists('left-open')()
        }).then((r) => console.log('exists', r._tag, r.right))
      `
      const { code, out } = await child(script)
      expect(out).to.equal('open Right\nexists Right true\n')
      expect(code, 'the child was killed: the pool kept it alive').to.equal(0)
    })
  })
})
