/**
 * Read buffers for the Node and memory backends, cut from a shared slab (as Node's own
 * `Buffer` pool does for small buffers): a new `ArrayBuffer` per 8 KiB read
 * cost more than the `pread` itself. Each returned buffer owns its bytes
 * exclusively; a buffer a caller keeps holds its slab alive, so blocks larger
 * than an eighth of a slab get memory of their own.
 */
const SLAB_SIZE = 256 * 1024
const LARGEST_SLICE = SLAB_SIZE / 8

let slab = Buffer.allocUnsafeSlow(0)
let used = 0

export const allocateFromSlab = (length: number): Buffer => {
  if (length > LARGEST_SLICE) return Buffer.allocUnsafeSlow(length)
  if (used + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE)
    used = 0
  }
  const slice = slab.subarray(used, used + length)
  // Keep slices 8-byte aligned, as Node's pool does.
  used = (used + length + 7) & ~7
  return slice
}
