/**
 * Generators of bad input: each call comes with the outcome DESIGN.md
 * documents for it, on a tree the target prepared (see `PREPARED`), so a
 * test can check the reason exactly and that nothing changed.
 *
 * Values that fast-check could not print or compare (a handle, a proxy whose
 * traps throw) are written as markers and made when the call runs.
 */
import fc from 'fast-check'
import { MUTATING_OPERATIONS, OpenMode, type OperationName, type Reason } from '../../lib'

/** The tree every target starts from, relative to its cwd: f ('hello'), d/, d/g ('inner'), e/ (empty). */
export const PREPARED = { files: { f: 'hello', 'd/g': 'inner' }, dirs: ['d', 'e'] } as const

/** What the call must give. */
export type Expected = { readonly left: Reason } | { readonly right: unknown }

/** Handles the target opens before the calls, and values made only when a call runs. */
export type MarkerName =
  | 'reader' // open 'f' rb
  | 'writer' // open 'f' ab (opening ab changes nothing)
  | 'closed' // opened, then closed
  | 'foreign' // a handle of another backend or state (see the target's list)
  | 'copy' // { ...reader }
  | 'child' // Object.create(reader)
  | 'proxy' // new Proxy(reader, {})
  | 'throwingProxy' // a proxy whose every trap throws
  | 'throwingGetter' // { get parents() { throw } }
  | 'listing' // opendir 'd', open
  | 'closedListing' // opendir 'd', then closedir

export const MARKER = Symbol('marker')
export interface Marker {
  readonly [MARKER]: MarkerName
  /** Which of the target's foreign handles. */
  readonly index?: number
}

export const marker = (name: MarkerName, index?: number): Marker =>
  index === undefined ? { [MARKER]: name } : { [MARKER]: name, index }

export const isMarker = (u: unknown): u is Marker => typeof u === 'object' && u !== null && MARKER in u

export interface BadCall {
  /** The kind of bad input, for messages and counts. */
  readonly kind: string
  readonly op: OperationName
  readonly args: ReadonlyArray<unknown>
  readonly expected: Expected
}

/** Whether `readOnly` refuses the call before the backend sees it (its own rule, restated). */
export const refusedByReadOnly = (call: BadCall): boolean =>
  call.op === 'open' ? OpenMode.is(call.args[1]) && call.args[1] !== 'rb' : MUTATING_OPERATIONS.has(call.op)

// -------------------------------------------------------------------------------------
// values
// -------------------------------------------------------------------------------------

const nonString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -1, NaN, Infinity, 1n, Symbol('path'), () => 'f'),
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    {},
    { toString: () => 'f' },
    ['f'],
    Buffer.from('f'),
    new Uint8Array([102]),
    new Date(0),
    /f/,
    new Map()
  ),
  fc.constant(marker('throwingProxy'))
)

/** A name of more than 255 UTF-8 bytes: ASCII, 3-byte and 4-byte characters (so the count is in bytes, not units). */
const tooLongName = fc.oneof(
  fc.integer({ min: 256, max: 2000 }).map((n) => 'n'.repeat(n)),
  fc.integer({ min: 86, max: 200 }).map((n) => '€'.repeat(n)), // 86 x 3 = 258 bytes in 86 units
  fc.integer({ min: 64, max: 100 }).map((n) => '😀'.repeat(n)) // 64 x 4 = 256 bytes in 128 units
)

/** A path of more than 4095 bytes made of short names (each one valid). */
const tooLongPath = fc.integer({ min: 2048, max: 40_000 }).map((n) => Array.from({ length: n }, () => 'p').join('/'))

/** A string with a NUL somewhere: at the start, in the middle, at the end, of a name or a path. */
const withNul = fc
  .tuple(
    fc.constantFrom('f', 'd/g', 'new', 'd/', '', 'a/b/c'),
    fc.nat({ max: 12 }),
    fc.constantFrom('\0', '\0\0', 'x\0y')
  )
  .map(([path, at, nul]) => path.slice(0, at) + nul + path.slice(at))

/** Paths every backend must refuse as `InvalidArgument` before touching anything. */
export const badPath: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nonString, weight: 4 },
  { arbitrary: fc.constant(''), weight: 1 },
  { arbitrary: withNul, weight: 3 },
  { arbitrary: tooLongName.chain((name) => fc.constantFrom(name, `d/${name}`, `${name}/x`, `new/${name}`)), weight: 3 },
  { arbitrary: tooLongPath, weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => 'x'.repeat(n * 400_000)), weight: 1 } // huge
)

/**
 * Valid strings that name nothing: odd characters (controls, spaces,
 * combining marks, lone surrogates, a 255-byte name), always under a prefix
 * no prepared entry has, and never climbing with `..`.
 */
export const oddAbsentPath: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
    fc.string({
      unit: fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\r',
        '\u0301',
        '\ud800',
        '\udfff',
        '\u202e',
        '\ufeff',
        '*',
        '?',
        '%',
        '\\'
      ),
      minLength: 1,
      maxLength: 8
    }),
    fc.constant('€'.repeat(82)) // 3 + 246 = 249 bytes with the prefix: a long valid name
  )
  .map((s) => s.replace(/\0/g, '_').replace(/\//g, '_'))
  .map((s) => `zz-${s}`)

// -------------------------------------------------------------------------------------
// calls
// -------------------------------------------------------------------------------------

const left = (reason: Reason): Expected => ({ left: reason })

const validMode = fc.constantFrom<OpenMode | undefined | null>('rb', 'wb', 'ab', 'r+b', undefined, null)
const validOptions = fc.constantFrom(
  undefined,
  null,
  {},
  { parents: true },
  { existOk: true },
  { parents: true, existOk: true }
)

const PATH_LOOKUPS = ['exists', 'isDir', 'isFile', 'stat', 'list', 'scan', 'opendir', 'realpath'] as const

/** Any path operation with one bad path (the other arguments valid). */
const badPathCall: fc.Arbitrary<BadCall> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...PATH_LOOKUPS, 'rmdir' as const, 'unlink' as const), badPath)
    .map(([op, path]): BadCall => ({ kind: 'bad path', op, args: [path], expected: left('InvalidArgument') })),
  fc.tuple(badPath, validOptions).map(([path, options]): BadCall => ({
    kind: 'bad path',
    op: 'mkdir',
    args: [path, options],
    expected: left('InvalidArgument')
  })),
  fc.tuple(badPath, validMode).map(([path, mode]): BadCall => ({
    kind: 'bad path',
    op: 'open',
    args: [path, mode],
    expected: left('InvalidArgument')
  })),
  fc.tuple(badPath, fc.constantFrom('f', 'd', 'new', 'd/new')).map(([path, other]): BadCall => ({
    kind: 'bad rename source',
    op: 'rename',
    args: [path, other],
    expected: left('InvalidArgument')
  })),
  fc.tuple(fc.constantFrom('f', 'd', 'd/g', 'e'), badPath).map(([other, path]): BadCall => ({
    kind: 'bad rename destination',
    op: 'rename',
    args: [other, path],
    expected: left('InvalidArgument')
  })),
  fc.tuple(badPath, fc.constantFrom(0, 1_600_000_000_000)).map(([path, time]): BadCall => ({
    kind: 'bad path',
    op: 'utimes',
    args: [path, time],
    expected: left('InvalidArgument')
  })),
  fc.tuple(badPath, fc.constantFrom(0, 0o600, 0o7777)).map(([path, mode]): BadCall => ({
    kind: 'bad path',
    op: 'chmod',
    args: [path, mode],
    expected: left('InvalidArgument')
  }))
)

/** Valid paths that name nothing, or run through a file: the documented answers, and nothing created. */
const absentPathCall: fc.Arbitrary<BadCall> = fc.oneof(
  fc
    .tuple(fc.constantFrom('exists' as const, 'isDir' as const, 'isFile' as const), oddAbsentPath)
    .map(([op, path]): BadCall => ({ kind: 'absent path', op, args: [path], expected: { right: false } })),
  fc
    .tuple(
      fc.constantFrom(
        'stat' as const,
        'list' as const,
        'scan' as const,
        'opendir' as const,
        'realpath' as const,
        'rmdir' as const,
        'unlink' as const
      ),
      oddAbsentPath
    )
    .map(([op, path]): BadCall => ({ kind: 'absent path', op, args: [path], expected: left('NotFound') })),
  fc
    .tuple(oddAbsentPath, fc.constantFrom<OpenMode | undefined | null>('rb', 'r+b', undefined, null))
    .map(([path, mode]): BadCall => ({
      kind: 'absent path',
      op: 'open',
      args: [path, mode],
      expected: left('NotFound')
    })),
  fc.tuple(oddAbsentPath, fc.constantFrom('zz-dest', 'd/zz-dest')).map(([path, destination]): BadCall => ({
    kind: 'absent rename source',
    op: 'rename',
    args: [path, destination],
    expected: left('NotFound')
  })),
  oddAbsentPath.map((path): BadCall => ({
    kind: 'absent path',
    op: 'utimes',
    args: [path, 0],
    expected: left('NotFound')
  })),
  oddAbsentPath.map((path): BadCall => ({
    kind: 'absent path',
    op: 'chmod',
    args: [path, 0o600],
    expected: left('NotFound')
  })),
  oddAbsentPath.map((path): BadCall => ({
    kind: 'through a file',
    op: 'utimes',
    args: [`f/${path}`, 0],
    expected: left('NotADirectory')
  })),
  oddAbsentPath.map((path): BadCall => ({
    kind: 'through a file',
    op: 'chmod',
    args: [`f/${path}`, 0o600],
    expected: left('NotADirectory')
  })),
  // Through a file: 'f/...' is NotADirectory for everything that needs it, and false for the questions.
  fc
    .tuple(fc.constantFrom('exists' as const, 'isDir' as const, 'isFile' as const), oddAbsentPath)
    .map(([op, path]): BadCall => ({ kind: 'through a file', op, args: [`f/${path}`], expected: { right: false } })),
  fc
    .tuple(
      fc.constantFrom(
        'stat' as const,
        'list' as const,
        'scan' as const,
        'opendir' as const,
        'realpath' as const,
        'rmdir' as const,
        'unlink' as const
      ),
      oddAbsentPath
    )
    .map(([op, path]): BadCall => ({
      kind: 'through a file',
      op,
      args: [`f/${path}`],
      expected: left('NotADirectory')
    })),
  fc.tuple(oddAbsentPath, validMode).map(([path, mode]): BadCall => ({
    kind: 'through a file',
    op: 'open',
    args: [`f/${path}`, mode],
    expected: left('NotADirectory')
  })),
  fc.tuple(oddAbsentPath, validOptions).map(([path, options]): BadCall => ({
    kind: 'through a file',
    op: 'mkdir',
    args: [`f/${path}/deeper`, options],
    expected: left('NotADirectory')
  })),
  fc.tuple(fc.constantFrom('f', 'd', 'd/g'), oddAbsentPath).map(([source, path]): BadCall => ({
    kind: 'through a file',
    op: 'rename',
    args: [source, `f/${path}`],
    expected: left('NotADirectory')
  }))
)

const badMode: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'r',
    'w',
    'a',
    'RB',
    'WB',
    'rb ',
    ' rb',
    '',
    'r+',
    'w+b',
    'wb+',
    'a+b',
    'x',
    'rw',
    'b',
    'rb\0',
    'r+b\n'
  ),
  fc.constantFrom(0, 1, -1, NaN, true, false, {}, [], ['rb'], 1n, Symbol('rb'), { toString: () => 'rb' }),
  fc.string({ maxLength: 5 }).filter((s) => !OpenMode.is(s)),
  fc.constant(marker('throwingProxy'))
)

const badOptions: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(42, 'parents', true, false, Symbol('o'), 1n, () => ({ parents: true })),
  fc.constantFrom(
    { parents: 'yes' },
    { existOk: 1 },
    { parents: 1 },
    { parents: null, existOk: 'no' },
    { parents: {} },
    { existOk: [] }
  ),
  fc.constant(marker('throwingGetter')),
  fc.constant(marker('throwingProxy'))
)

/** Not a non-negative safe integer, and not `undefined`/`null` (which mean "to the end"). */
const badSize: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, -0.5, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_VALUE, -(2 ** 53)),
  fc.integer({ max: -1 }),
  fc.double({ noInteger: true }),
  fc.constantFrom('10', '', 10n, {}, [], [1], true, Symbol('size'), new Date(0)),
  fc.constant(marker('throwingProxy'))
)

const badData: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.array(fc.nat({ max: 255 }), { maxLength: 5 }),
  fc.constantFrom(
    undefined,
    null,
    42,
    true,
    Symbol('data'),
    1n,
    new ArrayBuffer(3),
    new DataView(new ArrayBuffer(3)),
    new Uint16Array(2),
    new Int8Array(2),
    new Float32Array(1),
    new Uint8ClampedArray(2),
    { length: 3, 0: 1, 1: 2, 2: 3 },
    { buffer: new ArrayBuffer(3) }
  ),
  fc.constant(marker('throwingProxy'))
)

const badOffset: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0.5, -0.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), Number.MAX_VALUE),
  fc.double({ noInteger: true }),
  fc.constantFrom('0', '', 0n, null, undefined, {}, [], true, Symbol('offset')),
  fc.constant(marker('throwingProxy'))
)

const badWhence: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(3, -1, 4, 0.5, NaN, Infinity, '0', '1', 'SEEK_SET', true, {}, [], 0n, Symbol('whence')),
  fc.integer().filter((n) => n < 0 || n > 2),
  fc.constant(marker('throwingProxy'))
)

/** Offsets that are safe integers but land before 0 (or past a safe integer) from the whence given. `f` holds 5 bytes. */
const outOfRangeSeek = fc.oneof(
  fc.integer({ min: -(2 ** 53) + 1, max: -1 }).map((offset) => [offset, 0] as const),
  fc.integer({ min: -(2 ** 53) + 1, max: -1 }).map((offset) => [offset, 1] as const),
  fc.integer({ min: -(2 ** 53) + 1, max: -6 }).map((offset) => [offset, 2] as const),
  fc.integer({ min: 2 ** 53 - 5, max: 2 ** 53 - 1 }).map((offset) => [offset, 2] as const)
)

/** Not epoch milliseconds: not a non-negative safe integer. */
const badTime: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, null, undefined),
  fc.integer({ max: -1 }),
  fc.double({ noInteger: true }),
  fc.constantFrom('1000', '', 1000n, {}, [], true, Symbol('time'), new Date(0)),
  fc.constant(marker('throwingProxy'))
)

/** Not permission bits: not an integer from 0 to 0o7777 (file-type bits included). */
const badPermissions: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, 0o10000, 0o100644, 0o40755, 0.5, NaN, Infinity, null, undefined),
  fc.integer({ min: 0o10000 }),
  fc.integer({ max: -1 }),
  fc.double({ noInteger: true }),
  fc.constantFrom('644', '0o644', 'rw-r--r--', 644n, {}, [], true, Symbol('mode')),
  fc.constant(marker('throwingProxy'))
)

const someHandle = fc.constantFrom(marker('reader'), marker('writer'))

/** Anything that is not a live handle of the target. */
const badHandle: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    0,
    3,
    -1,
    'h',
    '',
    true,
    Symbol('h'),
    1n,
    {},
    [],
    Object.create(null),
    Object.freeze({}),
    () => undefined
  ),
  fc.constantFrom(marker('copy'), marker('child'), marker('proxy'), marker('throwingProxy')),
  fc.nat({ max: 7 }).map((index) => marker('foreign', index))
)

/** Not a positive safe integer, and not `undefined`/`null` (which mean one page). */
const badMax: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)),
  fc.integer({ max: 0 }),
  fc.double({ noInteger: true }),
  fc.constantFrom('10', '', 10n, {}, [], [1], true, Symbol('max')),
  fc.constant(marker('throwingProxy'))
)

/** Anything that is not a live listing of the target: every bad handle, and its open files. */
const badListing: fc.Arbitrary<unknown> = fc.oneof(badHandle, fc.constantFrom(marker('reader'), marker('writer')))

/** Calls on listings: bad or closed directory handles, a file handle, bad `max`; a file handle given a listing. */
const listingCalls: fc.Arbitrary<BadCall> = fc.oneof(
  fc.tuple(badListing, fc.constantFrom<number | null | undefined>(1, null, undefined)).map(([d, max]): BadCall => ({
    kind: 'bad directory handle',
    op: 'readdir',
    args: [d, max],
    expected: left('BadHandle')
  })),
  badListing.map((d): BadCall => ({
    kind: 'bad directory handle',
    op: 'closedir',
    args: [d],
    expected: left('BadHandle')
  })),
  fc.constantFrom<BadCall>(
    { kind: 'closed listing', op: 'readdir', args: [marker('closedListing'), 1], expected: left('BadHandle') },
    { kind: 'closed listing', op: 'closedir', args: [marker('closedListing')], expected: { right: undefined } },
    { kind: 'a listing as a file', op: 'read', args: [marker('listing'), 1], expected: left('BadHandle') },
    {
      kind: 'a listing as a file',
      op: 'write',
      args: [marker('listing'), Buffer.from('x')],
      expected: left('BadHandle')
    },
    { kind: 'a listing as a file', op: 'seek', args: [marker('listing'), 0], expected: left('BadHandle') },
    { kind: 'a listing as a file', op: 'close', args: [marker('listing')], expected: left('BadHandle') }
  ),
  badMax.map((max): BadCall => ({
    kind: 'bad max',
    op: 'readdir',
    args: [marker('listing'), max],
    expected: left('InvalidArgument')
  }))
)

/** Calls on handles: bad handles, wrong modes, bad sizes, data, offsets and whences. */
const handleCalls: fc.Arbitrary<BadCall> = fc.oneof(
  // A handle that is not a live one of the target.
  fc
    .tuple(badHandle, fc.constantFrom<number | null | undefined>(1, null, undefined))
    .map(([h, size]): BadCall => ({ kind: 'bad handle', op: 'read', args: [h, size], expected: left('BadHandle') })),
  badHandle.map((h): BadCall => ({
    kind: 'bad handle',
    op: 'write',
    args: [h, Buffer.from('x')],
    expected: left('BadHandle')
  })),
  fc
    .tuple(badHandle, fc.constantFrom(0, 1), fc.constantFrom<0 | 1 | 2 | null | undefined>(0, 1, 2, null, undefined))
    .map(([h, offset, whence]): BadCall => ({
      kind: 'bad handle',
      op: 'seek',
      args: [h, offset, whence],
      expected: left('BadHandle')
    })),
  badHandle.map((h): BadCall => ({ kind: 'bad handle', op: 'close', args: [h], expected: left('BadHandle') })),
  badHandle.map((h): BadCall => ({ kind: 'bad handle', op: 'truncate', args: [h, 0], expected: left('BadHandle') })),
  // A closed handle: unusable; closing it again is harmless.
  fc.constantFrom<BadCall>(
    { kind: 'closed handle', op: 'read', args: [marker('closed')], expected: left('BadHandle') },
    { kind: 'closed handle', op: 'write', args: [marker('closed'), Buffer.from('x')], expected: left('BadHandle') },
    { kind: 'closed handle', op: 'seek', args: [marker('closed'), 0], expected: left('BadHandle') },
    { kind: 'closed handle', op: 'close', args: [marker('closed')], expected: { right: undefined } },
    // The wrong mode: reading a handle opened for writing, writing one opened rb.
    { kind: 'wrong mode', op: 'read', args: [marker('writer'), 1], expected: left('BadHandle') },
    { kind: 'wrong mode', op: 'write', args: [marker('reader'), Buffer.from('x')], expected: left('BadHandle') },
    { kind: 'closed handle', op: 'truncate', args: [marker('closed'), 0], expected: left('BadHandle') },
    { kind: 'wrong mode', op: 'truncate', args: [marker('reader'), 0], expected: left('BadHandle') }
  ),
  fc.oneof(badSize, fc.constantFrom(null, undefined)).map((size): BadCall => ({
    kind: 'bad size',
    op: 'truncate',
    args: [marker('writer'), size],
    expected: left('InvalidArgument')
  })),
  badSize.map((size): BadCall => ({
    kind: 'bad size',
    op: 'read',
    args: [marker('reader'), size],
    expected: left('InvalidArgument')
  })),
  badData.map((data): BadCall => ({
    kind: 'bad data',
    op: 'write',
    args: [marker('writer'), data],
    expected: left('InvalidArgument')
  })),
  fc
    .tuple(someHandle, badOffset, fc.constantFrom<0 | 1 | 2 | null | undefined>(0, 1, 2, null, undefined))
    .map(([h, offset, whence]): BadCall => ({
      kind: 'bad offset',
      op: 'seek',
      args: [h, offset, whence],
      expected: left('InvalidArgument')
    })),
  fc.tuple(someHandle, fc.constantFrom(0, 1), badWhence).map(([h, offset, whence]): BadCall => ({
    kind: 'bad whence',
    op: 'seek',
    args: [h, offset, whence],
    expected: left('InvalidArgument')
  })),
  fc.tuple(fc.constant(marker('reader')), outOfRangeSeek).map(([h, [offset, whence]]): BadCall => ({
    kind: 'seek out of range',
    op: 'seek',
    args: [h, offset, whence],
    expected: left('InvalidArgument')
  }))
)

/** Every kind of bad input, each with its documented outcome. */
export const badCall: fc.Arbitrary<BadCall> = fc.oneof(
  { arbitrary: badPathCall, weight: 5 },
  { arbitrary: absentPathCall, weight: 3 },
  {
    arbitrary: fc.tuple(fc.constantFrom('f', 'new', 'd', 'd/new'), badMode).map(([path, mode]): BadCall => ({
      kind: 'bad mode',
      op: 'open',
      args: [path, mode],
      expected: left('InvalidArgument')
    })),
    weight: 2
  },
  {
    arbitrary: fc.oneof(
      fc.tuple(fc.constantFrom('f', 'd', 'new'), badTime).map(([path, time]): BadCall => ({
        kind: 'bad time',
        op: 'utimes',
        args: [path, time],
        expected: left('InvalidArgument')
      })),
      fc.tuple(fc.constantFrom('f', 'd', 'new'), badPermissions).map(([path, mode]): BadCall => ({
        kind: 'bad permission bits',
        op: 'chmod',
        args: [path, mode],
        expected: left('InvalidArgument')
      }))
    ),
    weight: 1
  },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('new', 'd/new', 'new/deeper', 'd'), badOptions)
      .map(([path, options]): BadCall => ({
        kind: 'bad mkdir options',
        op: 'mkdir',
        args: [path, options],
        expected: left('InvalidArgument')
      })),
    weight: 1
  },
  { arbitrary: handleCalls, weight: 5 },
  { arbitrary: listingCalls, weight: 2 }
)
