/**
 * The one handle table of every backend. A handle is a fresh frozen object
 * (`makeFileHandle`, `makeDirHandle`) that carries nothing; the backend maps
 * it, by identity, to what it stands for (an open file, a listing). So a
 * copy, an imitation or another backend's handle is simply not found, a
 * closed one stays in the table marked `closed` (closing twice is harmless
 * while a forged handle is still a `BadHandle`), and every backend words
 * these errors the same way.
 */
import * as E from 'fp-ts/Either'
import type { OpenMode } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'

/** What a table holds for a handle: anything that knows whether it is closed. */
export interface Held {
  closed: boolean
}

/** Handles of one kind made by one backend (or by the records sharing its state). */
export interface HandleTable<T extends Held> {
  /** What a handle of this table is, for errors: 'file handle', 'directory handle'. */
  readonly noun: string
  /** Handle -> what it stands for, by identity; a closed one stays, marked. */
  readonly held: WeakMap<object, T>
}

export const makeHandleTable = <T extends Held>(noun: string): HandleTable<T> => ({ noun, held: new WeakMap() })

/** Remembers what `handle` stands for and gives the handle back. */
export const register = <T extends Held, H extends object>(table: HandleTable<T>, handle: H, value: T): H => {
  table.held.set(handle, value)
  return handle
}

/** What the table holds for `handle` (open or closed), or `undefined`: the lookup of the hot paths. */
export const heldBy = <T extends Held>(table: HandleTable<T>, handle: unknown): T | undefined =>
  typeof handle === 'object' && handle !== null ? table.held.get(handle) : undefined

/** A `BadHandle` with the errno the kernel gives (`EBADF`). */
export const badHandle = (op: string, detail: string): PathIOError =>
  pathIOError('BadHandle', op, { code: 'EBADF', detail })

const notOurs = <T extends Held>(table: HandleTable<T>, op: string): E.Either<PathIOError, never> =>
  E.left(badHandle(op, `not a ${table.noun} of this backend`))

/** The open thing behind `handle`, or `BadHandle`: closed, forged, of another kind or of another backend. */
export const lookup = <T extends Held>(
  table: HandleTable<T>,
  op: string,
  handle: unknown
): E.Either<PathIOError, T> => {
  const found = heldBy(table, handle)
  return found === undefined || found.closed ? E.left(unusable(table, op, found)) : E.right(found)
}

/**
 * Why `lookup` refuses what `heldBy` found (`undefined`: not this table's;
 * else closed): for hot paths that test `found === undefined || found.closed`
 * themselves and make no `Either` for a usable handle.
 */
export const unusable = <T extends Held>(table: HandleTable<T>, op: string, found: T | undefined): PathIOError =>
  found === undefined ? badHandle(op, `not a ${table.noun} of this backend`) : badHandle(op, 'the handle is closed')

/** What a closed or closing handle's `close` gives once it is done. */
const RELEASED: E.Either<never, void> = E.right(undefined)

/**
 * The shape of every `close` and `closedir`: `BadHandle` when `handle` is
 * not this table's, `Right` at once when it is closed already (closing twice
 * is harmless), else the open thing marked closed and given to `free`, the
 * backend's way of letting it go (a descriptor, a download, a listing).
 * `markFirst: false` leaves the marking to `free`, for a backend that must
 * first wait for an operation in flight on the handle (the pool).
 */
export const release = <T extends Held, R>(
  table: HandleTable<T>,
  op: string,
  handle: unknown,
  free: (open: T) => R,
  markFirst = true
): R | E.Either<PathIOError, void> => {
  const found = heldBy(table, handle)
  if (found === undefined) return notOurs(table, op)
  if (found.closed) return RELEASED
  if (markFirst) found.closed = true
  return free(found)
}

/** An open file whose mode allows reading (`rb`, `r+b`), or `BadHandle`. */
export const readable = <F extends { readonly mode: OpenMode }>(open: F, op = 'read'): E.Either<PathIOError, F> => {
  const refused = notReadable(open, op)
  return refused === undefined ? E.right(open) : E.left(refused)
}

/** Why an open file cannot be read (`BadHandle`: opened only for writing), or `undefined`. */
export const notReadable = (open: { readonly mode: OpenMode }, op = 'read'): PathIOError | undefined =>
  open.mode === 'rb' || open.mode === 'r+b'
    ? undefined
    : badHandle(op, `the handle was opened '${open.mode}', not for reading`)

/** An open file whose mode allows writing (anything but `rb`), or `BadHandle`. */
export const writable = <F extends { readonly mode: OpenMode }>(open: F, op = 'write'): E.Either<PathIOError, F> => {
  const refused = notWritable(open, op)
  return refused === undefined ? E.right(open) : E.left(refused)
}

/** Why an open file cannot be written (`BadHandle`: opened `rb`), or `undefined`. */
export const notWritable = (open: { readonly mode: OpenMode }, op = 'write'): PathIOError | undefined =>
  open.mode === 'rb' ? badHandle(op, "the handle was opened 'rb', not for writing") : undefined
