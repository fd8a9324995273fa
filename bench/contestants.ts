/**
 * One small adapter per contestant, all onto `Ops`. The PathIO backends share
 * one adapter (`pathIOOps`); the peers (a raw synchronous `fs` loop,
 * `fs.promises`, memfs, Apache OpenDAL's `memory` and `fs` services) each get
 * a few lines.
 *
 * @since 0.1.0
 */
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as nodePath from 'node:path'
import { Volume } from 'memfs'
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { makeMemoryPathIO } from '../lib/backends/memory'
import { spareBytes } from '../lib/backends/memory/content'
import { withTimeout } from '../lib/middleware/withTimeout'
import type { FileHandle, PathIO, PathIOFactory } from '../lib/PathIO'
import type { PathIOError } from '../lib/PathIOError'
import type { Contestant, Ops, Session } from './contestant'

/** Runs a `TaskEither` and turns a `Left` into a rejection: a failed op must stop the benchmark, not be timed. */
const unwrap = <A>(te: TaskEither<PathIOError, A>): Promise<A> =>
  te().then((result) => (E.isRight(result) ? result.right : Promise.reject(new Error(result.left.message))))

/** `unwrap` and a map in one step: the adapter adds one promise per op, no more. */
const unwrapWith = <A, B>(te: TaskEither<PathIOError, A>, f: (a: A) => B): Promise<B> =>
  te().then((result) => (E.isRight(result) ? f(result.right) : Promise.reject(new Error(result.left.message))))

/**
 * `Ops` over any `PathIO` record: the same adapter for every backend and
 * middleware stack, so their differences are theirs alone.
 *
 * @category adapters
 * @since 0.1.0
 */
export const pathIOOps = (io: PathIO<unknown>): Ops => ({
  open: (path, mode) => unwrap(io.open(path, mode === 'write' ? 'wb' : 'rb')),
  write: (file, data) => unwrap(io.write(file as FileHandle, data)),
  read: (file, size) => unwrapWith(io.read(file as FileHandle, size), (bytes) => bytes.length),
  close: (file) => unwrap(io.close(file as FileHandle)),
  stat: (path) => unwrapWith(io.stat(path), (stat) => stat.size),
  list: (dir) => unwrap(io.list(dir)),
  scan: (dir) => unwrap(io.scan(dir)),
  unlink: (path) => unwrap(io.unlink(path)),
  mkdir: (path) => unwrap(io.mkdir(path))
})

/** A fresh directory under `os.tmpdir()`, removed by the teardown. */
const tempDir = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'fp-pathio-bench-'))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** One read buffer per synchronous contestant: a raw loop reuses its buffer, which is what makes it the limit. */
const scratchBuffer = (): ((size: number) => Buffer) => {
  let scratch = Buffer.alloc(0)
  return (size) => (scratch.length >= size ? scratch : (scratch = Buffer.allocUnsafe(size)))
}

// -------------------------------------------------------------------------------------
// fp-pathio backends
// -------------------------------------------------------------------------------------

const memorySession = async (wrap: (io: PathIO<unknown>) => PathIO<unknown>): Promise<Session> => {
  const ops = pathIOOps(wrap(makeMemoryPathIO()))
  await ops.mkdir('/bench')
  return { ops, dir: '/bench', teardown: async () => undefined, spareBytes }
}

/** The memory backend, bare. */
export const memory: Contestant = {
  name: 'memory',
  kind: 'memory',
  description: 'fp-pathio `makeMemoryPathIO`',
  setup: () => memorySession((io) => io)
}

/**
 * An export of the public index (`lib/backends`, `lib/middleware`) that may
 * not have landed yet, or whose module does not load yet: looked up at run
 * time, so the bench compiles and runs without it and picks it up once it is
 * there.
 */
const optional = <A>(module: 'backends' | 'middleware', name: string): A | undefined => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = (module === 'backends' ? require('../lib/backends') : require('../lib/middleware')) as Record<
      string,
      unknown
    >
    return typeof loaded[name] === 'function' ? (loaded[name] as A) : undefined
  } catch {
    return undefined
  }
}

type Normalise = (backend: PathIO<unknown>) => PathIO<unknown>
const normaliseErrors = optional<Normalise>('middleware', 'normaliseErrors')

/** A timeout no operation reaches: the middleware's bookkeeping is timed, never its firing. */
const STACK_TIMEOUT_MS = 60_000

/**
 * The memory backend under `withTimeout(normaliseErrors(...))`, or under
 * `withTimeout` alone while `normaliseErrors` is not exported yet.
 */
export const memoryStack: Contestant = {
  name: normaliseErrors ? 'memory+timeout+normalise' : 'memory+timeout',
  kind: 'memory',
  description: normaliseErrors
    ? '`withTimeout(normaliseErrors(makeMemoryPathIO()))`'
    : '`withTimeout(makeMemoryPathIO())` (normaliseErrors not available yet)',
  setup: () => memorySession((io) => withTimeout(STACK_TIMEOUT_MS)(normaliseErrors ? normaliseErrors(io) : io))
}

/** Whether the stack includes `normaliseErrors` (the report says so when it does not). */
export const stackHasNormaliseErrors = normaliseErrors !== undefined

const diskPathIO = (
  name: string,
  description: string,
  factoryName: string,
  closeState: (io: PathIO<unknown>) => Promise<void>
): Contestant | undefined => {
  const factory = optional<PathIOFactory<unknown>>('backends', factoryName)
  if (factory === undefined) return undefined
  return {
    name,
    kind: 'disk',
    description,
    setup: async () => {
      const temp = tempDir()
      const io = factory()
      return {
        ops: pathIOOps(io),
        dir: temp.dir,
        teardown: async () => {
          await closeState(io)
          temp.remove()
        }
      }
    }
  }
}

/** The Node backend (synchronous `fs` calls in `TaskEither`), when it is exported. */
export const nodeBackend = (): Contestant | undefined =>
  diskPathIO('node', 'fp-pathio `makeNodePathIO`', 'makeNodePathIO', async () => undefined)

/**
 * The pool backend (`worker_threads`), when it is exported. Its sessions are
 * records on one pool whose threads are started once, before any run, as a
 * server makes one pool for all its connections (and as `fs.promises` shares
 * libuv's threads, started once per process): a fresh pool per run would time
 * its threads' start (~50 ms each here), not its operations. The pool lives
 * as long as the process (it never keeps it alive).
 */
export const poolBackend = (): Contestant | undefined => {
  const factory = optional<PathIOFactory<{ readonly size: number }>>('backends', 'makePoolPathIO')
  if (factory === undefined) return undefined
  let started: Promise<{ readonly size: number }> | undefined
  const startedPool = (): Promise<{ readonly size: number }> =>
    (started ??= (async () => {
      const first = factory()
      const pool = first.state
      // As many calls at once as threads: each starts one.
      await Promise.all(Array.from({ length: pool.size }, () => first.exists('/')()))
      return pool
    })())
  return {
    name: 'pool',
    kind: 'disk',
    description: 'fp-pathio `makePoolPathIO` (default size), one pool started before the runs',
    setup: async () => {
      const pool = await startedPool()
      const temp = tempDir()
      return { ops: pathIOOps(factory({ state: pool })), dir: temp.dir, teardown: async () => temp.remove() }
    }
  }
}

// -------------------------------------------------------------------------------------
// peers
// -------------------------------------------------------------------------------------

/** The practical limit: `openSync`/`writeSync`/`readSync` on a real disk, no abstraction at all. */
export const rawSync: Contestant = {
  name: 'raw-sync',
  kind: 'disk',
  description: 'a bare `fs.openSync`/`writeSync`/`readSync` loop (the practical limit)',
  setup: async () => {
    const temp = tempDir()
    const scratch = scratchBuffer()
    const ops: Ops = {
      open: (path, mode) => fs.openSync(path, mode === 'write' ? 'w' : 'r'),
      write: (fd, data) => fs.writeSync(fd as number, data),
      read: (fd, size) => fs.readSync(fd as number, scratch(size), 0, size, null),
      close: (fd) => fs.closeSync(fd as number),
      stat: (path) => fs.statSync(path).size,
      list: (dir) => fs.readdirSync(dir),
      scan: (dir) => fs.readdirSync(dir).map((name) => ({ name, stat: fs.statSync(nodePath.join(dir, name)) })),
      unlink: (path) => fs.unlinkSync(path),
      mkdir: (path) => fs.mkdirSync(path)
    }
    return { ops, dir: temp.dir, teardown: async () => temp.remove() }
  }
}

/** Node's own promise API: every call on libuv's thread pool. */
export const fsPromises: Contestant = {
  name: 'fs.promises',
  kind: 'disk',
  description: "Node's `fs.promises` (`FileHandle` reads and writes, libuv thread pool)",
  setup: async () => {
    const temp = tempDir()
    const ops: Ops = {
      open: (path, mode) => fsp.open(path, mode === 'write' ? 'w' : 'r'),
      write: (file, data) => (file as fsp.FileHandle).write(data),
      read: (file, size) =>
        (file as fsp.FileHandle).read(Buffer.allocUnsafe(size), 0, size, null).then((r) => r.bytesRead),
      close: (file) => (file as fsp.FileHandle).close(),
      stat: (path) => fsp.stat(path).then((s) => s.size),
      list: (dir) => fsp.readdir(dir),
      scan: async (dir) => {
        const names = await fsp.readdir(dir)
        return Promise.all(names.map(async (name) => ({ name, stat: await fsp.stat(nodePath.join(dir, name)) })))
      },
      unlink: (path) => fsp.unlink(path),
      mkdir: (path) => fsp.mkdir(path)
    }
    return { ops, dir: temp.dir, teardown: async () => temp.remove() }
  }
}

/**
 * memfs through its synchronous `Volume` API: its fastest path (its callback
 * and promise APIs defer every call with `setImmediate`), so the comparison
 * is against memfs at its best.
 */
export const memfs: Contestant = {
  name: 'memfs',
  kind: 'memory',
  description: 'memfs 4 `Volume`, synchronous API (its fastest)',
  setup: async () => {
    const vol = new Volume()
    const scratch = scratchBuffer()
    const ops: Ops = {
      open: (path, mode) => vol.openSync(path, mode === 'write' ? 'w' : 'r'),
      write: (fd, data) => vol.writeSync(fd as number, data),
      read: (fd, size) => vol.readSync(fd as number, scratch(size), 0, size, null),
      close: (fd) => vol.closeSync(fd as number),
      stat: (path) => Number(vol.statSync(path).size),
      list: (dir) => vol.readdirSync(dir) as ReadonlyArray<string>,
      scan: (dir) =>
        (vol.readdirSync(dir) as ReadonlyArray<string>).map((name) => ({ name, stat: vol.statSync(`${dir}/${name}`) })),
      unlink: (path) => vol.unlinkSync(path),
      mkdir: (path) => vol.mkdirSync(path)
    }
    vol.mkdirSync('/bench')
    return { ops, dir: '/bench', teardown: async () => undefined }
  }
}

/**
 * memfs through `vol.promises`, the API an async server would call: each
 * call is deferred (memfs runs it on `setImmediate`). The metadata
 * goal is against this one.
 */
export const memfsPromises: Contestant = {
  name: 'memfs.promises',
  kind: 'memory',
  description: 'memfs 4 `Volume`, `vol.promises` API (what an async caller gets)',
  setup: async () => {
    const vol = new Volume()
    const p = vol.promises
    type Handle = Awaited<ReturnType<typeof p.open>>
    const ops: Ops = {
      open: (path, mode) => p.open(path, mode === 'write' ? 'w' : 'r'),
      write: (file, data) => (file as Handle).write(data),
      read: (file, size) => (file as Handle).read(Buffer.allocUnsafe(size), 0, size, null).then((r) => r.bytesRead),
      close: (file) => (file as Handle).close(),
      stat: (path) => p.stat(path).then((s) => Number(s.size)),
      list: (dir) => p.readdir(dir) as Promise<ReadonlyArray<string>>,
      scan: async (dir) => {
        const names = (await p.readdir(dir)) as ReadonlyArray<string>
        return Promise.all(names.map(async (name) => ({ name, stat: await p.stat(`${dir}/${name}`) })))
      },
      unlink: (path) => p.unlink(path),
      mkdir: (path) => p.mkdir(path)
    }
    await p.mkdir('/bench')
    return { ops, dir: '/bench', teardown: async () => undefined }
  }
}

/**
 * What the benchmark uses of OpenDAL's `Operator` (0.47.x). OpenDAL is not a
 * dependency of the project: its npm package ships native builds that the
 * registry mirror here does not all carry, so a lockfile with it breaks
 * `npm ci`. Install it beside the project to race it:
 * `npm install --no-save opendal@0.47.11` (later builds need glibc 2.38).
 */
interface OpenDalEntry {
  readonly path: () => string
}
interface OpenDalOperator {
  readonly writerSync: (path: string) => unknown
  readonly readerSync: (path: string) => unknown
  readonly statSync: (path: string) => { readonly contentLength: bigint }
  readonly listSync: (path: string) => ReadonlyArray<OpenDalEntry>
  readonly deleteSync: (path: string) => void
  readonly createDirSync: (path: string) => void
}
type OpenDalOperatorConstructor = new (service: string, options: Record<string, string>) => OpenDalOperator

/** OpenDAL's `Operator`, when the `opendal` package is installed; `undefined` otherwise. */
const openDalOperator = ((): OpenDalOperatorConstructor | undefined => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('opendal') as { readonly Operator: OpenDalOperatorConstructor }).Operator
  } catch {
    return undefined
  }
})()

/** An OpenDAL writer or reader: writers are closed, readers need nothing. */
interface OpenDalFile {
  readonly write?: (data: Buffer) => void
  readonly read?: (into: Buffer) => bigint
  readonly close?: () => void
}

/**
 * Apache OpenDAL's Node binding (`opendal` 0.47.x, Rust through napi) on one
 * service, through its blocking API (its fastest: no promise, no thread hop).
 * OpenDAL has no open-for-append or seek in these workloads' terms: a writer
 * streams a new file that appears at `close`, a reader reads from the start.
 */
const openDal = (service: 'memory' | 'fs', Operator: OpenDalOperatorConstructor): Contestant => ({
  name: `opendal-${service}`,
  kind: service === 'memory' ? 'memory' : 'disk',
  heldVisible: false,
  description: `Apache OpenDAL 0.47 \`${service}\` service, blocking API (\`writerSync\`/\`readerSync\`)`,
  setup: async () => {
    const temp = service === 'fs' ? tempDir() : undefined
    const op = new Operator(service, { root: temp?.dir ?? '/' })
    const scratch = scratchBuffer()
    // OpenDAL lists a directory with its own entry first ('bench/'): left out, as readdir does.
    const children = (dir: string) => {
      const own = `${dir.replace(/^\//, '')}/`
      return op.listSync(`${dir}/`).filter((entry) => entry.path() !== own)
    }
    const ops: Ops = {
      open: (path, mode) => (mode === 'write' ? op.writerSync(path) : op.readerSync(path)),
      write: (file, data) => (file as OpenDalFile).write?.(Buffer.isBuffer(data) ? data : Buffer.from(data)),
      read: (file, size) => Number((file as OpenDalFile).read?.(scratch(size).subarray(0, size)) ?? 0),
      close: (file) => (file as OpenDalFile).close?.(),
      stat: (path) => Number(op.statSync(path).contentLength),
      list: (dir) => children(dir).map((entry) => entry.path()),
      scan: (dir) => children(dir).map((entry) => ({ path: entry.path(), stat: op.statSync(entry.path()) })),
      unlink: (path) => op.deleteSync(path),
      mkdir: (path) => op.createDirSync(`${path}/`)
    }
    op.createDirSync('/bench/')
    return { ops, dir: '/bench', teardown: async () => temp?.remove() }
  }
})

/** OpenDAL's in-memory service, when `opendal` is installed. */
export const openDalMemory: Contestant | undefined = openDalOperator && openDal('memory', openDalOperator)

/** OpenDAL's local file-system service (a fresh temporary root), when `opendal` is installed. */
export const openDalFs: Contestant | undefined = openDalOperator && openDal('fs', openDalOperator)

/**
 * Every contestant available in this checkout, and the names of those not
 * exported yet (the report lists them as missing).
 *
 * @category constructors
 * @since 0.1.0
 */
export const allContestants = (): {
  readonly contestants: ReadonlyArray<Contestant>
  readonly missing: ReadonlyArray<string>
} => {
  const optionalOnes: ReadonlyArray<readonly [string, Contestant | undefined]> = [
    ['node (makeNodePathIO)', nodeBackend()],
    ['pool (makePoolPathIO)', poolBackend()],
    ['opendal-memory (npm install --no-save opendal@0.47.11)', openDalMemory],
    ['opendal-fs (npm install --no-save opendal@0.47.11)', openDalFs]
  ]
  return {
    contestants: [
      memory,
      memoryStack,
      memfs,
      memfsPromises,
      ...optionalOnes.flatMap(([, c]) => (c ? [c] : [])),
      rawSync,
      fsPromises
    ],
    missing: optionalOnes.flatMap(([name, c]) => (c ? [] : [name]))
  }
}
