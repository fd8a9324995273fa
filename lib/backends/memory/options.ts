/**
 * `makeMemoryPathIO`'s options, checked at once: a bad one is a `TypeError`
 * naming it (a programming error, not a `Left`).
 */
import { constants } from 'node:buffer'
import type { FactoryContext } from '../../PathIO'
import { checkCwdOption } from '../../internal/arguments'
import { checkMaxTotalSize, isMemoryTree, makeMemoryTree, type MemoryTree } from './tree'

/**
 * Options of `makeMemoryPathIO`: the factory context plus `cwd`, `maxFileSize`
 * and `maxTotalSize`.
 *
 * @category model
 * @since 0.1.0
 */
export interface MemoryOptions extends FactoryContext<MemoryTree> {
  /** Absolute path that relative paths resolve against (default `/`). */
  readonly cwd?: string
  /**
   * The largest file, in bytes (default and most: `buffer.constants.MAX_LENGTH`, the
   * largest Buffer). A write that would go past it is `NoSpace` (`EFBIG`), as on a disk.
   */
  readonly maxFileSize?: number
  /**
   * The most bytes the files of a new tree may hold together, as
   * `makeMemoryTree`'s option (default: no limit). Given with a `state`, it
   * must be that tree's own limit.
   */
  readonly maxTotalSize?: number
}

/** What the operations of one memory record work with: its tree, where relative paths start, the largest file. */
export interface MemorySettings {
  readonly tree: MemoryTree
  readonly cwd: string
  readonly maxFileSize: number
}

const checkMaxFileSize = (max: unknown): number => {
  if (max === undefined) return constants.MAX_LENGTH
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0 || max > constants.MAX_LENGTH)
    throw new TypeError(
      `makeMemoryPathIO: option 'maxFileSize' must be an integer from 0 to ${constants.MAX_LENGTH}, got ${String(max)}`
    )
  return max
}

/** Checks every option (the context's are checked already) and makes a tree where none is given. */
export const checkMemoryOptions = (
  options: MemoryOptions | undefined,
  state: MemoryTree | undefined
): MemorySettings => {
  const given = options?.cwd
  const cwd = checkCwdOption(given === undefined ? '/' : given, 'makeMemoryPathIO')
  const maxFileSize = checkMaxFileSize(options?.maxFileSize)
  if (state !== undefined && !isMemoryTree(state))
    throw new TypeError("makeMemoryPathIO: option 'state' must be a MemoryTree (the state of another memory record)")
  const maxTotalSize = options?.maxTotalSize
  if (
    state !== undefined &&
    maxTotalSize !== undefined &&
    checkMaxTotalSize(maxTotalSize, 'makeMemoryPathIO') !== state.budget.max
  )
    throw new TypeError("makeMemoryPathIO: option 'maxTotalSize' differs from the limit of the tree given as 'state'")
  return { tree: state ?? makeMemoryTree({ maxTotalSize }), cwd, maxFileSize }
}
