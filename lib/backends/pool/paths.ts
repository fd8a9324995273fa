/**
 * The pool backend's operations on paths: each one job on a worker, which
 * runs the disk's system call (`../disk/syscalls`); `mkdir` with `parents`
 * and `rename`'s checks run inside the worker too. Its own lookups are one
 * job each, answering a boolean.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { asyncTask } from '../../internal/task'
import { chmodArguments, mkdirArguments, renameArguments, utimesArguments } from '../disk/syscalls'
import type { PathIOCore } from '../makePathIO'
import { failure, left, onPath, type PoolSettings } from './jobs'
import { submit, type WorkerPool } from './workerPool'

type PathOperations = Pick<
  PathIOCore<WorkerPool>,
  'exists' | 'isDir' | 'isFile' | 'stat' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'utimes' | 'chmod' | 'realpath'
>

/** The operations on paths of a pool record. */
export const poolPaths = (settings: PoolSettings): PathOperations => {
  const { internals, at, signal } = settings
  const job = onPath(settings)
  return {
    exists: job('exists', (target) => ({ op: 'exists', target })),
    isDir: job('isDir', (target) => ({ op: 'isDir', target })),
    isFile: job('isFile', (target) => ({ op: 'isFile', target })),
    stat: job('stat', (target) => ({ op: 'stat', target })),
    realpath: job('realpath', (target) => ({ op: 'realpath', target })),
    rmdir: (path) =>
      pipe(
        job('rmdir', (target) => ({ op: 'rmdir', target }))(path),
        TE.map(() => undefined)
      ),
    unlink: (path) =>
      pipe(
        job('unlink', (target) => ({ op: 'unlink', target }))(path),
        TE.map(() => undefined)
      ),
    mkdir: (path, options) =>
      asyncTask('mkdir', path, () =>
        pipe(
          mkdirArguments(at, path, options),
          E.fold(
            (error) => left(error),
            ({ target, flags }) =>
              submit(
                internals,
                { op: 'mkdir', target, parents: flags.parents, existOk: flags.existOk },
                failure('mkdir', path),
                undefined,
                undefined,
                signal
              ).then(E.map(() => undefined))
          )
        )
      ),
    rename: (source, destination) =>
      asyncTask('rename', source, () =>
        pipe(
          renameArguments(at, source, destination),
          E.fold(
            (error) => left<string>(error),
            ({ from, to }) =>
              submit(
                internals,
                { op: 'rename', source: from, destination: to },
                failure('rename', source),
                undefined,
                undefined,
                signal
              ).then(E.map(() => destination))
          )
        )
      ),
    utimes: (path, mtimeMs) =>
      asyncTask('utimes', path, () =>
        pipe(
          utimesArguments(at, path, mtimeMs),
          E.fold(
            (error) => left(error),
            ({ target, time }) =>
              submit(
                internals,
                { op: 'utimes', target, mtimeMs: time },
                failure('utimes', path),
                undefined,
                undefined,
                signal
              ).then(E.map(() => undefined))
          )
        )
      ),
    chmod: (path, mode) =>
      asyncTask('chmod', path, () =>
        pipe(
          chmodArguments(at, path, mode),
          E.fold(
            (error) => left(error),
            ({ target, bits }) =>
              submit(
                internals,
                { op: 'chmod', target, mode: bits },
                failure('chmod', path),
                undefined,
                undefined,
                signal
              ).then(E.map(() => undefined))
          )
        )
      )
  }
}
