/**
 * Contract fixtures of the two disk backends: each test gets a fresh
 * temporary directory (removed afterwards) and records whose cwd it is.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeNodePathIO, makePoolPathIO, makeWorkerPool, type WorkerPool } from '../../lib'
import type { Backend } from './fixture'

/** A fresh, empty directory under the system's temp dir (its real path, so no symlink surprises). */
export const makeTempRoot = (prefix: string): string =>
  fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `fp-pathio-${prefix}-`)))

export const removeTempRoot = (root: string): void => fs.rmSync(root, { recursive: true, force: true })

/** Node records: no state, so any two share handles and there is no stranger. */
export const nodeBackend: Backend = {
  name: 'node',
  disk: true,
  setup: async () => {
    const root = makeTempRoot('node')
    return {
      pathio: makeNodePathIO({ cwd: root }),
      root,
      realRoot: root,
      sibling: () => makeNodePathIO({ cwd: root }),
      teardown: async () => removeTempRoot(root)
    }
  }
}

/** One pool for every test of the backend (closed in `after`); a stranger is a record of a second pool. */
export const makePoolBackend = (name = 'pool', size = 2): Backend => {
  let pool: WorkerPool | undefined
  return {
    name,
    disk: true,
    setup: async () => {
      const shared = (pool ??= makeWorkerPool({ size }))
      const root = makeTempRoot('pool')
      const strangers: Array<{ readonly pool: WorkerPool; readonly root: string }> = []
      return {
        pathio: makePoolPathIO({ state: shared, cwd: root }),
        root,
        realRoot: root,
        sibling: () => makePoolPathIO({ state: shared, cwd: root }),
        // Another pool in another directory: nothing of it is shared with `pathio`.
        stranger: () => {
          const other = { pool: makeWorkerPool({ size: 1 }), root: makeTempRoot('stranger') }
          strangers.push(other)
          return makePoolPathIO({ state: other.pool, cwd: other.root })
        },
        teardown: async () => {
          for (const other of strangers) {
            await other.pool.close()
            removeTempRoot(other.root)
          }
          removeTempRoot(root)
        }
      }
    },
    after: async () => {
      await pool?.close()
      pool = undefined
    }
  }
}

export const poolBackend: Backend = makePoolBackend()
