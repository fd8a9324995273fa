/**
 * What the contract suite needs from a backend: a fresh, empty directory per
 * test and a record whose `cwd` is that directory.
 */
import type { PathIO } from '../../lib'

// What a backend can do is not the fixture's to say: the suite reads the record's own `capabilities`.

export interface Fixture {
  /** A record whose relative paths resolve inside `root`. */
  readonly pathio: PathIO<unknown>
  /** Absolute path (as `pathio` sees it) of a fresh, empty directory. */
  readonly root: string
  /**
   * On a real disk: where `root` really is (a canonical path, no link on
   * it), so a test can plant symbolic links with `fs`. It differs from
   * `root` under a jail (`withRoot` shows it as `/`).
   */
  readonly realRoot?: string
  /** Another record sharing `pathio`'s state (handles work across both), same cwd. */
  readonly sibling: () => PathIO<unknown>
  /** An unrelated record of the same kind: its handles are foreign to `pathio` where the backend has state. */
  readonly stranger?: () => PathIO<unknown>
  /** Removes everything the test made (temp dirs, pools). */
  readonly teardown: () => Promise<void>
}

export interface Backend {
  /** Shown in the suite's title: 'memory', 'node', 'withTimeout(pool)', ... */
  readonly name: string
  /** True where the record works on a real disk (fd-based checks, symlinks). */
  readonly disk: boolean
  /** False where links planted on the disk are not what the record shows (an overlay over a disk layer); default: as `disk`. */
  readonly links?: boolean
  readonly setup: () => Promise<Fixture>
  /** Runs once after every test of this backend (closing a shared pool, say). */
  readonly after?: () => Promise<void>
}
