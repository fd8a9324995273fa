/**
 * The S3 backend's operations on files: `open` in `rb` (a reader: ranged
 * GETs, see `./reader`) or `wb` (a writer: a multipart upload that appears
 * whole at `close`, see `./writer`); `ab` and `r+b`, seeking a `wb`
 * handle elsewhere than its position, and `truncate`, are `Unsupported`. Calls on one
 * handle run one after another.
 */
import * as E from 'fp-ts/Either'
import { makeFileHandle } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import {
  checkData,
  checkLength,
  checkMode,
  checkOffset,
  checkSize,
  checkWhence,
  seekTarget
} from '../../internal/arguments'
import { lookup, readable, register, release, writable } from '../../internal/handleTable'
import { asyncTask } from '../../internal/task'
import type { PathIOCore } from '../makePathIO'
import { fromS3Error, onS3Path, refuse } from './errors'
import { dirPrefix, isRoot, objectKey, parentOf } from './keys'
import { missing, parentProblem } from './lookup'
import { inTurn, type S3File } from './openObject'
import type { S3Settings } from './options'
import { tooLong } from './paths'
import { openReader, readBytes, stopDownload } from './reader'
import { anyUnder, headObject } from './requests'
import type { S3State } from './state'
import { finish, openWriter, writeBytes } from './writer'

type Answer<A> = Promise<E.Either<PathIOError, A>>

const ok = E.right(undefined)

/** The `BadHandle` that `readable`/`writable` give a handle of the other mode (never a Right here). */
const refused = (check: E.Either<PathIOError, unknown>): E.Either<PathIOError, never> =>
  E.isLeft(check) ? check : refuse('BadHandle', 'handle', undefined)

type FileOperations = Pick<PathIOCore<S3State>, 'open' | 'read' | 'write' | 'seek' | 'close' | 'truncate'>

/** The operations on files of an S3 record. */
export const s3Files = (settings: S3Settings): FileOperations => {
  const { state, prefix, cwd, partSize } = settings

  const openForReading = async (path: string, resolved: string, key: string): Answer<S3File> => {
    const info = await headObject(state, key)
    if (info !== undefined) return E.right(openReader(key, path, info))
    return (await anyUnder(state, dirPrefix(prefix, resolved)))
      ? refuse('IsADirectory', 'open', path)
      : missing(settings, 'open', path, resolved)
  }

  const openForWriting = async (path: string, resolved: string, key: string): Answer<S3File> => {
    const overLong = tooLong('open', path, key)
    if (overLong !== undefined) return overLong
    const [isDir, problem] = await Promise.all([
      anyUnder(state, dirPrefix(prefix, resolved)),
      parentProblem(settings, parentOf(resolved))
    ])
    if (isDir) return refuse('IsADirectory', 'open', path)
    if (problem !== undefined) return refuse(problem, 'open', path)
    return E.right(openWriter(key, path))
  }

  /** Looks the handle up, then runs `body` in its turn; SDK errors name the file's path. */
  const onFile = <A>(
    op: string,
    file: unknown,
    check: E.Either<PathIOError, unknown>,
    body: (open: S3File) => Answer<A>
  ) =>
    asyncTask(op, undefined, async () => {
      if (E.isLeft(check)) return check
      const found = lookup(state.handles, op, file)
      if (E.isLeft(found)) return found
      const open = found.right
      return inTurn(open, () => body(open).catch((error: unknown) => E.left(fromS3Error(op, open.path)(error))))
    })

  return {
    open: (path, mode) =>
      onS3Path(cwd, 'open', path, async (resolved) => {
        const checked = checkMode(path, mode)
        if (E.isLeft(checked)) return checked
        const how = checked.right
        if (how === 'ab' || how === 'r+b')
          return refuse(
            'Unsupported',
            'open',
            path,
            `an object store cannot ${how === 'ab' ? 'append to' : 'update'} an object in place`
          )
        if (isRoot(resolved)) return refuse('IsADirectory', 'open', path)
        const key = objectKey(prefix, resolved)
        const file: E.Either<PathIOError, S3File> =
          how === 'rb' ? await openForReading(path, resolved, key) : await openForWriting(path, resolved, key)
        if (E.isLeft(file)) return file
        return E.right(register(state.handles, makeFileHandle(), file.right))
      }),
    read: (file, size) => {
      const checked = checkSize(size)
      return onFile('read', file, checked, async (open) =>
        open.mode === 'rb'
          ? E.right(await readBytes(state, open, E.isRight(checked) ? checked.right : undefined))
          : refused(readable(open))
      )
    },
    write: (file, data) => {
      const checked = checkData(data)
      return onFile('write', file, checked, async (open) =>
        open.mode === 'wb'
          ? E.right(
              E.isRight(checked) && checked.right.length > 0
                ? await writeBytes(state, open, checked.right, partSize)
                : 0
            )
          : refused(writable(open))
      )
    },
    seek: (file, offset, whence) => {
      const checked = E.isLeft(checkOffset(offset)) ? checkOffset(offset) : checkWhence(whence)
      return onFile('seek', file, checked, async (open) => {
        const target = seekTarget(open.position, open.mode === 'rb' ? open.size : open.position, offset, whence ?? 0)
        if (E.isLeft(target)) return target
        if (open.mode === 'wb' && target.right !== open.position)
          return refuse('Unsupported', 'seek', open.path, 'an upload is written in order: a wb handle cannot seek')
        open.position = target.right
        return E.right(target.right)
      })
    },
    close: (file) =>
      asyncTask('close', undefined, async () =>
        release(state.handles, 'close', file, (open) =>
          inTurn(open, async () => {
            if (open.mode === 'rb') {
              stopDownload(open)
              return ok
            }
            try {
              await finish(state, open)
              return ok
            } catch (error) {
              return E.left(fromS3Error('close', open.path)(error))
            }
          })
        )
      ),
    // A handle of this record, opened for writing, and a valid size: then refused, the upload untouched.
    truncate: (file, size) =>
      onFile('truncate', file, E.right(undefined), async (open) => {
        if (open.mode !== 'wb') return refused(writable(open, 'truncate'))
        const wanted = checkLength('truncate', size)
        if (E.isLeft(wanted)) return wanted
        return refuse('Unsupported', 'truncate', open.path, 'an upload is written in order: it cannot be truncated')
      })
  }
}
