/**
 * The SFTP version 3 requests of one channel, each answered with the
 * session's `PathIO` record (jailed, under the account's permissions,
 * uploads atomic): the protocol's handles are a table of the record's
 * handles, and each request one or two calls of the record.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import type { SFTPWrapper } from 'ssh2'
import { type DirHandle, type FileHandle, type OpenMode, type PathIO, type Stat } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { abandonWrite } from '../middleware/withAtomicWrites'
import { permits } from '../middleware/withPermissions'
import type { Account } from '../server/accounts'
import type { ServerEvent } from '../server/events'
import type { Logger } from '../server/log'
import { attributesOf, longnameOf } from './attributes'
import { replyExtended } from './quirks'
import { makePace, type Pace } from './pace'
import { STATUS, statusOf } from './status'

/** SSH_FXF_* of OPEN (READ, 0x01, is what is left when WRITE is not set). */
const WRITE = 0x02
const APPEND = 0x04
const CREAT = 0x08
const TRUNC = 0x10
const EXCL = 0x20

/** The most bytes one READ answers (OpenSSH's own limit of a packet is 256 KiB). */
const MAX_READ = 255 * 1024
/** Entries of one READDIR answer. */
const PAGE = 128
/** Handles one channel may hold open at once: past it, FAILURE (no client exhausts descriptors). */
const MAX_HANDLES = 256

/** limits@openssh.com's answer: packet, read and write lengths (ssh2 takes packets of up to 256 KiB), open handles; uint64 each. */
const LIMITS = (() => {
  const limits = Buffer.alloc(32)
  limits.writeBigUInt64BE(256n * 1024n, 0)
  limits.writeBigUInt64BE(BigInt(MAX_READ), 8)
  limits.writeBigUInt64BE(BigInt(MAX_READ), 16)
  limits.writeBigUInt64BE(BigInt(MAX_HANDLES), 24)
  return limits
})()

/**
 * What a channel's requests need besides the channel.
 *
 * @category model
 * @since 0.3.0
 */
export interface SftpSessionContext {
  /** The session's record: jailed in the home, under the account's permissions, uploads atomic. */
  readonly io: PathIO<unknown>
  /** A record under the same jail that may only `chmod`: for directories this channel made (`put -r` sets their modes). */
  readonly modeIO: () => PathIO<unknown>
  readonly account: Account
  readonly maxDownloadRate: number
  readonly maxUploadRate: number
  readonly log: Logger
  /** Tells the server's events (logs, metrics, `onEvent`) of transfers and changes. */
  readonly emit: (event: ServerEvent) => void
  /** Who the events are about: the connection's number and address. */
  readonly session: number
  readonly address: string
}

/** What a Change event says was done. */
type Action = 'mkdir' | 'rmdir' | 'delete' | 'rename' | 'chmod' | 'utimes'

interface OpenFile {
  readonly kind: 'file'
  readonly path: string
  readonly handle: FileHandle
  readonly mode: OpenMode
  /** Where the record's handle stands now (a request at another offset seeks first). */
  position: number
  /** The end of what was written (FSTAT of an upload whose name does not exist yet). */
  written: number
  /** The requests of this file, one after another: the record's handle has one position. */
  queue: Promise<void>
  /** Attributes to set once the file is closed (an upload appears only then). */
  pending: { mode?: number; mtime?: number }
  /** A write failed: the upload is abandoned, and its CLOSE says so. */
  failed: boolean
  /** Bytes read or written through this handle, for the Transfer event of its CLOSE. */
  moved: number
  /** When it was opened (performance.now()). */
  readonly since: number
  readonly pace: Pace
}

interface OpenDir {
  readonly kind: 'dir'
  readonly path: string
  readonly handle: DirHandle
  queue: Promise<void>
}

/** The attributes of a SETSTAT as ssh2 reads them: only the fields the client sent. */
interface SetAttributes {
  readonly mode?: number
  readonly uid?: number
  readonly gid?: number
  readonly size?: number
  readonly atime?: number
  readonly mtime?: number
}

/** A path of the client, as the record sees it: relative ones are relative to the home, the jail's `/`. */
const resolve = (path: string): string => posix.resolve('/', path === '' ? '.' : path)

const bufferOf = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)

/**
 * Answers the SFTP requests of `sftp` with the context's record; `end`
 * gives back everything the channel holds: files being uploaded are
 * abandoned (their temporaries removed, the old files left as they were),
 * every handle closed.
 *
 * @category constructors
 * @since 0.3.0
 */
export const serveSftp = (sftp: SFTPWrapper, context: SftpSessionContext): { readonly end: () => Promise<void> } => {
  const { io, account, log } = context
  const about = { front: 'sftp', session: context.session, address: context.address, user: account.name } as const
  const transferred = (file: OpenFile, result: 'ok' | 'aborted' | 'failed'): void =>
    context.emit({
      _tag: 'Transfer',
      ...about,
      direction: file.mode === 'rb' ? 'download' : 'upload',
      path: file.path,
      bytes: file.moved,
      ms: Math.round(performance.now() - file.since),
      result
    })
  const changed = (action: Action, path: string, result: E.Either<PathIOError, unknown>, to?: string): void =>
    context.emit({
      _tag: 'Change',
      ...about,
      action,
      path,
      ...(to === undefined ? {} : { to }),
      result: E.isRight(result) ? 'ok' : 'failed',
      ...(E.isLeft(result) ? { code: result.left.reason } : {})
    })
  /** Runs a call that changes something: its event, then its answer. */
  const change = <A>(
    id: number,
    action: Action,
    path: string,
    task: TE.TaskEither<PathIOError, A>,
    to?: string,
    then: (a: A) => void = () => status(id, STATUS.OK)
  ): Promise<void> =>
    task().then((result) => {
      changed(action, path, result, to)
      return E.isLeft(result) ? fail(id, result.left) : then(result.right)
    })
  const handles = new Map<number, OpenFile | OpenDir>()
  /** Directories this channel made (paths as the user sees them). */
  const made = new Set<string>()
  let nextHandle = 1
  let ended = false

  const status = (id: number, code: number, message?: string): void => {
    if (!ended) sftp.status(id, code, message)
  }
  const fail = (id: number, error: PathIOError): void => {
    const { code, message } = statusOf(error)
    log('debug', `sftp ${account.name}: ${error.message}`)
    status(id, code, message)
  }
  /** Runs a call of the record: its `Left` is the request's status, its `Right` goes to `then`. */
  const run = <A>(
    id: number,
    task: TE.TaskEither<PathIOError, A>,
    then: (a: A) => void | Promise<void>
  ): Promise<void> => task().then((result) => (E.isLeft(result) ? fail(id, result.left) : then(result.right)))
  const ok = (id: number) => (): void => status(id, STATUS.OK)

  const register = (entry: OpenFile | OpenDir): Buffer => {
    const key = nextHandle++
    handles.set(key, entry)
    const buffer = Buffer.alloc(4)
    buffer.writeUInt32BE(key)
    return buffer
  }
  const lookup = (handle: Buffer): OpenFile | OpenDir | undefined =>
    handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined
  const badHandle = (id: number): void => status(id, STATUS.FAILURE, 'BadHandle')
  const tooMany = (id: number): boolean => {
    if (handles.size < MAX_HANDLES) return false
    status(id, STATUS.FAILURE, `Busy: at most ${MAX_HANDLES} open handles`)
    return true
  }
  /** Runs `step` after every earlier request of the same handle. */
  const inTurn = (entry: OpenFile | OpenDir, step: () => Promise<void>): void => {
    entry.queue = entry.queue
      .then(step)
      .catch((error: unknown) => log('error', `sftp ${account.name}: ${String(error)}`))
  }
  /** Moves the record's handle to `offset` unless it is there. */
  const seekTo = (id: number, file: OpenFile, offset: number, then: () => Promise<void> | void): Promise<void> =>
    file.position === offset
      ? Promise.resolve(then())
      : run(id, io.seek(file.handle, offset), (at) => {
          file.position = at
          return then()
        })

  /** STAT and LSTAT need `e` or `l` where they look; the record's `stat` asks for no letter. */
  const statOf = (id: number, path: string): void => {
    if (!permits(account, 'l', path) && !permits(account, 'e', path))
      return status(id, STATUS.PERMISSION_DENIED, 'Permission denied')
    void run(id, io.stat(path), (stat) => sftp.attrs(id, attributesOf(stat)))
  }

  /** The record's open mode for SSH_FXF_* flags: `wb` only when asked to truncate, or for a file that does not exist. */
  const openMode = (path: string, flags: number): Promise<E.Either<PathIOError, OpenMode>> => {
    if ((flags & WRITE) === 0) return Promise.resolve(E.right('rb'))
    if ((flags & APPEND) !== 0) return Promise.resolve(E.right('ab'))
    if ((flags & TRUNC) !== 0 && (flags & EXCL) === 0) return Promise.resolve(E.right('wb'))
    if ((flags & CREAT) === 0) return Promise.resolve(E.right('r+b'))
    return io
      .exists(path)()
      .then(
        E.chain((exists): E.Either<PathIOError, OpenMode> =>
          exists && (flags & EXCL) !== 0
            ? E.left(pathIOError('AlreadyExists', 'open', { path }))
            : E.right(exists && (flags & TRUNC) === 0 ? 'r+b' : 'wb')
        )
      )
  }

  /** Sets what a SETSTAT asks, in order (size, mode, times); stops at the first failure. */
  const setAttributes = async (
    id: number,
    path: string,
    attrs: SetAttributes,
    file: OpenFile | undefined
  ): Promise<void> => {
    if (attrs.uid !== undefined || attrs.gid !== undefined)
      return status(id, STATUS.OP_UNSUPPORTED, 'Owners are not supported')
    // A new file holds exactly what was written: setting that size (scp does, after the last write) has nothing to do,
    // and needs no `truncate` from a backend that has none (S3).
    const sized = file !== undefined && file.mode === 'wb' && attrs.size === file.written
    if (attrs.size !== undefined && !sized) {
      const size = attrs.size
      const cut =
        file !== undefined
          ? await io.truncate(file.handle, size)()
          : await (async () => {
              const opened = await io.open(path, 'r+b')()
              if (E.isLeft(opened)) return opened
              const truncated = await io.truncate(opened.right, size)()
              await io.close(opened.right)()
              return truncated
            })()
      if (E.isLeft(cut)) return fail(id, cut.left)
      if (file !== undefined) file.written = size
    }
    if (file !== undefined) {
      // The file appears under its name (an upload) or changes (an update) only at CLOSE: its mode and time are set then.
      if (attrs.mode !== undefined && !permits(account, 'M', path))
        return status(id, STATUS.PERMISSION_DENIED, 'Permission denied')
      if (attrs.mtime !== undefined && !permits(account, 'T', path))
        return status(id, STATUS.PERMISSION_DENIED, 'Permission denied')
      if (attrs.mode !== undefined) file.pending.mode = attrs.mode & 0o7777
      if (attrs.mtime !== undefined) file.pending.mtime = attrs.mtime * 1000
      return status(id, STATUS.OK)
    }
    if (attrs.mode !== undefined) {
      // `put -r` and `scp -r` set a mode on each directory they make: on those, no `M` is needed.
      const record = made.has(path) ? context.modeIO() : io
      const moded = await record.chmod(path, attrs.mode & 0o7777)()
      changed('chmod', path, moded)
      if (E.isLeft(moded)) return fail(id, moded.left)
    }
    if (attrs.mtime !== undefined) {
      const touched = await io.utimes(path, Math.max(0, attrs.mtime) * 1000)()
      changed('utimes', path, touched)
      if (E.isLeft(touched)) return fail(id, touched.left)
    }
    status(id, STATUS.OK)
  }

  /** Closes a file, then sets the attributes a FSETSTAT left for it. */
  const closeFile = async (file: OpenFile): Promise<E.Either<PathIOError, void>> => {
    const closed = await io.close(file.handle)()
    if (E.isLeft(closed)) {
      transferred(file, 'failed')
      return closed
    }
    // The client was told of the failed write; its CLOSE must not sound like a complete upload.
    if (file.failed) {
      transferred(file, 'failed')
      return E.left(
        pathIOError('Unknown', 'close', { path: file.path, detail: 'a write failed: the upload was abandoned' })
      )
    }
    transferred(file, 'ok')
    if (file.pending.mode !== undefined) await io.chmod(file.path, file.pending.mode)()
    if (file.pending.mtime !== undefined) await io.utimes(file.path, file.pending.mtime)()
    return closed
  }

  sftp.on('OPEN', (id: number, filename: string, flags: number) => {
    if (tooMany(id)) return
    const path = resolve(filename)
    void openMode(path, flags).then((mode) => {
      if (E.isLeft(mode)) return fail(id, mode.left)
      return run(id, io.open(path, mode.right), (handle) => {
        if (ended) return void io.close(handle)()
        const rate = mode.right === 'rb' ? context.maxDownloadRate : context.maxUploadRate
        const file: OpenFile = {
          kind: 'file',
          path,
          handle,
          mode: mode.right,
          position: 0,
          written: 0,
          queue: Promise.resolve(),
          pending: {},
          failed: false,
          moved: 0,
          since: performance.now(),
          pace: makePace(rate)
        }
        sftp.handle(id, register(file))
      })
    })
  })

  sftp.on('READ', (id: number, handle: Buffer, offset: number, length: number) => {
    const file = lookup(handle)
    if (file?.kind !== 'file') return badHandle(id)
    inTurn(file, () =>
      seekTo(id, file, offset, () =>
        run(id, io.read(file.handle, Math.min(length, MAX_READ)), async (data) => {
          file.position += data.length
          file.moved += data.length
          if (data.length === 0) return status(id, STATUS.EOF)
          await file.pace(data.length)
          if (!ended) sftp.data(id, bufferOf(data))
        })
      )
    )
  })

  sftp.on('WRITE', (id: number, handle: Buffer, offset: number, data: Buffer) => {
    const file = lookup(handle)
    if (file?.kind !== 'file') return badHandle(id)
    const write = (): Promise<void> =>
      run(id, io.write(file.handle, data), async (count) => {
        file.position += count
        file.moved += count
        file.written = Math.max(file.written, file.position)
        await file.pace(count)
        status(id, STATUS.OK)
      })
    inTurn(file, async () => {
      // Every write of an `ab` file lands at its end, wherever the client says.
      await (file.mode === 'ab' ? write() : seekTo(id, file, offset, write))
      // A write that failed half-way must not be committed at CLOSE as if it were the whole file.
      if (file.mode !== 'ab' && file.position < offset + data.length) {
        file.failed = true
        abandonWrite(file.handle)
      }
    })
  })

  sftp.on('CLOSE', (id: number, handle: Buffer) => {
    const entry = lookup(handle)
    if (entry === undefined) return badHandle(id)
    handles.delete(handle.readUInt32BE(0))
    inTurn(entry, () =>
      entry.kind === 'file' ? run(id, () => closeFile(entry), ok(id)) : run(id, io.closedir(entry.handle), ok(id))
    )
  })

  sftp.on('FSTAT', (id: number, handle: Buffer) => {
    const file = lookup(handle)
    if (file?.kind !== 'file') return badHandle(id)
    inTurn(file, async () => {
      const stat = await io.stat(file.path)()
      // An upload has no name until it is closed: its attributes are what was written so far.
      const fallback: Stat = { size: file.written, mtimeMs: Date.now(), ctimeMs: Date.now(), nlink: 1, mode: 0o100644 }
      if (E.isRight(stat))
        sftp.attrs(id, attributesOf(file.mode === 'wb' ? { ...stat.right, size: file.written } : stat.right))
      else if (file.mode !== 'rb') sftp.attrs(id, attributesOf(fallback))
      else fail(id, stat.left)
    })
  })

  sftp.on('STAT', (id: number, path: string) => statOf(id, resolve(path)))
  sftp.on('LSTAT', (id: number, path: string) => statOf(id, resolve(path)))

  sftp.on(
    'SETSTAT',
    (id: number, path: string, attrs: SetAttributes) => void setAttributes(id, resolve(path), attrs, undefined)
  )
  sftp.on('FSETSTAT', (id: number, handle: Buffer, attrs: SetAttributes) => {
    const entry = lookup(handle)
    if (entry === undefined) return badHandle(id)
    inTurn(entry, () => setAttributes(id, entry.path, attrs, entry.kind === 'file' ? entry : undefined))
  })

  sftp.on('OPENDIR', (id: number, path: string) => {
    if (tooMany(id)) return
    const where = resolve(path)
    void run(id, io.opendir(where), (handle) => {
      if (ended) return void io.closedir(handle)()
      sftp.handle(id, register({ kind: 'dir', path: where, handle, queue: Promise.resolve() }))
    })
  })

  sftp.on('READDIR', (id: number, handle: Buffer) => {
    const dir = lookup(handle)
    if (dir?.kind !== 'dir') return badHandle(id)
    inTurn(dir, () =>
      run(id, io.readdir(dir.handle, PAGE), (page) => {
        if (page.length === 0) return status(id, STATUS.EOF)
        const now = Date.now()
        sftp.name(
          id,
          page.map((entry) => ({
            filename: entry.name,
            longname: longnameOf(entry.name, entry.stat, account.name, now),
            attrs: attributesOf(entry.stat)
          }))
        )
      })
    )
  })

  sftp.on('REMOVE', (id: number, path: string) => void change(id, 'delete', resolve(path), io.unlink(resolve(path))))
  sftp.on('RMDIR', (id: number, path: string) => void change(id, 'rmdir', resolve(path), io.rmdir(resolve(path))))
  sftp.on('MKDIR', (id: number, path: string) => {
    const where = resolve(path)
    void change(id, 'mkdir', where, io.mkdir(where), undefined, () => {
      made.add(where)
      status(id, STATUS.OK)
    })
  })

  // REALPATH needs no letter (OpenSSH's client asks `realpath .` first); a missing path is resolved lexically, as the jail is.
  sftp.on('REALPATH', (id: number, path: string) => {
    const where = resolve(path)
    void io
      .realpath(where)()
      .then((real) => {
        if (E.isLeft(real) && real.left.reason !== 'NotFound' && real.left.reason !== 'NotADirectory')
          return fail(id, real.left)
        const name = E.isRight(real) ? real.right : where
        sftp.name(id, [{ filename: name, longname: name, attrs: {} as never }])
      })
  })

  /** SFTP v3's RENAME does not replace an existing target (as OpenSSH's server); posix-rename does. */
  const rename = (id: number, from: string, to: string, replace: boolean): void => {
    const source = resolve(from)
    const target = resolve(to)
    const go = (): Promise<void> => change(id, 'rename', source, io.rename(source, target), target)
    if (replace) return void go()
    void run(id, io.exists(target), (exists) => (exists ? status(id, STATUS.FAILURE, 'AlreadyExists') : go()))
  }
  sftp.on('RENAME', (id: number, from: string, to: string) => rename(id, from, to, false))

  sftp.on('EXTENDED', (id: number, name: string, data: Buffer) => {
    // OpenSSH's client asks, and then reads and writes in blocks of up to 255 KiB instead of 32 KiB.
    if (name === 'limits@openssh.com' && replyExtended(sftp, id, LIMITS)) return
    if (name !== 'posix-rename@openssh.com') return status(id, STATUS.OP_UNSUPPORTED, `${name} is not supported`)
    const strings = wireStrings(data)
    if (strings === undefined || strings.length !== 2) return status(id, STATUS.BAD_MESSAGE, 'Malformed posix-rename')
    rename(id, strings[0], strings[1], true)
  })

  // Links would be a way round the jail's paths: never made, never read.
  sftp.on('READLINK', (id: number) => status(id, STATUS.OP_UNSUPPORTED, 'Links are not supported'))
  sftp.on('SYMLINK', (id: number) => status(id, STATUS.OP_UNSUPPORTED, 'Links are not supported'))

  return {
    end: async () => {
      if (ended) return
      ended = true
      const open = [...handles.values()]
      handles.clear()
      await Promise.all(
        open.map(async (entry) => {
          // An upload the client did not close is not complete: its temporary goes, the old file stays.
          if (entry.kind === 'file') abandonWrite(entry.handle)
          await entry.queue
          await (entry.kind === 'file' ? io.close(entry.handle)() : io.closedir(entry.handle)())
          if (entry.kind === 'file') transferred(entry, 'aborted')
        })
      )
    }
  }
}

/** The SSH strings of an EXTENDED request's data (UTF-8); `undefined` when one runs past the end. */
const wireStrings = (data: Buffer): ReadonlyArray<string> | undefined => {
  const strings: Array<string> = []
  let at = 0
  while (at < data.length) {
    if (at + 4 > data.length) return undefined
    const length = data.readUInt32BE(at)
    if (at + 4 + length > data.length) return undefined
    strings.push(data.toString('utf8', at + 4, at + 4 + length))
    at += 4 + length
  }
  return strings
}
