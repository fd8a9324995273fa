/**
 * Differential, model-based testing: random sequences of operations run in
 * lockstep on the memory backend and on the Node backend; after each step
 * both must give the same outcome (see `Outcome` in ./model for what is
 * compared), and at the end the same tree. A divergence is a bug in one of
 * them; its shrunk counterexample becomes a test in ./regressions.spec.ts.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { makeMemoryPathIO, makeNodePathIO, makePoolPathIO, makeWorkerPool, withSignal, type PathIO } from '../../lib'
import { CAN_COUNT_FDS, fdsUnder, makeScratch, removeDir, type Scratch } from './disk'
import { describeDivergence, lockstep, sequenceArbitrary, type Step } from './model'
import { amount, PROPERTY_TIMEOUT_MS, seedFor } from './settings'

/** Sequences per run: at least 1,000 in CI, 10,000 under PATHIO_LONG=1. */
const SEQUENCES = amount(1_000, 10_000)
/** The pool answers through a worker per call: fewer sequences, the same model. */
const POOL_SEQUENCES = amount(200, 2_000)

describe('reliability: memory and node backends agree (differential)', function () {
  this.timeout(PROPERTY_TIMEOUT_MS)
  let scratch: Scratch
  let sequences = 0

  before(() => {
    scratch = makeScratch('differential')
  })
  after(() => {
    scratch.remove()
  })

  /** Runs one sequence on a fresh memory tree and `make` over a fresh directory; throws the divergence, if any. */
  const checkOn =
    (name: string, make: (dir: string) => PathIO<unknown>) =>
    async (steps: ReadonlyArray<Step>): Promise<void> => {
      sequences++
      const dir = scratch.fresh()
      try {
        const divergence = await lockstep(makeMemoryPathIO({ cwd: '/' }), make(dir), steps)
        if (divergence !== undefined) throw new Error(describeDivergence(['memory', name], divergence))
        // Every handle was closed: no descriptor into the directory may be left.
        if (CAN_COUNT_FDS) expect(fdsUnder(dir), 'descriptors left open').to.deep.equal([])
      } finally {
        removeDir(dir)
      }
    }
  const check = checkOn('node', (dir) => makeNodePathIO({ cwd: dir }))

  it(`${SEQUENCES} random sequences of up to 25 steps give the same results step by step`, async () => {
    const seed = seedFor()
    sequences = 0
    await fc.assert(fc.asyncProperty(sequenceArbitrary(25), check), { numRuns: SEQUENCES, seed, endOnFailure: false })
    expect(sequences).to.be.at.least(SEQUENCES)
  })

  it('sequences concentrated on one file and its handles agree too', async () => {
    // Few paths, many handle steps: positions, append, truncation under open readers, unlink while open.
    const seed = seedFor()
    const onOneFile = sequenceArbitrary(25).map((steps) =>
      steps.map((step): Step => ('path' in step && step.op !== 'mkdir' ? { ...step, path: step.path.replace(/[bc]/g, 'a') } : step))
    )
    await fc.assert(fc.asyncProperty(onOneFile, check), { numRuns: Math.ceil(SEQUENCES / 4), seed })
  })

  it('sequences agree under withSignal, its signal aborted at a random step: Cancelled alike, close and closedir still free', async () => {
    const seed = seedFor()
    const withAbort = fc
      .tuple(sequenceArbitrary(25), fc.nat())
      .map(([steps, at]): ReadonlyArray<Step> => {
        const cut = at % (steps.length + 1)
        return [...steps.slice(0, cut), { op: 'abort' }, ...steps.slice(cut)]
      })
    let aborted = 0
    await fc.assert(
      fc.asyncProperty(withAbort, async (steps) => {
        sequences++
        const dir = scratch.fresh()
        try {
          const controllers = [new AbortController(), new AbortController()] as const
          const memory = makeMemoryPathIO({ cwd: '/' })
          const node = makeNodePathIO({ cwd: dir })
          const divergence = await lockstep(withSignal(controllers[0].signal)(memory), withSignal(controllers[1].signal)(node), steps, {
            aborts: [() => controllers[0].abort(), () => controllers[1].abort()],
            inspect: [memory, node]
          })
          if (divergence !== undefined) throw new Error(describeDivergence(['withSignal(memory)', 'withSignal(node)'], divergence))
          if (controllers[0].signal.aborted) aborted++
          // Handles and listings opened before the abort were closed through the aborted records all the same.
          if (CAN_COUNT_FDS) expect(fdsUnder(dir), 'descriptors left open').to.deep.equal([])
        } finally {
          removeDir(dir)
        }
      }),
      { numRuns: Math.ceil(SEQUENCES / 4), seed }
    )
    expect(aborted).to.be.at.least(Math.ceil(SEQUENCES / 4))
  })

  it(`${POOL_SEQUENCES} random sequences agree between memory and the pool too`, async () => {
    const pool = makeWorkerPool({ size: 2 })
    try {
      const checkPool = checkOn('pool', (dir) => makePoolPathIO({ state: pool, cwd: dir }))
      await fc.assert(fc.asyncProperty(sequenceArbitrary(25), checkPool), { numRuns: POOL_SEQUENCES, seed: seedFor() })
    } finally {
      await pool.close()
    }
  })
})
