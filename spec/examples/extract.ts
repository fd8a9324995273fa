/**
 * Finds every `@example` block in the TSDoc of lib/ and turns each into a
 * function the example runner can call: the snippet's imports of
 * 'fp-pathio' (and its subpaths) point at the lib modules, `assert` is
 * node:assert/strict, and top-level `await` works because the snippet runs
 * as the body of an async function.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'

/** The repository's root (the directory of package.json). */
export const ROOT = path.resolve(__dirname, '..', '..')
const LIB = path.join(ROOT, 'lib')

/** One `@example` block, where it stands and what it documents. */
export interface Example {
  /** The file, relative to the repository root: `lib/PathIO.ts`. */
  readonly file: string
  /** The 1-based line of the `@example` tag. */
  readonly line: number
  /** The symbol the comment documents (`makeMemoryPathIO`), or the file's name for a module comment. */
  readonly symbol: string
  /** The snippet as written, without the comment's leading ` * `. */
  readonly code: string
}

const tsFiles = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? tsFiles(path.join(dir, entry.name))
        : entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
          ? [path.join(dir, entry.name)]
          : []
    )
    .sort()

/** The name of what a declaration that follows a comment declares. */
const DECLARED =
  /^\s*(?:export\s+)?(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:const|let|var|function\*?|interface|type|enum|namespace|readonly)\s+([A-Za-z_$][\w$]*)|^\s*([A-Za-z_$][\w$]*)\s*[?:(]/

const symbolAfter = (source: string, end: number, file: string): string => {
  const next =
    source
      .slice(end)
      .split('\n')
      .find((l) => l.trim() !== '') ?? ''
  const match = DECLARED.exec(next)
  return match?.[1] ?? match?.[2] ?? path.basename(file, '.ts')
}

/** Every `@example` of one file's doc comments, in order. */
export const examplesOf = (file: string): ReadonlyArray<Example> => {
  const source = fs.readFileSync(file, 'utf8')
  const relative = path.relative(ROOT, file)
  const found: Array<Example> = []
  for (const comment of source.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const start = comment.index ?? 0
    const lines = comment[0]
      .replace(/^\/\*\*/, '')
      .replace(/\*\/$/, '')
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
    const firstLine = source.slice(0, start).split('\n').length
    const symbol = symbolAfter(source, start + comment[0].length, file)
    lines.forEach((l, i) => {
      if (!/^@example\b/.test(l.trim())) return
      // The block runs until the next tag; a ``` fence around it is allowed.
      const rest = lines.slice(i + 1)
      const endAt = rest.findIndex((r) => /^@\w+/.test(r.trim()))
      const body = (endAt === -1 ? rest : rest.slice(0, endAt)).filter((r) => !/^\s*```/.test(r))
      found.push({ file: relative, line: firstLine + i, symbol, code: body.join('\n').trim() + '\n' })
    })
  }
  return found
}

/** Every `@example` in lib/. */
export const allExamples = (): ReadonlyArray<Example> => tsFiles(LIB).flatMap(examplesOf)

// -------------------------------------------------------------------------------------
// 'fp-pathio' and its subpaths, as the package's exports map says
// -------------------------------------------------------------------------------------

const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  readonly name: string
  readonly exports?: Record<string, { readonly default?: string } | string>
}

/** `./dist/lib/ftp/index.js` is built from `lib/ftp/index.ts`. */
const sourceOf = (built: string): string => path.join(ROOT, built.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'))

/**
 * The lib module a specifier of the package names: an entry of package.json's
 * `exports`, else `lib/<subpath>` (a subpath no build exports yet, such as a
 * backend being added). Any other specifier is left as it is.
 */
export const libModuleOf = (specifier: string): string | undefined => {
  if (specifier !== PACKAGE.name && !specifier.startsWith(PACKAGE.name + '/')) return undefined
  const key = '.' + specifier.slice(PACKAGE.name.length)
  const entry = PACKAGE.exports?.[key]
  const built = typeof entry === 'string' ? entry : entry?.default
  if (built !== undefined) return sourceOf(built)
  const subpath = path.join(LIB, key)
  return fs.existsSync(subpath + '.ts') ? subpath + '.ts' : path.join(subpath, 'index.ts')
}

// -------------------------------------------------------------------------------------
// running one
// -------------------------------------------------------------------------------------

/** Compiles a snippet to CommonJS, leaving top-level `await` in place for the async wrapper. */
const compile = (example: Example): string =>
  ts.transpileModule(example.code, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      // A snippet that imports nothing still runs as a module body.
      moduleDetection: ts.ModuleDetectionKind.Force
    },
    fileName: path.join(ROOT, example.file) + `.example-${example.line}.ts`,
    reportDiagnostics: false
  }).outputText

/**
 * A function that runs the example once: it resolves when the snippet's last
 * statement has finished and rejects with what it threw (an assertion included).
 */
export const runnerOf = (example: Example, assert: unknown): (() => Promise<void>) => {
  const body = compile(example)
  // The snippet is the body of an async function, so `await` works at its top level.
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: ReadonlyArray<string>
  ) => (...values: ReadonlyArray<unknown>) => Promise<void>
  const run = new AsyncFunction(
    'require',
    'exports',
    'module',
    'assert',
    // Stack traces name the example; their line numbers count from its first line.
    `${body}\n//# sourceURL=${path.join(ROOT, example.file)}.example-${example.line}.js`
  )
  const requireFor = (specifier: string): unknown => require(libModuleOf(specifier) ?? specifier)
  return () => {
    const module = { exports: {} }
    return run(requireFor, module.exports, module, assert)
  }
}

// -------------------------------------------------------------------------------------
// type-checking them all
// -------------------------------------------------------------------------------------

/** Where an example stands in the type-checking program (a file that exists only there). */
const virtualName = (example: Example): string =>
  path.join(ROOT, '.examples', `${example.file.replace(/[/\\]/g, '_')}_${example.line}.ts`)

/** `assert` as the runner provides it. */
const GLOBALS = path.join(ROOT, '.examples', 'globals.d.ts')
const GLOBALS_TEXT = "declare const assert: typeof import('node:assert/strict')\n"

/**
 * One program, in memory, of every example beside lib/ with the project's
 * compiler options; each example is a module with top-level `await`.
 */
export const programOf = (examples: ReadonlyArray<Example>): ts.Program => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      }
    }
  )
  if (config === undefined) throw new Error('tsconfig.json could not be read')
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    // Top-level await needs an ES module target; a doc snippet may name a value it only shows.
    module: ts.ModuleKind.ES2022,
    moduleDetection: ts.ModuleDetectionKind.Force,
    noUnusedLocals: false,
    noUnusedParameters: false
  }
  const virtual = new Map<string, string>([[GLOBALS, GLOBALS_TEXT]])
  for (const example of examples) virtual.set(virtualName(example), example.code)
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = (name) => virtual.has(name) || fileExists(name)
  host.readFile = (name) => virtual.get(name) ?? readFile(name)
  host.getSourceFile = (name, language, ...rest) => {
    const text = virtual.get(name)
    return text !== undefined ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest)
  }
  host.resolveModuleNames = (names, containing) =>
    names.map((name) => {
      const lib = libModuleOf(name)
      return lib !== undefined
        ? { resolvedFileName: lib, extension: ts.Extension.Ts }
        : ts.resolveModuleName(name, containing, options, host).resolvedModule
    })
  return ts.createProgram([...virtual.keys(), ...entryModules()], options, host)
}

/**
 * The type errors of the examples in `programOf(examples)` (and of lib/, if
 * any): one line each, naming the example and the line within it.
 */
export const typeErrorsOf = (program: ts.Program, examples: ReadonlyArray<Example>): ReadonlyArray<string> => {
  const byName = new Map(examples.map((example) => [virtualName(example), example]))
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ')
    const example = d.file !== undefined ? byName.get(d.file.fileName) : undefined
    if (example === undefined || d.file === undefined || d.start === undefined)
      return `${d.file?.fileName ?? 'program'}: ${text}`
    const { line } = d.file.getLineAndCharacterOfPosition(d.start)
    return `${example.file}:${example.line} ${example.symbol}, line ${line + 1} of the example: ${text}`
  })
}

/** The package's entry points (`fp-pathio`, `fp-pathio/ftp`, ...) as package.json exports them, with their lib modules. */
export const entryPoints = (): ReadonlyArray<{ readonly specifier: string; readonly file: string }> =>
  Object.keys(PACKAGE.exports ?? { '.': '' })
    .map((key) => PACKAGE.name + key.slice(1))
    .flatMap((specifier) => {
      const file = libModuleOf(specifier)
      return file !== undefined && fs.existsSync(file) ? [{ specifier, file }] : []
    })

/** The lib modules of the package's entry points. */
const entryModules = (): ReadonlyArray<string> => entryPoints().map(({ file }) => file)

/**
 * What each entry point exports, one line per name, sorted: `value name` or
 * `type name` (spec/api/ keeps them, so that a change to the surface is a
 * visible diff).
 */
export const surfaceOf = (program: ts.Program): ReadonlyMap<string, ReadonlyArray<string>> => {
  const checker = program.getTypeChecker()
  return new Map(
    entryPoints().map(({ specifier, file }) => {
      const source = program.getSourceFile(file)
      const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
      const names = (module === undefined ? [] : checker.getExportsOfModule(module)).map((exported) => {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
        return `${symbol.flags & ts.SymbolFlags.Value ? 'value' : 'type'} ${exported.name}`
      })
      return [specifier, [...names].sort()]
    })
  )
}

/** Every value an entry point exports whose TSDoc has no `@example`: `fp-pathio/ftp: makeFtpServer`. */
export const exportsWithoutExample = (program: ts.Program): ReadonlyArray<string> => {
  const checker = program.getTypeChecker()
  return entryPoints().flatMap(({ specifier, file }) => {
    const source = program.getSourceFile(file)
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
    return (module === undefined ? [] : checker.getExportsOfModule(module))
      .map((exported) => (exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported))
      .filter((symbol) => (symbol.flags & ts.SymbolFlags.Value) !== 0)
      .filter((symbol) => !symbol.getJsDocTags().some((tag) => tag.name === 'example'))
      .map((symbol) => `${specifier}: ${symbol.name}`)
  })
}
