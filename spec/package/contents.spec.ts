/**
 * What `npm pack` puts in the tarball: exactly what spec/package/contents.ts
 * lists (the compiled library, package.json, README.md, LICENSE), nothing of
 * the tests, specs or benchmarks, no source map without its source, and
 * every file package.json points at.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'chai'
import { expectedFiles, NEVER_PACKED, PACKAGE_CONTENTS } from './contents'
import { packed, type Packed } from './packed'

describe('the package: what npm pack puts in it', () => {
  let p: Packed
  let files: ReadonlyArray<string>
  before(async function () {
    this.timeout(600_000)
    p = await packed()
    files = p.files.map((f) => f.path).sort()
  })

  /** A file of the package as installed from the tarball. */
  const inPackage = (file: string): string => path.join(p.consumer, 'node_modules', 'fp-pathio', file)

  it('holds exactly what spec/package/contents.ts lists', () => {
    const expected = expectedFiles(p.stage)
    expect(expected.length).to.be.greaterThan(10)
    expect(
      files.filter((f) => !expected.includes(f)),
      'packed, but not in the list'
    ).to.deep.equal([])
    expect(
      expected.filter((f) => !files.includes(f)),
      'in the list, but not packed'
    ).to.deep.equal([])
  })

  it('holds no test, spec, benchmark or build cache, and the list expects none', () => {
    const never = (f: string): boolean => NEVER_PACKED.some((pattern) => pattern.test(f))
    expect(files.filter(never)).to.deep.equal([])
    expect(expectedFiles(p.stage).filter(never)).to.deep.equal([])
    for (const group of PACKAGE_CONTENTS) if ('from' in group) expect(never(group.from), group.what).to.equal(false)
  })

  it('holds no source map whose sources are not in it too', () => {
    const orphans = files
      .filter((f) => f.endsWith('.map'))
      .flatMap((map) => {
        const parsed = JSON.parse(fs.readFileSync(inPackage(map), 'utf8')) as {
          readonly sources?: ReadonlyArray<string>
          readonly sourceRoot?: string
        }
        return (parsed.sources ?? [])
          .map((source) =>
            path.posix.normalize(path.posix.join(path.posix.dirname(map), parsed.sourceRoot ?? '', source))
          )
          .filter((source) => !files.includes(source))
          .map((source) => `${map} -> ${source}`)
      })
    expect(orphans).to.deep.equal([])
  })

  it('holds every file package.json names (main, types, exports, typesVersions, bin)', () => {
    const manifest = JSON.parse(fs.readFileSync(inPackage('package.json'), 'utf8')) as Record<string, unknown>
    const targets = (value: unknown): ReadonlyArray<string> =>
      typeof value === 'string'
        ? [value]
        : value !== null && typeof value === 'object'
          ? Object.values(value).flatMap(targets)
          : []
    const named = [manifest.main, manifest.types, manifest.exports, manifest.typesVersions, manifest.bin]
      .flatMap(targets)
      .map((target) => path.posix.normalize(target))
    expect(named.length).to.be.greaterThan(5)
    expect(
      named.filter((target) => target.includes('*')),
      'patterns (the spec would need to expand them)'
    ).to.deep.equal([])
    expect(named.filter((target) => !files.includes(target))).to.deep.equal([])
  })

  it('is MIT, as package.json says, with the licence text in LICENSE', () => {
    const manifest = JSON.parse(fs.readFileSync(inPackage('package.json'), 'utf8')) as { readonly license?: string }
    expect(manifest.license).to.equal('MIT')
    const licence = fs.readFileSync(inPackage('LICENSE'), 'utf8')
    expect(licence).to.match(/^MIT License\n\nCopyright \(c\) \d{4} fp-pathio contributors\n/)
    expect(licence).to.include('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND')
  })
})
