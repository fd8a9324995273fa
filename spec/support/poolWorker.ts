/**
 * Runs the pool's worker from the TypeScript sources, for the tests and the
 * benchmarks (the published package runs its compiled `worker.js` and knows
 * nothing of this). Mocha requires this module first (.mocharc.json); a
 * benchmark imports it.
 *
 * The worker's own modules are transpiled once, on the main thread, which
 * has TypeScript loaded already, the first time a pool starts a worker; each
 * worker gets them in its `workerData` and installs them as its `.ts`
 * loader. A worker then never loads TypeScript itself, which would cost it a
 * slow start and a heap some tens of MiB larger for its garbage collector
 * to mark again and again.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'
import { WORKER_LAUNCH, type WorkerLaunch } from '../../lib/backends/pool/launch'

/** The worker's entry module, in the sources. */
const ENTRY = path.resolve(__dirname, '..', '..', 'lib', 'backends', 'pool', 'worker.ts')

/** Installs the transpiled sources as the `.ts` loader, then runs the worker (JavaScript, run with `eval`). */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
const sources = workerData.sources
require.extensions['.ts'] = (module, filename) => {
  const js = sources[filename]
  if (typeof js !== 'string') throw new Error('fp-pathio pool worker: no transpiled source for ' + filename)
  module._compile(js, filename)
}
require(workerData.entry)
`

/** Transpiles `entry` and every local `.ts` module it imports, by absolute file name. */
const transpileGraph = (entry: string): Record<string, string> => {
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true
  }
  const sources: Record<string, string> = {}
  const pending = [entry]
  while (pending.length > 0) {
    const file = pending.pop() as string
    if (file in sources) continue
    const source = fs.readFileSync(file, 'utf8')
    sources[file] = ts.transpileModule(source, { compilerOptions, fileName: file }).outputText
    for (const { fileName } of ts.preProcessFile(source).importedFiles) {
      if (!fileName.startsWith('.')) continue
      const imported = path.resolve(path.dirname(file), fileName)
      const candidates = [`${imported}.ts`, path.join(imported, 'index.ts')]
      const found = candidates.find((candidate) => fs.existsSync(candidate))
      if (found !== undefined) pending.push(found)
    }
  }
  return sources
}

let launch: WorkerLaunch | undefined

// A getter: the sources are transpiled when the first worker starts, not in a run that starts none.
Object.defineProperty(globalThis, WORKER_LAUNCH, {
  configurable: true,
  get: (): WorkerLaunch =>
    (launch ??= { script: BOOTSTRAP, eval: true, workerData: { entry: ENTRY, sources: transpileGraph(ENTRY) } })
})
