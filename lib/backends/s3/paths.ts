/**
 * The S3 backend's operations on paths: lookups, `stat`, `mkdir` (a marker
 * `a/`), `rmdir`, `unlink`, and `rename` (copy then delete: one object, or
 * every key under a directory); `utimes` and `chmod` are `Unsupported`
 * (an object keeps no settable time or mode). Each follows `rename(2)`'s and the
 * contract's reasons, with one HEAD or listing per fact it needs.
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { PathIOError } from '../../PathIOError'
import type { Stat } from '../../PathIO'
import { checkMkdirOptions, checkPermissionBits, checkTime, resolvePath } from '../../internal/arguments'
import type { PathIOCore } from '../makePathIO'
import { onS3Path, refuse } from './errors'
import { ancestorsOf, dirPrefix, fitsKey, isRoot, isWithin, MAX_KEY_BYTES, objectKey, parentOf } from './keys'
import { kindOf, missing, parentProblem } from './lookup'
import type { S3Settings } from './options'
import { DIR_STAT, fileStat } from './pages'
import { copyObject, deleteObject, deleteObjects, keysUnder, listPage, putObject } from './requests'
import type { S3State } from './state'

/** Copies a directory `rename` runs at once. */
const COPIES_AT_ONCE = 8

const ok = E.right(undefined)

/** Runs `work` over `items`, at most `limit` at once. */
const eachLimited = async <A>(
  items: ReadonlyArray<A>,
  limit: number,
  work: (item: A) => Promise<unknown>
): Promise<void> => {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
}

/** A key S3 could not store is refused before any request (a lookup of one simply finds nothing). */
export const tooLong = (op: string, path: unknown, key: string): E.Either<PathIOError, never> | undefined =>
  fitsKey(key) ? undefined : refuse('InvalidArgument', op, path, `the key would be longer than ${MAX_KEY_BYTES} bytes`)

type PathOperations = Pick<
  PathIOCore<S3State>,
  'exists' | 'isDir' | 'isFile' | 'stat' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'utimes' | 'chmod'
>

/** The operations on paths of an S3 record (its own lookups: a missing path costs no HEAD per ancestor). */
export const s3Paths = (settings: S3Settings): PathOperations => {
  const { state, prefix, cwd } = settings

  const kindTest = (op: string, test: (kind: string) => boolean) => (path: string) =>
    onS3Path(cwd, op, path, async (resolved) => E.right(test((await kindOf(settings, resolved)).kind)))

  const stat = (path: string): TaskEither<PathIOError, Stat> =>
    onS3Path(cwd, 'stat', path, async (resolved) => {
      const found = await kindOf(settings, resolved)
      return found.kind === 'file'
        ? E.right(fileStat(found.info.size, found.info.mtimeMs))
        : found.kind === 'dir'
          ? E.right(DIR_STAT)
          : missing(settings, 'stat', path, resolved)
    })

  const putMarker = (resolved: string): Promise<unknown> =>
    putObject(state, dirPrefix(prefix, resolved), new Uint8Array(0))

  return {
    exists: kindTest('exists', (kind) => kind !== 'missing'),
    isDir: kindTest('isDir', (kind) => kind === 'dir'),
    isFile: kindTest('isFile', (kind) => kind === 'file'),
    stat,
    mkdir: (path, options) =>
      onS3Path(cwd, 'mkdir', path, async (resolved) => {
        const checked = checkMkdirOptions(path, options)
        if (E.isLeft(checked)) return checked
        const { parents, existOk } = checked.right
        const overLong = tooLong('mkdir', path, dirPrefix(prefix, resolved))
        if (overLong !== undefined) return overLong
        const found = await kindOf(settings, resolved)
        if (found.kind === 'file' || (found.kind === 'dir' && !existOk)) return refuse('AlreadyExists', 'mkdir', path)
        if (found.kind === 'dir') return ok
        if (!parents) {
          const problem = await parentProblem(settings, parentOf(resolved))
          if (problem !== undefined) return refuse(problem, 'mkdir', path)
          await putMarker(resolved)
          return ok
        }
        const ancestors = ancestorsOf(resolved)
        const kinds = await Promise.all(ancestors.map((at) => kindOf(settings, at)))
        if (kinds.some((k) => k.kind === 'file')) return refuse('NotADirectory', 'mkdir', path)
        const toMake = [...ancestors.filter((_, i) => kinds[i].kind === 'missing'), resolved]
        await Promise.all(toMake.map(putMarker))
        return ok
      }),
    rmdir: (path) =>
      onS3Path(cwd, 'rmdir', path, async (resolved) => {
        if (isRoot(resolved)) return refuse('Busy', 'rmdir', path, 'cannot remove the root')
        const found = await kindOf(settings, resolved)
        if (found.kind === 'file') return refuse('NotADirectory', 'rmdir', path)
        if (found.kind === 'missing') return missing(settings, 'rmdir', path, resolved)
        const marker = dirPrefix(prefix, resolved)
        const page = await listPage(state, marker, { max: 2 })
        if ((page.Contents ?? []).some((object) => object.Key !== marker)) return refuse('NotEmpty', 'rmdir', path)
        await deleteObject(state, marker)
        return ok
      }),
    unlink: (path) =>
      onS3Path(cwd, 'unlink', path, async (resolved) => {
        if (isRoot(resolved)) return refuse('IsADirectory', 'unlink', path)
        const found = await kindOf(settings, resolved)
        if (found.kind === 'dir') return refuse('IsADirectory', 'unlink', path)
        if (found.kind === 'missing') return missing(settings, 'unlink', path, resolved)
        await deleteObject(state, objectKey(prefix, resolved))
        return ok
      }),
    /** `rename(2)`'s checks, then copy and delete: one object, or every key under a directory. */
    rename: (source, destination) =>
      onS3Path(cwd, 'rename', source, async (from) => {
        const to = resolvePath('rename', cwd, destination)
        if (E.isLeft(to)) return to
        const overLong = tooLong('rename', destination, dirPrefix(prefix, to.right))
        if (overLong !== undefined) return overLong
        const [src, dst] = await Promise.all([kindOf(settings, from), kindOf(settings, to.right)])
        if (src.kind === 'missing') return missing(settings, 'rename', source, from)
        if (from === to.right) return E.right(destination)
        if (dst.kind === 'missing') {
          const problem = await parentProblem(settings, parentOf(to.right))
          if (problem !== undefined) return refuse(problem, 'rename', destination)
        }
        if (src.kind === 'file') {
          if (dst.kind === 'dir') return refuse('IsADirectory', 'rename', destination)
          await copyObject(state, objectKey(prefix, from), objectKey(prefix, to.right))
          await deleteObject(state, objectKey(prefix, from))
          return E.right(destination)
        }
        if (isWithin(from, to.right))
          return refuse('InvalidArgument', 'rename', destination, 'a directory cannot move into itself')
        if (dst.kind === 'file') return refuse('NotADirectory', 'rename', destination)
        const target = dirPrefix(prefix, to.right)
        if (dst.kind === 'dir') {
          const page = await listPage(state, target, { max: 2 })
          if ((page.Contents ?? []).some((object) => object.Key !== target))
            return refuse('NotEmpty', 'rename', destination)
        }
        const origin = dirPrefix(prefix, from)
        const keys = await keysUnder(state, origin)
        await eachLimited(keys, COPIES_AT_ONCE, (key) => copyObject(state, key, target + key.slice(origin.length)))
        await deleteObjects(state, keys)
        return E.right(destination)
      }),
    // Checked as everywhere, then refused before any request: `LastModified` is the store's, and there is no mode.
    utimes: (path, mtimeMs) =>
      onS3Path<void>(cwd, 'utimes', path, async () => {
        const time = checkTime('utimes', path, mtimeMs)
        return E.isLeft(time)
          ? E.left(time.left)
          : refuse('Unsupported', 'utimes', path, "an object store keeps its objects' times itself")
      }),
    chmod: (path, mode) =>
      onS3Path<void>(cwd, 'chmod', path, async () => {
        const bits = checkPermissionBits('chmod', path, mode)
        return E.isLeft(bits)
          ? E.left(bits.left)
          : refuse('Unsupported', 'chmod', path, 'an object store keeps no permission bits')
      })
  }
}
