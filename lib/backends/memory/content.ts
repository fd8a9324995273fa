/**
 * A memory file's bytes: a sparse array of fixed-size chunks. A chunk that
 * was never written is not there and reads as zeros, so a hole costs nothing
 * (`REST 1073741824` then a one-byte STOR holds one byte, not a gigabyte);
 * growth adds a chunk instead of copying everything written so far; and every
 * byte a file holds is counted against its tree's `Budget`.
 */
import { allocateFromSlab } from '../../internal/slab'

/** Bytes per chunk: a 1 MiB write lands in one chunk, a hole of a chunk or more holds nothing. */
export const CHUNK_SIZE = 2 ** 20

/**
 * One chunk: `bytes[0, used)` are the file's; from `used` to the end of the
 * chunk the file reads zeros (the buffer may hold stale bytes there, never shown).
 */
interface Chunk {
  bytes: Buffer
  used: number
}

/** A file's bytes: `chunks[k]` covers `[k * CHUNK_SIZE, (k + 1) * CHUNK_SIZE)`. */
export interface Content {
  chunks: Array<Chunk | undefined>
  size: number
}

/**
 * The bytes a tree's files hold (buffer capacity, not file sizes: a hole
 * counts nothing, spare capacity counts until it is trimmed), and the most
 * they may hold.
 */
export interface Budget {
  readonly max: number
  held: number
}

/** Doubling within a chunk (a small file holds little more than its size); a chunk after a full one is sized whole at once. */
const capacityFor = (k: number, chunks: Content['chunks'], capacity: number, needed: number): number => {
  if (capacity === 0 && k > 0 && chunks[k - 1]?.used === CHUNK_SIZE) return CHUNK_SIZE
  return Math.min(CHUNK_SIZE, Math.max(needed, capacity * 2))
}

/**
 * Whole chunks that released files gave back, process-wide, reused before
 * new memory is asked for: a fresh page costs a fault the first time it is
 * touched, and that, not the copy, is most of a write's time. Bounded, so an
 * idle process keeps at most `SPARE_CHUNKS` MiB. A reused chunk's old bytes
 * are never shown: only `[0, used)` is read, and a gap is zeroed when written.
 */
const SPARE_CHUNKS = 64
const spare: Array<Buffer> = []

/** The bytes the spare chunks hold (memory the process keeps that no file does). */
export const spareBytes = (): number => spare.length * CHUNK_SIZE

const recycle = (bytes: Buffer): void => {
  if (bytes.length === CHUNK_SIZE && spare.length < SPARE_CHUNKS) spare.push(bytes)
}

/** `Buffer.allocUnsafe` takes small buffers from Node's shared pool; large ones get memory of their own. */
const allocate = (length: number): Buffer =>
  length === CHUNK_SIZE && spare.length > 0 ? (spare.pop() as Buffer) : Buffer.allocUnsafe(length)

/** Puts `fresh` in as chunk `k`, keeping what the old buffer held before `start` (the write covers the rest). */
const adopt = (content: Content, k: number, fresh: Buffer, start: number, budget: Budget): Chunk => {
  const { chunks } = content
  const old = chunks[k]
  budget.held += fresh.length
  if (old === undefined) {
    const made: Chunk = { bytes: fresh, used: 0 }
    // A file's first chunk gets a list of one: a store into an empty array would give it room for 17.
    if (k === 0 && chunks.length === 0) content.chunks = [made]
    else chunks[k] = made
    return made
  }
  if (old.used > 0) old.bytes.copy(fresh, 0, 0, Math.min(old.used, start))
  budget.held -= old.bytes.length
  old.bytes = fresh
  return old
}

/** Copies `data` into `chunk` at `start` (to `stop`); bytes between what the chunk holds and `start` are a hole: zeros. */
const copyInto = (chunk: Chunk, data: Uint8Array, start: number, stop: number): void => {
  if (start > chunk.used) chunk.bytes.fill(0, chunk.used, start)
  chunk.bytes.set(data, start)
  if (stop > chunk.used) chunk.used = stop
}

/** `writeAt` of a write that lands in one chunk (every write of a small file): one pass, no list of new buffers. */
const writeInOneChunk = (content: Content, budget: Budget, k: number, position: number, data: Uint8Array): boolean => {
  const base = k * CHUNK_SIZE
  const start = position - base
  const stop = start + data.length
  let chunk = content.chunks[k]
  const capacity = chunk === undefined ? 0 : chunk.bytes.length
  if (stop > capacity) {
    const least = stop - capacity
    if (budget.held + least > budget.max) return false
    const room = budget.max - budget.held - least
    const generous = capacityFor(k, content.chunks, capacity, stop)
    chunk = adopt(content, k, allocate(stop + Math.min(generous - stop, room)), start, budget)
  }
  copyInto(chunk as Chunk, data, start, stop)
  if (base + stop > content.size) content.size = base + stop
  return true
}

/**
 * Writes `data` at `position`, growing what it must; a gap before it reads
 * as zeros. Returns `false`, having changed nothing, when the bytes it would
 * add do not fit the budget. A failed allocation throws before anything
 * changed (a `RangeError`: the caller's "out of memory").
 */
export const writeAt = (content: Content, budget: Budget, position: number, data: Uint8Array): boolean => {
  if (data.length === 0) return true
  const end = position + data.length
  const first = Math.floor(position / CHUNK_SIZE)
  const last = Math.floor((end - 1) / CHUNK_SIZE)
  if (first === last) return writeInOneChunk(content, budget, first, position, data)
  const { chunks } = content
  // First pass: the bytes this write must add at the least; nothing is touched yet.
  let least = 0
  for (let k = first; k <= last; k++) {
    const needed = Math.min(end - k * CHUNK_SIZE, CHUNK_SIZE)
    const capacity = chunks[k]?.bytes.length ?? 0
    if (needed > capacity) least += needed - capacity
  }
  if (budget.held + least > budget.max) return false
  // Second pass: every new buffer, before any chunk changes (an allocation may throw).
  let grown: Array<Buffer | undefined> | undefined
  if (least > 0) {
    let room = budget.max - budget.held - least
    grown = []
    for (let k = first; k <= last; k++) {
      const needed = Math.min(end - k * CHUNK_SIZE, CHUNK_SIZE)
      const capacity = chunks[k]?.bytes.length ?? 0
      if (needed <= capacity) {
        grown.push(undefined)
        continue
      }
      // Spare capacity only where the budget has room for it.
      const generous = capacityFor(k, chunks, capacity, needed)
      const extra = Math.min(generous - needed, room)
      room -= extra
      grown.push(allocate(needed + extra))
    }
  }
  // Third pass: copy, chunk by chunk.
  let from = 0
  for (let k = first; k <= last; k++) {
    const base = k * CHUNK_SIZE
    const start = Math.max(position - base, 0)
    const stop = Math.min(end - base, CHUNK_SIZE)
    const fresh = grown?.[k - first]
    // A chunk that needed no new buffer exists already (its capacity covered the write).
    const chunk = fresh === undefined ? (content.chunks[k] as Chunk) : adopt(content, k, fresh, start, budget)
    const count = stop - start
    copyInto(chunk, count === data.length ? data : data.subarray(from, from + count), start, stop)
    from += count
  }
  if (end > content.size) content.size = end
  return true
}

/** A fresh copy of at most `size` bytes from `position` (to the end when `size` is undefined); holes read as zeros. */
export const readAt = (content: Content, position: number, size: number | undefined): Buffer => {
  const available = Math.max(0, content.size - position)
  const length = size === undefined ? available : Math.min(size, available)
  // A fresh ArrayBuffer per 8 KiB block cost more than the copy: small reads come from a shared slab.
  const out = allocateFromSlab(length)
  let at = 0
  while (at < length) {
    const offset = position + at
    const k = Math.floor(offset / CHUNK_SIZE)
    const start = offset - k * CHUNK_SIZE
    const count = Math.min(CHUNK_SIZE - start, length - at)
    const chunk = content.chunks[k]
    const held = chunk === undefined ? 0 : Math.max(0, Math.min(chunk.used - start, count))
    if (chunk !== undefined && held > 0) chunk.bytes.copy(out, at, start, start + held)
    if (held < count) out.fill(0, at + held, at + count)
    at += count
  }
  return out
}

/** Spare capacity worth giving back: more than an eighth of what is used (so a closed file holds at most 1.125x its bytes). */
const worthTrimming = (chunk: Chunk): boolean => (chunk.bytes.length - chunk.used) * 8 > chunk.used

/** Gives back the spare capacity growth left (a writer is done), so a stored file holds little more than its bytes. */
export const trimContent = (content: Content, budget: Budget): void => {
  for (const chunk of content.chunks) {
    if (chunk === undefined || !worthTrimming(chunk)) continue
    const bytes = allocate(chunk.used)
    chunk.bytes.copy(bytes, 0, 0, chunk.used)
    budget.held -= chunk.bytes.length - bytes.length
    recycle(chunk.bytes)
    chunk.bytes = bytes
  }
}

/**
 * Sets the file's size, as `ftruncate(2)`: a shorter size drops the chunks
 * past it (their bytes go back to the budget) and cuts the last one; a
 * longer one adds a hole, which holds nothing and reads as zeros.
 */
export const truncateContent = (content: Content, budget: Budget, size: number): void => {
  if (size < content.size) {
    const { chunks } = content
    // Chunks [0, keep) hold bytes below `size`; the others go.
    const keep = Math.ceil(size / CHUNK_SIZE)
    for (let k = keep; k < chunks.length; k++) {
      const chunk = chunks[k]
      if (chunk === undefined) continue
      budget.held -= chunk.bytes.length
      recycle(chunk.bytes)
    }
    if (chunks.length > keep) chunks.length = keep
    const last = keep === 0 ? undefined : chunks[keep - 1]
    // What the cut chunk held past the size is never shown again: a read or a write past `used` sees zeros.
    const end = size - (keep - 1) * CHUNK_SIZE
    if (last !== undefined && last.used > end) last.used = end
  }
  content.size = size
}

/** Drops every byte (truncation, or the last name and handle gone) and gives them back to the budget. */
export const releaseContent = (content: Content, budget: Budget): void => {
  for (const chunk of content.chunks) {
    if (chunk === undefined) continue
    budget.held -= chunk.bytes.length
    recycle(chunk.bytes)
  }
  content.chunks = []
  content.size = 0
}

/** The bytes a file's chunks hold (its share of the budget). */
export const heldBy = (content: Content): number =>
  content.chunks.reduce((sum, chunk) => sum + (chunk === undefined ? 0 : chunk.bytes.length), 0)
