/**
 * Killing the pool's workers at random under a load of concurrent
 * operations: every call settles (no hang: `run` fails a call that does not
 * settle), a call whose worker died is a `Left` (reason `Unknown`: whether
 * it happened is unknown), the pool recovers (later calls succeed), and no
 * descriptor is left open.
 *
 * Workers are reached through the pool's internals (`internalsOf(pool)`: its
 * `slots`, the table the pool picks workers from, and `submit`): no test hook
 * beyond what the pool has. See `killer` for how they die.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  makePoolPathIO,
  makeWorkerPool,
  pathIOError,
  type FileHandle,
  type PathIO,
  type PathIOError,
  type WorkerPool
} from '../../lib'
import { internalsOf, submit } from '../../lib/backends/pool/workerPool'
import { mulberry32 } from '../../lib/internal/random'
import { run, sleep } from '../contract/helpers'
import { CAN_COUNT_FDS, fdsUnder, makeScratch, type Scratch } from './disk'
import { amount, FIXED_SEED, PROPERTY_TIMEOUT_MS } from './settings'

/** Rounds of chaos (each: a fresh pool, clients, a killer). */
const ROUNDS = amount(6, 60)
const CLIENTS = 8
const SESSIONS = 6

type Outcome = E.Either<PathIOError, unknown>

/** Jobs whose descriptor a worker cut off at any instruction could leave behind (see lib/backends/pool/journal.ts). */
const HOLDS_DESCRIPTORS: ReadonlySet<string> = new Set(['open', 'close'])

/**
 * Kills a worker now and then, until told to stop, in the two ways a worker
 * dies: a crash (the protocol's `exit` request with a non-zero code, sent
 * through the pool's own `submit` like any job: a `process.exit` inside the
 * worker between two jobs), or `worker.terminate()`, which stops it at any
 * instruction (used on a worker that holds no `open` or `close`: one cut off
 * inside those system calls is the documented few-instruction window).
 * Gives how many it killed, once every worker it killed has exited.
 */
const killer = (pool: WorkerPool, random: () => number, stopped: () => boolean): Promise<number> =>
  (async () => {
    const internals = internalsOf(pool)
    const killed: Array<Promise<void>> = []
    const dying = new WeakSet<object>()
    while (!stopped()) {
      await sleep(1 + Math.floor(random() * 8))
      const busy = internals.slots.filter((slot) => !slot.exited && !dying.has(slot) && slot.jobs.size > 0)
      if (busy.length === 0) continue
      const slot = busy[Math.floor(random() * busy.length)]
      const cutAnywhere =
        random() < 0.5 && [...slot.jobs.values()].every((job) => !HOLDS_DESCRIPTORS.has(job.request.op))
      if (cutAnywhere) {
        dying.add(slot)
        killed.push(new Promise((resolve) => slot.worker.once('exit', () => resolve())))
        void slot.worker.terminate()
      } else {
        // The crash goes to whichever worker the pool picks next, and fails with it.
        killed.push(
          submit(internals, { op: 'exit', code: 7 }, () => pathIOError('Unknown', 'exit')).then(() => undefined)
        )
      }
    }
    // A worker told to exit finishes what it holds first: wait, so it does not die during the checks that follow.
    await Promise.all(killed)
    return killed.length
  })()

/**
 * One client: sessions of write-then-read-back on names of its own. A
 * session stops at its first `Left` (what follows would only show its
 * consequence), but always closes what it opened.
 */
const client = async (
  io: PathIO<unknown>,
  id: number,
  outcomes: Array<Outcome>,
  opened: Array<FileHandle>
): Promise<void> => {
  for (let session = 0; session < SESSIONS; session++) {
    const dir = `c${id}s${session}`
    const data = Buffer.from(`client ${id} session ${session} `.repeat(1 + ((id * 7 + session) % 40)))
    const handles: Array<FileHandle> = []
    const call = async <A>(task: Parameters<typeof run<A>>[0]): Promise<Outcome & E.Either<PathIOError, A>> => {
      const outcome = await run(task)
      outcomes.push(outcome)
      return outcome
    }
    const open = async (path: string, mode: 'wb' | 'rb') => {
      const file = await call(io.open(path, mode))
      if (E.isRight(file)) {
        handles.push(file.right)
        opened.push(file.right)
      }
      return file
    }
    try {
      if (E.isLeft(await call(io.mkdir(dir)))) continue
      const writer = await open(`${dir}/f`, 'wb')
      if (E.isLeft(writer)) continue
      if (E.isLeft(await call(io.write(writer.right, data)))) continue
      if (E.isLeft(await call(io.close(writer.right)))) continue
      if (E.isLeft(await call(io.stat(`${dir}/f`)))) continue
      const reader = await open(`${dir}/f`, 'rb')
      if (E.isLeft(reader)) continue
      const read = await call(io.read(reader.right))
      if (E.isLeft(read)) continue
      // What a call that succeeded did, it did: the bytes read back are the bytes written.
      expect(Buffer.from(read.right).equals(data)).to.equal(true)
      if (E.isLeft(await call(io.close(reader.right)))) continue
      if (E.isLeft(await call(io.rename(`${dir}/f`, `${dir}/g`)))) continue
      await call(io.list(dir))
    } finally {
      for (const file of handles) await run(io.close(file))
    }
  }
}

describe('reliability: the pool survives workers killed at random', function () {
  this.timeout(PROPERTY_TIMEOUT_MS)
  let scratch: Scratch
  before(() => {
    scratch = makeScratch('chaos')
  })
  after(() => {
    scratch.remove()
  })

  it(`${ROUNDS} rounds of ${CLIENTS} concurrent clients while workers die: every call settles, the pool recovers, nothing leaks`, async () => {
    const seed = FIXED_SEED ?? Date.now() % 1_000_000_000
    let kills = 0
    let died = 0
    for (let round = 0; round < ROUNDS; round++) {
      const random = mulberry32(seed + round)
      const dir = scratch.fresh()
      const pool = makeWorkerPool({ size: 2 })
      const io = makePoolPathIO({ state: pool, cwd: dir })
      const where = `seed ${seed}, round ${round}`
      try {
        const outcomes: Array<Outcome> = []
        const opened: Array<FileHandle> = []
        let stop = false
        const killing = killer(pool, random, () => stop)
        await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(io, id, outcomes, opened)))
        stop = true
        kills += await killing

        // A call either worked or failed because its worker died: no other failure is explained.
        for (const outcome of outcomes) {
          if (E.isRight(outcome)) continue
          expect(outcome.left.reason, `${where}: ${outcome.left.message}`).to.equal('Unknown')
          expect(outcome.left.message, where).to.match(/exited|worker/)
          died++
        }

        // The pool recovers: with no more killing, every operation works.
        await run(io.mkdir('after', { existOk: true }))
        const file = await run(io.open('after/f', 'wb'))
        expect(E.isRight(file), `${where}: open after the chaos`).to.equal(true)
        if (E.isRight(file)) {
          expect(await run(io.write(file.right, Buffer.from('fine')))).to.deep.equal(E.right(4))
          expect(await run(io.close(file.right))).to.deep.equal(E.right(undefined))
        }
        expect(E.isRight(await run(io.list('.'))), `${where}: list after the chaos`).to.equal(true)

        // Every handle the clients got is closed (closing twice is harmless): no descriptor stays open.
        for (const handle of opened) await run(io.close(handle))
        if (CAN_COUNT_FDS) expect(fdsUnder(dir), `${where}: descriptors left open`).to.deep.equal([])
      } finally {
        await pool.close()
      }
      // Closing the pool closed anything it still held.
      if (CAN_COUNT_FDS) expect(fdsUnder(dir), `${where}: descriptors left open after close`).to.deep.equal([])
    }
    // The test did kill workers, and calls did fail for it (it is not vacuous).
    expect(kills, 'workers killed').to.be.greaterThan(0)
    expect(died, 'calls that failed with their worker').to.be.greaterThan(0)
  })
})
