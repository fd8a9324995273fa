/**
 * Buffers the pool copies write data into before moving them to a worker.
 * The worker moves each one back with its answer, and it is used again: a
 * stream of writes allocates nothing after its first few blocks (each new
 * `ArrayBuffer` costs an allocation and, later, garbage-collector time).
 */

/** Smallest and largest capacity kept; a larger buffer is allocated for its write and left to the GC. */
const MIN_CAPACITY = 4 * 1024
const MAX_CAPACITY = 1024 * 1024
/** At most this many bytes wait in the bank (per pool). */
const MAX_KEPT_BYTES = 16 * 1024 * 1024

export interface BufferBank {
  /** Spare buffers by capacity (powers of two). */
  readonly spare: Map<number, Array<ArrayBuffer>>
  kept: number
}

export const makeBufferBank = (): BufferBank => ({ spare: new Map(), kept: 0 })

/** The power of two at or above `length` (at least `MIN_CAPACITY`). */
const capacityFor = (length: number): number => {
  let capacity = MIN_CAPACITY
  while (capacity < length) capacity *= 2
  return capacity
}

/** A buffer of at least `length` bytes: a spare one when there is one. */
export const take = (bank: BufferBank, length: number): ArrayBuffer => {
  if (length > MAX_CAPACITY) return new ArrayBuffer(length)
  const capacity = capacityFor(length)
  const buffer = bank.spare.get(capacity)?.pop()
  if (buffer === undefined) return new ArrayBuffer(capacity)
  bank.kept -= capacity
  return buffer
}

/** Gives a buffer back for a later write (dropped when it is not of a kept size, or the bank is full). */
export const give = (bank: BufferBank, buffer: ArrayBuffer): void => {
  const capacity = buffer.byteLength
  if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) return
  if (bank.kept + capacity > MAX_KEPT_BYTES) return
  const shelf = bank.spare.get(capacity)
  if (shelf === undefined) bank.spare.set(capacity, [buffer])
  else shelf.push(buffer)
  bank.kept += capacity
}
