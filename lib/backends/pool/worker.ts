/**
 * A pool worker: checks each request, runs it with the disk operations the
 * Node backend uses too, and answers with an `Either`. It holds no state of
 * its own (descriptors are process-wide and positions travel with each job),
 * so any worker can serve any call.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads'
import * as E from 'fp-ts/Either'
import { PathReporter } from 'io-ts/PathReporter'
import { pathIOError, type PathIOError } from '../../PathIOError'
import * as disk from '../disk/syscalls'
import { BatchCodec, RequestCodec, type Request } from './protocol'
import { closing, journalOf, opened, started } from './journal'
import { makeNextMessage, spinLockOf } from './spin'

const port = parentPort
if (port === null) throw new Error('lib/backends/pool/worker runs only as a worker thread of the pool')
/** Where this worker notes the job it starts and the descriptors it opens, for the pool to clean up after its death. */
const journal = journalOf(workerData)
/** The next batch: one waiting, or one that comes while this worker polls awake after answering (see `./spin`). */
const nextBatch = makeNextMessage(port, spinLockOf(workerData), threadId)

type Answer = E.Either<PathIOError, unknown>

/**
 * The listings this worker holds open, by id: a listing's stream stays in
 * the worker that opened it. One whose end was read is closed and dropped
 * at once. When the worker ends they are closed (on a crash, Node's own
 * teardown closes the streams).
 */
const listings = new Map<number, disk.DiskListing>()
let nextListing = 0

const closeEveryListing = (): void => {
  for (const listing of listings.values()) disk.closeListing(listing)
  listings.clear()
}

/** What the reply carries, and what it hands over instead of copying. */
interface Served {
  readonly result: Answer
  readonly transfer: Array<ArrayBuffer>
  /** A write's buffer, moved back to the pool to be used again. */
  readonly spare?: ArrayBuffer
}

const plain = (result: Answer): Served => ({ result, transfer: [] })

/** A thrown errno error does not cross the thread boundary whole: keep what matters as a plain record. */
const cloneableCause = (cause: unknown): unknown => {
  if (!(cause instanceof Error)) return cause === undefined ? undefined : String(cause)
  const { code, errno, syscall } = cause as NodeJS.ErrnoException
  return { name: cause.name, message: cause.message, code, errno, syscall }
}

const cloneable = (result: Answer): Answer =>
  E.isLeft(result) && 'cause' in result.left
    ? E.left({ ...result.left, cause: cloneableCause(result.left.cause) })
    : result

const malformed = (detail: string): Served =>
  plain(E.left(pathIOError('InvalidArgument', 'pool', { detail: `malformed request: ${detail}` })))

const serve = (request: Request, id: number): Served => {
  switch (request.op) {
    case 'exists':
    case 'isDir':
    case 'isFile':
      return plain(disk.probe(request.op, request.target))
    case 'stat':
      return plain(disk.stat(request.target))
    case 'realpath':
      return plain(disk.realpath(request.target))
    case 'mkdir':
      return plain(disk.mkdir(request.target, request.parents, request.existOk))
    case 'rmdir':
      return plain(disk.rmdir(request.target))
    case 'unlink':
      return plain(disk.unlink(request.target))
    case 'rename':
      return plain(disk.rename(request.source, request.destination))
    case 'list':
      return plain(disk.readNames('list', request.target))
    case 'scan': {
      const result = disk.scan(request.target)
      return { result, transfer: E.isRight(result) ? [result.right.stats.buffer as ArrayBuffer] : [] }
    }
    case 'opendir': {
      const opened = disk.opendir(request.target)
      if (E.isLeft(opened)) return plain(opened)
      const listing = nextListing++
      listings.set(listing, opened.right)
      return plain(E.right({ id: listing, thread: threadId }))
    }
    case 'readdir': {
      const listing = listings.get(request.dir)
      // The pool asks no page after the end or the close; if it did, the end is what there is.
      if (listing === undefined) return plain(E.right({ names: [], stats: new Float64Array(0) }))
      const result = disk.readPage(listing, request.max)
      if (E.isRight(result) && result.right.names.length < request.max) {
        listings.delete(request.dir)
        disk.closeListing(listing)
      }
      return { result, transfer: E.isRight(result) ? [result.right.stats.buffer as ArrayBuffer] : [] }
    }
    case 'closedir': {
      const listing = listings.get(request.dir)
      if (listing === undefined) return plain(E.right(undefined))
      listings.delete(request.dir)
      return plain(disk.closeListing(listing))
    }
    case 'open':
      return plain(disk.open(request.target, request.mode))
    case 'read': {
      const cursor = { fd: request.fd, position: request.position, size: request.known }
      const result = disk.readAt(cursor, request.size ?? undefined)
      if (E.isLeft(result)) return plain(result)
      const bytes = result.right
      const buffer = bytes.buffer as ArrayBuffer
      return { result: E.right({ buffer, length: bytes.length, size: cursor.size }), transfer: [buffer] }
    }
    case 'write': {
      const { data, length } = request
      if (length > data.byteLength) return malformed('write length past the end of its buffer')
      const cursor = { fd: request.fd, position: request.position, size: request.known }
      const written = disk.writeAt(cursor, new Uint8Array(data, 0, length), request.append)
      const result = E.map((position: number) => ({ position, size: cursor.size }))(written)
      return { result, transfer: [data], spare: data }
    }
    case 'size':
      return plain(disk.sizeOf(request.fd))
    case 'close':
      closing(journal, id)
      return plain(disk.close(request.fd))
    case 'utimes':
      return plain(disk.utimes(request.target, request.mtimeMs))
    case 'chmod':
      return plain(disk.chmod(request.target, request.mode))
    case 'truncate':
      return plain(disk.truncate(request.fd, request.size))
    case 'exit':
      return plain(E.right(undefined))
  }
}

const serveSafely = (request: unknown, id: number): Served => {
  // `.is` (no allocation) on the hot path; the report is built only for a bad request.
  if (!RequestCodec.is(request)) return malformed(PathReporter.report(RequestCodec.decode(request)).join('; '))
  try {
    return serve(request, id)
  } catch (thrown) {
    return plain(E.left(pathIOError('Unknown', 'pool', { detail: String(thrown), cause: thrown })))
  }
}

/** An `exit` request: code 0 stops listening once every answer already posted has left; any other is a crash. */
const exitCode = (request: unknown): number | undefined =>
  typeof request === 'object' &&
  request !== null &&
  (request as { op?: unknown }).op === 'exit' &&
  RequestCodec.is(request)
    ? (request as { code: number }).code
    : undefined

/** Serves one batch and posts its answers; gives the code of an `exit` met on the way. */
const serveBatch = (batch: unknown): number | undefined => {
  // The pool checks what it sends, so this is not reached; if it were, its jobs could not be answered
  // one by one: end the worker (EX_SOFTWARE), and the pool fails every job it held with a Left.
  if (!BatchCodec.is(batch)) return 70
  const replies: Array<{ readonly id: number; readonly result: Answer; readonly spare?: ArrayBuffer }> = []
  const transfer: Array<ArrayBuffer> = []
  let exit: number | undefined
  for (const { id, request } of batch) {
    exit = exitCode(request)
    if (exit !== undefined) break
    started(journal)
    const served = serveSafely(request, id)
    if (E.isRight(served.result) && (request as { op?: unknown }).op === 'open')
      opened(journal, id, (served.result.right as { fd: number }).fd)
    replies.push(
      served.spare === undefined
        ? { id, result: cloneable(served.result) }
        : { id, result: cloneable(served.result), spare: served.spare }
    )
    for (const buffer of served.transfer) transfer.push(buffer)
  }
  if (replies.length > 0) port.postMessage(replies, transfer)
  return exit
}

port.on('message', (message: unknown) => {
  // Batches that arrived meanwhile are taken at once, in order: no trip through the event loop, no wake-up each.
  let exit = serveBatch(message)
  for (let next = exit === undefined ? nextBatch() : undefined; next !== undefined;) {
    exit = serveBatch(next.message)
    next = exit === undefined ? nextBatch() : undefined
  }
  if (exit !== undefined) closeEveryListing()
  if (exit === 0) port.close()
  else if (exit !== undefined) process.exit(exit)
})
