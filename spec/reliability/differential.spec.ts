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
import { contentOf, mountAndModel, overlayAndModel } from './compositions'
import { CAN_COUNT_FDS, fdsUnder, makeScratch, removeDir, type Scratch } from './disk'
import { describeDivergence, lockstep, sequenceArbitrary, startingTree, type Step } from './model'
import { amount, PROPERTY_TIMEOUT_MS, seedFor } from './settings'

/** Sequences per run: at least 1,000 in CI, 10,000 under PATHIO_LONG=1. */
const SEQUENCES = amount(1_000, 10_000)
/** The pool answers through a worker per call: fewer sequences, the same model. */
const POOL_SEQUENCES = amount(200, 2_000)
/** Sequences for each composition (mount, overlay) against its plain model. */
const COMPOSED_SEQUENCES = amount(500, 5_000)

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
      steps.map((step): Step =>
        'path' in step && step.op !== 'mkdir' ? { ...step, path: step.path.replace(/[bc]/g, 'a') } : step
      )
    )
    await fc.assert(fc.asyncProperty(onOneFile, check), { numRuns: Math.ceil(SEQUENCES / 4), seed })
  })

  it('sequences agree under withSignal, its signal aborted at a random step: Cancelled alike, close and closedir still free', async () => {
    const seed = seedFor()
    const withAbort = fc.tuple(sequenceArbitrary(25), fc.nat()).map(([steps, at]): ReadonlyArray<Step> => {
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
          const divergence = await lockstep(
            withSignal(controllers[0].signal)(memory),
            withSignal(controllers[1].signal)(node),
            steps,
            {
              aborts: [() => controllers[0].abort(), () => controllers[1].abort()],
              inspect: [memory, node]
            }
          )
          if (divergence !== undefined)
            throw new Error(describeDivergence(['withSignal(memory)', 'withSignal(node)'], divergence))
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

  it(`${COMPOSED_SEQUENCES} random sequences agree between a mount of three memory records and one memory record holding the same tree`, async () => {
    // The model keeps a mount's own rules: mount points (and their parents) Busy, renames between mounts Unsupported.
    let runs = 0
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary(25), async (steps) => {
        runs++
        const { mounted, model } = await mountAndModel()
        const divergence = await lockstep(model, mounted, steps)
        if (divergence !== undefined) throw new Error(describeDivergence(['memory', 'mount'], divergence))
      }),
      { numRuns: COMPOSED_SEQUENCES, seed: seedFor() }
    )
    expect(runs).to.be.at.least(COMPOSED_SEQUENCES)
  })

  /** Runs `steps` on an overlay whose lower holds `start`, and on a memory record holding `start`; lower must come out as it went in. */
  const checkOverlay = async (start: ReadonlyArray<Step>, steps: ReadonlyArray<Step>): Promise<void> => {
    const { overlaid, model, lower } = await overlayAndModel(start)
    const before = await contentOf(lower)
    const divergence = await lockstep(model, overlaid, steps)
    if (divergence !== undefined) throw new Error(describeDivergence(['memory', 'overlay'], divergence))
    expect(await contentOf(lower), 'lower changed').to.deep.equal(before)
  }

  it(`${COMPOSED_SEQUENCES} random sequences agree between an overlay (memory over memory) and one memory record holding the same tree; lower is never written`, async () => {
    // The starting tree is in lower (and in the model); the steps copy up, white out, make opaque directories.
    let runs = 0
    await fc.assert(
      fc.asyncProperty(startingTree, sequenceArbitrary(25), async (start, steps) => {
        runs++
        await checkOverlay(start, steps)
      }),
      { numRuns: COMPOSED_SEQUENCES, seed: seedFor() }
    )
    expect(runs).to.be.at.least(COMPOSED_SEQUENCES)
  })

  it('overlay sequences concentrated on one file of lower and its handles agree too', async () => {
    // Handles reading lower's file while it is copied up, truncated by wb, renamed, unlinked.
    const onOneFile = (steps: ReadonlyArray<Step>): ReadonlyArray<Step> =>
      steps.map((step): Step =>
        'path' in step && step.op !== 'mkdir' ? { ...step, path: step.path.replace(/[bc]/g, 'a') } : step
      )
    await fc.assert(
      fc.asyncProperty(startingTree, sequenceArbitrary(25), (start, steps) => checkOverlay(start, onOneFile(steps))),
      { numRuns: COMPOSED_SEQUENCES, seed: seedFor() }
    )
  })
})
