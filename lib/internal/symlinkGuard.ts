/**
 * Where a path on the real disk really leads, following symbolic links the
 * way the kernel would, also through links whose target does not exist yet
 * (a dangling link is a way to create a file outside). `withRoot` checks
 * with it the paths of a record that declares no rooted form of itself (a
 * hand-written backend): a check before the call, so it narrows the window
 * of a link swapped meanwhile but cannot close it. The built-in disk
 * backends declare a rooted form that closes it (`backends/disk/confined`).
 */
import * as fs from 'node:fs'
import * as posix from 'node:path/posix'
import { errnoCode } from '../PathIOError'

/** As Linux's `MAXSYMLINKS`: more links than this on one path is `ELOOP`. */
const MAX_LINKS = 40

/** Missing, or running through a file: the kernel would stop there, the operation itself will say why. */
const isAbsent = (u: unknown): boolean => errnoCode(u) === 'ENOENT' || errnoCode(u) === 'ENOTDIR'

const loop = (path: string): Error =>
  Object.assign(new Error(`ELOOP: too many symbolic links encountered, '${path}'`), { code: 'ELOOP' })

/**
 * The real location of an absolute `path`: `realpath` of it when it exists;
 * otherwise the real location of its parent joined with its name, or, when
 * the name is a dangling link, the real location of the link's target.
 * Throws what `fs` throws, other than "missing" (`EACCES`, `ELOOP`).
 */
export const realLocation = async (path: string, hops = 0): Promise<string> => {
  if (hops > MAX_LINKS) throw loop(path)
  try {
    return await fs.promises.realpath(path)
  } catch (error) {
    if (!isAbsent(error)) throw error
  }
  const parent = posix.dirname(path)
  if (parent === path) return path
  let target: string | undefined
  try {
    if ((await fs.promises.lstat(path)).isSymbolicLink()) target = await fs.promises.readlink(path)
  } catch (error) {
    if (!isAbsent(error)) throw error
  }
  const realParent = await realLocation(parent, hops)
  return target === undefined
    ? posix.join(realParent, posix.basename(path))
    : realLocation(posix.resolve(realParent, target), hops + 1)
}

/**
 * Whether a real path is inside (or is) the real root; `unchecked` while the
 * root does not exist on disk. `realRoot` is where the root really is, once
 * a check found it (a `realpath` the record answers is written under it).
 */
export type SymlinkGuard = ((path: string, followLast: boolean) => Promise<'inside' | 'outside' | 'unchecked'>) & {
  readonly realRoot: () => string | undefined
}

/**
 * A guard for the jail `root`. Until `root` exists on the real disk there is
 * nothing on disk to follow (a memory tree, say) and every path is
 * `unchecked`; from then on its real path is kept. Every check is
 * asynchronous (`fs.promises`): a jail never blocks the event loop.
 */
export const makeSymlinkGuard = (root: string): SymlinkGuard => {
  let realRoot: string | undefined
  const check = async (path: string, followLast: boolean): Promise<'inside' | 'outside' | 'unchecked'> => {
    if (realRoot === undefined) {
      // Asynchronous all through: the pool backend must never block the event loop, nor may its jail.
      const real = await fs.promises.realpath(root).catch((error: unknown) => {
        if (isAbsent(error)) return undefined
        throw error
      })
      if (real === undefined) return 'unchecked'
      realRoot = real
    }
    const real = followLast
      ? await realLocation(path)
      : posix.join(await realLocation(posix.dirname(path)), posix.basename(path))
    const inside = real === realRoot || real.startsWith(realRoot === '/' ? '/' : `${realRoot}/`)
    return inside ? 'inside' : 'outside'
  }
  return Object.assign(check, { realRoot: () => realRoot })
}
