/**
 * What the contract suite needs from a backend: a fresh, empty directory per
 * test and a record whose `cwd` is that directory.
 */
import type { PathIO } from '../../lib'

export interface Fixture {
  /** A record whose relative paths resolve inside `root`. */
  readonly pathio: PathIO<unknown>
  /** Absolute path (as `pathio` sees it) of a fresh, empty directory. */
  readonly root: string
  /** Another record sharing `pathio`'s state (handles work across both), same cwd. */
  readonly sibling: () => PathIO<unknown>
  /** An unrelated record of the same kind: its handles are foreign to `pathio` where the backend has state. */
  readonly stranger?: () => PathIO<unknown>
  /** Removes everything the test made (temp dirs, pools). */
  readonly teardown: () => Promise<void>
}

/**
 * What a backend may be unable to do, as OpenDAL's capability flags. The
 * suite runs a test that needs one the fixture lacks as a check that the
 * backend says so (`Unsupported`) or behaves as its documentation says,
 * never as a skip.
 * - `append`: `open(p, 'ab')`; `update`: `open(p, 'r+b')`; `seekWrite`: `seek` on a `wb` handle.
 * - `visibleWhileWriting`: a `wb` file exists, truncated, from `open`, and each write shows at once.
 * - `directoryTimes`: a directory's `mtimeMs` follows its entries; `nlink` counts its subdirectories.
 * - `openAfterRemoval`: a handle keeps reading a file unlinked or renamed after it was opened.
 * - `longNames`: names of up to 255 bytes can be stored.
 */
export type Capability =
  | 'append'
  | 'update'
  | 'seekWrite'
  | 'visibleWhileWriting'
  | 'directoryTimes'
  | 'openAfterRemoval'
  | 'longNames'

export interface Backend {
  /** Shown in the suite's title: 'memory', 'node', 'withTimeout(pool)', ... */
  readonly name: string
  /** True where the record works on a real disk (fd-based checks, symlinks). */
  readonly disk: boolean
  /** What it cannot do (left out: everything the contract asks). */
  readonly lacks?: ReadonlySet<Capability>
  readonly setup: () => Promise<Fixture>
  /** Runs once after every test of this backend (closing a shared pool, say). */
  readonly after?: () => Promise<void>
}
