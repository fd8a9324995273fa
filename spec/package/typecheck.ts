/**
 * Type-checks a TypeScript project of the consumer folder (spec/package/packed.ts)
 * with the repository's TypeScript, as `tsc -p <dir>` would, in this
 * process. The declaration files of node_modules are parsed once for every
 * project of a run (most of the cost: fp-ts and @types/node).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as ts from 'typescript'
import { ROOT } from './packed'

/** Parsed files, by name and by what the parse depends on (target, and module format under node16). */
const parsed = new Map<string, ts.SourceFile>()

const keyOf = (name: string, version: ts.ScriptTarget | ts.CreateSourceFileOptions): string =>
  typeof version === 'object'
    ? `${name}|${version.languageVersion}|${String(version.impliedNodeFormat)}`
    : `${name}|${version}`

/** Where a consumer's TypeScript finds @types/node: the repository's copy (the consumer installed no types). */
export const TYPE_ROOTS: ReadonlyArray<string> = [path.join(ROOT, 'node_modules', '@types')]

export interface Checked {
  readonly program: ts.Program
  /**
   * Every error of the project's own files and options, one line each,
   * `file(line,col): message` (what tsc reports with skipLibCheck; without
   * it, ask `program` about the declaration files you mean).
   */
  readonly errors: ReadonlyArray<string>
}

/** One line for a diagnostic, its file relative to `dir`. */
export const lineOf = (dir: string, d: ts.Diagnostic): string => {
  const text = ts.flattenDiagnosticMessageText(d.messageText, ' ')
  if (d.file === undefined || d.start === undefined) return text
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
  return `${path.relative(dir, d.file.fileName)}(${line + 1},${character + 1}): ${text}`
}

/** Writes `compilerOptions` and `files` as `dir`/tsconfig.json, then checks the project it describes. */
export const checkProject = (
  dir: string,
  compilerOptions: Record<string, unknown>,
  files: ReadonlyArray<string>
): Checked => {
  fs.mkdirSync(dir, { recursive: true })
  const config = path.join(dir, 'tsconfig.json')
  fs.writeFileSync(
    config,
    JSON.stringify({ compilerOptions: { noEmit: true, ...compilerOptions }, files }, null, 2) + '\n'
  )
  const parsedConfig = ts.getParsedCommandLineOfConfigFile(
    config,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(lineOf(dir, d))
      }
    }
  )
  if (parsedConfig === undefined) throw new Error(`${config} could not be read`)
  if (parsedConfig.errors.length > 0) throw new Error(parsedConfig.errors.map((d) => lineOf(dir, d)).join('\n'))
  const host = ts.createCompilerHost(parsedConfig.options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, version, ...rest) => {
    if (!name.includes(`${path.sep}node_modules${path.sep}`)) return getSourceFile(name, version, ...rest)
    const key = keyOf(name, version)
    const known = parsed.get(key)
    if (known !== undefined) return known
    const file = getSourceFile(name, version, ...rest)
    if (file !== undefined) parsed.set(key, file)
    return file
  }
  const program = ts.createProgram({ rootNames: parsedConfig.fileNames, options: parsedConfig.options, host })
  const own = program.getRootFileNames().flatMap((name) => {
    const file = program.getSourceFile(name)
    return file === undefined ? [] : ts.getPreEmitDiagnostics(program, file)
  })
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
  return { program, errors: [...global, ...own].map((d) => lineOf(dir, d)) }
}
