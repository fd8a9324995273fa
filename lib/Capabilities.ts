/**
 * What a record can do: a plain, frozen record of flags (OpenDAL's
 * `Capability` is the model). Every `PathIO` carries one as
 * `capabilities`; a backend declares its own, middleware passes them
 * through or changes them (`readOnly` clears every flag that writes), and
 * the contract suite and the servers read them (which tests apply, what
 * FEAT announces, what to refuse before a transfer starts).
 *
 * @since 0.3.0
 */

/**
 * The order in which `list`, `scan` and a listing's pages give a
 * directory's children: `'insertion'`, the order the names were added
 * (a rename adds its destination anew); `'unspecified'`, whatever the store
 * gives (a disk's `readdir`, an object store's pages), so sort if you need one.
 *
 * @category model
 * @since 0.3.0
 */
export type ListingOrder = 'insertion' | 'unspecified'

/**
 * What a record can do. A `false` flag means the operations it names give
 * `Left Unsupported` (and change nothing), or, for the flags about
 * behaviour (`visibleWhileWriting`, `directoryTimes`, `openAfterRemoval`,
 * `atomicRename`), that the record behaves as the flag's comment says when
 * it is off. The contract asks for every flag but `symlinks` (a record
 * without links is simpler to jail) and `listingOrder`.
 *
 * @category model
 * @since 0.3.0
 */
export interface Capabilities {
  /** Changes anything at all: `open` for writing, `mkdir`, `rmdir`, `unlink`, `rename` (off: a read-only record). */
  readonly write: boolean
  /** `open(p, 'ab')`: every write lands at the end. */
  readonly append: boolean
  /** `open(p, 'r+b')`: reads and writes an existing file in place. */
  readonly update: boolean
  /** `seek` on a `wb` handle to anywhere but its position (off: a `wb` file is written in order, as an upload). */
  readonly seekWrite: boolean
  /** A `wb` file exists, truncated, from `open`, and each write shows at once (off: it appears whole at `close`). */
  readonly visibleWhileWriting: boolean
  /** A directory's `mtimeMs` follows its entries and its `nlink` counts its subdirectories (off: a directory's stat never moves). */
  readonly directoryTimes: boolean
  /** A handle keeps reading a file unlinked or renamed after it was opened (off: such a read is `NotFound`). */
  readonly openAfterRemoval: boolean
  /** Names of up to 255 bytes can be stored (off: the store refuses some shorter ones). */
  readonly longNames: boolean
  /** `rename` is one atomic step (off: a copy then a delete, between which both names exist). */
  readonly atomicRename: boolean
  /** Paths may run through symbolic links (off: none ever does, so a jail is its paths alone). */
  readonly symlinks: boolean
  /** `chmod` sets permission bits that `stat().mode` reports. */
  readonly modes: boolean
  /** `utimes` sets a path's modification time. */
  readonly times: boolean
  /** `truncate` sets the size of a file open for writing. */
  readonly truncate: boolean
  /** The order of a directory's children in listings. */
  readonly listingOrder: ListingOrder
}

/** The boolean flags of `Capabilities`. */
export type CapabilityFlag = {
  readonly [K in keyof Capabilities]: Capabilities[K] extends boolean ? K : never
}[keyof Capabilities]

/**
 * Every boolean flag, in the order of `Capabilities`.
 *
 * @example
 * import { CAPABILITY_FLAGS } from 'fp-pathio'
 * assert.ok(CAPABILITY_FLAGS.includes('append') && CAPABILITY_FLAGS.includes('symlinks'))
 *
 * @category constants
 * @since 0.3.0
 */
export const CAPABILITY_FLAGS: ReadonlyArray<CapabilityFlag> = [
  'write',
  'append',
  'update',
  'seekWrite',
  'visibleWhileWriting',
  'directoryTimes',
  'openAfterRemoval',
  'longNames',
  'atomicRename',
  'symlinks',
  'modes',
  'times',
  'truncate'
]

/**
 * The flags that say a record changes something: `readOnly` clears them
 * all. (The others describe what the record shows, which a read-only view
 * of it shows too.)
 *
 * @example
 * import { WRITE_CAPABILITIES } from 'fp-pathio'
 * assert.ok(WRITE_CAPABILITIES.includes('truncate') && !WRITE_CAPABILITIES.includes('symlinks'))
 *
 * @category constants
 * @since 0.3.0
 */
export const WRITE_CAPABILITIES: ReadonlyArray<CapabilityFlag> = [
  'write',
  'append',
  'update',
  'seekWrite',
  'visibleWhileWriting',
  'atomicRename',
  'modes',
  'times',
  'truncate'
]

const LISTING_ORDERS: ReadonlyArray<ListingOrder> = ['insertion', 'unspecified']

/** Everything the contract asks, links included (the safe assumption for a jail), in no particular order. */
const CONTRACT: Capabilities = Object.freeze({
  write: true,
  append: true,
  update: true,
  seekWrite: true,
  visibleWhileWriting: true,
  directoryTimes: true,
  openAfterRemoval: true,
  longNames: true,
  atomicRename: true,
  symlinks: true,
  modes: true,
  times: true,
  truncate: true,
  listingOrder: 'unspecified'
})

const show = (u: unknown): string => (typeof u === 'string' ? JSON.stringify(u) : u === null ? 'null' : typeof u)

/**
 * A frozen `Capabilities`: everything the contract asks (every flag on,
 * `symlinks` included, listing order `'unspecified'`) with `overrides`
 * applied. A backend declares its own with it; a flag that is not a
 * boolean, an unknown key or an unknown listing order is a `TypeError` at
 * once.
 *
 * @example
 * import { makeCapabilities } from 'fp-pathio'
 * const objectStore = makeCapabilities({ append: false, update: false, atomicRename: false, symlinks: false })
 * assert.strictEqual(objectStore.append, false)
 * assert.strictEqual(objectStore.write, true)
 * assert.ok(Object.isFrozen(objectStore))
 * assert.throws(() => makeCapabilities({ append: 'no' } as never), TypeError)
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeCapabilities = (overrides?: Partial<Capabilities>): Capabilities => {
  if (overrides === undefined) return CONTRACT
  if (typeof overrides !== 'object' || overrides === null)
    throw new TypeError(`capabilities must be a record of flags, got ${show(overrides)}`)
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'listingOrder') {
      if (!(LISTING_ORDERS as ReadonlyArray<unknown>).includes(value))
        throw new TypeError(
          `capabilities: 'listingOrder' must be one of ${LISTING_ORDERS.join(', ')}, got ${show(value)}`
        )
    } else if (!(CAPABILITY_FLAGS as ReadonlyArray<string>).includes(key)) {
      throw new TypeError(`capabilities: unknown flag '${key}'`)
    } else if (typeof value !== 'boolean') {
      throw new TypeError(`capabilities: '${key}' must be a boolean, got ${show(value)}`)
    }
  }
  return Object.freeze({ ...CONTRACT, ...overrides })
}

/**
 * Whether `u` is a whole `Capabilities` record: every flag a boolean and a
 * known listing order.
 *
 * @example
 * import { isCapabilities, makeCapabilities } from 'fp-pathio'
 * assert.ok(isCapabilities(makeCapabilities()))
 * assert.ok(!isCapabilities({ append: true }))
 *
 * @category refinements
 * @since 0.3.0
 */
export const isCapabilities = (u: unknown): u is Capabilities =>
  typeof u === 'object' &&
  u !== null &&
  CAPABILITY_FLAGS.every((flag) => typeof (u as Record<string, unknown>)[flag] === 'boolean') &&
  (LISTING_ORDERS as ReadonlyArray<unknown>).includes((u as Record<string, unknown>).listingOrder)

/**
 * `capabilities` with every flag of `WRITE_CAPABILITIES` off: what
 * `readOnly` declares.
 *
 * @example
 * import { withoutWrites, makeCapabilities } from 'fp-pathio'
 * const seen = withoutWrites(makeCapabilities({ symlinks: false }))
 * assert.strictEqual(seen.write, false)
 * assert.strictEqual(seen.append, false)
 * assert.strictEqual(seen.directoryTimes, true) // what it shows, it still shows
 *
 * @category combinators
 * @since 0.3.0
 */
export const withoutWrites = (capabilities: Capabilities): Capabilities =>
  Object.freeze({ ...capabilities, ...Object.fromEntries(WRITE_CAPABILITIES.map((flag) => [flag, false])) })
