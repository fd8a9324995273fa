/**
 * Reads, writes and sizes on an open descriptor, run by libuv's own threads
 * through Node's `fs` callbacks, the way `fs.promises` runs them: the event
 * loop never waits, and no worker has to be woken, sent a message and heard
 * back from. Each is a system call or two on a descriptor (process-wide), so
 * nothing here needs a worker's state, its jail, or its journal.
 *
 * The same semantics as `readBlock` and `writeBlock` of `../disk/operations`
 * (which the workers and the Node backend run): a read allocates at most what
 * the file holds, a short read or write is continued, an `ab` write learns
 * the new end with an `fstat`. Nothing here rejects: a failure is a `Left`.
 */
import * as fs from 'node:fs'
import * as E from 'fp-ts/Either'
import { toPathIOError, type PathIOError } from '../../PathIOError'
import type { Cursor } from '../disk/operations'

type Answer<A> = Promise<E.Either<PathIOError, A>>

type Callback<A> = (error: NodeJS.ErrnoException | null, value: A) => void

/** One `fs` callback call as a promise (rejected with the errno error). */
const call = <A>(run: (done: Callback<A>) => void): Promise<A> =>
  new Promise((resolve, reject) => run((error, value) => (error === null ? resolve(value) : reject(error))))

const fstatSize = (fd: number): Promise<number> => call<fs.Stats>((done) => fs.fstat(fd, done)).then((stats) => stats.size)

/** Up to `size` bytes (to the end when `undefined`) at the cursor's position; updates the size it saw. */
export const readDirect = async (cursor: Cursor, size: number | undefined): Answer<Buffer> => {
  try {
    const { fd, position } = cursor
    let length: number
    if (size !== undefined && position + size <= cursor.size) length = size
    else {
      cursor.size = await fstatSize(fd)
      const remaining = Math.max(0, cursor.size - position)
      length = size === undefined ? remaining : Math.min(size, remaining)
    }
    const buffer = Buffer.allocUnsafeSlow(length)
    let filled = 0
    while (filled < length) {
      const n = await call<number>((done) => fs.read(fd, buffer, filled, length - filled, position + filled, done))
      if (n === 0) break
      filled += n
    }
    return E.right(filled === length ? buffer : buffer.subarray(0, filled))
  } catch (thrown) {
    return E.left(toPathIOError('read', undefined)(thrown))
  }
}

/** All of `data` at the cursor's position (at the end with `append`); gives the position after it. */
export const writeDirect = async (cursor: Cursor, data: Uint8Array, append: boolean): Answer<number> => {
  try {
    const { fd, position } = cursor
    const length = data.length
    let written = 0
    while (written < length)
      written += await call<number>((done) => fs.write(fd, data, written, length - written, append ? null : position + written, done))
    if (append) return E.right((cursor.size = await fstatSize(fd)))
    const end = position + length
    if (end > cursor.size) cursor.size = end
    return E.right(end)
  } catch (thrown) {
    return E.left(toPathIOError('write', undefined)(thrown))
  }
}

/** The file's current size (for `seek` from the end). */
export const sizeDirect = (fd: number): Answer<number> =>
  fstatSize(fd).then(E.right, (thrown: unknown) => E.left(toPathIOError('seek', undefined)(thrown)))
