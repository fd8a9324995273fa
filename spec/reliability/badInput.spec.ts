/**
 * Bad input against every backend (memory, node, pool, and a pool already
 * closed) and every middleware stack over each (withTimeout,
 * normaliseErrors, withRoot, readOnly): each call gives exactly the outcome
 * DESIGN.md documents for it (a `Left` of the expected reason, nearly
 * always), nothing throws, rejects or hangs (`run` fails the test if one
 * does), and the tree is as it was, mtimes included, after every call.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import {
  OPERATION_NAMES,
  OPERATIONS,
  makeMemoryPathIO,
  makeMemoryTree,
  makeNodePathIO,
  makePoolPathIO,
  makeWorkerPool,
  normaliseErrors,
  readOnly,
  withRoot,
  withSignal,
  withTimeout,
  type DirHandle,
  type FileHandle,
  type OpenMode,
  type PathIO,
  type WorkerPool
} from '../../lib'
import { expectLeft, expectRight, run, snapshot, text, type Snapshot } from '../contract/helpers'
import { loosen } from '../contract/stacks'
import { badCall, isMarker, MARKER, PREPARED, refusedByReadOnly, type BadCall, type Expected } from './badInputs'
import { makeScratch, type Scratch } from './disk'
import { amount, PROPERTY_TIMEOUT_MS, seedFor } from './settings'

/** Calls per target; 22 targets, so at least 10,000 in CI. */
const CALLS_PER_TARGET = amount(650, 6_500)

type Base = 'memory' | 'node' | 'pool' | 'closed pool'
type Stack = 'plain' | 'withTimeout' | 'normaliseErrors' | 'withRoot' | 'withSignal' | 'aborted withSignal' | 'readOnly'

/** One backend, prepared: its record, its root, the handles the calls use, and a record to inspect it with. */
interface Prepared {
  readonly pathio: PathIO<unknown>
  /** The cwd of `pathio`, where the prepared tree is. */
  readonly root: string
  /** What takes a snapshot (a plain record on the same files: the pool's disk is read on the main thread). */
  readonly inspector: PathIO<unknown>
  readonly handles: {
    readonly reader: FileHandle
    readonly writer: FileHandle
    readonly closed: FileHandle
    readonly listing: DirHandle
    readonly closedListing: DirHandle
  }
  /** Handles of other backends or states: each is a `BadHandle` here. */
  readonly foreign: ReadonlyArray<FileHandle>
}

const must = async <A>(te: Parameters<typeof expectRight<A>>[0]): Promise<A> => expectRight(te)

const prepareTree = async (io: PathIO<unknown>): Promise<void> => {
  for (const dir of PREPARED.dirs) await must(io.mkdir(dir))
  for (const [path, content] of Object.entries(PREPARED.files)) {
    const file = await must(io.open(path, 'wb'))
    await must(io.write(file, Buffer.from(content)))
    await must(io.close(file))
  }
}

const openHandles = async (io: PathIO<unknown>): Promise<Prepared['handles']> => {
  const closed = await must(io.open('f', 'rb'))
  await must(io.close(closed))
  const closedListing = await must(io.opendir('d'))
  await must(io.closedir(closedListing))
  return {
    reader: await must(io.open('f', 'rb')),
    writer: await must(io.open('f', 'ab' as OpenMode)),
    closed,
    listing: await must(io.opendir('d')),
    closedListing
  }
}

const throwingProxy = (): unknown =>
  new Proxy(
    {},
    Object.fromEntries(
      (
        [
          'get',
          'set',
          'has',
          'ownKeys',
          'getPrototypeOf',
          'getOwnPropertyDescriptor',
          'defineProperty',
          'apply',
          'construct'
        ] as const
      ).map((trap) => [
        trap,
        () => {
          throw new Error(`hostile ${trap}`)
        }
      ])
    )
  )

/** Makes the value a marker stands for, on this target. */
const materialise = (prepared: Prepared, value: unknown): unknown => {
  if (!isMarker(value)) return value
  const { reader } = prepared.handles
  switch (value[MARKER]) {
    case 'reader':
      return reader
    case 'writer':
      return prepared.handles.writer
    case 'closed':
      return prepared.handles.closed
    case 'listing':
      return prepared.handles.listing
    case 'closedListing':
      return prepared.handles.closedListing
    case 'foreign':
      return prepared.foreign[(value.index ?? 0) % prepared.foreign.length]
    case 'copy':
      return { ...reader }
    case 'child':
      return Object.create(reader as object)
    case 'proxy':
      return new Proxy(reader as object, {})
    case 'throwingProxy':
      return throwingProxy()
    case 'throwingGetter':
      return {
        get parents(): boolean {
          throw new Error('hostile getter')
        }
      }
  }
}

/** The operations on a handle, as the operation table says. */
const HANDLE_OPS: ReadonlySet<string> = new Set(OPERATION_NAMES.filter((op) => OPERATIONS[op].handle !== undefined))

/** The markers of the target's own file handles and listings. */
const OWN_FILES: ReadonlySet<unknown> = new Set(['reader', 'writer', 'closed'])
const OWN_LISTINGS: ReadonlySet<unknown> = new Set(['listing', 'closedListing'])

/** A closed pool: its own handles are `BadHandle` (closing them again is harmless), a valid path op is `Busy`. */
const onClosedPool = (call: BadCall): Expected => {
  if (HANDLE_OPS.has(call.op)) {
    const first = call.args[0]
    const own = isMarker(first) && (call.op === 'closedir' ? OWN_LISTINGS : OWN_FILES).has(first[MARKER])
    return (call.op === 'close' || call.op === 'closedir') && own ? { right: undefined } : { left: 'BadHandle' }
  }
  return 'left' in call.expected && call.expected.left === 'InvalidArgument' ? call.expected : { left: 'Busy' }
}

const expectedOn = (base: Base, stack: Stack, call: BadCall): Expected => {
  if (stack === 'readOnly' && refusedByReadOnly(call)) return { left: 'ReadOnly' }
  // Once its signal aborted, a record refuses everything but what frees (close, closedir), bad input or not.
  if (stack === 'aborted withSignal' && call.op !== 'close' && call.op !== 'closedir') return { left: 'Cancelled' }
  return base === 'closed pool' ? onClosedPool(call) : call.expected
}

const STACKS: ReadonlyArray<Stack> = [
  'plain',
  'withTimeout',
  'normaliseErrors',
  'withRoot',
  'withSignal',
  'aborted withSignal',
  'readOnly'
]

/** A signal that never aborts, and one that already has. */
const LIVE = new AbortController().signal
const ABORTED = AbortSignal.abort(new Error('aborted before the calls'))

/** Long enough never to fire here: what is tested is that the stack passes bad input through as the backend answers it. */
const TIMEOUT_MS = 10_000

const stacked = (stack: Stack, prepared: Prepared): PathIO<unknown> => {
  const io = prepared.pathio
  switch (stack) {
    case 'plain':
      return io
    case 'withTimeout':
      return withTimeout(TIMEOUT_MS)(io)
    case 'normaliseErrors':
      return normaliseErrors(loosen(io))
    case 'withRoot':
      // The jail's / is the cwd: the same relative paths name the same entries.
      return withRoot(prepared.root)(io)
    case 'withSignal':
      return withSignal(LIVE)(io)
    case 'aborted withSignal':
      return withSignal(ABORTED)(io)
    case 'readOnly':
      return readOnly(io)
  }
}

describe('reliability: bad input is a documented Left on every backend and stack, and changes nothing', function () {
  this.timeout(PROPERTY_TIMEOUT_MS)
  let scratch: Scratch
  let pool: WorkerPool
  let otherPool: WorkerPool
  let closedPool: WorkerPool
  const bases = new Map<Base, Prepared>()
  let total = 0

  before(async () => {
    scratch = makeScratch('bad-input')
    pool = makeWorkerPool({ size: 2 })
    otherPool = makeWorkerPool({ size: 1 })
    closedPool = makeWorkerPool({ size: 1 })

    // Handles of every kind, to be foreign somewhere.
    const memoryElsewhere = makeMemoryPathIO()
    const memoryHandle = await must(memoryElsewhere.open('/x', 'wb'))
    const nodeDir = scratch.fresh()
    const nodeHandle = await must(makeNodePathIO({ cwd: nodeDir }).open('x', 'wb'))
    const otherPoolHandle = await must(makePoolPathIO({ state: otherPool, cwd: nodeDir }).open('y', 'wb'))
    const closedPoolHandle = await must(makePoolPathIO({ state: closedPool, cwd: nodeDir }).open('z', 'wb'))
    const otherTreeHandle = await must(makeMemoryPathIO().open('/y', 'wb'))

    {
      const tree = makeMemoryTree()
      await must(makeMemoryPathIO({ state: tree }).mkdir('/jail'))
      const io = makeMemoryPathIO({ state: tree, cwd: '/jail' })
      await prepareTree(io)
      const foreign = [otherTreeHandle, nodeHandle, otherPoolHandle, closedPoolHandle]
      bases.set('memory', { pathio: io, root: '/jail', inspector: io, handles: await openHandles(io), foreign })
    }
    {
      const root = scratch.fresh()
      const io = makeNodePathIO({ cwd: root })
      await prepareTree(io)
      bases.set('node', {
        pathio: io,
        root,
        inspector: io,
        handles: await openHandles(io),
        foreign: [memoryHandle, otherPoolHandle, closedPoolHandle]
      })
    }
    {
      const root = scratch.fresh()
      const io = makePoolPathIO({ state: pool, cwd: root })
      await prepareTree(io)
      const foreign = [memoryHandle, nodeHandle, otherPoolHandle, closedPoolHandle]
      bases.set('pool', {
        pathio: io,
        root,
        inspector: makeNodePathIO({ cwd: root }),
        handles: await openHandles(io),
        foreign
      })
    }
    {
      // A pool closed after its handles were opened: "handles used after their backend's pool closed".
      const root = scratch.fresh()
      const io = makePoolPathIO({ state: closedPool, cwd: root })
      await prepareTree(io)
      const handles = await openHandles(io)
      await closedPool.close()
      const foreign = [memoryHandle, nodeHandle, otherPoolHandle]
      bases.set('closed pool', { pathio: io, root, inspector: makeNodePathIO({ cwd: root }), handles, foreign })
    }
  })

  after(async () => {
    // The listings the calls were made around: closed, so no directory stays open past the suite.
    for (const prepared of bases.values()) await run(prepared.pathio.closedir(prepared.handles.listing))
    await Promise.all([pool.close(), otherPool.close(), closedPool.close()])
    scratch.remove()
  })

  const targets: ReadonlyArray<readonly [Base, Stack]> = [
    ...(['memory', 'node', 'pool'] as const).flatMap((base) => STACKS.map((stack) => [base, stack] as const)),
    ['closed pool', 'plain']
  ]

  for (const [base, stack] of targets) {
    it(`${stack === 'plain' ? base : `${stack}(${base})`}: ${CALLS_PER_TARGET} bad calls`, async () => {
      const prepared = bases.get(base) as Prepared
      const io = stacked(stack, prepared)
      const before: Snapshot = await snapshot(prepared.inspector, '.')
      const check = async (call: BadCall): Promise<void> => {
        total++
        const args = call.args.map((arg) => materialise(prepared, arg))
        const operation = io[call.op] as unknown as (...args: ReadonlyArray<unknown>) => Parameters<typeof run>[0]
        const expected = expectedOn(base, stack, call)
        const label = `${call.kind}: ${call.op}`
        if ('left' in expected)
          await expectLeft(operation(...args), expected.left, call.op).catch((error: Error) => {
            throw new Error(`${label}: ${error.message}`)
          })
        else expect(await run(operation(...args)), label).to.deep.equal(E.right(expected.right))
        expect(await snapshot(prepared.inspector, '.'), `${label}: the tree changed`).to.deep.equal(before)
      }
      await fc.assert(fc.asyncProperty(badCall, check), { numRuns: CALLS_PER_TARGET, seed: seedFor() })

      // The handles the bad calls were made around still work, untouched: nothing moved the reader.
      if (base !== 'closed pool') {
        const { reader, writer } = prepared.handles
        expect(text(await must(prepared.pathio.read(reader)))).to.equal(PREPARED.files.f)
        await must(prepared.pathio.seek(reader, 0))
        expect(await must(prepared.pathio.seek(writer, 0, 1))).to.equal(0)
        // ... and the listing too: no bad call read a page of it (checked once per base, by the last stack: it reads it out).
        if (stack === STACKS[STACKS.length - 1]) {
          const { listing } = prepared.handles
          expect((await must(prepared.pathio.readdir(listing, 1000))).map((entry) => entry.name)).to.deep.equal(['g'])
          expect(await must(prepared.pathio.readdir(listing, 1000))).to.deep.equal([])
        }
      }
    })
  }

  it('ran at least 10,000 bad calls in all', () => {
    expect(total).to.be.at.least(targets.length * CALLS_PER_TARGET)
    expect(total).to.be.at.least(10_000)
  })
})
