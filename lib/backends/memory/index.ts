/**
 * `makeMemoryPathIO`: an in-memory tree, built for scale (a `Map` per
 * directory, inodes apart from names, sparse chunked content). Its
 * operations live beside this module: `paths`, `files`, `listings`.
 *
 * @since 0.1.0
 */
import { makeCapabilities, type Capabilities } from '../../Capabilities'
import type { PathIO } from '../../PathIO'
import { applyContext, checkContext } from '../../internal/context'
import { makePathIO } from '../makePathIO'
import { memoryFiles } from './files'
import { memoryListings } from './listings'
import { checkMemoryOptions, type MemoryOptions } from './options'
import { memoryPaths } from './paths'
import type { MemoryTree } from './tree'

export { makeMemoryTree, type MemoryTree, type MemoryTreeOptions } from './tree'
export type { MemoryOptions } from './options'

/** A tree has no symbolic links, and lists a directory in the order its names were added (its `Map`'s). */
const MEMORY_CAPABILITIES: Capabilities = makeCapabilities({ symlinks: false, listingOrder: 'insertion' })

/**
 * An in-memory `PathIO`. Its `state` is the tree: pass it as `state` (or use
 * `withSharedState`) to give several records the same files. Files are
 * sparse (a hole holds no memory) and `maxTotalSize` bounds what all the
 * tree's files hold together (see docs/memory.md). It has no symbolic links
 * and lists names in the order they were added (`capabilities`).
 *
 * @example
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * const io = makeMemoryPathIO({ cwd: '/home', maxTotalSize: 2 ** 20 })
 * const program = pipe(
 *   io.mkdir('/home'),
 *   TE.chain(() => writeFile(io, 'notes.txt', Buffer.from('hi'))), // resolves to /home/notes.txt
 *   TE.chain(() => io.list('/home'))
 * )
 * assert.deepStrictEqual(await program(), E.right(['/home/notes.txt']))
 * assert.strictEqual(io.state.budget.held, 2) // bytes the tree's files hold
 * assert.strictEqual(io.capabilities.symlinks, false)
 * assert.deepStrictEqual(await io.realpath('notes.txt')(), E.right('/home/notes.txt')) // no links: the resolved path
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeMemoryPathIO = (options?: MemoryOptions): PathIO<MemoryTree> => {
  const context = checkContext<MemoryTree>(options, 'makeMemoryPathIO')
  const settings = checkMemoryOptions(options, context.state)
  const pathio = makePathIO({
    state: settings.tree,
    capabilities: MEMORY_CAPABILITIES,
    // No links: `realpath` is derived, the path resolved against this cwd once `stat` finds it.
    cwd: settings.cwd,
    ...memoryPaths(settings),
    ...memoryFiles(settings),
    ...memoryListings(settings)
  })
  return applyContext(pathio, context)
}
