/**
 * `readFile` and `writeFile`: a whole file at once, with an atomic write
 * (temporary file then `rename`) so that a reader never sees half a file.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import type { FileHandle, PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { checkData, resolvePath } from '../internal/arguments'
import { cancelled, signalOption } from '../internal/signal'
import { abandonWrite, withAtomicWrites } from '../middleware/withAtomicWrites'
import { CANCELLABLE_STEP, nextTurn, stepOrCancelled } from './cancellable'
import { runTask } from './runTask'
import { writeAll } from './writeAll'
import { withFile } from './withFile'

/** Copied per read when `append` and `atomic` copy the old content. */
const COPY_BLOCK = 65536

/**
 * Options of `writeFile`.
 *
 * @category model
 * @since 0.1.0
 */
export interface WriteFileOptions {
  /** Write a temporary file in the same directory, then `rename` it over `path`. */
  readonly atomic?: boolean
  /** Add to the end instead of replacing (with `atomic`: copy the old content, then add). */
  readonly append?: boolean
  /**
   * Once aborted, the write stops between two steps (of at most 1 MiB) with
   * `Cancelled` and closes the file; an `atomic` write removes its temporary
   * file and leaves the old one as it was, any other leaves what it wrote.
   */
  readonly signal?: AbortSignal
}

/**
 * Options of `readFile`.
 *
 * @category model
 * @since 0.1.0
 */
export interface ReadFileOptions {
  /**
   * Once aborted, the read stops with `Cancelled` (at once, or between two
   * blocks of at most 1 MiB) and closes the file; the event loop runs
   * between two blocks, so an abort from a socket or a timer gets through.
   */
  readonly signal?: AbortSignal
}

/** Reads to the end in steps of `CANCELLABLE_STEP`, stopping with `Cancelled` between two once `signal` aborts. */
const readInSteps =
  (
    pathio: PathIO<unknown>,
    path: string,
    file: FileHandle,
    signal: AbortSignal
  ): TE.TaskEither<PathIOError, Uint8Array> =>
  async () => {
    const blocks: Array<Uint8Array> = []
    for (;;) {
      if (blocks.length > 0) await nextTurn()
      if (signal.aborted) return E.left(cancelled('readFile', path, signal))
      const block = await stepOrCancelled(
        signal,
        'readFile',
        path,
        runTask('read', path, () => pathio.read(file, CANCELLABLE_STEP))
      )
      if (E.isLeft(block)) return block
      if (block.right.length === 0) return E.right(blocks.length === 1 ? blocks[0] : Buffer.concat(blocks))
      blocks.push(block.right)
    }
  }

/**
 * The whole file at `path`. Without a signal it is one `read`; with
 * `options.signal` it reads in blocks of at most 1 MiB and, once the signal
 * aborts, stops between two with `Cancelled` (the file is closed).
 *
 * @example
 * import { readFile, writeFile, makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = makeMemoryPathIO()
 * await writeFile(io, '/motd', Buffer.from('hello'))()
 * assert.deepStrictEqual(pipe(await readFile(io, '/motd')(), E.map(String)), E.right('hello'))
 * assert.deepStrictEqual(pipe(await readFile(io, '/missing')(), E.mapLeft((e) => e.reason)), E.left('NotFound'))
 * const controller = new AbortController()
 * controller.abort()
 * const stopped = await readFile(io, '/motd', { signal: controller.signal })()
 * assert.deepStrictEqual(pipe(stopped, E.mapLeft((e) => e.reason)), E.left('Cancelled'))
 *
 * @category helpers
 * @since 0.1.0
 */
export const readFile = <S>(
  pathio: PathIO<S>,
  path: string,
  options: ReadFileOptions = {}
): TE.TaskEither<PathIOError, Uint8Array> =>
  pipe(
    TE.fromEither(signalOption('readFile', path, (options ?? {}).signal)),
    TE.chain((signal) =>
      signal === undefined
        ? withFile(pathio, path, 'rb', (file) => pathio.read(file))
        : signal.aborted
          ? TE.left(cancelled('readFile', path, signal))
          : withFile(pathio, path, 'rb', (file) => readInSteps(pathio as PathIO<unknown>, path, file, signal))
    )
  )

/** Writes all of `data` as a `TaskEither`. */
const writeAllTask =
  (
    pathio: PathIO<unknown>,
    file: FileHandle,
    data: Uint8Array,
    signal?: AbortSignal
  ): TE.TaskEither<PathIOError, void> =>
  () =>
    writeAll(pathio, file, data, undefined, signal)

/** Copies the file at `path`, if there is one, to `file`. */
const copyExisting =
  (pathio: PathIO<unknown>, path: string, file: FileHandle): TE.TaskEither<PathIOError, void> =>
  async () => {
    const copied = await withFile(pathio, path, 'rb', (source) => async () => {
      for (;;) {
        const block = await runTask('read', path, () => pathio.read(source, COPY_BLOCK))
        if (E.isLeft(block) || block.right.length === 0) return E.map(() => undefined)(block)
        const written = await writeAll(pathio, file, block.right)
        if (E.isLeft(written)) return written
      }
    })()
    return E.isLeft(copied) && copied.left.reason === 'NotFound' && copied.left.op === 'open'
      ? E.right(undefined)
      : copied
  }

/**
 * Writes through `withAtomicWrites`, the one implementation of atomic
 * writes: the data goes to a hidden temporary, renamed onto `path` at close;
 * a failure (or the signal, until the last moment) abandons it instead.
 */
const writeAtomically = (
  pathio: PathIO<unknown>,
  path: string,
  data: Uint8Array,
  append: boolean,
  signal: AbortSignal | undefined
): TE.TaskEither<PathIOError, void> => {
  const atomic = withAtomicWrites()(pathio)
  const fill = (file: FileHandle) =>
    append
      ? pipe(
          copyExisting(pathio, path, file),
          TE.chain(() => writeAllTask(atomic, file, data, signal))
        )
      : writeAllTask(atomic, file, data, signal)
  return pipe(
    atomic.open(path, 'wb'),
    TE.chain((file) => async () => {
      const filled = await pipe(
        fill(file),
        // The last moment to stop: after the close the new content is there.
        TE.chain(() =>
          signal !== undefined && signal.aborted ? TE.left(cancelled('writeFile', path, signal)) : TE.right(undefined)
        )
      )()
      if (E.isLeft(filled)) abandonWrite(file)
      const closed = await runTask('close', path, () => atomic.close(file))
      return E.isLeft(filled) ? filled : closed
    })
  )
}

/**
 * Writes `data` to `path`: creates or truncates it (`append`: adds to its
 * end). With `atomic`, the data goes to a temporary file beside it
 * (`.fp-pathio-upload-<random>.part`, the name the FTP server's uploads use
 * too) which is then renamed over `path`, so a reader sees
 * the old content or the new, never half; on any failure the temporary file
 * is unlinked and the old file is left as it was. (The new file is a new
 * entry: it does not keep the old one's permissions, and a handle open on the
 * old file keeps reading the old content.) `atomic` with `append` copies the
 * old content first. Bad `data` is `InvalidArgument` before anything is opened.
 * With `signal`, it writes in steps of at most 1 MiB and stops with
 * `Cancelled` between two once the signal aborts (see `WriteFileOptions`).
 *
 * @example
 * import { writeFile, readFile, makeMemoryPathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as E from 'fp-ts/Either'
 * const io = makeMemoryPathIO()
 * const roundTrip = pipe(
 *   writeFile(io, '/motd', Buffer.from('hello'), { atomic: true }), // a temp file, then rename
 *   TE.chain(() => writeFile(io, '/motd', Buffer.from(', world'), { append: true })),
 *   TE.chain(() => readFile(io, '/motd')),
 *   TE.map(String)
 * )
 * assert.deepStrictEqual(await roundTrip(), E.right('hello, world'))
 * assert.deepStrictEqual(await io.list('/')(), E.right(['/motd'])) // no temp file left
 *
 * @category helpers
 * @since 0.1.0
 */
export const writeFile = <S>(
  pathio: PathIO<S>,
  path: string,
  data: Uint8Array,
  options: WriteFileOptions = {}
): TE.TaskEither<PathIOError, void> => {
  const io = pathio as PathIO<unknown>
  const { atomic = false, append = false } = options ?? {}
  return pipe(
    TE.Do,
    TE.apS('bytes', TE.fromEither(checkData(data))),
    TE.apS('signal', TE.fromEither(signalOption('writeFile', path, (options ?? {}).signal))),
    TE.chain(({ bytes, signal }) =>
      signal !== undefined && signal.aborted
        ? TE.left(cancelled('writeFile', path, signal))
        : // Only a string path gets a temporary name; anything else the backend refuses as it would.
          atomic === true && E.isRight(resolvePath('open', '/', path))
          ? writeAtomically(io, path, bytes, append === true, signal)
          : withFile(io, path, append === true ? 'ab' : 'wb', (file) => writeAllTask(io, file, bytes, signal))
    )
  )
}
