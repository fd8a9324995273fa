/**
 * `withFile`: open, use, always close (aioftp's `async with pathio.open(...)`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { FileHandle, OpenMode, PathIO } from '../PathIO'
import type { PathIOError } from '../PathIOError'
import { runTask } from './runTask'

/**
 * Opens `path` in `mode`, runs `use` with the handle, and always closes the
 * handle: also when `use` gives a `Left`, throws, or its task rejects (a
 * throw or a rejection becomes a `PathIOError` with op `withFile` and the
 * original as `cause`: the result never rejects). When `use` succeeded but
 * `close` failed, the result is the close's error (the data may not be
 * stored); when both failed, `use`'s error wins and the close's is dropped.
 *
 * @example
 * import { withFile, makeMemoryPathIO, type FileHandle } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * const io = makeMemoryPathIO()
 * const used: Array<FileHandle> = []
 * const written = withFile(io, '/a.txt', 'wb', (h) => {
 *   used.push(h)
 *   return io.write(h, Buffer.from('hi'))
 * })
 * assert.deepStrictEqual(await written(), E.right(2))
 * // the handle is closed already
 * assert.deepStrictEqual(pipe(await io.seek(used[0], 0)(), E.mapLeft((e) => e.reason)), E.left('BadHandle'))
 *
 * @category helpers
 * @since 0.1.0
 */
export const withFile =
  <S, E, A>(
    pathio: PathIO<S>,
    path: string,
    mode: OpenMode,
    use: (file: FileHandle) => TaskEither<E, A>
  ): TaskEither<PathIOError | E, A> =>
  async () => {
    const opened = await runTask('open', path, () => pathio.open(path, mode))
    if (E.isLeft(opened)) return opened
    const file = opened.right
    const used = await runTask('withFile', path, () => use(file))
    const closed = await runTask('close', path, () => pathio.close(file))
    return E.isRight(used) && E.isLeft(closed) ? closed : used
  }
