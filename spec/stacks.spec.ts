/**
 * The contract suite over every middleware stack: memory always, and the
 * disk backends when their fixtures exist.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Backend } from './contract/fixture'
import { memoryStacks, stacksOver } from './contract/stacks'
import { runContract } from './contract/suite'

/** The disk fixtures, where spec/contract/diskBackends.ts provides them. */
const diskBases = (): ReadonlyArray<Backend> => {
  const file = path.join(__dirname, 'contract', 'diskBackends.ts')
  if (!fs.existsSync(file)) return []
  const disk = require('./contract/diskBackends') as { nodeBackend?: Backend; poolBackend?: Backend }
  return [disk.nodeBackend, disk.poolBackend].filter((b): b is Backend => b !== undefined)
}

describe('middleware stacks', () => {
  for (const backend of memoryStacks) runContract(backend)
  for (const base of diskBases()) for (const backend of stacksOver(base)) runContract(backend)
})
