/**
 * The composing combinators as contract fixtures: any base fixture (memory,
 * node, pool, S3) mounted beside a second record, as either layer of an
 * overlay, and under a quota with generous limits, so the one contract
 * suite runs on each composition as on any other stack.
 */
import * as E from 'fp-ts/Either'
import {
  makeMemoryPathIO,
  makeMemoryTree,
  makeQuotaUsage,
  mount,
  overlay,
  withQuota,
  withRoot,
  type MemoryTree,
  type OverlayState,
  type PathIO
} from '../../lib'
import type { Backend, Fixture } from './fixture'

/** Where the record under test is mounted: the fixture's root and cwd (not `/`, so paths really are made relative). */
export const MOUNT_POINT = '/mnt/tested'

/** Limits no test comes near, so every change is counted and none refused. */
export const GENEROUS = { maxBytes: 2 ** 50, maxFiles: 1_000_000 } as const

const made = async (
  te: () => Promise<E.Either<{ readonly message: string }, unknown>>,
  what: string
): Promise<void> => {
  const result = await te()
  if (E.isLeft(result)) throw new Error(`fixture: cannot make ${what}: ${result.left.message}`)
}

/** A memory tree holding the directories given (each with its parents). */
const treeWith = async (...dirs: ReadonlyArray<string>): Promise<MemoryTree> => {
  const tree = makeMemoryTree()
  for (const dir of dirs) await made(makeMemoryPathIO({ state: tree }).mkdir(dir, { parents: true }), dir)
  return tree
}

const fixtureOf = (base: Backend, name: string, setup: (fixture: Fixture) => Promise<Fixture>): Backend => ({
  name: `${name}(${base.name})`,
  disk: base.disk,
  setup: async () => setup(await base.setup()),
  ...(base.after === undefined ? {} : { after: base.after })
})

/**
 * The record under test jailed at its root and mounted at `MOUNT_POINT`,
 * in a tree whose `/` is a second record (memory, holding `/mnt` and a
 * file of its own). Its stranger is the base's (a mount has no cwd of its
 * own to give it).
 */
export const mounted = (base: Backend): Backend =>
  fixtureOf(base, 'mount', async (fixture) => {
    const rest = await treeWith('/mnt')
    const table = (record: PathIO<unknown>) => ({
      '/': makeMemoryPathIO({ state: rest }),
      [MOUNT_POINT]: withRoot(fixture.root)(record)
    })
    return {
      pathio: mount(table(fixture.pathio), { cwd: MOUNT_POINT }),
      root: MOUNT_POINT,
      ...(fixture.realRoot === undefined ? {} : { realRoot: fixture.realRoot }),
      sibling: () => mount(table(fixture.sibling()), { cwd: MOUNT_POINT }),
      ...(fixture.stranger === undefined ? {} : { stranger: fixture.stranger }),
      teardown: fixture.teardown
    }
  })

/** An overlay's records sharing one state, built on demand from the first. */
const overlays = (layers: () => { readonly upper: PathIO<unknown>; readonly lower: PathIO<unknown> }, cwd: string) => {
  let state: OverlayState | undefined
  return (): PathIO<unknown> => {
    const io = overlay({ ...layers(), cwd, ...(state === undefined ? {} : { state }) })
    state ??= io.state
    return io
  }
}

/** A fresh memory tree above the record under test: every change lands in memory, the base is only read. */
export const overMemory = (base: Backend): Backend =>
  fixtureOf(base, 'overlay(memory over)', async (fixture) => {
    const above = makeMemoryTree()
    let first = true
    const make = overlays(() => {
      const lower = first ? fixture.pathio : fixture.sibling()
      first = false
      return { upper: makeMemoryPathIO({ state: above }), lower }
    }, fixture.root)
    const pathio = make()
    const { stranger } = fixture
    return {
      pathio,
      root: fixture.root,
      sibling: make,
      ...(stranger === undefined ? {} : { stranger: () => overlay({ upper: makeMemoryPathIO(), lower: stranger() }) }),
      teardown: fixture.teardown
    }
  })

/** The record under test above a memory tree that holds its root too (so the root is a directory of both layers). */
export const overBase = (base: Backend): Backend =>
  fixtureOf(base, 'overlay(over memory)', async (fixture) => {
    const below = await treeWith(fixture.root)
    let first = true
    const make = overlays(() => {
      const upper = first ? fixture.pathio : fixture.sibling()
      first = false
      return { upper, lower: makeMemoryPathIO({ state: below }) }
    }, fixture.root)
    return {
      pathio: make(),
      root: fixture.root,
      sibling: make,
      ...(fixture.stranger === undefined ? {} : { stranger: fixture.stranger }),
      teardown: fixture.teardown
    }
  })

/** The record under test jailed at its root (the quota's walk starts at `/`) under a generous quota, one counter for it and its siblings. */
export const quotaed = (base: Backend): Backend =>
  fixtureOf(base, 'withQuota', async (fixture) => {
    const usage = makeQuotaUsage()
    const wrap = (record: PathIO<unknown>) => withQuota({ ...GENEROUS, usage })(withRoot(fixture.root)(record))
    return {
      pathio: wrap(fixture.pathio),
      root: '/',
      ...(fixture.realRoot === undefined ? {} : { realRoot: fixture.realRoot }),
      sibling: () => wrap(fixture.sibling()),
      ...(fixture.stranger === undefined ? {} : { stranger: fixture.stranger }),
      teardown: fixture.teardown
    }
  })

/** `base` mounted, overlaid both ways, and under a quota. */
export const compositionsOver = (base: Backend): ReadonlyArray<Backend> => [
  mounted(base),
  // What an overlay shows mixes two layers: links planted on the disk layer are not all it sees.
  { ...overMemory(base), links: false },
  { ...overBase(base), links: false },
  quotaed(base)
]
