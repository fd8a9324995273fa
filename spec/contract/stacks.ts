/**
 * Middleware stacks as contract fixtures: any base fixture (memory, node,
 * pool) wrapped in `withTimeout`, `normaliseErrors` and `withRoot`, so the one
 * contract suite runs on every backend under every middleware without a
 * copied test.
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import {
  OPERATION_NAMES,
  makeMemoryPathIO,
  makeMemoryTree,
  normaliseErrors,
  PERMISSION_LETTERS,
  withAtomicWrites,
  withPermissions,
  withRoot,
  withTimeout,
  wrapOperations,
  type LooseBackend,
  type MemoryTree,
  type Middleware,
  type PathIO
} from '../../lib'
import type { Backend, Fixture } from './fixture'

/** Long enough never to fire on an honest operation of a busy machine: the stack is what is tested. */
export const STACK_TIMEOUT_MS = 10_000

/** The memory jail: created in every fresh tree, it is the fixture's root and cwd. */
export const MEMORY_ROOT = '/jail'

const expectMkdir = async (te: TaskEither<unknown, void>, what: string): Promise<void> => {
  const made = await te()
  if (E.isLeft(made)) throw new Error(`fixture: cannot create ${what}: ${JSON.stringify(made.left)}`)
}

const jailedTree = async (): Promise<MemoryTree> => {
  const tree = makeMemoryTree()
  await expectMkdir(makeMemoryPathIO({ state: tree }).mkdir(MEMORY_ROOT), MEMORY_ROOT)
  return tree
}

/**
 * The memory backend as a base fixture: a fresh tree per test, with root and
 * cwd `/jail` (not `/`, so that `withRoot` over it is a real jail).
 */
export const memoryBase: Backend = {
  name: 'memory',
  disk: false,
  setup: async (): Promise<Fixture> => {
    const tree = await jailedTree()
    const stranger = await jailedTree()
    return {
      pathio: makeMemoryPathIO({ state: tree, cwd: MEMORY_ROOT }),
      root: MEMORY_ROOT,
      sibling: () => makeMemoryPathIO({ state: tree, cwd: MEMORY_ROOT }),
      stranger: () => makeMemoryPathIO({ state: stranger, cwd: MEMORY_ROOT }),
      teardown: async () => undefined
    }
  }
}

/**
 * A `PathIO` turned into a loose record that fails in every way a
 * hand-written backend might: some operations return a `Promise` that
 * rejects, some a `TaskEither` with a `Left`, some a `Task` that rejects.
 * Through `normaliseErrors` it must behave exactly as the original. It
 * declares the original's capabilities, as a hand-written backend declares
 * its own (and, as one, offers no rooted form).
 */
export const loosen = <S>(pathio: PathIO<S>): LooseBackend<S> => {
  const loose: Record<string, unknown> = { state: pathio.state, capabilities: pathio.capabilities }
  OPERATION_NAMES.forEach((op, index) => {
    const operation = pathio[op] as unknown as (...args: ReadonlyArray<unknown>) => TaskEither<unknown, unknown>
    const settled = (args: ReadonlyArray<unknown>): Promise<unknown> =>
      operation(...args)().then((result) => (E.isLeft(result) ? Promise.reject(result.left) : result.right))
    loose[op] =
      index % 3 === 0
        ? (...args: ReadonlyArray<unknown>) => settled(args) // a Promise
        : index % 3 === 1
          ? (...args: ReadonlyArray<unknown>) => operation(...args) // a TaskEither
          : (...args: ReadonlyArray<unknown>) =>
              () =>
                settled(args) // a Task that rejects
  })
  return loose as unknown as LooseBackend<S>
}

/**
 * A base fixture with its records passed through `wrap`; a jailed stack
 * gives its `stranger` (whose cwd is another directory, unknown here) the
 * same stack without the jail: it only has to make foreign handles.
 */
const wrapped = (
  base: Backend,
  name: string,
  wrap: (pathio: PathIO<unknown>, fixture: Fixture) => PathIO<unknown>,
  jailed?: { readonly wrapStranger: (pathio: PathIO<unknown>) => PathIO<unknown> }
): Backend => ({
  name: `${name}(${base.name})`,
  disk: base.disk,
  setup: async (): Promise<Fixture> => {
    const fixture = await base.setup()
    const { stranger } = fixture
    return {
      pathio: wrap(fixture.pathio, fixture),
      root: jailed === undefined ? fixture.root : '/',
      ...(fixture.realRoot === undefined ? {} : { realRoot: fixture.realRoot }),
      sibling: () => wrap(fixture.sibling(), fixture),
      ...(stranger === undefined
        ? {}
        : { stranger: () => (jailed === undefined ? wrap(stranger(), fixture) : jailed.wrapStranger(stranger())) }),
      teardown: fixture.teardown
    }
  },
  ...(base.after === undefined ? {} : { after: base.after })
})

const middleware =
  (m: Middleware) =>
  (pathio: PathIO<unknown>): PathIO<unknown> =>
    m(pathio)

/**
 * `base` under each middleware: `withTimeout(10000)`, `normaliseErrors` (of
 * the record loosened as a hand-written backend would fail), and `withRoot`
 * jailed at the fixture's root and presenting it as `/`; then the combined
 * stacks below.
 */
export const stacksOver = (base: Backend): ReadonlyArray<Backend> => [
  wrapped(base, 'withTimeout', middleware(withTimeout(STACK_TIMEOUT_MS))),
  wrapped(base, 'normaliseErrors', (pathio) => normaliseErrors(loosen(pathio))),
  wrapped(base, 'withRoot', (pathio, fixture) => withRoot(fixture.root)(pathio), { wrapStranger: (pathio) => pathio }),
  ...combinedStacksOver(base)
]

/**
 * `base` under the two stacks that hold every middleware at once: the three
 * above in the order a server stacks them, and a server session's record.
 * The S3 backend runs under these only: each request to s3rver costs some
 * twenty times a memory call, and each single middleware already runs over
 * memory, node and pool, so the whole list over S3 would spend CI's minutes
 * on what the combined stacks cover.
 */
export const combinedStacksOver = (base: Backend): ReadonlyArray<Backend> => [
  // All three at once, in the order a server would stack them.
  wrapped(
    base,
    'withTimeout∘withRoot∘normaliseErrors',
    (pathio, fixture) => withTimeout(STACK_TIMEOUT_MS)(withRoot(fixture.root)(normaliseErrors(loosen(pathio)))),
    { wrapStranger: (pathio) => withTimeout(STACK_TIMEOUT_MS)(normaliseErrors(loosen(pathio))) }
  ),
  // A server session's record: every permission, atomic 'wb' writes with hidden temporaries, the home's jail.
  wrapped(
    base,
    'withPermissions∘withAtomicWrites∘withRoot',
    (pathio, fixture) =>
      withPermissions({ perm: PERMISSION_LETTERS.join('') })(withAtomicWrites()(withRoot(fixture.root)(pathio))),
    { wrapStranger: (pathio) => withAtomicWrites()(pathio) }
  )
]

/** The memory backend under each middleware (the `withRoot` one jailed at `/jail`). */
export const memoryStacks: ReadonlyArray<Backend> = stacksOver(memoryBase)

/** A record that counts the handles and listings its inner record opened and closed, for leak checks. */
export interface CountedPathIO<S> {
  readonly pathio: PathIO<S>
  /** Handles opened (a Right of `open`) and not yet closed (a Right of `close`). */
  readonly openHandles: () => number
  readonly opens: () => number
  readonly closes: () => number
  /** Listings opened (a Right of `opendir`) and not yet closed (a Right of `closedir`). */
  readonly openListings: () => number
  readonly listingsOpened: () => number
}

/** One kind of thing a record opens and closes, counted. */
const makeTally = () => {
  const open = new Set<unknown>()
  let opened = 0
  let closed = 0
  return {
    opened: (what: unknown) => {
      opened++
      open.add(what)
    },
    closed: (what: unknown) => {
      if (open.delete(what)) closed++
    },
    open: () => open.size,
    opens: () => opened,
    closes: () => closed
  }
}

/** Counts opens and closes (of files and of listings) that succeeded in `pathio` itself: put it innermost, under what is tested. */
export const countHandles = <S>(pathio: PathIO<S>): CountedPathIO<S> => {
  const files = makeTally()
  const listings = makeTally()
  const counted = wrapOperations((op, args, next) => async () => {
    const result = await next(...args)()
    if (E.isRight(result)) {
      if (op === 'open') files.opened(result.right)
      else if (op === 'close') files.closed(args[0])
      else if (op === 'opendir') listings.opened(result.right)
      else if (op === 'closedir') listings.closed(args[0])
    }
    return result
  })(pathio)
  return {
    pathio: counted,
    openHandles: files.open,
    opens: files.opens,
    closes: files.closes,
    openListings: listings.open,
    listingsOpened: listings.opens
  }
}
