/**
 * The differential model: a sequence of `PathIO` calls written as plain data,
 * so fast-check can generate and shrink it, a regression can spell one out,
 * and two records can run it in lockstep and compare what each step gives.
 *
 * Paths are relative (the memory record's cwd is `/`, the node record's a
 * fresh temporary directory), over names `a`, `b`, `c` at depth <= 3, so
 * collisions are common. Handles are symbolic: `h: n` is the n-th handle
 * back from the newest opened so far in the sequence (`h: 0` the newest;
 * modulo how many there are), closed or not.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import fc from 'fast-check'
import {
  isPathIOError,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  type DirHandle,
  type Entry,
  type FileHandle,
  type OpenMode,
  type PathIO,
  type PathIOError,
  type Stat,
  type Whence
} from '../../lib'
import { run } from '../contract/helpers'

// -------------------------------------------------------------------------------------
// steps
// -------------------------------------------------------------------------------------

export type Lookup = 'exists' | 'isDir' | 'isFile' | 'stat' | 'list' | 'scan'

export type Step =
  | { readonly op: 'mkdir'; readonly path: string; readonly parents?: boolean; readonly existOk?: boolean }
  | { readonly op: 'open'; readonly path: string; readonly mode?: OpenMode | null }
  /** Creates or replaces a file with `data` (open wb, write, close) without adding to the symbolic handles. */
  | { readonly op: 'put'; readonly path: string; readonly data: string }
  | { readonly op: 'write'; readonly h: number; readonly data: string }
  | { readonly op: 'read'; readonly h: number; readonly size?: number | null }
  | { readonly op: 'seek'; readonly h: number; readonly offset: number; readonly whence?: Whence | null }
  | { readonly op: 'close'; readonly h: number }
  | { readonly op: 'rename'; readonly source: string; readonly destination: string }
  | { readonly op: 'unlink' | 'rmdir'; readonly path: string }
  | { readonly op: Lookup; readonly path: string }
  /** Listings: `d` counts back from the newest listing opened, as `h` does for handles. */
  | { readonly op: 'opendir'; readonly path: string }
  | { readonly op: 'readdir'; readonly d: number; readonly max?: number | null }
  | { readonly op: 'closedir'; readonly d: number }
  /** A whole listing in one step (opendir, every page of at most `max`, closedir): compared as `scan` is. */
  | { readonly op: 'walk'; readonly path: string; readonly max: number }
  /** Aborts the signal the runner's record is watched by (`withSignal`); nothing where there is none. */
  | { readonly op: 'abort' }

// -------------------------------------------------------------------------------------
// generators
// -------------------------------------------------------------------------------------

export const NAMES = ['a', 'b', 'c'] as const

const name = fc.constantFrom(...NAMES)

/** `a`, `a/b`, `c/a/b`: a canonical relative path, depth 1 to 3, shallow ones likelier (so parents often exist). */
const plainPath = fc
  .oneof(
    { arbitrary: fc.constant(1), weight: 6 },
    { arbitrary: fc.constant(2), weight: 3 },
    { arbitrary: fc.constant(3), weight: 1 }
  )
  .chain((depth) => fc.array(name, { minLength: depth, maxLength: depth }))
  .map((names) => names.join('/'))

/**
 * The same place spelled differently: a trailing slash, `./`, a doubled
 * slash, a `x/..` detour. Never above the cwd: `..` there would leave the
 * node record's temporary directory (and the memory one stays at `/`).
 */
const spelled = fc
  .tuple(plainPath, fc.constantFrom('plain', 'trailing', 'dot', 'double', 'detour'), name)
  .map(([path, how, detour]) => {
    switch (how) {
      case 'trailing':
        return `${path}/`
      case 'dot':
        return `./${path}`
      case 'double':
        return path.replace('/', '//')
      case 'detour':
        return `${detour}/../${path}`
      default:
        return path
    }
  })

/** A path that never resolves to the cwd itself (removing or renaming the cwd differs by setup, not by backend). */
export const entryPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: plainPath, weight: 4 },
  { arbitrary: spelled, weight: 1 }
)

/** Any path, the cwd itself (`.`, `a/..`) included: for lookups, mkdir and open. */
export const anyPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: entryPath, weight: 9 },
  { arbitrary: fc.constantFrom('.', './', 'a/..'), weight: 1 }
)

/** Mostly the newest handles (still open, likely), now and then an older one (closed, likely). */
const handleRef = fc.oneof(
  { arbitrary: fc.constant(0), weight: 6 },
  { arbitrary: fc.constant(1), weight: 3 },
  { arbitrary: fc.nat({ max: 7 }), weight: 2 }
)

/** Every mode; reading ones a little likelier, so reads find data. `undefined` and `null` mean `rb`. */
const mode: fc.Arbitrary<OpenMode | null | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom<OpenMode>('wb', 'ab'), weight: 4 },
  { arbitrary: fc.constantFrom<OpenMode>('rb', 'r+b'), weight: 6 },
  { arbitrary: fc.constantFrom(undefined, null), weight: 1 }
)

/** Short data over a small alphabet, so a read shows where each write landed; now and then longer. */
const data = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom('x', 'y', 'z'), maxLength: 6 }), weight: 5 },
  { arbitrary: fc.string({ unit: fc.constantFrom('p', 'q'), minLength: 20, maxLength: 80 }), weight: 1 }
)

const whence = fc.constantFrom<Whence | null | undefined>(0, 1, 2, undefined, null)

const openStep = fc.record({ op: fc.constant('open' as const), path: anyPath, mode })

const writeStep = fc.record({ op: fc.constant('write' as const), h: handleRef, data })
const readStep = fc.record({
  op: fc.constant('read' as const),
  h: handleRef,
  size: fc.oneof(fc.constantFrom(undefined, null), fc.nat({ max: 12 }))
})
const seekStep = fc.record({
  op: fc.constant('seek' as const),
  h: handleRef,
  offset: fc.integer({ min: -3, max: 30 }),
  whence
})
const closeStep = fc.record({ op: fc.constant('close' as const), h: handleRef })

const handleStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: writeStep, weight: 4 },
  { arbitrary: readStep, weight: 4 },
  { arbitrary: seekStep, weight: 2 },
  { arbitrary: closeStep, weight: 1 }
)

/** Listing steps: open one, read pages of it (now and then a bad `max`), close it. */
const listingStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('opendir' as const), path: anyPath }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('readdir' as const),
      d: handleRef,
      max: fc.oneof(
        { arbitrary: fc.constantFrom(undefined, null, 0), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 }
      )
    }),
    weight: 4
  },
  { arbitrary: fc.record({ op: fc.constant('closedir' as const), d: handleRef }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant('walk' as const), path: anyPath, max: fc.integer({ min: 1, max: 3 }) }),
    weight: 2
  }
)

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: listingStep, weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('mkdir' as const),
      path: anyPath,
      parents: fc.boolean(),
      existOk: fc.boolean()
    }),
    weight: 4
  },
  { arbitrary: openStep, weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('put' as const), path: entryPath, data }), weight: 1 },
  { arbitrary: handleStep, weight: 6 },
  {
    arbitrary: fc.record({ op: fc.constant('rename' as const), source: entryPath, destination: entryPath }),
    weight: 3
  },
  { arbitrary: fc.record({ op: fc.constantFrom('unlink' as const, 'rmdir' as const), path: entryPath }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constantFrom<Lookup>('exists', 'isDir', 'isFile', 'stat', 'list', 'scan'),
      path: anyPath
    }),
    weight: 4
  }
)

/** An open and a few steps on handles right after it: where positions, modes and sharing get exercised. */
const openThenUse: fc.Arbitrary<ReadonlyArray<Step>> = fc
  .tuple(openStep, fc.array(handleStep, { minLength: 1, maxLength: 4 }))
  .map(([open, uses]) => [open, ...uses])

/** One step, or an open with its uses. */
const chunk: fc.Arbitrary<ReadonlyArray<Step>> = fc.oneof(
  { arbitrary: stepArbitrary.map((step) => [step]), weight: 3 },
  { arbitrary: openThenUse, weight: 2 }
)

/** What one name holds in a starting tree. */
type Seed =
  | { readonly kind: 'file'; readonly data: string }
  | { readonly kind: 'dir'; readonly children: ReadonlyArray<Seed | null> }

const seedFile = data.map((content): Seed => ({ kind: 'file', data: content }))
const seedLeaf = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: seedFile, weight: 2 },
  { arbitrary: fc.constant<Seed>({ kind: 'dir', children: [] }), weight: 1 }
)
const seedEntry: fc.Arbitrary<Seed | null> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: seedFile, weight: 3 },
  {
    arbitrary: fc.array(seedLeaf, { minLength: 3, maxLength: 3 }).map((children): Seed => ({ kind: 'dir', children })),
    weight: 2
  }
)

/** The steps that build a seed at `path`. */
const build = (path: string, seed: Seed): ReadonlyArray<Step> =>
  seed.kind === 'file'
    ? [{ op: 'put', path, data: seed.data }]
    : [
        { op: 'mkdir', path },
        ...seed.children.flatMap((child, i) => (child === null ? [] : build(`${path}/${NAMES[i]}`, child)))
      ]

/**
 * A starting tree (files with content, directories, depth <= 2) spelled as
 * ordinary steps: a sequence that starts from something finds existing
 * files to read, directories to fill, collisions to make. It shrinks away
 * like any other step.
 */
export const startingTree: fc.Arbitrary<ReadonlyArray<Step>> = fc
  .array(seedEntry, { minLength: 3, maxLength: 3 })
  .map((entries) => entries.flatMap((entry, i) => (entry === null ? [] : build(NAMES[i], entry))))

/** A starting tree, then random steps, at most `maxLength` of them. */
export const sequenceArbitrary = (maxLength = 25): fc.Arbitrary<ReadonlyArray<Step>> =>
  fc
    .tuple(startingTree, fc.array(chunk, { minLength: 1, maxLength: Math.ceil(maxLength / 2) }))
    .map(([start, chunks]) => [...start, ...chunks.flat().slice(0, maxLength)])

// -------------------------------------------------------------------------------------
// outcomes
// -------------------------------------------------------------------------------------

/**
 * What a step gave, in a form two backends must agree on: a `Left`'s reason
 * and op; a `Right`'s value with what a backend may legitimately differ in
 * (times, a directory's size, handle identity) left out.
 */
export type Outcome =
  { readonly left: string; readonly op: string } | { readonly right: unknown } | { readonly skipped: 'no handle yet' }

/** The permission bits are compared only under the usual umask, where the disk's match the memory backend's. */
const comparePermissions = process.umask() === 0o022

/** Type bits (and permissions under umask 022), nlink, and a file's size: not times, not a directory's size. */
export const comparableStat = (stat: Stat): Record<string, unknown> => {
  const type = stat.mode & S_IFMT
  const kind = type === S_IFDIR ? 'dir' : type === S_IFREG ? 'file' : `type ${type.toString(8)}`
  return {
    kind,
    mode: comparePermissions ? stat.mode : type,
    nlink: stat.nlink,
    ...(kind === 'file' ? { size: stat.size } : {})
  }
}

const comparableValue = (step: Step, value: unknown): unknown => {
  switch (step.op) {
    case 'open':
      return 'a handle'
    case 'read':
      return Buffer.from(value as Uint8Array).toString('latin1')
    case 'stat':
      return comparableStat(value as Stat)
    case 'list':
      return [...(value as ReadonlyArray<string>)].sort()
    case 'opendir':
      return 'a listing'
    // Which entries a page holds depends on the directory's order, which backends do not share: a page is a page.
    case 'readdir':
      return 'a page'
    case 'scan':
    case 'walk':
      return [...(value as ReadonlyArray<Entry>)]
        .map((entry) => ({ path: entry.path, name: entry.name, ...comparableStat(entry.stat) }))
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    default:
      return value
  }
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/** One record running a sequence: the record and the handles it has opened so far. */
export interface Runner {
  readonly pathio: PathIO<unknown>
  readonly handles: Array<FileHandle>
  readonly listings: Array<DirHandle>
  /** What the `abort` step calls. */
  readonly abort: () => void
}

export const makeRunner = (pathio: PathIO<unknown>, abort: () => void = () => undefined): Runner => ({
  pathio,
  handles: [],
  listings: [],
  abort
})

/** `d` counts back from the newest listing, as `h` does for handles. */
const listingOf = (runner: Runner, d: number): DirHandle | undefined =>
  runner.listings.length === 0 ? undefined : runner.listings[runner.listings.length - 1 - (d % runner.listings.length)]

/** Every page of a listing of `path`, then closedir; the first `Left` is the outcome. */
const walk =
  (io: PathIO<unknown>, path: string, max: number): TaskEither<PathIOError, ReadonlyArray<Entry>> =>
  async () => {
    const opened = await io.opendir(path)()
    if (E.isLeft(opened)) return opened
    const all: Array<Entry> = []
    for (;;) {
      const page = await io.readdir(opened.right, max)()
      if (E.isLeft(page) || page.right.length === 0) {
        const closed = await io.closedir(opened.right)()
        return E.isLeft(page) ? page : E.isLeft(closed) ? closed : E.right(all)
      }
      all.push(...page.right)
    }
  }

/** `h` counts back from the newest handle (`0` is the last one opened), modulo how many there are. */
const handleOf = (runner: Runner, h: number): FileHandle | undefined =>
  runner.handles.length === 0 ? undefined : runner.handles[runner.handles.length - 1 - (h % runner.handles.length)]

/** `put`: open wb, write, close, as one step; the first `Left` is its outcome. */
const put = (io: PathIO<unknown>, path: string, content: string): TaskEither<PathIOError, number> =>
  pipe(
    io.open(path, 'wb'),
    TE.chain((file) =>
      pipe(
        io.write(file, Buffer.from(content, 'latin1')),
        TE.chainFirst(() => io.close(file))
      )
    )
  )

const call = (runner: Runner, step: Step, file: FileHandle | undefined, listing: DirHandle | undefined) => {
  const io = runner.pathio
  switch (step.op) {
    case 'opendir':
      return io.opendir(step.path)
    case 'readdir':
      return io.readdir(listing as DirHandle, step.max)
    case 'closedir':
      return io.closedir(listing as DirHandle)
    case 'walk':
      return walk(io, step.path, step.max)
    case 'abort':
      return TE.right(undefined)
    case 'put':
      return put(io, step.path, step.data)
    case 'mkdir':
      return io.mkdir(step.path, { parents: step.parents, existOk: step.existOk })
    case 'open':
      return io.open(step.path, step.mode)
    case 'write':
      return io.write(file as FileHandle, Buffer.from(step.data, 'latin1'))
    case 'read':
      return io.read(file as FileHandle, step.size)
    case 'seek':
      return io.seek(file as FileHandle, step.offset, step.whence)
    case 'close':
      return io.close(file as FileHandle)
    case 'rename':
      return io.rename(step.source, step.destination)
    default:
      return io[step.op](step.path)
  }
}

const HANDLE_OPS: ReadonlySet<Step['op']> = new Set(['write', 'read', 'seek', 'close'])
const LISTING_OPS: ReadonlySet<Step['op']> = new Set(['readdir', 'closedir'])

/** Runs one step (a throw, a rejection or a hang fails the test, through `run`) and gives its outcome. */
export const runStep = async (runner: Runner, step: Step): Promise<Outcome> => {
  const file = handleOf(runner, HANDLE_OPS.has(step.op) ? (step as { h: number }).h : 0)
  if (HANDLE_OPS.has(step.op) && file === undefined) return { skipped: 'no handle yet' }
  if (step.op === 'abort') {
    runner.abort()
    return { right: 'aborted' }
  }
  const listing = listingOf(runner, LISTING_OPS.has(step.op) ? (step as { d: number }).d : 0)
  if (LISTING_OPS.has(step.op) && listing === undefined) return { skipped: 'no handle yet' }
  const result = await run(call(runner, step, file, listing) as ReturnType<PathIO['exists']>)
  if (E.isLeft(result)) {
    if (!isPathIOError(result.left)) throw new Error(`step ${JSON.stringify(step)} failed with a non-PathIOError`)
    return { left: result.left.reason, op: result.left.op }
  }
  if (step.op === 'open') runner.handles.push(result.right as unknown as FileHandle)
  if (step.op === 'opendir') runner.listings.push(result.right as unknown as DirHandle)
  return { right: comparableValue(step, result.right) }
}

/** Closes every handle and listing the runner opened (closing twice is harmless), so no descriptor outlives a sequence. */
export const closeAll = async (runner: Runner): Promise<void> => {
  for (const file of runner.handles) await run(runner.pathio.close(file))
  for (const listing of runner.listings) await run(runner.pathio.closedir(listing))
}

/** Everything under the cwd: each path (sorted) with its kind and, for a file, its content. */
export const treeOf = async (pathio: PathIO<unknown>, dir = '.'): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  const walk = async (at: string): Promise<void> => {
    const scanned = await run(pathio.scan(at))
    if (E.isLeft(scanned)) throw new Error(`treeOf: scan '${at}' failed: ${scanned.left.message}`)
    for (const entry of [...scanned.right].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if ((entry.stat.mode & S_IFMT) === S_IFDIR) {
        out[entry.path] = 'dir'
        await walk(entry.path)
      } else {
        const opened = await run(pathio.open(entry.path, 'rb'))
        if (E.isLeft(opened)) throw new Error(`treeOf: open '${entry.path}' failed: ${opened.left.message}`)
        const content = await run(pathio.read(opened.right))
        await run(pathio.close(opened.right))
        out[entry.path] = E.isRight(content) ? `file ${Buffer.from(content.right).toString('latin1')}` : 'unreadable'
      }
    }
  }
  await walk(dir)
  return out
}

/** Where two records first disagreed. */
export interface Divergence {
  readonly index: number
  readonly step: Step | 'final tree'
  readonly outcomes: readonly [unknown, unknown]
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y)

/** What a lockstep run may add: what each `abort` step aborts, and the records the final trees are read with. */
export interface LockstepOptions {
  readonly aborts?: readonly [() => void, () => void]
  /** Default: the records themselves (a record whose signal aborted cannot be read any more). */
  readonly inspect?: readonly [PathIO<unknown>, PathIO<unknown>]
}

/**
 * Runs `steps` on both records in lockstep; gives the first step whose
 * outcomes differ (or the final trees, if every step agreed), or `undefined`.
 * Every handle is closed afterwards, whatever happened.
 */
export const lockstep = async (
  left: PathIO<unknown>,
  right: PathIO<unknown>,
  steps: ReadonlyArray<Step>,
  options: LockstepOptions = {}
): Promise<Divergence | undefined> => {
  const a = makeRunner(left, options.aborts?.[0])
  const b = makeRunner(right, options.aborts?.[1])
  try {
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]
      const outcomes = [await runStep(a, step), await runStep(b, step)] as const
      if (!same(outcomes[0], outcomes[1])) return { index, step, outcomes }
    }
  } finally {
    await closeAll(a)
    await closeAll(b)
  }
  const [inspectLeft, inspectRight] = options.inspect ?? [left, right]
  const trees = [await treeOf(inspectLeft), await treeOf(inspectRight)] as const
  return same(trees[0], trees[1]) ? undefined : { index: steps.length, step: 'final tree', outcomes: trees }
}

/** A divergence as a message a person can act on. */
export const describeDivergence = (names: readonly [string, string], d: Divergence): string =>
  `step ${d.index} ${JSON.stringify(d.step)}:\n  ${names[0]}: ${JSON.stringify(d.outcomes[0])}\n  ${names[1]}: ${JSON.stringify(d.outcomes[1])}`
