/**
 * The code of README.md and docs/*.md, as a reader copies it, against the
 * packed package (spec/package/packed.ts): every `ts` block that imports
 * from `fp-pathio` type-checks as an ES module under node16 resolution, and
 * runs with plain Node both as an ES module (`.mjs`, its imports kept) and
 * as CommonJS (`.cjs`, its imports compiled to `require`, its top-level
 * `await` inside an async function), except the few that need what a test
 * cannot give them (NOT_RUN). So the imports a page shows work in both
 * module systems: fp-ts 2 has no `exports` map, and Node's ES module loader
 * cannot resolve `fp-ts/function` (ERR_UNSUPPORTED_DIR_IMPORT);
 * `fp-ts/lib/function.js` works in both. Only the runs catch that one:
 * TypeScript resolves `fp-ts/function` under node16 through the folder's
 * package.json, where Node does not.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'chai'
import * as ts from 'typescript'
import { cleanEnv, packed, ROOT, run, writeIn, type Packed } from './packed'
import { checkProject, TYPE_ROOTS } from './typecheck'

/** One block of a page. */
interface Block {
  /** The page, relative to the repository: `README.md`, `docs/listings.md`. */
  readonly page: string
  /** The 1-based line of its opening fence. */
  readonly line: number
  readonly code: string
}

/** The pages: README.md and every page of docs/. */
const PAGES: ReadonlyArray<string> = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
]

/** Every ```ts block of a page that imports from the package (the rest are signatures and fragments). */
const blocksOf = (page: string): ReadonlyArray<Block> => {
  const text = fs.readFileSync(path.join(ROOT, page), 'utf8')
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)]
    .filter((match) => /\bfrom '(fp-pathio)(\/[^']*)?'/.test(match[1]))
    .map((match) => ({ page, line: text.slice(0, match.index ?? 0).split('\n').length, code: match[1] }))
}

/** Blocks that type-check but do not run here, each found by a piece of its code; each must match exactly one block. */
const NOT_RUN: ReadonlyArray<{ readonly page: string; readonly containing: string; readonly why: string }> = [
  { page: 'README.md', containing: "server.listen(2121, '127.0.0.1')", why: 'binds port 2121 and serves /srv/ftp' },
  {
    page: 'docs/ftp-server.md',
    containing: "fs.readFileSync('cert.pem')",
    why: 'needs a certificate and binds ports 21 and 990'
  },
  { page: 'docs/s3.md', containing: "bucket: 'my-files'", why: 'needs an S3 bucket' },
  {
    page: 'docs/sftp.md',
    containing: 'makeSftpFront(core, { hostKey',
    why: 'writes a host key under /etc, binds ports 2121 and 2222; ssh2, an optional peer, is not installed there'
  }
]

const nameOf = (block: Block): string => `${block.page.replace(/[/.]/g, '_')}_${block.line}`

/** The block as an ES module: types stripped, imports as written. */
const asEsm = (block: Block): string =>
  ts.transpileModule(block.code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: `${nameOf(block)}.mts`
  }).outputText

/** The block as CommonJS, compiled as tsc does with esModuleInterop, its body in an async function (for its top-level await). */
const asCommonJs = (block: Block): string => {
  const body = ts.transpileModule(block.code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
    fileName: `${nameOf(block)}.cts`,
    reportDiagnostics: false
  }).outputText
  return `(async () => {\n${body}\n})().catch((error) => {\n  console.error(error)\n  process.exitCode = 1\n})\n`
}

describe('the package: the code of README.md and docs/ runs against it, as ESM and as CommonJS', function () {
  this.timeout(120_000)
  const blocks = PAGES.flatMap(blocksOf)
  const notRun = (block: Block): boolean =>
    NOT_RUN.some((n) => n.page === block.page && block.code.includes(n.containing))

  let p: Packed
  let dir: string
  before(async function () {
    this.timeout(600_000)
    p = await packed()
    dir = path.join(fs.realpathSync(p.consumer), 'blocks')
  })

  it("finds README's first example, the blocks of docs/, and each block NOT_RUN names", () => {
    expect(blocks.find((b) => b.page === 'README.md')?.code, "README's first block").to.include('const program = pipe(')
    expect(blocks.filter((b) => b.page.startsWith('docs/')).length).to.be.at.least(10)
    for (const n of NOT_RUN)
      expect(
        blocks.filter((b) => b.page === n.page && b.code.includes(n.containing)).length,
        `${n.page}: ${n.containing}`
      ).to.equal(1)
  })

  it('every block type-checks as an ES module (node16 resolution, strict) against the installed package', function () {
    this.timeout(300_000)
    const files = blocks.map((block) => {
      writeIn(dir, `${nameOf(block)}.mts`, block.code)
      return `${nameOf(block)}.mts`
    })
    // A page's block may leave a value unused (it only shows it); everything else is strict.
    const options = {
      strict: true,
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      skipLibCheck: true,
      types: ['node'],
      typeRoots: TYPE_ROOTS
    }
    expect(checkProject(dir, options, files).errors).to.deep.equal([])
  })

  for (const block of blocks.filter((b) => !notRun(b)))
    for (const [kind, extension, compile] of [
      ['ESM', 'mjs', asEsm],
      ['CommonJS', 'cjs', asCommonJs]
    ] as const)
      it(`${block.page}:${block.line} runs as ${kind} (.${extension})`, async () => {
        const file = writeIn(dir, `${nameOf(block)}.${extension}`, compile(block))
        const ran = await run(process.execPath, [file], p.consumer, cleanEnv(), 60_000)
        expect(ran.code, `${ran.stdout}\n${ran.stderr}`).to.equal(0)
      })
})
