/**
 * `withPermissions`: what a user may do, as pyftpdlib's permission letters,
 * with overrides below chosen directories (the nearest one wins).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { OPERATIONS, PERMISSION_LETTERS, permissionFor, type PermissionLetter } from '../Operations'
import { isDirectoryStat, type Middleware, type PathIO } from '../PathIO'
import { pathIOError, type PathIOError } from '../PathIOError'
import { describe } from '../internal/arguments'
import { wrapOperations } from '../internal/wrap'

// The letters are facts of the operation table; they are re-exported here, where they were first defined.
export { PERMISSION_LETTERS, type PermissionLetter }

/**
 * A permission set: `perm` everywhere, and `paths` overriding it at and
 * below a directory (paths as the user sees them; the nearest one wins).
 *
 * @category model
 * @since 0.1.0
 */
export interface Permissions {
  readonly perm: string
  readonly paths?: Readonly<Record<string, string>>
}

/** A checked permission set: the letters of each rule, nearest directory first. */
interface Rules {
  readonly everywhere: ReadonlySet<string>
  /** Longest (nearest) directory first. */
  readonly below: ReadonlyArray<readonly [string, ReadonlySet<string>]>
}

const letterSet = (letters: unknown, option: string): ReadonlySet<string> => {
  if (
    typeof letters !== 'string' ||
    ![...letters].every((c) => (PERMISSION_LETTERS as ReadonlyArray<string>).includes(c))
  )
    throw new TypeError(
      `withPermissions: option '${option}' must be a string of the letters ${PERMISSION_LETTERS.join('')}, got ${describe(letters)}`
    )
  return new Set(letters)
}

const rulesCache = new WeakMap<Permissions, Rules>()

const checkRules = (permissions: Permissions): Rules => {
  const known = rulesCache.get(permissions)
  if (known !== undefined) return known
  if (typeof permissions !== 'object' || permissions === null)
    throw new TypeError(`withPermissions: expected { perm, paths }, got ${describe(permissions)}`)
  const everywhere = letterSet(permissions.perm, 'perm')
  const paths = permissions.paths ?? {}
  if (typeof paths !== 'object' || paths === null)
    throw new TypeError(`withPermissions: option 'paths' must be a record, got ${describe(paths)}`)
  const below = Object.entries(paths).map(([dir, letters]): readonly [string, ReadonlySet<string>] => {
    if (!dir.startsWith('/'))
      throw new TypeError(`withPermissions: a key of 'paths' must be an absolute path, got ${describe(dir)}`)
    return [posix.resolve(dir), letterSet(letters, `paths["${dir}"]`)]
  })
  const rules = { everywhere, below: below.sort(([a], [b]) => b.length - a.length) }
  rulesCache.set(permissions, rules)
  return rules
}

const isAtOrBelow = (path: string, dir: string): boolean => dir === '/' || path === dir || path.startsWith(dir + '/')

/**
 * Whether `letter` is allowed at `path` (resolved against `/`): the letters
 * of the nearest directory of `paths` at or above it, else `perm`. A bad
 * permission set is a `TypeError`.
 *
 * @example
 * import { permits } from 'fp-pathio'
 * const alice = { perm: 'elr', paths: { '/incoming': 'elrw', '/incoming/done': 'elr' } }
 * assert.ok(permits(alice, 'w', '/incoming/a.txt'))
 * assert.ok(!permits(alice, 'w', '/incoming/done/a.txt'))
 * assert.ok(!permits(alice, 'w', '/a.txt'))
 *
 * @category utils
 * @since 0.1.0
 */
export const permits = (permissions: Permissions, letter: PermissionLetter, path: string): boolean => {
  const rules = checkRules(permissions)
  const where = posix.resolve('/', path)
  const nearest = rules.below.find(([dir]) => isAtOrBelow(where, dir))
  return (nearest === undefined ? rules.everywhere : nearest[1]).has(letter)
}

/**
 * Allows each operation only where the permission set has its letter (the
 * operation table's `permission`): `list`, `scan` and `opendir` need `l`;
 * `open` needs `r` (`rb`), `w` (`wb`, `r+b`) or `a` (`ab`); `mkdir` `m`;
 * `rmdir` and `unlink` `d`; `rename` `f` at both ends; `utimes` `T`; `chmod`
 * `M`. Anything else is `Left` with reason `PermissionDenied` (`EACCES`)
 * and the inner record is not called. `stat`, `exists`, `isDir` and `isFile`
 * are always allowed, and so is the use of a handle (checked at `open`; `truncate` too),
 * except `read` on a handle this record opened `r+b` where `r` does not
 * hold: that is `PermissionDenied`, so `w` alone lets a user update a file
 * in place (REST+STOR) but never read it.
 * `e` (CWD) is a server's navigation rule: check it with `permits`.
 *
 * A `rename` moves whatever lies below its source too, and replaces what is
 * at its destination, so it must not carry anything across a rule: it needs
 * `f` at the source, at the destination and in every rule directory below
 * either, and the letters that would create what lands at the destination
 * (`w` for a file, `m` for a directory, `m` and `w` for a directory that
 * holds anything, in every rule directory below the destination too).
 * Otherwise a user could rename a read-only directory away, change it, and
 * rename it back, or build a tree elsewhere and move it into a read-only
 * one's place.
 *
 * Paths are resolved against `/` as the caller gives them, so put it above
 * `withRoot` (the user's paths). A new operation cannot slip through
 * unchecked: the compiler demands its row, letter included (one the table
 * does not know is refused). A bad permission set is a `TypeError` at once.
 *
 * @example
 * import { withPermissions, makeMemoryPathIO } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * const io = withPermissions({ perm: 'elr', paths: { '/incoming': 'elrmw' } })(makeMemoryPathIO())
 * assert.ok(E.isRight(await io.mkdir('/incoming')())) // the rule of '/incoming' holds at it too
 * assert.ok(E.isRight(await io.mkdir('/incoming/new')()))
 * const refused = await io.mkdir('/other')()
 * assert.ok(E.isLeft(refused) && refused.left.reason === 'PermissionDenied')
 *
 * @category combinators
 * @since 0.1.0
 */
export const withPermissions = (permissions: Permissions): Middleware => {
  const rules = checkRules(permissions)
  return <S>(pathio: PathIO<S>): PathIO<S> => {
    /** Handles this record opened 'r+b' where 'r' does not hold (writable, not readable), to their path. */
    const writeOnly = new WeakMap<object, string>()
    const where = (path: unknown): string | undefined =>
      typeof path === 'string' && path !== '' ? posix.resolve('/', path) : undefined
    const refuse = (op: string, path: unknown, letter: string) =>
      TE.left(
        pathIOError('PermissionDenied', op, {
          path,
          code: 'EACCES',
          detail: `permission '${letter}' is not granted here`
        })
      )
    const allowed = (letter: PermissionLetter, path: string | undefined): boolean =>
      path === undefined || permits(permissions, letter, path) // a bad path: the inner record says why
    /** The rule directories strictly below `dir`: what a rename of `dir` carries along or replaces. */
    const rulesBelow = (dir: string): ReadonlyArray<string> =>
      rules.below.map(([rule]) => rule).filter((rule) => rule !== dir && isAtOrBelow(rule, dir))
    /** The first letter of `letters` missing at `path` or in a rule directory below it (when `below`), if any. */
    const missing = (
      letters: ReadonlyArray<PermissionLetter>,
      path: string,
      below: boolean
    ): PermissionLetter | undefined => {
      for (const dir of below ? [path, ...rulesBelow(path)] : [path]) {
        const lacking = letters.find((letter) => !permits(permissions, letter, dir))
        if (lacking !== undefined) return lacking
      }
      return undefined
    }

    /**
     * Where a path really is, as the caller names paths, when links may lead
     * elsewhere: the rule of the place a backend acts on applies there too
     * (a link `/rw/toro -> ../ro` is judged by `/ro`'s rule). The final link
     * is followed unless the operation acts on the entry itself; a missing
     * last part stays as given under its parent's real place. Only asked
     * when there are rules below some directory and the record has links.
     */
    const located = async (inner: PathIO<unknown>, path: string, onTheEntry: boolean): Promise<string> => {
      if (path === '/') return path
      if (!onTheEntry) {
        const real = await inner.realpath(path)()
        if (E.isRight(real)) return real.right
      }
      const parent = await inner.realpath(posix.dirname(path))()
      return E.isRight(parent) ? posix.join(parent.right, posix.basename(path)) : path
    }
    const linksMatter = (inner: PathIO<unknown>): boolean => rules.below.length > 0 && inner.capabilities.symlinks

    /** `rename` checked as its class comment says, where the paths are and where they really lead; the inner record is asked only what the source is. */
    const checkedRename = (
      inner: PathIO<unknown>,
      args: ReadonlyArray<unknown>,
      next: () => TE.TaskEither<PathIOError, unknown>
    ): TE.TaskEither<PathIOError, unknown> => {
      const [source, destination] = args
      const from = where(source)
      const to = where(destination)
      if (from === undefined || to === undefined) return next()
      // Letters first, from the paths alone: a user without them learns nothing of what exists.
      const away = missing(['f'], from, true)
      if (away !== undefined) return refuse('rename', source, away)
      if (!allowed('f', to)) return refuse('rename', destination, 'f')
      return async () => {
        const places = linksMatter(inner)
          ? [
              { from, to },
              { from: await located(inner, from, true), to: await located(inner, to, true) }
            ]
          : [{ from, to }]
        for (const place of places.slice(1)) {
          const lacking = missing(['f'], place.from, true)
          if (lacking !== undefined) return refuse('rename', source, lacking)()
          if (!allowed('f', place.to)) return refuse('rename', destination, 'f')()
        }
        const stat = await inner.stat(source as string)()
        // A missing source (or a bad path): the inner rename says so, with the same reason.
        if (E.isLeft(stat)) return next()()
        const directory = isDirectoryStat(stat.right)
        const holdsAnything = directory && (await isNotEmpty(inner, source as string))
        const lands: ReadonlyArray<PermissionLetter> = !directory
          ? ['f', 'w']
          : holdsAnything
            ? ['f', 'm', 'w']
            : ['f', 'm']
        for (const place of places) {
          const lacking = missing(lands, place.to, directory)
          if (lacking !== undefined) return refuse('rename', destination, lacking)()
        }
        return next()()
      }
    }

    return wrapOperations((op, args, next, inner) => {
      const given = args as ReadonlyArray<unknown>
      const handle = given[0]
      if (op === 'read' && typeof handle === 'object' && handle !== null) {
        const opened = writeOnly.get(handle)
        if (opened !== undefined) return refuse(op, opened, 'r')
      }
      if (op === 'close' && typeof handle === 'object' && handle !== null && writeOnly.has(handle))
        return async () => {
          const result = await next(...args)()
          if (result._tag === 'Right') writeOnly.delete(handle)
          return result
        }
      // The letter of each operation is its row's (OPERATIONS): a handle was checked when it was opened
      // (except `read` on an `r+b` handle opened without `r`, above).
      const row = OPERATIONS[op]
      if (row === undefined) return refuse(op, given[0], 'unknown operation')
      if (row.handle !== undefined) return next(...args)
      if (op === 'rename') return checkedRename(inner, given, () => next(...args)) as never
      const letter = permissionFor(op, args)
      const path = where(given[0])
      if (letter !== undefined && !allowed(letter, path)) return refuse(op, given[0], letter)
      const updatesBlind = op === 'open' && given[1] === 'r+b' && path !== undefined
      if (letter === undefined || path === undefined || (!linksMatter(inner) && !updatesBlind)) return next(...args)
      return async () => {
        const real = linksMatter(inner) ? await located(inner, path, row.onTheEntry) : path
        if (!allowed(letter, real)) return refuse(op, given[0], letter)()
        const result = await next(...args)()
        if (updatesBlind && result._tag === 'Right' && !(allowed('r', path) && allowed('r', real)))
          writeOnly.set(result.right as object, path)
        return result
      }
    })(pathio)
  }
}

/** Whether the directory at `path` holds any entry (one page of one entry read, the listing closed). */
const isNotEmpty = async (pathio: PathIO<unknown>, path: string): Promise<boolean> => {
  const opened = await pathio.opendir(path)()
  if (E.isLeft(opened)) return true // cannot tell: assume it holds something (the stricter letters)
  const page = await pathio.readdir(opened.right, 1)()
  await pathio.closedir(opened.right)()
  return E.isLeft(page) || page.right.length > 0
}
