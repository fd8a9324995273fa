/**
 * Dependencies point one way: the record and error types, then internal,
 * then backends and middleware (neither knows the other), then helpers, then
 * the FTP server; entry points (index files at the top of lib/) may import
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
  ['internal/', 'internal', 1],
  ['backends/', 'backends', 2],
  ['middleware/', 'middleware', 2],
  ['helpers/', 'helpers', 3],
  ['ftp/', 'ftp', 4]
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

/** Every relative module a file imports or re-exports (type-only imports count: they are dependencies too). */
const importsOf = (file: string): ReadonlyArray<string> => {
  const text = fs.readFileSync(file, 'utf8')
  const found: Array<string> = []
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]/gms)) found.push(match[1])
  for (const match of text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)) found.push(match[1])
  return found.map((spec) => path.resolve(path.dirname(file), spec))
}

/** A module path as imported, resolved to the file it names. */
const fileOf = (target: string): string =>
  [`${target}.ts`, path.join(target, 'index.ts'), target].find((candidate) => fs.existsSync(candidate)) ?? target

describe('structure: dependencies point one way', () => {
  const files = sources(LIB)

  it('finds the modules and their imports (the check below is not vacuous)', () => {
    expect(files.length).to.be.greaterThan(40)
    expect(files.flatMap(importsOf).length).to.be.greaterThan(100)
  })

  it('no module imports from a later layer, or from a sibling layer (backends and middleware)', () => {
    const against: Array<string> = []
    for (const file of files) {
      const from = layerOf(file)
      if (from === undefined) continue
      for (const target of importsOf(file).map(fileOf)) {
        const to = layerOf(target)
        if (to === undefined) {
          against.push(`${path.relative(LIB, file)} imports the entry point ${path.relative(LIB, target)}`)
          continue
        }
        if (to.rank > from.rank || (to.rank === from.rank && to.layer !== from.layer))
          against.push(`${path.relative(LIB, file)} (${from.layer}) imports ${path.relative(LIB, target)} (${to.layer})`)
      }
    }
    expect(against, against.join('\n')).to.deep.equal([])
  })

  it('the check itself catches an import against the direction', () => {
    const wrong = layerOf(path.join(LIB, 'middleware/withRoot.ts'))
    const target = layerOf(path.join(LIB, 'backends/memory/tree.ts'))
    expect(wrong?.rank).to.equal(target?.rank)
    expect(wrong?.layer).to.not.equal(target?.layer)
  })
})
