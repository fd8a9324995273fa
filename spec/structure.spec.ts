/**
 * Dependencies point one way: the record and error types, then internal,
 * then backends and middleware (neither knows the other), then helpers, then
 * the server layer every front shares, then the FTP server; entry points (index files at the top of lib/) may import
 * anything. A backend's special case is something the backend declares, not
 * something a middleware knows about it.
 */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as path from 'node:path'

const LIB = path.resolve(__dirname, '../lib')

/** The layer of a module by its path under lib/; entry points are undefined (free to import anything). */
const LAYERS: ReadonlyArray<readonly [prefix: string, layer: string, rank: number]> = [
  ['PathIO.ts', 'types', 0],
  ['PathIOError.ts', 'types', 0],
  ['Operations.ts', 'types', 0],
  ['Capabilities.ts', 'types', 0],
  ['internal/', 'internal', 1],
  ['backends/', 'backends', 2],
  ['middleware/', 'middleware', 2],
  ['compose/', 'compose', 2],
  ['helpers/', 'helpers', 3],
  ['server/', 'server', 4],
  ['ftp/', 'ftp', 5],
  ['sftp/', 'sftp', 5]
]

const layerOf = (file: string): { readonly layer: string; readonly rank: number } | undefined => {
  const relative = path.relative(LIB, file).split(path.sep).join('/')
  const found = LAYERS.find(([prefix]) => relative === prefix || relative.startsWith(prefix))
  return found === undefined ? undefined : { layer: found[1], rank: found[2] }
}

const sources = (dir: string): ReadonlyArray<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : []
  })

/** Every relative module a source text imports or re-exports, as written (type-only and side-effect imports count: they are dependencies too). */
const specifiersOf = (text: string): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]/gms))
    found.push(match[1])
  for (const match of text.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm)) found.push(match[1])
  for (const match of text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)) found.push(match[1])
  return found
}

/** A module path as imported, resolved to the file it names. */
const fileOf = (target: string): string =>
  [`${target}.ts`, path.join(target, 'index.ts'), target].find((candidate) => fs.existsSync(candidate)) ?? target

/** A file of lib/ and the files it imports (absolute paths). */
interface Module {
  readonly file: string
  readonly imports: ReadonlyArray<string>
}

const moduleOf = (file: string): Module => ({
  file,
  imports: specifiersOf(fs.readFileSync(file, 'utf8')).map((spec) => fileOf(path.resolve(path.dirname(file), spec)))
})

/** Every import against the direction: to a later layer, to a sibling layer, or to an entry point. */
const violations = (modules: ReadonlyArray<Module>): ReadonlyArray<string> => {
  const against: Array<string> = []
  for (const { file, imports } of modules) {
    const from = layerOf(file)
    if (from === undefined) continue
    for (const target of imports) {
      const to = layerOf(target)
      if (to === undefined) {
        against.push(`${path.relative(LIB, file)} imports the entry point ${path.relative(LIB, target)}`)
        continue
      }
      if (to.rank > from.rank || (to.rank === from.rank && to.layer !== from.layer))
        against.push(`${path.relative(LIB, file)} (${from.layer}) imports ${path.relative(LIB, target)} (${to.layer})`)
    }
  }
  return against
}

describe('structure: dependencies point one way', () => {
  const modules = sources(LIB).map(moduleOf)

  it('finds the modules and their imports (the check below is not vacuous)', () => {
    expect(modules.length).to.be.greaterThan(40)
    expect(modules.flatMap((m) => m.imports).length).to.be.greaterThan(100)
  })

  it('every folder of lib/ has a layer (a new folder is placed, never skipped)', () => {
    const folders = fs
      .readdirSync(LIB, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    const unplaced = folders.filter((folder) => layerOf(path.join(LIB, folder, 'x.ts')) === undefined)
    expect(unplaced, 'folders of lib/ without a layer in LAYERS').to.deep.equal([])
    expect(folders).to.include('server')
  })

  it('no module imports from a later layer, or from a sibling layer (backends and middleware)', () => {
    const against = violations(modules)
    expect(against, against.join('\n')).to.deep.equal([])
  })

  it('the check itself catches an import against the direction', () => {
    const at = (relative: string): string => path.join(LIB, relative)
    const made = (file: string, text: string): Module => ({
      file: at(file),
      imports: specifiersOf(text).map((spec) => path.resolve(path.dirname(at(file)), spec) + '.ts')
    })
    expect(
      violations([
        made('backends/made.ts', "import { withRoot } from '../middleware/withRoot'"),
        made('middleware/made.ts', "import '../backends/memory/tree'"),
        made('internal/made.ts', "export type { Helper } from '../helpers/files'"),
        made('backends/fine.ts', "import type { PathIO } from '../PathIO'\nimport '../internal/handleTable'")
      ])
    ).to.deep.equal([
      'backends/made.ts (backends) imports middleware/withRoot.ts (middleware)',
      'middleware/made.ts (middleware) imports backends/memory/tree.ts (backends)',
      'internal/made.ts (internal) imports helpers/files.ts (helpers)'
    ])
  })

  it('reads every kind of import: named, type-only, side-effect, re-export, dynamic', () => {
    const text = [
      "import { a } from './a'",
      "import type { B } from './b'",
      "import './c'",
      "export * from './d'",
      'import {',
      '  e',
      "} from './e'",
      "const f = await import('./f')",
      "import * as fs from 'node:fs'"
    ].join('\n')
    expect([...specifiersOf(text)].sort()).to.deep.equal(['./a', './b', './c', './d', './e', './f'])
  })
})
