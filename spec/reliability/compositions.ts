/**
 * The compositions of the differential test: a mount and an overlay, each
 * beside the plain memory record that holds the same tree, and the rules a
 * mount keeps that a plain record does not.
 */
import * as E from 'fp-ts/Either'
import * as posix from 'node:path/posix'
import {
  makeMemoryPathIO,
  mount,
  mountOf,
  OPERATIONS,
  overlay,
  pathArguments,
  pathIOError,
  wrapOperations,
  type MountTable,
  type PathIO
} from '../../lib'
import { run } from '../contract/helpers'
import { makeRunner, runStep, treeOf, type Step } from './model'

/** Mount points over the model's names (`a`, `b`, `c`): one at the top, one nested in a directory of `/`'s record. */
export const MOUNT_POINTS = ['/b', '/c/a'] as const

/**
 * The mount of the differential test: `/` and each mount point a memory
 * record of its own (`/`'s holding `/c`, the nested point's parent), and
 * the plain memory record that holds the same tree (every mount point a
 * directory), under the rules a mount keeps (see `mountRules`).
 */
export const mountAndModel = async (): Promise<{
  readonly mounted: PathIO<unknown>
  readonly model: PathIO<unknown>
}> => {
  const top = makeMemoryPathIO()
  const model = makeMemoryPathIO()
  for (const point of MOUNT_POINTS) {
    await run(top.mkdir(posix.dirname(point), { parents: true, existOk: true }))
    await run(model.mkdir(point, { parents: true }))
  }
  const table: Record<string, PathIO<unknown>> = { '/': top }
  for (const point of MOUNT_POINTS) table[point] = makeMemoryPathIO()
  return { mounted: mount(table), model: mountRules(table)(model) }
}

/**
 * A plain record kept to a mount's rules over `table`'s mount points: a
 * mount point, or a directory that holds one, cannot be removed or renamed
 * (`Busy`), and a rename between two mounts is `Unsupported` (`EXDEV`).
 * Paths are relative to `/`, as the model's are.
 */
export const mountRules = (table: MountTable) => {
  const inUse = new Set<string>()
  for (const point of Object.keys(table)) for (let at = point; at !== '/'; at = posix.dirname(at)) inUse.add(at)
  return wrapOperations((op, args, next) => {
    const paths = pathArguments(op, args).map((path) =>
      typeof path === 'string' ? posix.resolve('/', path) : undefined
    )
    if (paths.some((path) => path === undefined)) return next(...args)
    const resolved = paths as ReadonlyArray<string>
    const busy = OPERATIONS[op].removesDirectory ? resolved.findIndex((path) => inUse.has(path)) : -1
    if (busy >= 0) return async () => E.left(pathIOError('Busy', op, { path: args[busy], code: 'EBUSY' }))
    if (new Set(resolved.map((path) => mountOf(table, path).point)).size > 1)
      return async () => E.left(pathIOError('Unsupported', op, { path: args[0], code: 'EXDEV' }))
    return next(...args)
  })
}

/**
 * The overlay of the differential test: a starting tree built in `lower`
 * and in the plain model alike, and an empty `upper`. Gives the two records
 * and `lower` (which must come out as it went in).
 */
export const overlayAndModel = async (
  start: ReadonlyArray<Step>
): Promise<{
  readonly overlaid: PathIO<unknown>
  readonly model: PathIO<unknown>
  readonly lower: PathIO<unknown>
}> => {
  const lower = makeMemoryPathIO()
  const model = makeMemoryPathIO()
  for (const record of [lower, model]) {
    const runner = makeRunner(record)
    for (const step of start) await runStep(runner, step)
  }
  return { overlaid: overlay({ upper: makeMemoryPathIO(), lower }), model, lower }
}

/** Every path of a record with kind and content, and the listing of each directory (what `lower` must keep). */
export const contentOf = (io: PathIO<unknown>): Promise<Record<string, string>> => treeOf(io, '/')
