/**
 * The contract suite's helpers, written once: run a task so that a throw, a
 * rejection or a hang fails the test; expect a Right or a Left of an exact
 * reason; whole-file read/write through the record; a snapshot of a tree.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { isPathIOError, reasonFromCode, S_IFDIR, S_IFMT, type PathIO, type PathIOError, type Reason } from '../../lib'

/** Longer than any honest operation here, shorter than mocha's timeout: a hang fails with a clear message. */
const HANG_MS = 10_000

const show = (u: unknown): string => {
  try {
    return u instanceof Uint8Array ? `Uint8Array(${u.length})` : (JSON.stringify(u) ?? String(u))
  } catch {
    return Object.prototype.toString.call(u)
  }
}

/**
 * Runs a task and gives its `Either`. The task throwing when run, rejecting,
 * not settling, or settling with something that is not an `Either` fails the
 * test: the contract is that bad input is a `Left`, never any of those.
 */
export const run = async <A>(te: TaskEither<PathIOError, A>): Promise<E.Either<PathIOError, A>> => {
  expect(te, 'an operation must return a TaskEither (a function)').to.be.a('function')
  let running: Promise<E.Either<PathIOError, A>>
  try {
    running = te()
  } catch (thrown) {
    return expect.fail(`the task threw when run: ${show(thrown)} ${String(thrown)}`)
  }
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), HANG_MS)
  })
  let result: E.Either<PathIOError, A> | 'hang'
  try {
    result = await Promise.race([running, hang])
  } catch (rejected) {
    return expect.fail(`the task rejected: ${String(rejected)}`)
  } finally {
    clearTimeout(timer)
  }
  if (result === 'hang') return expect.fail(`the task did not settle within ${HANG_MS} ms`)
  // The message only on failure: showing a Right of a large Uint8Array costs a second per megabyte.
  if (!(E.isLeft(result) || E.isRight(result))) expect.fail(`not an Either: ${show(result)}`)
  return result
}

/** The Right value of a task; a Left fails the test with its message. */
export const expectRight = async <A>(te: TaskEither<PathIOError, A>): Promise<A> => {
  const result = await run(te)
  if (E.isLeft(result)) return expect.fail(`expected a Right, got Left: ${result.left.message} [${result.left.reason}]`)
  return result.right
}

/** The Left of a task, checked to be a well-formed `PathIOError` with exactly `reason` (and `op` when given). */
export const expectLeft = async (
  te: TaskEither<PathIOError, unknown>,
  reason: Reason,
  op?: string
): Promise<PathIOError> => {
  const result = await run(te)
  if (E.isRight(result)) return expect.fail(`expected Left ${reason}, got Right: ${show(result.right)}`)
  const error = result.left
  expect(isPathIOError(error), `not a PathIOError: ${show(error)}`).to.equal(true)
  expect(error.reason, error.message).to.equal(reason)
  if (op !== undefined) expect(error.op).to.equal(op)
  // An errno code, where there is one, must be one that means this reason.
  if (error.code !== undefined) expect(reasonFromCode(error.code), `code ${error.code}`).to.equal(reason)
  return error
}

export const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8')
export const text = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('utf8')

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Creates or replaces a file with `content`, through the record only. */
export const writeFile = async (io: PathIO<unknown>, path: string, content: string | Uint8Array): Promise<void> => {
  const h = await expectRight(io.open(path, 'wb'))
  const data = typeof content === 'string' ? bytes(content) : content
  expect(await expectRight(io.write(h, data))).to.equal(data.length)
  await expectRight(io.close(h))
}

/** A file's whole content as a UTF-8 string, through the record only. */
export const readFile = async (io: PathIO<unknown>, path: string): Promise<string> => {
  const h = await expectRight(io.open(path, 'rb'))
  const data = await expectRight(io.read(h))
  await expectRight(io.close(h))
  return text(data)
}

/** `root` joined with a relative path, without doubling the slash when `root` is `/`. */
export const under = (root: string, rel: string): string => (root.endsWith('/') ? root + rel : `${root}/${rel}`)

export interface Snapshot {
  readonly [path: string]: { readonly kind: 'dir' | 'file'; readonly mtimeMs: number; readonly content?: string }
}

/** Every path under `dir` with its kind, mtime and (for files) content: what a failed call must leave alone. */
export const snapshot = async (io: PathIO<unknown>, dir: string): Promise<Snapshot> => {
  const out: Record<string, Snapshot[string]> = {
    [dir]: { kind: 'dir', mtimeMs: (await expectRight(io.stat(dir))).mtimeMs }
  }
  const walk = async (at: string): Promise<void> => {
    for (const entry of await expectRight(io.scan(at))) {
      const isDir = (entry.stat.mode & S_IFMT) === S_IFDIR
      out[entry.path] = isDir
        ? { kind: 'dir', mtimeMs: entry.stat.mtimeMs }
        : { kind: 'file', mtimeMs: entry.stat.mtimeMs, content: await readFile(io, entry.path) }
      if (isDir) await walk(entry.path)
    }
  }
  await walk(dir)
  return out
}

/** Sorted, since `list` and `scan` promise no order. */
export const sorted = <A>(xs: ReadonlyArray<A>): Array<A> => [...xs].sort()
