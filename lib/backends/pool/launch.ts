/**
 * How a pool worker is started. From `dist/` the worker is plain JavaScript
 * and starts as it is. Run from the TypeScript sources (ts-node, mocha with
 * ts-node), the worker's own modules are transpiled once here, on the main
 * thread, which has TypeScript loaded already, and handed to each worker with
 * its `workerData`: a worker then never loads TypeScript itself, which would
 * cost it a slow start and a heap some tens of MiB larger for its garbage
 * collector to mark again and again. Where TypeScript cannot be loaded here,
 * the worker loads ts-node instead.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { WorkerOptions } from 'node:worker_threads'

/** The worker's entry module. */
export const WORKER_FILE = path.join(__dirname, `worker${path.extname(__filename)}`)

const FROM_SOURCES = __filename.endsWith('.ts')

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

/** The minimum of TypeScript's API used here. */
interface TypeScript {
  readonly transpileModule: (
    input: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string }
  ) => { outputText: string }
  readonly preProcessFile: (source: string) => { importedFiles: ReadonlyArray<{ fileName: string }> }
  readonly ModuleKind: { CommonJS: number }
  readonly ScriptTarget: { ES2022: number }
}

/** Transpiles `entry` and every local `.ts` module it imports, by absolute file name. */
const transpileGraph = (ts: TypeScript, entry: string): Record<string, string> => {
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

let cached: WorkerOptions | undefined

const fromSources = (): WorkerOptions => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require('typescript') as TypeScript
    return { eval: true, workerData: { entry: WORKER_FILE, sources: transpileGraph(ts, WORKER_FILE) } }
  } catch {
    // No TypeScript here: the worker registers ts-node itself (resolved from here, whatever the cwd).
    return { execArgv: ['--require', require.resolve('ts-node/register/transpile-only')] }
  }
}

/**
 * What to start a worker with: its script and options (with `data` in its
 * `workerData`). The transpiled sources are built once per process. `trackUnmanagedFds: false`, or Node closes the descriptors a worker
 * opened when it exits (and a main-thread descriptor that reused the number).
 */
export const workerLaunch = (
  data: Record<string, unknown>
): { readonly script: string; readonly options: WorkerOptions } => {
  cached ??= FROM_SOURCES ? fromSources() : { execArgv: [] }
  return {
    script: cached.eval === true ? BOOTSTRAP : WORKER_FILE,
    options: { ...cached, workerData: { ...(cached.workerData as object | undefined), ...data }, trackUnmanagedFds: false }
  }
}
