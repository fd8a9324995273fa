/**
 * The one adapter interface every contestant implements: a tiny async file
 * API (`Ops`) over a fresh, empty working directory (`Session`). Each
 * workload is written once against it, so every contestant does exactly the
 * same work.
 *
 * @since 0.1.0
 */

/** A value, or a promise of one: synchronous contestants (the raw loop, memfs) pay no promise of their own. */
export type MaybePromise<A> = A | Promise<A>

/** An open file, as the contestant represents it (a PathIO handle, an fd, a `FileHandle`). */
export type Handle = unknown

/**
 * The operations the workloads use. Paths are absolute, under `Session.dir`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Ops {
  /** `write` creates or truncates; `read` needs an existing file. */
  readonly open: (path: string, mode: 'read' | 'write') => MaybePromise<Handle>
  readonly write: (file: Handle, data: Uint8Array) => MaybePromise<unknown>
  /** Reads at most `size` bytes at the handle's position; returns how many (0 at the end). */
  readonly read: (file: Handle, size: number) => MaybePromise<number>
  readonly close: (file: Handle) => MaybePromise<unknown>
  /** The file's size. */
  readonly stat: (path: string) => MaybePromise<number>
  /** The directory's child names or paths. */
  readonly list: (dir: string) => MaybePromise<ReadonlyArray<string>>
  /** The directory's children with their stats, in one call where the contestant has one. */
  readonly scan: (dir: string) => MaybePromise<ReadonlyArray<unknown>>
  readonly unlink: (path: string) => MaybePromise<unknown>
  readonly mkdir: (path: string) => MaybePromise<unknown>
}

/**
 * One run's private playground: the ops, an empty directory to work in, and
 * how to throw it all away.
 *
 * @category model
 * @since 0.1.0
 */
export interface Session {
  readonly ops: Ops
  /** An existing, empty directory (absolute). */
  readonly dir: string
  readonly teardown: () => Promise<void>
  /**
   * Bytes the contestant keeps for reuse outside any file (the memory
   * backend's spare chunks), left out of what its files are said to hold.
   */
  readonly spareBytes?: () => number
}

/**
 * A contestant: a name for the table and a way to start a fresh session.
 * `kind` decides which workloads apply (100,000 files and memory-per-byte are
 * for in-memory contestants only).
 *
 * @category model
 * @since 0.1.0
 */
export interface Contestant {
  readonly name: string
  readonly kind: 'memory' | 'disk'
  /** One line for the README: what this contestant is. */
  readonly description: string
  readonly setup: () => Promise<Session>
  /**
   * False when the bytes it stores live outside V8's sight (a native
   * library's own allocator): its memory per byte cannot be measured as the
   * others' is, and is left out rather than shown as zero.
   */
  readonly heldVisible?: boolean
}
