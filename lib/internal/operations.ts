/**
 * What combinators need to know about each operation, as typed tables keyed
 * by operation: which arguments are paths, how to replace them, whether a
 * call changes anything, and what a result holds that must be released when
 * nobody will see it.
 */
import type * as TE from 'fp-ts/TaskEither'
import { MUTATING_OPERATIONS, OPERATION_NAMES, OpenMode, type ArgsOf, type GivesOf, type OperationName, type PathIO } from '../PathIO'

/** The operations that take a handle (of a file or a listing) rather than a path. */
const HANDLE_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['read', 'write', 'seek', 'close', 'readdir', 'closedir'])

/** The operations that only free what an earlier one took: a combinator that refuses work still lets them run. */
export const RELEASING_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['close', 'closedir'])

/** The operations whose first argument is a path (`rename` has a second one): all the others. */
export const PATH_OPERATIONS: ReadonlySet<OperationName> = new Set(OPERATION_NAMES.filter((op) => !HANDLE_OPERATIONS.has(op)))

/** The path an error of `op` should name: its first argument when that is a path, else nothing. */
export const errorPath = (op: OperationName, args: ReadonlyArray<unknown>): unknown =>
  PATH_OPERATIONS.has(op) ? args[0] : undefined

type PathMapper = (path: string) => string

/** Each operation's arguments with every path argument passed through `f`; the others untouched. */
const PATH_ARGUMENTS: { readonly [K in OperationName]: (args: ArgsOf<K>, f: PathMapper) => ArgsOf<K> } = {
  exists: ([path], f) => [f(path)],
  isDir: ([path], f) => [f(path)],
  isFile: ([path], f) => [f(path)],
  stat: ([path], f) => [f(path)],
  mkdir: ([path, options], f) => [f(path), options],
  rmdir: ([path], f) => [f(path)],
  unlink: ([path], f) => [f(path)],
  rename: ([source, destination], f) => [f(source), f(destination)],
  list: ([path], f) => [f(path)],
  scan: ([path], f) => [f(path)],
  open: ([path, mode], f) => [f(path), mode],
  read: (args) => args,
  write: (args) => args,
  seek: (args) => args,
  close: (args) => args,
  opendir: ([path], f) => [f(path)],
  readdir: (args) => args,
  closedir: (args) => args
}

/**
 * `args` of `op` with each path replaced by `f(path)`, typed by operation
 * (how `withRoot` maps a virtual path to a real one).
 */
export const mapPathArguments = <K extends OperationName>(op: K, args: ArgsOf<K>, f: PathMapper): ArgsOf<K> =>
  (PATH_ARGUMENTS as { readonly [P in K]: (args: ArgsOf<P>, f: PathMapper) => ArgsOf<P> })[op](args, f)

/** The lookups, and what each answers for a path where nothing can exist. */
const ANSWER_FOR_NOTHING: { readonly [K in OperationName]?: GivesOf<K> } = { exists: false, isDir: false, isFile: false }

/**
 * What `op` answers for a path where nothing can exist, when it is a lookup
 * (`exists`, `isDir`, `isFile`: `false`); `undefined` for any other
 * operation, which fails instead.
 */
export const answerForNothing = <K extends OperationName>(op: K): GivesOf<K> | undefined =>
  (ANSWER_FOR_NOTHING as { readonly [P in K]?: GivesOf<P> })[op]

/** The path arguments of a call, in order (none for a handle operation). */
export const pathArguments = <K extends OperationName>(op: K, args: ArgsOf<K>): ReadonlyArray<string> => {
  const paths: Array<string> = []
  mapPathArguments(op, args, (path) => {
    paths.push(path)
    return path
  })
  return paths
}

/**
 * Whether a call may change something on the backend: the mutating
 * operations, and an `open` in any mode but `rb` (`wb` truncates, `ab` and
 * `wb` create). An invalid mode is left to the backend, which refuses it as
 * `InvalidArgument`.
 */
export const mutates = <K extends OperationName>(op: K, args: ArgsOf<K>): boolean =>
  op === 'open' ? OpenMode.is(args[1]) && args[1] !== 'rb' : MUTATING_OPERATIONS.has(op)

type Release<K extends OperationName> = (gives: GivesOf<K>, inner: PathIO<unknown>) => TE.TaskEither<unknown, unknown>

/** The operations whose result holds something (a handle) that must be closed when nobody will see it. */
const RELEASES: { readonly [K in OperationName]?: Release<K> } = {
  open: (handle, inner) => inner.close(handle),
  opendir: (dir, inner) => inner.closedir(dir)
}

/**
 * Releases a result that came too late for its caller (after a timeout or
 * a cancellation): a handle or a listing is closed, anything else is dropped. Never
 * throws and never rejects: there is no one left to tell.
 */
export const releaseLate = <K extends OperationName>(op: K, gives: GivesOf<K>, inner: PathIO<unknown>): void => {
  const release = (RELEASES as { readonly [P in K]?: Release<P> })[op]
  if (release === undefined) return
  try {
    void release(gives, inner)().catch(() => undefined)
  } catch {
    // a close that throws has nothing more we could do
  }
}
