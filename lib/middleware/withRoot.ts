/**
 * `withRoot`: a jail. The caller sees a virtual tree whose `/` is a directory
 * of the inner record, and can never reach outside it.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as posix from 'node:path/posix'
import type { ArgsOf, Entry, GivesOf, Middleware, Operation, OperationName, PathIO } from '../PathIO'
import { pathIOError, toPathIOError, type PathIOError } from '../PathIOError'
import { PATH_MAX, describe, joinChild, resolvePath } from '../internal/arguments'
import {
  createsAt,
  mapPathArguments,
  OPERATIONS,
  pathArguments,
  type OperationRow,
  type PathsInResult
} from '../Operations'
import { answerForNothing } from '../internal/calls'
import { makeSymlinkGuard, type SymlinkGuard } from '../internal/symlinkGuard'
import { wrapOperations } from '../internal/wrap'

const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1)

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A path given by the caller, and where it really leads in the inner record. */
interface Mapped {
  readonly given: string
  readonly real: string
}

/** One call whose result is mapped back: what a kind of `PathsInResult` may need to see of it. */
interface Answered {
  readonly op: OperationName
  readonly mapped: ReadonlyArray<Mapped>
  readonly args: ReadonlyArray<unknown>
  /** Where the root really is on disk, when a link check found it (a record checked path by path). */
  readonly realRoot: string | undefined
}

/**
 * Jails a record under `root`: every path the caller gives is resolved
 * lexically against the virtual `/` (so a relative path starts at the root
 * and `..` never climbs above it), then becomes `root` + that path in the
 * inner record. Errors name the caller's path, never the real directory (the
 * original error stays untouched in `cause`, for logs only); `list`, `scan`
 * and the pages of a listing `opendir` opened give the directory as the
 * caller gave it joined with each name; `rename`
 * gives the destination as given; `realpath` gives the path it found with
 * the real root stripped (`/` for the root itself), and refuses as
 * `PermissionDenied` one outside the root, never showing where it is.
 *
 * On a real disk a symbolic link must not open a way out, not even one
 * swapped in while an operation runs: a path that leads outside the real
 * root is `Left` with reason `PermissionDenied`, and nothing outside is read,
 * created, truncated, listed or stat'ed. The last component is followed by
 * the operations that follow links (`open`, `stat`, `list`, ...), not by
 * those that act on the entry itself (the operation table's `onTheEntry`:
 * `unlink`, `rmdir`, `mkdir`, `rename`). In a `scan`, a link whose target is
 * outside is listed with its own `lstat` (a link), never with its target's.
 * The node and pool backends do this themselves: they offer a rooted form of
 * their record, `rootedAt` (each operation pins its parent directory by
 * descriptor and checks where it really is, see docs/jail.md), which
 * middleware between them and `withRoot` passes through. A record whose
 * `capabilities.symlinks` is false (memory, S3) needs no check. Any other record is checked
 * before each call, when `root` exists on the real disk: its path is
 * followed link by link (with `fs.promises`, dangling links included), which
 * narrows but cannot close the window of a link swapped meanwhile. A `root`
 * that is not an absolute path string is a `TypeError` at once.
 *
 * The root itself is in use, as in a chroot: `rmdir` of it, or `rename` from
 * or onto it, is `Busy`.
 *
 * The root's length comes out of the 4095-byte path budget: a valid virtual
 * path that is too long once under the root cannot exist, so looking it up
 * finds nothing (`false`, `NotFound`) and creating it is `InvalidArgument`.
 *
 * @example
 * import { withRoot, makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const inner = makeMemoryPathIO()
 * await inner.mkdir('/home/alice', { parents: true })()
 * const io = withRoot('/home/alice')(inner)
 * await io.mkdir('../../pub')() // '..' stops at the jail's '/'
 * assert.deepStrictEqual(await inner.list('/home/alice')(), E.right(['/home/alice/pub']))
 * const escape = await io.open('../../etc/passwd')() // /home/alice/etc/passwd of the inner record
 * assert.ok(E.isLeft(escape))
 * assert.strictEqual(escape.left.message, "open '../../etc/passwd': no such file or directory (ENOENT)")
 * assert.deepStrictEqual(await io.realpath('pub/..')(), E.right('/')) // the caller's path, never /home/alice
 *
 * @category combinators
 * @since 0.1.0
 */
export const withRoot = (root: string): Middleware => {
  if (typeof root !== 'string' || !posix.isAbsolute(root) || root.includes('\0'))
    throw new TypeError(`withRoot: 'root' must be an absolute path string, got ${describe(root)}`)
  const base = posix.resolve(root)
  const toReal = (virtual: string): string => (base === '/' ? virtual : virtual === '/' ? base : base + virtual)
  // Whatever still names the real root in a message (an errno message, say) is shown as the virtual '/'.
  const realRootInText = base === '/' ? undefined : new RegExp(`${escapeRegExp(base)}(?:/|(?=['"\\s,:;)]|$))`, 'g')
  const hideRoot = (text: string): string => (realRootInText === undefined ? text : text.replace(realRootInText, '/'))

  const virtualError =
    (mapped: ReadonlyArray<Mapped>) =>
    (error: PathIOError): PathIOError => {
      let message = error.message
      let path = error.path
      for (const { given, real } of mapped) {
        message = message.split(`'${real}'`).join(`'${given}'`)
        if (path === real) path = given
      }
      return {
        ...error,
        ...(path === undefined ? {} : { path: mapped.some(({ given }) => given === path) ? path : hideRoot(path) }),
        message: hideRoot(message)
      }
    }

  /** The directory each listing opened through this jail was given as: its pages name it so. */
  const listed = new WeakMap<object, string>()

  /**
   * A path of the inner record, as the caller's: under the root (or, for a
   * record checked path by path, under where the root really is), with that
   * stripped; anything else is `PermissionDenied`, and the path it found is
   * shown nowhere (not even in the error's `cause`).
   */
  const callerPath = (found: unknown, { op, mapped, realRoot }: Answered): string => {
    if (typeof found !== 'string' || !posix.isAbsolute(found))
      throw new TypeError(`${op}: the inner record's answer is not an absolute path`)
    const path = posix.resolve(found)
    for (const prefix of realRoot === undefined || realRoot === base ? [base] : [base, realRoot]) {
      if (prefix === '/') return path
      if (path === prefix) return '/'
      if (path.startsWith(`${prefix}/`)) return path.slice(prefix.length)
    }
    throw pathIOError('PermissionDenied', op, {
      path: mapped[0]?.given,
      code: 'EACCES',
      detail: 'leads outside the root through a symbolic link'
    })
  }

  /**
   * Each kind of path a result may hold (see `OperationRow.resultPaths`), as
   * the caller must see it: the destination as given, children joined with
   * the directory as given, the pages of a listing named as the caller
   * gave its directory (one opened elsewhere: with the root hidden), and a
   * path the record found, with the root stripped (`callerPath`).
   */
  const TO_VIRTUAL: {
    readonly [P in keyof PathsInResult]: (gives: PathsInResult[P], call: Answered) => PathsInResult[P]
  } = {
    destination: (_destination, { mapped }) => mapped[mapped.length - 1].given,
    children: (paths, { mapped }) => paths.map((path) => joinChild(mapped[0].given, nameOf(path))),
    entries: (entries, { mapped }) =>
      entries.map((entry): Entry => ({ ...entry, path: joinChild(mapped[0].given, entry.name) })),
    listing: (dir, { mapped }) => {
      if (typeof dir === 'object' && dir !== null) listed.set(dir, mapped[0].given)
      return dir
    },
    page: (entries, { args: [dir] }) => {
      const given = typeof dir === 'object' && dir !== null ? listed.get(dir) : undefined
      return entries.map((entry): Entry => ({
        ...entry,
        path: given === undefined ? hideRoot(entry.path) : joinChild(given, entry.name)
      }))
    },
    path: callerPath
  }

  /**
   * The inner record's answer as the caller must see it (a loose inner
   * record may give odd values: then a `Left`, which names nothing of what
   * it gave).
   */
  const virtualGives =
    <K extends OperationName>(
      op: K,
      args: ArgsOf<K>,
      mapped: ReadonlyArray<Mapped>,
      errorPath: unknown,
      realRoot: string | undefined
    ) =>
    (gives: GivesOf<K>): TE.TaskEither<PathIOError, GivesOf<K>> => {
      const kind = (OPERATIONS as { readonly [P in K]: OperationRow<P> })[op].resultPaths
      if (kind === 'none') return TE.right(gives)
      const toVirtual = TO_VIRTUAL[kind] as (gives: GivesOf<K>, call: Answered) => GivesOf<K>
      return TE.fromEither(
        E.tryCatch(() => toVirtual(gives, { op, mapped, args, realRoot }), toPathIOError(op, errorPath))
      )
    }

  /**
   * A valid virtual path too long once under the root: nothing can exist
   * there through this record, so a lookup finds nothing, and creating it is
   * `InvalidArgument` (as `ENAMETOOLONG` would be).
   */
  const tooLongOnceJailed = <K extends OperationName>(
    op: K,
    args: ArgsOf<K>,
    index: number
  ): E.Either<PathIOError, GivesOf<K>> => {
    const path = args[index]
    if (createsAt(op, args, index))
      return E.left(
        pathIOError('InvalidArgument', op, { path, detail: `path longer than ${PATH_MAX} bytes once under the root` })
      )
    const lookup = answerForNothing(op)
    if (lookup !== undefined) return E.right(lookup.answer)
    return E.left(pathIOError('NotFound', op, { path, code: 'ENOENT' }))
  }

  /** The jail over `pathio`, whose paths are checked by `guard` before each call when there is one. */
  const jail = <S>(pathio: PathIO<S>, guard: SymlinkGuard | undefined): PathIO<S> => {
    const checkLinks = async (
      op: OperationName,
      { given, real }: Mapped,
      index: number
    ): Promise<E.Either<PathIOError, void>> => {
      if (guard === undefined) return E.right(undefined)
      const where = await guard(real, !OPERATIONS[op].onTheEntry || real === base)
      return where === 'outside'
        ? E.left(
            pathIOError('PermissionDenied', op, {
              path: given,
              code: 'EACCES',
              detail: `${index === 0 ? '' : 'destination '}leads outside the root through a symbolic link`
            })
          )
        : E.right(undefined)
    }

    const jailed = <K extends OperationName>(
      op: K,
      args: ArgsOf<K>,
      next: Operation<K>
    ): TE.TaskEither<PathIOError, GivesOf<K>> => {
      const given = pathArguments(op, args)
      // A handle operation: only what its result names (a page of a listing) is the jail's business.
      if (given.length === 0)
        return OPERATIONS[op].resultPaths === 'none'
          ? next(...args)
          : pipe(next(...args), TE.chain(virtualGives(op, args, [], undefined, undefined)))
      const mapped: Array<Mapped> = []
      for (let i = 0; i < given.length; i++) {
        const virtual = resolvePath(op, '/', given[i])
        if (E.isLeft(virtual)) return TE.left(virtual.left)
        const real = toReal(virtual.right)
        // As in a chroot: the root is in use, it cannot go or be replaced.
        if (real === base && OPERATIONS[op].removesDirectory)
          return TE.left(
            pathIOError('Busy', op, { path: given[i], code: 'EBUSY', detail: 'the root cannot be removed or replaced' })
          )
        if (base !== '/' && E.isLeft(resolvePath(op, '/', real))) return TE.fromEither(tooLongOnceJailed(op, args, i))
        mapped.push({ given: given[i], real })
      }
      const call: TE.TaskEither<PathIOError, GivesOf<K>> = async () => {
        try {
          for (let i = 0; i < mapped.length; i++) {
            const checked = await checkLinks(op, mapped[i], i)
            if (E.isLeft(checked)) return checked
          }
        } catch (thrown) {
          // ELOOP, EACCES, ... while following links: as the operation itself would have failed.
          return E.left(toPathIOError(op, mapped[0].real)(thrown))
        }
        let index = 0
        return next(...mapPathArguments(op, args, () => mapped[index++].real))()
      }
      // Mapping a result back cannot throw on a PathIO; a loose inner record may still give odd values.
      return pipe(
        call,
        TE.mapLeft(virtualError(mapped)),
        TE.chain((gives) => virtualGives(op, args, mapped, given[0], guard?.realRoot())(gives))
      )
    }
    return wrapOperations(jailed)(pathio)
  }

  return <S>(pathio: PathIO<S>): PathIO<S> => {
    const { rootedAt } = pathio
    // A record with no rooted form: checked path by path, unless its paths never run through links (a memory
    // tree, a bucket: then a same-named directory on the real disk is no concern of it).
    if (typeof rootedAt !== 'function')
      return jail(pathio, pathio.capabilities?.symlinks === false || base === '/' ? undefined : makeSymlinkGuard(base))
    // Everything is inside '/': no rooted form needed.
    const rooted = jail(base === '/' ? pathio : rootedAt(base), undefined)
    // A jail in this jail: its root is a path of ours, so the inner record is rooted at where that really is.
    return { ...rooted, rootedAt: (inner: string) => jail(rootedAt(toReal(posix.resolve(inner))), undefined) }
  }
}
