/**
 * `makeNodePathIO`: synchronous `node:fs` calls lifted into `TaskEither`
 * (aioftp's blocking `PathIO`). The fastest per call; a call blocks the event
 * loop while it runs. Its operations live beside this module: `paths`,
 * `files`, `listings`; the system calls themselves, shared with the pool's
 * workers, in `../disk/syscalls`.
 *
 * @since 0.1.0
 */
import { makeCapabilities } from '../../Capabilities'
import type { PathIO } from '../../PathIO'
import { applyContext, checkContext } from '../../internal/context'
import { targetIn } from '../disk/syscalls'
import { makePathIO } from '../makePathIO'
import { nodeFiles } from './files'
import { nodeListings } from './listings'
import { checkNodeOptions, type NodeOptions } from './options'
import { nodePaths } from './paths'

export type { NodeOptions } from './options'

/** A disk does everything the contract asks, links included. */
const NODE_CAPABILITIES = makeCapabilities()

/**
 * The record on paths resolved against `cwd`; with `root`, its rooted form:
 * the same operations, none of which ever acts outside that real directory
 * (`withRoot` uses it, see `../disk/confined`). The unrooted record offers
 * its rooted form as `rootedAt`.
 */
const nodeRecord = (cwd: string, root?: string): PathIO<undefined> => {
  const at = targetIn(cwd, root)
  return makePathIO({
    state: undefined,
    capabilities: NODE_CAPABILITIES,
    ...(root === undefined ? { rootedAt: (jail: string) => nodeRecord(cwd, jail) } : {}),
    ...nodePaths(at),
    ...nodeFiles(at),
    ...nodeListings(at)
  })
}

/**
 * A `PathIO` on the local disk through synchronous `node:fs` calls. `state`
 * is `undefined`; handles work on every Node record of the process. It
 * offers a rooted form (`rootedAt`), which `withRoot` uses to keep every
 * operation inside its root whatever symbolic links do.
 *
 * @example
 * import { makeNodePathIO } from 'fp-pathio'
 * import { pipe } from 'fp-ts/function'
 * import * as E from 'fp-ts/Either'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as fs from 'node:fs'
 * import * as os from 'node:os'
 * import * as path from 'node:path'
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-'))
 * const io = makeNodePathIO({ cwd: dir })
 * const names = pipe(io.mkdir('pub', { existOk: true }), TE.chain(() => io.list('.')))
 * assert.deepStrictEqual(await names(), E.right(['./pub']))
 * assert.strictEqual(typeof io.rootedAt, 'function')
 * fs.rmSync(dir, { recursive: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeNodePathIO = (options?: NodeOptions): PathIO<undefined> => {
  const context = checkContext<undefined>(options, 'makeNodePathIO')
  return applyContext(nodeRecord(checkNodeOptions(options)), context)
}
