/**
 * The contract suite on every composition (spec/contract/compositions.ts):
 * memory, node and pool each mounted beside a second record, as either
 * layer of an overlay, and under a generous quota.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Backend } from '../contract/fixture'
import { compositionsOver } from '../contract/compositions'
import { memoryBase } from '../contract/stacks'
import { runContract } from '../contract/suite'

const diskBases = (): ReadonlyArray<Backend> => {
  const file = path.join(__dirname, '..', 'contract', 'diskBackends.ts')
  if (!fs.existsSync(file)) return []
  const disk = require('../contract/diskBackends') as { nodeBackend?: Backend; poolBackend?: Backend }
  return [disk.nodeBackend, disk.poolBackend].filter((b): b is Backend => b !== undefined)
}

describe('compositions', () => {
  for (const backend of compositionsOver(memoryBase)) runContract(backend)
  for (const base of diskBases()) for (const backend of compositionsOver(base)) runContract(backend)
})
