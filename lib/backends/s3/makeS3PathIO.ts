/**
 * `makeS3PathIO`: a `PathIO` over any S3-compatible object store (AWS S3,
 * MinIO, Ceph RGW, Cloudflare R2). Several servers on several machines share
 * one bucket and see each other's files at once.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { makeDirHandle, makeFileHandle, type Entry, type Operation, type PathIO, type Stat } from '../../PathIO'
import { pathIOError, type PathIOError, type Reason } from '../../PathIOError'
import {
  checkData,
  checkMkdirOptions,
  checkMode,
  checkOffset,
  checkSize,
  checkWhence,
  joinChild,
  resolvePath,
  seekTarget
} from '../../internal/arguments'
import { applyContext, checkContext } from '../../internal/context'
import { markNormalised } from '../../internal/normalised'
import { asyncTask } from '../../internal/task'
import { fromS3Error } from './errors'
import { inTurn, type S3File } from './handles'
import { lookup, readable, register, release, writable } from '../../internal/handles'
import { ancestorsOf, dirPrefix, fitsKey, isRoot, isWithin, MAX_KEY_BYTES, objectKey, parentOf } from './keys'
import { childrenOf, DIR_STAT, fileStat, pageShowsDir, pagesOf, type Child, type S3Dir } from './listing'
import { kindOf, missingReason, parentProblem, type Place } from './lookup'
import { checkS3Options, type S3Options } from './options'
import { openReader, readBytes, stopDownload } from './reader'
import {
  anyUnder,
  copyObject,
  deleteObject,
  deleteObjects,
  headObject,
  keysUnder,
  listPage,
  putObject
} from './requests'
import type { S3State } from './state'
import { finish, openWriter, writeBytes } from './writer'

const FACTORY = 'makeS3PathIO'
/** S3's largest page. */
const MAX_PAGE = 1000
/** Copies a directory `rename` runs at once. */
const COPIES_AT_ONCE = 8

type Answer<A> = Promise<E.Either<PathIOError, A>>

const fail = (reason: Reason, op: string, path: unknown, detail?: string): E.Either<PathIOError, never> =>
  E.left(pathIOError(reason, op, { path, ...(detail === undefined ? {} : { detail }) }))

const ok = E.right(undefined)

/** The `BadHandle` that `readable`/`writable` give a handle of the other mode (never a Right here). */
const refused = (check: E.Either<PathIOError, unknown>): E.Either<PathIOError, never> =>
  E.isLeft(check) ? check : fail('BadHandle', 'handle', undefined)

/** Runs `work` over `items`, at most `limit` at once. */
const eachLimited = async <A>(items: ReadonlyArray<A>, limit: number, work: (item: A) => Promise<unknown>): Promise<void> => {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
}

/**
 * A `PathIO` over an S3 bucket: `/a/b` is the key `prefix + 'a/b'`, a
 * directory is a zero-byte marker `a/` or any key under `a/`. `wb` streams a
 * multipart upload that appears whole at `close`; `rb` reads with one
 * streaming GET, and a new ranged one after a `seek`. What an object store
 * cannot do (`ab`, `r+b`, seeking a `wb` handle) is `Unsupported`; `rename`
 * is copy then delete, not atomic (docs/s3.md).
 * Its `state` (the client, the bucket, the open handles) is shared by
 * `withSharedState`. Bad options are a `TypeError` at once.
 *
 * @example
 * import { makeS3PathIO } from 'fp-pathio/s3'
 * import * as os from 'node:os'
 * import * as fs from 'node:fs'
 * import * as path from 'node:path'
 * const S3rver = require('s3rver')
 * const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3-example-'))
 * const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'files' }] })
 * const { port } = await server.run()
 * const io = makeS3PathIO({
 *   endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, bucket: 'files',
 *   credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
 * })
 * assert.deepStrictEqual(await io.mkdir('/pub')(), { _tag: 'Right', right: undefined })
 * const h = await io.open('/pub/a.txt', 'wb')()
 * assert.ok(h._tag === 'Right')
 * await io.write(h.right, Buffer.from('hello'))()
 * await io.close(h.right)()
 * assert.deepStrictEqual(await io.list('/pub')(), { _tag: 'Right', right: ['/pub/a.txt'] })
 * await io.state.close()
 * await server.close()
 * fs.rmSync(directory, { recursive: true, force: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeS3PathIO = (options?: S3Options): PathIO<S3State> => {
  const context = checkContext<S3State>(options, FACTORY)
  const { state, prefix, cwd, partSize } = checkS3Options(options ?? {})
  const place: Place = { state, prefix }

  /** Resolves `path`, then runs `body`; anything the SDK throws becomes a `Left` with it as `cause`. */
  const onPath = <A>(op: string, path: unknown, body: (resolved: string) => Answer<A>): TaskEither<PathIOError, A> =>
    asyncTask(
      op,
      path,
      () => {
        const resolved = resolvePath(op, cwd, path)
        return E.isLeft(resolved) ? Promise.resolve(resolved) : body(resolved.right)
      },
      fromS3Error(op, path)
    )

  const missing = async (op: string, path: unknown, resolved: string): Answer<never> =>
    fail(await missingReason(place, resolved), op, path)

  const kindTest = (op: string, test: (kind: string) => boolean) => (path: string) =>
    onPath(op, path, async (resolved) => E.right(test((await kindOf(place, resolved)).kind)))

  const stat = (path: string): TaskEither<PathIOError, Stat> =>
    onPath('stat', path, async (resolved) => {
      const found = await kindOf(place, resolved)
      return found.kind === 'file'
        ? E.right(fileStat(found.info.size, found.info.mtimeMs))
        : found.kind === 'dir'
          ? E.right(DIR_STAT)
          : missing('stat', path, resolved)
    })

  /** A key S3 could not store is refused before any request (a lookup of one simply finds nothing). */
  const tooLong = (op: string, path: unknown, key: string): E.Either<PathIOError, never> | undefined =>
    fitsKey(key) ? undefined : fail('InvalidArgument', op, path, `the key would be longer than ${MAX_KEY_BYTES} bytes`)

  const putMarker = (resolved: string): Promise<unknown> => putObject(state, dirPrefix(prefix, resolved), new Uint8Array(0))

  const mkdir: PathIO<S3State>['mkdir'] = (path, options) =>
    onPath('mkdir', path, async (resolved) => {
      const checked = checkMkdirOptions(path, options)
      if (E.isLeft(checked)) return checked
      const { parents, existOk } = checked.right
      const overLong = tooLong('mkdir', path, dirPrefix(prefix, resolved))
      if (overLong !== undefined) return overLong
      const found = await kindOf(place, resolved)
      if (found.kind === 'file' || (found.kind === 'dir' && !existOk)) return fail('AlreadyExists', 'mkdir', path)
      if (found.kind === 'dir') return ok
      if (!parents) {
        const problem = await parentProblem(place, parentOf(resolved))
        if (problem !== undefined) return fail(problem, 'mkdir', path)
        await putMarker(resolved)
        return ok
      }
      const ancestors = ancestorsOf(resolved)
      const kinds = await Promise.all(ancestors.map((at) => kindOf(place, at)))
      if (kinds.some((k) => k.kind === 'file')) return fail('NotADirectory', 'mkdir', path)
      const toMake = [...ancestors.filter((_, i) => kinds[i].kind === 'missing'), resolved]
      await Promise.all(toMake.map(putMarker))
      return ok
    })

  const rmdir: PathIO<S3State>['rmdir'] = (path) =>
    onPath('rmdir', path, async (resolved) => {
      if (isRoot(resolved)) return fail('Busy', 'rmdir', path, 'cannot remove the root')
      const found = await kindOf(place, resolved)
      if (found.kind === 'file') return fail('NotADirectory', 'rmdir', path)
      if (found.kind === 'missing') return missing('rmdir', path, resolved)
      const marker = dirPrefix(prefix, resolved)
      const page = await listPage(state, marker, { max: 2 })
      if ((page.Contents ?? []).some((object) => object.Key !== marker)) return fail('NotEmpty', 'rmdir', path)
      await deleteObject(state, marker)
      return ok
    })

  const unlink: PathIO<S3State>['unlink'] = (path) =>
    onPath('unlink', path, async (resolved) => {
      if (isRoot(resolved)) return fail('IsADirectory', 'unlink', path)
      const found = await kindOf(place, resolved)
      if (found.kind === 'dir') return fail('IsADirectory', 'unlink', path)
      if (found.kind === 'missing') return missing('unlink', path, resolved)
      await deleteObject(state, objectKey(prefix, resolved))
      return ok
    })

  /** `rename(2)`'s checks, then copy and delete: one object, or every key under a directory. */
  const rename: PathIO<S3State>['rename'] = (source, destination) =>
    onPath('rename', source, async (from) => {
      const to = resolvePath('rename', cwd, destination)
      if (E.isLeft(to)) return to
      const overLong = tooLong('rename', destination, dirPrefix(prefix, to.right))
      if (overLong !== undefined) return overLong
      const [src, dst] = await Promise.all([kindOf(place, from), kindOf(place, to.right)])
      if (src.kind === 'missing') return missing('rename', source, from)
      if (from === to.right) return E.right(destination)
      if (dst.kind === 'missing') {
        const problem = await parentProblem(place, parentOf(to.right))
        if (problem !== undefined) return fail(problem, 'rename', destination)
      }
      if (src.kind === 'file') {
        if (dst.kind === 'dir') return fail('IsADirectory', 'rename', destination)
        await copyObject(state, objectKey(prefix, from), objectKey(prefix, to.right))
        await deleteObject(state, objectKey(prefix, from))
        return E.right(destination)
      }
      if (isWithin(from, to.right)) return fail('InvalidArgument', 'rename', destination, 'a directory cannot move into itself')
      if (dst.kind === 'file') return fail('NotADirectory', 'rename', destination)
      const target = dirPrefix(prefix, to.right)
      if (dst.kind === 'dir') {
        const page = await listPage(state, target, { max: 2 })
        if ((page.Contents ?? []).some((object) => object.Key !== target)) return fail('NotEmpty', 'rename', destination)
      }
      const origin = dirPrefix(prefix, from)
      const keys = await keysUnder(state, origin)
      await eachLimited(keys, COPIES_AT_ONCE, (key) => copyObject(state, key, target + key.slice(origin.length)))
      await deleteObjects(state, keys)
      return E.right(destination)
    })

  /** The first page of a directory, or why it cannot be listed (`NotFound`, `NotADirectory`). */
  const firstPage = async (op: string, path: unknown, resolved: string, max?: number) => {
    const pages = pagesOf(state, dirPrefix(prefix, resolved))
    const page = await pages.next(max)
    if (page === undefined || (!pageShowsDir(page) && !isRoot(resolved))) {
      const file = await headObject(state, objectKey(prefix, resolved))
      return file !== undefined ? fail('NotADirectory', op, path) : missing(op, path, resolved)
    }
    return E.right({ pages, children: [...childrenOf(dirPrefix(prefix, resolved), page)] })
  }

  /** Every child of a directory, page by page. */
  const children = <A>(op: string, path: string, then: (children: ReadonlyArray<Child>) => A): TaskEither<PathIOError, A> =>
    onPath(op, path, async (resolved) => {
      const first = await firstPage(op, path, resolved)
      if (E.isLeft(first)) return first
      const { pages, children: all } = first.right
      for (let page = await pages.next(); page !== undefined; page = await pages.next())
        all.push(...childrenOf(dirPrefix(prefix, resolved), page))
      return E.right(then(all))
    })

  // ---------------------------------------------------------------------------- files

  const open: PathIO<S3State>['open'] = (path, mode) =>
    onPath('open', path, async (resolved) => {
      const checked = checkMode(path, mode)
      if (E.isLeft(checked)) return checked
      const how = checked.right
      if (how === 'ab' || how === 'r+b')
        return fail('Unsupported', 'open', path, `an object store cannot ${how === 'ab' ? 'append to' : 'update'} an object in place`)
      if (isRoot(resolved)) return fail('IsADirectory', 'open', path)
      const key = objectKey(prefix, resolved)
      const file: E.Either<PathIOError, S3File> = how === 'rb' ? await openForReading(path, resolved, key) : await openForWriting(path, resolved, key)
      if (E.isLeft(file)) return file
      return E.right(register(state.handles, makeFileHandle(), file.right))
    })

  const openForReading = async (path: string, resolved: string, key: string): Answer<S3File> => {
    const info = await headObject(state, key)
    if (info !== undefined) return E.right(openReader(key, path, info))
    return (await anyUnder(state, dirPrefix(prefix, resolved))) ? fail('IsADirectory', 'open', path) : missing('open', path, resolved)
  }

  const openForWriting = async (path: string, resolved: string, key: string): Answer<S3File> => {
    const overLong = tooLong('open', path, key)
    if (overLong !== undefined) return overLong
    const [isDir, problem] = await Promise.all([
      anyUnder(state, dirPrefix(prefix, resolved)),
      parentProblem(place, parentOf(resolved))
    ])
    if (isDir) return fail('IsADirectory', 'open', path)
    if (problem !== undefined) return fail(problem, 'open', path)
    return E.right(openWriter(key, path))
  }

  /** Looks the handle up, then runs `body` in its turn; SDK errors name the file's path. */
  const onFile = <A>(op: string, file: unknown, check: E.Either<PathIOError, unknown>, body: (open: S3File) => Answer<A>) =>
    asyncTask(op, undefined, async () => {
      if (E.isLeft(check)) return check
      const found = lookup(state.handles, op, file)
      if (E.isLeft(found)) return found
      const open = found.right
      return inTurn(open, () => body(open).catch((error: unknown) => E.left(fromS3Error(op, open.path)(error))))
    })

  const read: PathIO<S3State>['read'] = (file, size) => {
    const checked = checkSize(size)
    return onFile('read', file, checked, async (open) =>
      open.mode === 'rb'
        ? E.right(await readBytes(state, open, E.isRight(checked) ? checked.right : undefined))
        : refused(readable(open))
    )
  }

  const write: PathIO<S3State>['write'] = (file, data) => {
    const checked = checkData(data)
    return onFile('write', file, checked, async (open) =>
      open.mode === 'wb'
        ? E.right(E.isRight(checked) && checked.right.length > 0 ? await writeBytes(state, open, checked.right, partSize) : 0)
        : refused(writable(open))
    )
  }

  const seek: PathIO<S3State>['seek'] = (file, offset, whence) => {
    const checked = E.isLeft(checkOffset(offset)) ? checkOffset(offset) : checkWhence(whence)
    return onFile('seek', file, checked, async (open) => {
      const target = seekTarget(open.position, open.mode === 'rb' ? open.size : open.position, offset, whence ?? 0)
      if (E.isLeft(target)) return target
      if (open.mode === 'wb' && target.right !== open.position)
        return fail('Unsupported', 'seek', open.path, 'an upload is written in order: a wb handle cannot seek')
      open.position = target.right
      return E.right(target.right)
    })
  }

  const close: PathIO<S3State>['close'] = (file) =>
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
    )

  // ---------------------------------------------------------------------------- listings

  const opendir: Operation<'opendir'> = (path) =>
    onPath('opendir', path, async (resolved) => {
      const first = await firstPage('opendir', path, resolved)
      if (E.isLeft(first)) return first
      const listing: S3Dir = {
        path,
        dirKey: dirPrefix(prefix, resolved),
        pages: first.right.pages,
        buffer: first.right.children,
        closed: false,
        queue: Promise.resolve()
      }
      return E.right(register(state.dirs, makeDirHandle(), listing))
    })

  const readdir: Operation<'readdir'> = (dir, max) =>
    asyncTask(
      'readdir',
      undefined,
      async () => {
        if (max !== undefined && max !== null && !(typeof max === 'number' && Number.isSafeInteger(max) && max > 0))
          return fail('InvalidArgument', 'readdir', undefined, 'max must be a positive safe integer')
        const found = lookup(state.dirs, 'readdir', dir)
        if (E.isLeft(found)) return found
        const open = found.right
        const limit = max ?? MAX_PAGE
        return inTurn(open, async (): Answer<ReadonlyArray<Entry>> => {
          // A page may hold only the directory's own marker: ask on until a name or the end.
          while (open.buffer.length === 0) {
            const page = await open.pages.next(Math.min(limit, MAX_PAGE))
            if (page === undefined) return E.right([])
            open.buffer.push(...childrenOf(open.dirKey, page))
          }
          return E.right(open.buffer.splice(0, limit).map((child) => ({ path: joinChild(open.path, child.name), ...child })))
        })
      },
      fromS3Error('readdir')
    )

  const closedir: Operation<'closedir'> = (dir) =>
    asyncTask('closedir', undefined, async () =>
      release(state.dirs, 'closedir', dir, (listing) => {
        listing.buffer.length = 0
        return ok
      })
    )

  const pathio: PathIO<S3State> = {
    state,
    exists: kindTest('exists', (kind) => kind !== 'missing'),
    isDir: kindTest('isDir', (kind) => kind === 'dir'),
    isFile: kindTest('isFile', (kind) => kind === 'file'),
    stat,
    mkdir,
    rmdir,
    unlink,
    rename,
    list: (path) => children('list', path, (all) => all.map((child) => joinChild(path, child.name))),
    scan: (path) =>
      children('scan', path, (all) => all.map((child): Entry => ({ path: joinChild(path, child.name), ...child }))),
    open,
    read,
    write,
    seek,
    close,
    opendir,
    readdir,
    closedir
  }
  return applyContext(markNormalised(pathio), context)
}
