/**
 * Fixtures of the memory backend for the contract suite. (Other backends keep
 * their fixtures next to their own specs and import `Backend` from
 * `./fixture` and `runContract` from `./suite`.)
 */
import { makeMemoryPathIO, makeMemoryTree } from '../../lib'
import type { Backend } from './fixture'

/**
 * A memory backend whose records resolve relative paths against `root`
 * (made, with its parents, in a fresh tree per test). Root `/` is the plain
 * default; another root proves `cwd` is honoured everywhere.
 */
export const makeMemoryBackend = (root = '/'): Backend => ({
  name: root === '/' ? 'memory' : `memory (cwd ${root})`,
  disk: false,
  setup: async () => {
    const tree = makeMemoryTree()
    const pathio = makeMemoryPathIO({ state: tree, cwd: root })
    if (root !== '/') {
      const made = await pathio.mkdir(root, { parents: true })()
      if (made._tag === 'Left') throw new Error(`fixture: ${made.left.message}`)
    }
    return {
      pathio,
      root,
      sibling: () => makeMemoryPathIO({ state: tree, cwd: root }),
      stranger: () => makeMemoryPathIO({ cwd: '/' }),
      teardown: async () => undefined
    }
  }
})

/** A fresh tree per test, root `/`. */
export const memoryBackend: Backend = makeMemoryBackend('/')
