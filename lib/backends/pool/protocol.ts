/**
 * The messages between the pool and its workers, as io-ts codecs: the worker
 * checks every request, the pool checks every reply (errors with
 * `PathIOErrorCodec`). File data crosses as transferred `ArrayBuffer`s, never
 * as clones: a read's bytes come back in one; a write's go in a buffer of the
 * pool's that the worker moves back with its answer, for reuse. Jobs and
 * answers travel many to a message (`BatchCodec`, `ReplyBatchCodec`).
 *
 * One `PathIO` operation is one request: `mkdir` with `parents`, `rename`'s
 * checks and `scan`'s stat per child all run inside the worker.
 */
import * as t from 'io-ts'
import { OpenMode } from '../../PathIO'
import type * as E from 'fp-ts/Either'
import { PathIOErrorCodec, type PathIOError } from '../../PathIOError'

const instanceOf = <A>(name: string, ctor: new (...args: never) => A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => u instanceof ctor,
    (u, c) => (u instanceof ctor ? t.success(u) : t.failure(u, c)),
    t.identity
  )

/** An `ArrayBuffer` (transferred, so it arrives without a copy). */
export const ArrayBufferCodec = instanceOf('ArrayBuffer', ArrayBuffer)
export const Float64ArrayCodec = instanceOf('Float64Array', Float64Array)

/** A non-negative safe integer: a descriptor, a position, a size. */
export const Natural = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Natural')

/** A positive safe integer: a page's most entries. */
export const Positive = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'Positive')

/** A path as the caller gave it (for errors) and as the pool resolved it (for the disk); `root` when jailed. */
export const TargetCodec = t.intersection(
  [t.type({ path: t.string, resolved: t.string }), t.partial({ root: t.string })],
  'Target'
)

const onPath = <K extends string>(op: K) => t.type({ op: t.literal(op), target: TargetCodec })

/** Every request a worker serves. */
export const RequestCodec = t.union(
  [
    onPath('exists'),
    onPath('isDir'),
    onPath('isFile'),
    onPath('stat'),
    onPath('realpath'),
    onPath('rmdir'),
    onPath('unlink'),
    onPath('list'),
    onPath('scan'),
    /** A listing lives in the worker that opened it: `readdir` and `closedir` go to that worker, by its id there. */
    onPath('opendir'),
    t.type({ op: t.literal('readdir'), dir: Natural, max: Positive }),
    t.type({ op: t.literal('closedir'), dir: Natural }),
    t.type({ op: t.literal('mkdir'), target: TargetCodec, parents: t.boolean, existOk: t.boolean }),
    t.type({ op: t.literal('rename'), source: TargetCodec, destination: TargetCodec }),
    t.type({ op: t.literal('open'), target: TargetCodec, mode: OpenMode }),
    t.type({ op: t.literal('read'), fd: Natural, position: Natural, size: t.union([Natural, t.null]), known: Natural }),
    /** The bytes are `data`'s first `length`; the worker moves `data` back with its answer, for reuse. */
    t.type({
      op: t.literal('write'),
      fd: Natural,
      position: Natural,
      data: ArrayBufferCodec,
      length: Natural,
      append: t.boolean,
      known: Natural
    }),
    t.type({ op: t.literal('size'), fd: Natural }),
    t.type({ op: t.literal('close'), fd: Natural }),
    t.type({ op: t.literal('utimes'), target: TargetCodec, mtimeMs: Natural }),
    /** Permission bits only: an integer from 0 to 0o7777. */
    t.type({
      op: t.literal('chmod'),
      target: TargetCodec,
      mode: t.refinement(Natural, (n) => n <= 0o7777, 'PermissionBits')
    }),
    t.type({ op: t.literal('truncate'), fd: Natural, size: Natural }),
    /** Ends the worker once it has answered everything sent before (`code` 0), or at once, as a crash (any other code). */
    t.type({ op: t.literal('exit'), code: t.number })
  ],
  'Request'
)

export type Request = t.TypeOf<typeof RequestCodec>
export type RequestOp = Request['op']

/** A job as the pool posts it: its id and its request. */
export const EnvelopeCodec = t.type({ id: Natural, request: t.unknown }, 'Envelope')

/**
 * What the pool posts: the jobs given to one worker in one turn of the event
 * loop, as one message (a message costs far more than a job's bytes).
 */
export const BatchCodec = t.array(EnvelopeCodec, 'Batch')

export const StatCodec = t.type(
  { size: t.number, mtimeMs: t.number, ctimeMs: t.number, nlink: t.number, mode: t.number },
  'Stat'
)

export const ScanCodec = t.type({ names: t.array(t.string), stats: Float64ArrayCodec }, 'ScanColumns')
export const OpenedCodec = t.type({ fd: Natural, size: Natural }, 'Opened')
export const ReadCodec = t.type({ buffer: ArrayBufferCodec, length: Natural, size: Natural }, 'ReadResult')
/** An opened listing: its id in the worker, and the worker's `threadId` (where its pages must be asked). */
export const ListingCodec = t.type({ id: Natural, thread: Natural }, 'Listing')
export const WriteCodec = t.type({ position: Natural, size: Natural }, 'WriteResult')

/** The value a successful request of each kind answers with. */
export const RESULT_CODECS = {
  exists: t.boolean,
  isDir: t.boolean,
  isFile: t.boolean,
  stat: StatCodec,
  realpath: t.string,
  rmdir: t.undefined,
  unlink: t.undefined,
  list: t.array(t.string),
  scan: ScanCodec,
  opendir: ListingCodec,
  readdir: ScanCodec,
  closedir: t.undefined,
  mkdir: t.undefined,
  rename: t.undefined,
  open: OpenedCodec,
  read: ReadCodec,
  write: WriteCodec,
  size: Natural,
  close: t.undefined,
  utimes: t.undefined,
  chmod: t.undefined,
  truncate: t.undefined,
  exit: t.undefined
} satisfies Record<RequestOp, t.Mixed>

export type ResultOf<K extends RequestOp> = t.TypeOf<(typeof RESULT_CODECS)[K]>

/** A worker's answer to one job: its id, an `Either` (a `PathIOError` on the left), and a write's buffer moved back. */
export const ReplyCodec = t.intersection(
  // `spare` is optional (`t.partial`): `t.type`'s `.is` would want the key present even when undefined.
  [t.type({ id: Natural, result: t.unknown }), t.partial({ spare: ArrayBufferCodec })],
  'Reply'
)

/** What a worker posts: the answers to one batch, as one message. */
export const ReplyBatchCodec = t.array(ReplyCodec, 'ReplyBatch')

const LeftCodec = t.type({ _tag: t.literal('Left'), left: PathIOErrorCodec })

const eitherOf = <C extends t.Mixed>(right: C) => t.union([LeftCodec, t.type({ _tag: t.literal('Right'), right })])

/** A reply's `Either`, checked against its request's result codec (`.is` on the hot path: nothing is transformed). */
export type ReplyDecoder = t.Decoder<unknown, E.Either<PathIOError, unknown>> & {
  readonly is: t.Is<E.Either<PathIOError, unknown>>
}

/** The decoder of a reply's `Either` for each kind of request (built once, not per reply). */
export const REPLY_RESULT_CODECS: Readonly<Record<RequestOp, ReplyDecoder>> = Object.fromEntries(
  Object.entries(RESULT_CODECS).map(([op, codec]) => [op, eitherOf(codec)])
) as unknown as Record<RequestOp, ReplyDecoder>

/** The reply to an `open`, typed: the pool closes the descriptor of one that comes too late. */
export const OPEN_REPLY_CODEC = eitherOf(OpenedCodec)
