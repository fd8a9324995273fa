/**
 * The helpers under `withFaults`, with many seeds, on the memory, Node and
 * pool backends: whatever fails, they close every handle they opened, report
 * the first fault as a `Left` (or as the stream's error), and an atomic write
 * leaves the old content or the new, never half, and no temporary file.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  OPERATION_NAMES,
  isPathIOError,
  iterByBlock,
  makeMemoryPathIO,
  makeNodePathIO,
  makePoolPathIO,
  makeWorkerPool,
  readFile,
  toReadable,
  toWritable,
  withFaults,
  withFile,
  writeFile,
  type OperationName,
  type PathIO,
  type PathIOError,
  type WorkerPool
} from '../../lib'
import { mulberry32 } from '../../lib/internal/random'
import { run } from '../contract/helpers'
import { CAN_COUNT_FDS, fdsUnder, makeScratch, removeDir, type Scratch } from './disk'
import { isInjected, makeFaultRecorder, makeHandleCounter, type Fault } from './instruments'
import { amount, FIXED_SEED, PROPERTY_TIMEOUT_MS } from './settings'

/** Seeds per backend: each runs every scenario once. */
const SEEDS = { memory: amount(300, 3_000), node: amount(150, 1_500), pool: amount(40, 400) }

/** What a scenario gave: a `Left` is the reported failure. */
type Result = E.Either<unknown, unknown>

interface Context {
  /** The record under test: faults injected below it, recorded above. */
  readonly io: PathIO<unknown>
  /** The same backend without faults: to prepare and to inspect. */
  readonly clean: PathIO<unknown>
  /** Numbers drawn for this seed (sizes, offsets). */
  readonly random: () => number
  /** The file's content before the scenario. */
  readonly old: Buffer
}

interface Scenario {
  readonly name: string
  /**
   * Whether the scenario gives up on purpose (a `break`, a `destroy()`):
   * then a fault in the close that follows is rightly not reported.
   */
  readonly abandons?: boolean
  readonly run: (context: Context) => Promise<Result>
  /** What must hold of the file afterwards, given the result. */
  readonly check?: (context: Context, result: Result, after: Buffer | undefined) => void
}

const FILE = 'f'
/** `.fp-pathio-upload-<random>.part`: the atomic write's temporary file. */
const TEMPORARY = /^\.fp-pathio-upload-[0-9a-f]{16}\.part$/

const upTo = (random: () => number, n: number): number => Math.floor(random() * (n + 1))
const someBytes = (random: () => number, max: number): Buffer =>
  Buffer.from(Array.from({ length: upTo(random, max) }, () => 97 + upTo(random, 25)))

/** A stream's outcome: `Right(data)` at its end, `Left(error)` on its error. Waits for the handle's close either way. */
const consume = (stream: Readable): Promise<Result> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('error', (error) => resolve(E.left(error)))
    stream.on('end', () => resolve(E.right(Buffer.concat(chunks))))
  })

const settled = (promise: Promise<unknown>): Promise<Result> =>
  promise.then(
    (value) => E.right(value),
    (error: unknown) => E.left(error)
  )

const untilClosed = (stream: Readable | NodeJS.WritableStream): Promise<void> =>
  new Promise((resolve) => (stream as Readable).once('close', () => resolve()))

const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    name: 'withFile rb, reading in blocks',
    run: ({ io, random }) =>
      run(
        withFile(io, FILE, 'rb', (file) => async () => {
          const size = 1 + upTo(random, 700)
          for (;;) {
            const block = await io.read(file, size)()
            if (E.isLeft(block) || block.right.length === 0) return block
          }
        })
      )
  },
  {
    name: 'withFile r+b, seek, write, read',
    run: ({ io, random }) =>
      run(
        withFile(io, FILE, 'r+b', (file) => async () => {
          const steps = [
            () => io.seek(file, upTo(random, 50)),
            () => io.write(file, Buffer.from('patch')),
            () => io.seek(file, 0),
            () => io.read(file)
          ]
          let last: E.Either<PathIOError, unknown> = E.right(undefined)
          for (const step of steps) {
            last = await step()()
            if (E.isLeft(last)) return last
          }
          return last
        })
      )
  },
  {
    name: 'readFile',
    run: ({ io }) => run(readFile(io, FILE)),
    check: ({ old }, result) => {
      if (E.isRight(result)) expect(Buffer.from(result.right as Uint8Array).equals(old)).to.equal(true)
    }
  },
  ...[false, true].flatMap((atomic) =>
    [false, true].map((append): Scenario => ({
      name: `writeFile${atomic ? ' atomic' : ''}${append ? ' append' : ''}`,
      run: (context) => run(writeFile(context.io, FILE, newData(context), { atomic, append })),
      check: (context, result, after) => {
        const written = newData(context)
        const fresh = append ? Buffer.concat([context.old, written]) : written
        if (E.isRight(result)) expect(after?.equals(fresh), 'the new content once the write succeeded').to.equal(true)
        // Atomic: the old content or the new, never anything else; plain: the old file may be half written.
        else if (atomic)
          expect(after?.equals(context.old), 'the old content after a failed atomic write').to.equal(true)
      }
    }))
  ),
  {
    name: 'iterByBlock to the end',
    run: async ({ io, random }) => {
      const blocks: Array<Uint8Array> = []
      try {
        for await (const block of iterByBlock(io, FILE, 1 + upTo(random, 900))) blocks.push(block)
        return E.right(Buffer.concat(blocks))
      } catch (error) {
        return E.left(error)
      }
    },
    check: ({ old }, result) => {
      if (E.isRight(result)) expect((result.right as Buffer).equals(old)).to.equal(true)
    }
  },
  {
    name: 'iterByBlock, leaving after the first block',
    abandons: true,
    run: async ({ io }) => {
      const blocks = iterByBlock(io, FILE, 64)[Symbol.asyncIterator]()
      try {
        await blocks.next()
        // What `break` in a `for await` does.
        await blocks.return?.()
        return E.right(undefined)
      } catch (error) {
        return E.left(error)
      }
    }
  },
  {
    name: 'toReadable to the end, from a start to an end',
    run: async ({ io, random, old }) => {
      const start = upTo(random, old.length)
      const end = start + upTo(random, old.length)
      const result = await consume(toReadable(io, FILE, { start, end, highWaterMark: 1 + upTo(random, 600) }))
      if (E.isRight(result)) expect((result.right as Buffer).equals(old.subarray(start, end + 1))).to.equal(true)
      return result
    }
  },
  {
    name: 'toReadable, destroyed after the first chunk',
    abandons: true,
    run: async ({ io }) => {
      const stream = toReadable(io, FILE, { highWaterMark: 16 })
      const outcome = new Promise<Result>((resolve) => {
        stream.on('error', (error) => resolve(E.left(error)))
        stream.on('end', () => resolve(E.right(undefined)))
        stream.once('data', () => {
          stream.destroy()
          resolve(E.right(undefined))
        })
      })
      const result = await outcome
      if (!stream.closed) await untilClosed(stream)
      return result
    }
  },
  ...(['plain', 'append', 'start'] as const).map((how): Scenario => ({
    name: `toWritable (${how})`,
    run: async ({ io, clean, random, old }) => {
      const chunks = Array.from({ length: 1 + upTo(random, 5) }, () => someBytes(random, 300))
      const start = upTo(random, old.length + 20)
      const options = how === 'plain' ? {} : how === 'append' ? { append: true } : { start }
      const result = await settled(pipeline(Readable.from(chunks), toWritable(io, FILE, options)))
      if (E.isRight(result)) {
        const data = Buffer.concat(chunks)
        const expected =
          how === 'plain'
            ? data
            : how === 'append'
              ? Buffer.concat([old, data])
              : Buffer.concat([
                  old.subarray(0, start),
                  Buffer.alloc(Math.max(0, start - old.length)),
                  data,
                  old.subarray(start + data.length)
                ])
        expect((await contentOf(clean))?.equals(expected), 'the content once the stream finished').to.equal(true)
      }
      return result
    }
  })),
  {
    name: 'toWritable, destroyed after a chunk',
    abandons: true,
    run: async ({ io }) => {
      const stream = toWritable(io, FILE)
      const failed = new Promise<Result>((resolve) => stream.on('error', (error) => resolve(E.left(error))))
      await new Promise<void>((resolve) => stream.write(Buffer.from('chunk'), () => resolve()))
      stream.destroy()
      if (!stream.closed) await untilClosed(stream as unknown as Readable)
      return Promise.race([failed, Promise.resolve(E.right(undefined))])
    }
  }
]

/** The bytes a writeFile scenario writes: drawn once per context, the same for run and check. */
const NEW_DATA = new WeakMap<Context, Buffer>()
const newData = (context: Context): Buffer => {
  let data = NEW_DATA.get(context)
  if (data === undefined) {
    data = someBytes(context.random, 3000)
    NEW_DATA.set(context, data)
  }
  return data
}

/** A backend under test: a fresh place per seed, and what tells its open descriptors. */
interface Place {
  readonly clean: PathIO<unknown>
  readonly leftOpen: () => ReadonlyArray<string>
  readonly dispose: () => void
}

/** Fault options drawn from the seed: every reason list and rate, `close` faulted or not. */
const faultOptionsFor = (seed: number) => {
  const random = mulberry32(seed ^ 0x5bd1e995)
  const rate = [0.02, 0.1, 0.3, 0.6][upTo(random, 3)]
  const opSets: ReadonlyArray<ReadonlyArray<OperationName>> = [
    OPERATION_NAMES.filter((op) => op !== 'close'), // withFaults' default
    OPERATION_NAMES,
    OPERATION_NAMES.filter((op) => op !== 'unlink') // an atomic write's cleanup always works
  ]
  return { seed, rate, ops: opSets[upTo(random, 2)] }
}

const listNames = async (io: PathIO<unknown>): Promise<ReadonlyArray<string>> => {
  const listed = await run(io.list('.'))
  if (E.isLeft(listed)) throw new Error(`list failed: ${listed.left.message}`)
  return listed.right.map((path) => path.slice(path.lastIndexOf('/') + 1))
}

const contentOf = async (io: PathIO<unknown>): Promise<Buffer | undefined> => {
  const read = await run(readFile(io, FILE))
  return E.isRight(read) ? Buffer.from(read.right) : undefined
}

/** Runs one scenario under one seed and checks every promise; gives how many faults it saw. */
const exercise = async (scenario: Scenario, seed: number, place: Place): Promise<number> => {
  const random = mulberry32(seed)
  const old = someBytes(random, 2500)
  const prepared = await run(writeFile(place.clean, FILE, old))
  if (E.isLeft(prepared)) throw new Error(`could not prepare: ${prepared.left.message}`)

  const counter = makeHandleCounter()
  const recorder = makeFaultRecorder()
  const io = recorder.wrap(withFaults(faultOptionsFor(seed))(counter.wrap(place.clean)))
  const context: Context = { io, clean: place.clean, random, old }
  const result = await scenario.run(context)
  const where = `${scenario.name}, seed ${seed}, faults ${JSON.stringify(recorder.faults)}, result ${JSON.stringify(result)}`

  // Every handle opened is closed, whatever failed.
  expect(counter.open.size, `handles left open: ${where}`).to.equal(0)
  expect(place.leftOpen(), `descriptors left open: ${where}`).to.deep.equal([])

  const faults: ReadonlyArray<Fault> = recorder.faults
  if (E.isLeft(result)) {
    // A failure is reported as a PathIOError, and it is the first fault injected: nothing else failed.
    expect(isPathIOError(result.left), `not a PathIOError: ${where}`).to.equal(true)
    expect(isInjected(result.left), `a failure no fault explains: ${where}`).to.equal(true)
    expect((result.left as Fault).reason, where).to.equal(faults[0]?.reason)
  } else if (!scenario.abandons) {
    // Not abandoned: a fault on the way cannot have been swallowed.
    expect(faults, `a fault reported as success: ${where}`).to.deep.equal([])
  }

  // No temporary file stays behind, unless the record refused to unlink that very file: nothing can remove it then.
  const temporaries = (await listNames(place.clean)).filter((name) => TEMPORARY.test(name))
  const refused = new Set(faults.filter((fault) => fault.op === 'unlink').map((fault) => fault.path))
  expect(
    temporaries.filter((name) => !refused.has(name)),
    `temporary files: ${where}`
  ).to.deep.equal([])
  scenario.check?.(context, result, await contentOf(place.clean))
  return faults.length
}

describe('reliability: the helpers under withFaults', function () {
  this.timeout(PROPERTY_TIMEOUT_MS)
  let scratch: Scratch
  let pool: WorkerPool
  before(() => {
    scratch = makeScratch('faults')
    pool = makeWorkerPool({ size: 2 })
  })
  after(async () => {
    await pool.close()
    scratch.remove()
  })

  const backends: ReadonlyArray<{ readonly name: keyof typeof SEEDS; readonly place: () => Place }> = [
    {
      name: 'memory',
      place: () => ({ clean: makeMemoryPathIO({ cwd: '/' }), leftOpen: () => [], dispose: () => undefined })
    },
    {
      name: 'node',
      place: () => {
        const dir = scratch.fresh()
        return {
          clean: makeNodePathIO({ cwd: dir }),
          leftOpen: () => (CAN_COUNT_FDS ? fdsUnder(dir) : []),
          dispose: () => removeDir(dir)
        }
      }
    },
    {
      name: 'pool',
      place: () => {
        const dir = scratch.fresh()
        return {
          clean: makePoolPathIO({ state: pool, cwd: dir }),
          leftOpen: () => (CAN_COUNT_FDS ? fdsUnder(dir) : []),
          dispose: () => removeDir(dir)
        }
      }
    }
  ]

  for (const backend of backends) {
    const seeds = FIXED_SEED === undefined ? SEEDS[backend.name] : 1
    it(`${backend.name}: ${SCENARIOS.length} helpers x ${seeds} seeds close what they open, report the fault, keep atomic writes whole`, async () => {
      const first = FIXED_SEED ?? (Date.now() % 1_000_000) * 1000
      let faults = 0
      for (let i = 0; i < seeds; i++) {
        for (const scenario of SCENARIOS) {
          const place = backend.place()
          try {
            faults += await exercise(scenario, first + i, place)
          } finally {
            place.dispose()
          }
        }
      }
      // The seeds did inject faults (the test is not vacuous).
      expect(faults).to.be.greaterThan(seeds)
    })
  }
})
