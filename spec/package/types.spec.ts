/**
 * TypeScript projects that use the installed package (spec/package/packed.ts)
 * find the types of every entry point, `fp-pathio`, `fp-pathio/ftp` and
 * `fp-pathio/s3`, whatever their module resolution: `node10` (which ignores
 * `exports` and reads `typesVersions` for the subpaths), `node16` (from
 * CommonJS and from ES modules: `exports`) and `bundler`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'chai'
import { packed, writeIn, type Packed } from './packed'
import { checkProject, lineOf, TYPE_ROOTS } from './typecheck'

/** Uses a value and a type of each entry point; each `@ts-expect-error` fails if the types came out as `any`. */
const ENTRIES = `import { makeMemoryPathIO, withTimeout, type PathIO, type PathIOError } from 'fp-pathio'
import { makeFtpServer, type FtpServerOptions } from 'fp-pathio/ftp'
import { makeS3PathIO } from 'fp-pathio/s3'
import { hashPassword, type ServerOptions } from 'fp-pathio/server'
import { makeSftpServer, type SftpServerOptions } from 'fp-pathio/sftp'

export const io: PathIO = withTimeout(1000)(makeMemoryPathIO())
export const reason = (e: PathIOError): string => e.reason
export const options = (o: FtpServerOptions<unknown>): FtpServerOptions<unknown> => o
export const server = makeFtpServer
export const bucket = (name: string): PathIO => makeS3PathIO({ bucket: name })
export const shared = (o: ServerOptions<unknown>): ServerOptions<unknown> => o
export const hash: string = hashPassword('x')
// Its declarations name no ssh2 type: no @types/ssh2 needed.
export const sftp = (o: SftpServerOptions<unknown>) => makeSftpServer(o)

// @ts-expect-error: a PathIO has no such operation
io.noSuchOperation
// @ts-expect-error: options are a record
makeFtpServer(42)
// @ts-expect-error: a bucket is named by a string
makeS3PathIO({ bucket: 42 })
// @ts-expect-error: a password is a string
hashPassword(42)
`

/** What every project shares: strict, as most consumers are; the types of Node from the repository. */
const COMMON = { strict: true, target: 'ES2022', skipLibCheck: true, types: ['node'], typeRoots: TYPE_ROOTS }

describe('the package: TypeScript finds its types', function () {
  this.timeout(300_000)
  let p: Packed
  let dir: string
  let declarations: string
  before(async function () {
    this.timeout(600_000)
    p = await packed()
    dir = path.join(fs.realpathSync(p.consumer), 'types')
    declarations = path.join(fs.realpathSync(p.consumer), 'node_modules', 'fp-pathio', 'dist', 'lib')
  })

  /** The entry points' declaration files every project must have loaded from the package. */
  const entryDeclarations = (): ReadonlyArray<string> =>
    ['index.d.ts', 'ftp/index.d.ts', 'backends/s3/index.d.ts'].map((file) => path.join(declarations, file))

  const loaded = (
    program: { getSourceFile: (name: string) => unknown },
    files: ReadonlyArray<string>
  ): ReadonlyArray<string> => files.filter((file) => program.getSourceFile(file) === undefined)

  it('with moduleResolution node10 (typesVersions for the subpaths), from CommonJS', () => {
    const project = path.join(dir, 'node10')
    writeIn(project, 'entries.ts', ENTRIES)
    const { program, errors } = checkProject(
      project,
      { ...COMMON, module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' },
      ['entries.ts']
    )
    expect(errors).to.deep.equal([])
    expect(loaded(program, entryDeclarations()), 'declarations not loaded').to.deep.equal([])
  })

  it('with moduleResolution node16 (exports), from an ES module and from a CommonJS module', () => {
    const project = path.join(dir, 'node16')
    writeIn(project, 'entries.mts', ENTRIES)
    writeIn(project, 'entries.cts', ENTRIES)
    const { program, errors } = checkProject(project, { ...COMMON, module: 'node16', moduleResolution: 'node16' }, [
      'entries.mts',
      'entries.cts'
    ])
    expect(errors).to.deep.equal([])
    expect(loaded(program, entryDeclarations()), 'declarations not loaded').to.deep.equal([])
  })

  it('with moduleResolution bundler (exports)', () => {
    const project = path.join(dir, 'bundler')
    writeIn(project, 'entries.ts', ENTRIES)
    const { program, errors } = checkProject(project, { ...COMMON, module: 'esnext', moduleResolution: 'bundler' }, [
      'entries.ts'
    ])
    expect(errors).to.deep.equal([])
    expect(loaded(program, entryDeclarations()), 'declarations not loaded').to.deep.equal([])
  })

  it('fp-pathio and fp-pathio/ftp need no @aws-sdk types: their declarations check clean without skipLibCheck, the SDK not installed', () => {
    const project = path.join(dir, 'no-sdk')
    writeIn(
      project,
      'entries.mts',
      ENTRIES.split('\n')
        .filter((line) => !/s3|bucket/i.test(line))
        .join('\n')
    )
    const { program, errors } = checkProject(project, { ...COMMON, module: 'node16', moduleResolution: 'node16' }, [
      'entries.mts'
    ])
    expect(errors).to.deep.equal([])
    const ours = program.getSourceFiles().filter((file) => file.fileName.startsWith(declarations + path.sep))
    expect(
      ours.filter((file) => file.fileName.includes(`${path.sep}s3${path.sep}`)).map((file) => file.fileName),
      'S3 declarations loaded'
    ).to.deep.equal([])
    // skipLibCheck is on above (fp-ts' own declarations are not ours to check); these are checked one by one.
    const strict = checkProject(
      path.join(dir, 'no-sdk-strict'),
      { ...COMMON, skipLibCheck: false, module: 'node16', moduleResolution: 'node16' },
      ['../no-sdk/entries.mts']
    )
    const problems = ours.flatMap((file) => {
      const source = strict.program.getSourceFile(file.fileName)
      return source === undefined
        ? [`${file.fileName}: not loaded`]
        : strict.program.getSemanticDiagnostics(source).map((d) => lineOf(declarations, d))
    })
    expect(ours.length).to.be.greaterThan(20)
    expect(problems).to.deep.equal([])
  })
})
