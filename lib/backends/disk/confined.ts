/**
 * The disk side of a jail: acting on a path without ever leaving a real
 * directory, the root, whatever symbolic links do meanwhile.
 *
 * Node has no `openat`, but Linux names `name` inside the directory open as
 * descriptor N by `/proc/self/fd/N/name`, wherever that directory is now. So
 * an operation first opens its path's parent directory, asks the kernel
 * where that descriptor really is (`readlink /proc/self/fd/N`), refuses if
 * that is not inside the root, and only then acts on the name inside the
 * pinned directory, without following a link there (`lstat`, `O_NOFOLLOW`,
 * or a call that never follows its last component: `mkdir`, `unlink`,
 * `rename`...). A link met there is read and followed by hand, the same way
 * again, at most 40 times. A link swapped in after the check changes
 * nothing: the directory is already open, and nothing is created, truncated
 * or read through a path the kernel resolves afresh.
 */
import * as fs from 'node:fs'
import * as posix from 'node:path/posix'
import { errnoCode } from '../../PathIOError'

const PROC_FD = '/proc/self/fd/'

/** As Linux's `MAXSYMLINKS`. */
const MAX_LINKS = 40

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants

/** Flags that open a directory without following a link at its name. */
export const OPEN_DIRECTORY = O_RDONLY | O_DIRECTORY | O_NOFOLLOW

/** The path of the directory open as `fd`: it lists and stats that directory, wherever it is now. */
export const throughDescriptor = (fd: number): string => `${PROC_FD}${fd}`

/** A root as given, and where it really is on the disk. */
interface Jail {
  readonly root: string
  readonly real: string
}

/** A directory held open inside the root, and where it really is. */
interface Pinned {
  readonly fd: number
  readonly location: string
}

/** Real paths of roots already met (a server has one root per account: few). */
const realRoots = new Map<string, string>()

const jailOf = (root: string): Jail => {
  let real = realRoots.get(root)
  if (real === undefined) {
    real = fs.realpathSync(root)
    realRoots.set(root, real)
  }
  return { root, real }
}

const isInside = (jail: Jail, location: string): boolean =>
  location === jail.real || location.startsWith(jail.real === '/' ? '/' : `${jail.real}/`)

/** What a path that leads out of the root throws: the operation reports it as `PermissionDenied`. */
const leadsOutside = (): Error =>
  Object.assign(new Error('EACCES: leads outside the root through a symbolic link'), { code: 'EACCES', outside: true })

/** Whether `u` is the refusal of a path that leads out of the root. */
export const isOutside = (u: unknown): boolean => u instanceof Error && (u as { outside?: unknown }).outside === true

const tooManyLinks = (path: string): Error =>
  Object.assign(new Error(`ELOOP: too many symbolic links encountered, '${path}'`), { code: 'ELOOP' })

const isAbsent = (u: unknown): boolean => errnoCode(u) === 'ENOENT' || errnoCode(u) === 'ENOTDIR'

/**
 * Opens the directory `dir` (following links on the way, as the kernel
 * does) and checks where its descriptor really is. Outside the root, it is
 * closed and refused. When `dir` is missing, its nearest existing ancestor
 * says whether it would have been outside (refused) or inside (the
 * original `ENOENT`/`ENOTDIR` stands).
 */
const pin = (jail: Jail, dir: string): Pinned => {
  let fd: number
  try {
    fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY)
  } catch (thrown) {
    if (isAbsent(thrown) && dir !== jail.root && dir !== jail.real && dir !== '/') {
      try {
        fs.closeSync(pin(jail, posix.dirname(dir)).fd)
      } catch (ancestor) {
        if (isOutside(ancestor)) throw ancestor
      }
    }
    throw thrown
  }
  let location: string
  try {
    location = fs.readlinkSync(throughDescriptor(fd))
  } catch (thrown) {
    fs.closeSync(fd)
    throw thrown
  }
  if (!isInside(jail, location)) {
    fs.closeSync(fd)
    throw leadsOutside()
  }
  return { fd, location }
}

/** What an action throws when the entry it met is a symbolic link to follow. */
const LINK: unique symbol = Symbol('a symbolic link')

/** For actions that `lstat`: a link is to be followed. */
export const notALink = (s: fs.Stats): fs.Stats => {
  if (s.isSymbolicLink()) throw LINK
  return s
}

/** Whether an action failed because its entry is a link (`O_NOFOLLOW` says `ELOOP`, with `O_DIRECTORY` `ENOTDIR`). */
const metALink = (thrown: unknown, entry: string): boolean => {
  if (thrown === LINK) return true
  const code = errnoCode(thrown)
  if (code !== 'ELOOP' && code !== 'ENOTDIR') return false
  try {
    return fs.lstatSync(entry).isSymbolicLink()
  } catch {
    return false
  }
}

/**
 * Runs `act` on the entry that the absolute `path` names, kept inside the
 * real directory `root`: `act` gets the entry as a path inside its pinned
 * parent directory, valid while `act` runs, and must not follow a link there
 * (see the module's comment). With `follow`, a link there is followed by
 * hand and `act` runs again on what it points to; without, `act` acts on the
 * link itself. A path that leads outside throws the `isOutside` refusal;
 * other failures throw as `fs` does.
 */
export const onEntry = <A>(root: string, path: string, follow: boolean, act: (entry: string) => A): A => {
  const jail = jailOf(root)
  let current = path
  for (let links = 0; ; links++) {
    // The root itself: its own directory, pinned and checked like any other.
    const top = current === jail.root || current === jail.real
    const dir = pin(jail, top ? current : posix.dirname(current))
    try {
      const entry = `${throughDescriptor(dir.fd)}/${top ? '.' : posix.basename(current)}`
      try {
        return act(entry)
      } catch (thrown) {
        if (!follow || top || !metALink(thrown, entry)) throw thrown
      }
      if (links >= MAX_LINKS) throw tooManyLinks(path)
      current = posix.resolve(dir.location, fs.readlinkSync(entry))
    } finally {
      fs.closeSync(dir.fd)
    }
  }
}

/**
 * Where the kernel says an entry of the jail `root` really is (`location`,
 * a real path: the `readlink` of a descriptor), written under `root` as
 * given, which may itself run through links: the rooted record's answer to
 * `realpath`, which a jail maps back by stripping `root`. A location outside
 * the real root throws the `isOutside` refusal: nothing outside is ever
 * named.
 */
export const asPathUnderRoot = (root: string, location: string): string => {
  const jail = jailOf(root)
  if (!isInside(jail, location)) throw leadsOutside()
  const given = posix.resolve(jail.root)
  const below = jail.real === '/' ? location : location.slice(jail.real.length)
  return below === '' || below === '/' ? given : given === '/' ? below : given + below
}

/**
 * The stat a listing gives a child that is a symbolic link, in a jail: what
 * it points to when that is inside the root; its own `lstat` when it points
 * outside (or nowhere), so a listing never shows anything of the outside.
 */
export const linkStatInside = (root: string, path: string, own: fs.Stats): fs.Stats => {
  try {
    return onEntry(root, path, true, (entry) => notALink(fs.lstatSync(entry)))
  } catch {
    return own
  }
}
