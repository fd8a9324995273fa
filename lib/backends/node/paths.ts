/**
 * The Node backend's operations on paths: the disk's system calls
 * (`../disk/syscalls`) on the main thread, each lifted into a `TaskEither`.
 * Its own lookups (`exists`, `isDir`, `isFile`) are one `stat` with no error
 * made for a missing path.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { PathIOError } from '../../PathIOError'
import { syncTask } from '../../internal/task'
import * as disk from '../disk/syscalls'
import type { PathIOCore } from '../makePathIO'

type PathOperations = Pick<
  PathIOCore<undefined>,
  'exists' | 'isDir' | 'isFile' | 'stat' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'utimes' | 'chmod' | 'realpath'
>

/** Runs `body` on the target of a path (resolved and checked first). */
export const onPath =
  (at: disk.Locate) =>
  <A>(op: string, body: (target: disk.Target) => E.Either<PathIOError, A>) =>
  (path: string): TaskEither<PathIOError, A> =>
    syncTask(op, path, () => pipe(at(op, path), E.chain(body)))

/** The operations on paths of a Node record whose paths `at` resolves. */
export const nodePaths = (at: disk.Locate): PathOperations => {
  const on = onPath(at)
  return {
    exists: on('exists', (target) => disk.probe('exists', target)),
    isDir: on('isDir', (target) => disk.probe('isDir', target)),
    isFile: on('isFile', (target) => disk.probe('isFile', target)),
    stat: on('stat', disk.stat),
    realpath: on('realpath', disk.realpath),
    mkdir: (path, options) =>
      syncTask('mkdir', path, () =>
        pipe(
          disk.mkdirArguments(at, path, options),
          E.chain(({ target, flags }) => disk.mkdir(target, flags.parents, flags.existOk))
        )
      ),
    rmdir: on('rmdir', disk.rmdir),
    unlink: on('unlink', disk.unlink),
    rename: (source, destination) =>
      syncTask('rename', source, () =>
        pipe(
          disk.renameArguments(at, source, destination),
          E.chain(({ from, to }) => disk.rename(from, to)),
          E.map(() => destination)
        )
      ),
    utimes: (path, mtimeMs) =>
      syncTask('utimes', path, () =>
        pipe(
          disk.utimesArguments(at, path, mtimeMs),
          E.chain(({ target, time }) => disk.utimes(target, time))
        )
      ),
    chmod: (path, mode) =>
      syncTask('chmod', path, () =>
        pipe(
          disk.chmodArguments(at, path, mode),
          E.chain(({ target, bits }) => disk.chmod(target, bits))
        )
      )
  }
}
