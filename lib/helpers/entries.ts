/**
 * `entries`: a directory as an `AsyncIterable` of its entries, read page by
 * page (aioftp's `async for path in pathio.list(...)`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { DirHandle, Entry, PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { describe } from '../internal/arguments'
import { cancelled, signalOption } from '../internal/signal'
import { runTask } from './runTask'

/**
 * Options of `entries`.
 *
 * @category model
 * @since 0.1.0
 */
export interface EntriesOptions {
  /** Entries asked per `readdir` (a positive safe integer; default: the backend's page size). */
  readonly batch?: number
  /** Once aborted, the listing stops before its next entry, is closed, and `Cancelled` is thrown. */
  readonly signal?: AbortSignal
}

const DONE: IteratorResult<Entry> = { value: undefined, done: true }

/** The batch and signal of `options`, or why not (thrown from the iterator, as every failure is). */
const checkOptions = (
  path: string,
  options: EntriesOptions
): E.Either<PathIOError, { batch?: number; signal?: AbortSignal }> => {
  const { batch, signal } = options
  if (batch !== undefined && batch !== null && !(typeof batch === 'number' && Number.isSafeInteger(batch) && batch > 0))
    return E.left(
      pathIOError('InvalidArgument', 'entries', {
        path,
        detail: `batch must be a positive safe integer, got ${describe(batch)}`
      })
    )
  return E.map((checked: AbortSignal | undefined) => ({ batch: batch ?? undefined, signal: checked }))(
    signalOption('entries', path, signal)
  )
}

/**
 * One walk over a listing, written as an iterator rather than an async
 * generator: an entry of the page in hand costs one resolved promise, not a
 * trip through a generator, so a listing runs about as fast as a `scan`.
 */
const walk = (pathio: PathIO<unknown>, path: string, options: EntriesOptions): AsyncIterator<Entry> => {
  let state: 'new' | 'open' | 'done' = 'new'
  let dir: DirHandle | undefined
  let page: ReadonlyArray<Entry> = []
  let index = 0
  let signal: AbortSignal | undefined
  let batch: number | undefined

  /** Ends the walk: closes the listing; throws `error`, else a failed close, else gives the end. */
  const finish = async (error?: PathIOError): Promise<IteratorResult<Entry>> => {
    state = 'done'
    page = []
    const held = dir
    dir = undefined
    const closed =
      held === undefined ? E.right(undefined) : await runTask('closedir', path, () => pathio.closedir(held))
    if (error !== undefined) throw error
    if (E.isLeft(closed)) throw closed.left
    return DONE
  }

  const stopped = (): PathIOError | undefined =>
    signal !== undefined && signal.aborted ? cancelled('entries', path, signal) : undefined

  const nextPage = async (): Promise<IteratorResult<Entry>> => {
    if (state === 'new') {
      const checked = checkOptions(path, options ?? {})
      if (E.isLeft(checked)) return finish(checked.left)
      ;({ signal, batch } = checked.right)
      const before = stopped()
      if (before !== undefined) return finish(before)
      const opened = await runTask('opendir', path, () => pathio.opendir(path))
      if (E.isLeft(opened)) return finish(opened.left)
      dir = opened.right
      state = 'open'
    }
    const aborted = stopped()
    if (aborted !== undefined) return finish(aborted)
    const listing = dir as DirHandle
    const read = await runTask('readdir', path, () => pathio.readdir(listing, batch))
    if (E.isLeft(read)) return finish(read.left)
    if (read.right.length === 0) return finish()
    page = read.right
    index = 1
    return { value: page[0], done: false }
  }

  return {
    next: () => {
      if (state === 'done') return Promise.resolve(DONE)
      if (index < page.length) {
        const aborted = stopped()
        return aborted === undefined ? Promise.resolve({ value: page[index++], done: false }) : finish(aborted)
      }
      return nextPage()
    },
    // `break`, `return` or a throw in the loop's body: close the listing; a failed close would hide what happened.
    return: async () => {
      if (state !== 'done') await finish().catch(() => undefined)
      return DONE
    }
  }
}

/**
 * The entries of the directory at `path`, each as `scan` gives it, read page
 * by page with `opendir`/`readdir`/`closedir`: a listing of a million
 * entries holds one page at a time, never the whole directory. Every entry
 * that exists for the whole walk comes exactly once; one created or removed
 * meanwhile may or may not come. The listing is closed at the end, when the
 * loop stops early (`break`, `return`, a throw in its body), and on an
 * error. An async iterator cannot give a `Left`: a failure (`opendir`,
 * `readdir`, a bad option, `Cancelled` once `signal` aborts) is thrown from
 * the iterator as the `PathIOError` itself.
 *
 * @example
 * import { entries, makeMemoryPathIO } from 'fp-pathio'
 * const io = makeMemoryPathIO()
 * await io.mkdir('/pub')()
 * for (const name of ['a', 'b', 'c']) {
 *   const h = await io.open(`/pub/${name}`, 'wb')()
 *   if (h._tag === 'Right') await io.close(h.right)()
 * }
 * const names: Array<string> = []
 * for await (const entry of entries(io, '/pub', { batch: 2 })) names.push(entry.name)
 * assert.deepStrictEqual(names.sort(), ['a', 'b', 'c'])
 *
 * @category helpers
 * @since 0.1.0
 */
export const entries = <S>(pathio: PathIO<S>, path: string, options: EntriesOptions = {}): AsyncIterable<Entry> => ({
  [Symbol.asyncIterator]: () => walk(pathio as PathIO<unknown>, path, options)
})
