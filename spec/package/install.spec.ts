/**
 * The packed tarball installed into an empty project (spec/package/packed.ts):
 * plain Node, no checkout, no TypeScript. `require` and `import` both work
 * for every entry point, an ES module sees the same named exports as
 * `require` does (the package is CommonJS: Node finds the names with
 * cjs-module-lexer, through the `__exportStar(require("./x"), exports)` of
 * each index), and `fp-pathio` loads nothing but fp-ts, io-ts and Node's own
 * modules.
 */
import { builtinModules } from 'node:module'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { cleanEnv, packed, runOk, withPeer, writeIn, type Packed } from './packed'

/** What a run loaded, as the hook below saw it. */
interface Loaded {
  /** Every specifier given to `require` (by the program, or by a module it loaded), in order. */
  readonly requested: ReadonlyArray<string>
  /** Every file in the CommonJS loader's cache at exit (CommonJS modules imported from ES modules too). */
  readonly files: ReadonlyArray<string>
}

/** A preloaded CommonJS module that notes every `require` and, at exit, every loaded file. */
const HOOK = `'use strict'
const Module = require('node:module')
const fs = require('node:fs')
const requested = []
const load = Module._load
Module._load = function (request) {
  requested.push(request)
  return load.apply(this, arguments)
}
process.on('exit', () => {
  fs.writeFileSync(process.env.LOADED_REPORT, JSON.stringify({ requested, files: Object.keys(require.cache) }))
})
`

/** The package a bare specifier names: `fp-ts/lib/Either` -> `fp-ts`, `@aws-sdk/x/y` -> `@aws-sdk/x`. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

const isBuiltin = (specifier: string): boolean =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])

/** The packages the library may load: itself and its two dependencies. */
const ALLOWED: ReadonlyArray<string> = ['fp-pathio', 'fp-ts', 'io-ts']

const isBare = (specifier: string): boolean => !specifier.startsWith('.') && !path.isAbsolute(specifier)

describe('the package: installed from the tarball, run by plain Node', () => {
  let p: Packed
  let hook: string
  before(async function () {
    this.timeout(600_000)
    p = await packed()
    hook = writeIn(p.dir, 'hook.cjs', HOOK)
  })

  const node = (args: ReadonlyArray<string>, env = withPeer(p)): Promise<string> =>
    runOk(process.execPath, args, p.consumer, env)

  /** Runs `file` (in the consumer) with the hook; what it loaded. */
  const loadedBy = async (file: string, env = withPeer(p)): Promise<Loaded> => {
    const report = path.join(p.dir, `loaded-${path.basename(file)}.json`)
    await node(['--require', hook, file], { ...env, LOADED_REPORT: report })
    return JSON.parse(fs.readFileSync(report, 'utf8')) as Loaded
  }

  it('is installed with fp-ts and io-ts only: no TypeScript, no ts-node, no checkout above it', () => {
    const modules = fs.readdirSync(path.join(p.consumer, 'node_modules')).filter((name) => !name.startsWith('.'))
    expect(modules.sort()).to.deep.equal(['fp-pathio', 'fp-ts', 'io-ts'])
    for (let dir = path.dirname(p.consumer); dir !== path.dirname(dir); dir = path.dirname(dir))
      expect(fs.existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules`).to.equal(false)
  })

  it("node -e \"require('fp-pathio')\" and require('fp-pathio/ftp') work, without the S3 SDK installed", async () => {
    const out = await node(
      [
        '-e',
        "const io = require('fp-pathio'); const ftp = require('fp-pathio/ftp'); console.log(typeof io.makeMemoryPathIO, typeof ftp.makeFtpServer)"
      ],
      { ...withPeer(p), NODE_PATH: '' }
    )
    expect(out.trim()).to.equal('function function')
  })

  it("import { makeMemoryPathIO } from 'fp-pathio' works from an .mjs file, and so does the same program required from a .cjs file", async () => {
    const body = (imports: string): string => `${imports}
const io = makeMemoryPathIO()
const written = await writeFile(io, '/hello.txt', Buffer.from('hello'))()
const read = await readFile(io, '/hello.txt')()
console.log(written._tag, read._tag === 'Right' ? Buffer.from(read.right).toString() : read.left.message)
`
    const mjs = writeIn(
      p.consumer,
      'first.mjs',
      body("import { makeMemoryPathIO, readFile, writeFile } from 'fp-pathio'")
    )
    const cjs = writeIn(
      p.consumer,
      'first.cjs',
      `(async () => {\n${body("const { makeMemoryPathIO, readFile, writeFile } = require('fp-pathio')")}\n})().catch((e) => { console.error(e); process.exitCode = 1 })\n`
    )
    expect((await node([mjs])).trim()).to.equal('Right hello')
    expect((await node([cjs])).trim()).to.equal('Right hello')
  })

  it('an ES module sees every name require() gives, for each entry point (fp-pathio/s3 with its peer installed)', async () => {
    const script = writeIn(
      p.consumer,
      'names.mjs',
      `import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const names = {}
for (const entry of ['fp-pathio', 'fp-pathio/ftp', 'fp-pathio/s3']) {
  const esm = await import(entry)
  const cjs = require(entry)
  names[entry] = {
    // __esModule is a name to the lexer, a non-enumerable property to require.
    esm: Object.keys(esm).filter((name) => !['default', 'module.exports', '__esModule'].includes(name)).sort(),
    cjs: Object.keys(cjs).sort(),
    defaultIsExports: esm.default === cjs
  }
}
console.log(JSON.stringify(names))
`
    )
    const names = JSON.parse(await node([script])) as Record<
      string,
      { esm: Array<string>; cjs: Array<string>; defaultIsExports: boolean }
    >
    expect(Object.keys(names)).to.deep.equal(['fp-pathio', 'fp-pathio/ftp', 'fp-pathio/s3'])
    for (const [entry, { esm, cjs, defaultIsExports }] of Object.entries(names)) {
      expect(cjs.length, entry).to.be.greaterThan(0)
      expect(esm, `${entry}: the names import finds`).to.deep.equal(cjs)
      expect(defaultIsExports, `${entry}: the default export is module.exports`).to.equal(true)
    }
    expect(names['fp-pathio'].esm).to.include.members([
      'makeMemoryPathIO',
      'makeNodePathIO',
      'makePoolPathIO',
      'withTimeout',
      'readFile'
    ])
    expect(names['fp-pathio/ftp'].esm).to.include('makeFtpServer')
    expect(names['fp-pathio/s3'].esm).to.include('makeS3PathIO')
  })

  /** Every package a run asked `require` for, and every loaded file that is not in the consumer's copy of fp-pathio, fp-ts or io-ts. */
  const outside = (
    loaded: Loaded,
    script: string
  ): { readonly packages: ReadonlyArray<string>; readonly files: ReadonlyArray<string> } => {
    const home = fs.realpathSync(path.join(p.consumer, 'node_modules'))
    const allowed = ALLOWED.map((name) => path.join(home, name) + path.sep)
    return {
      packages: [...new Set(loaded.requested.filter((r) => isBare(r) && !isBuiltin(r)).map(packageOf))].sort(),
      files: loaded.files.filter(
        (f) => f !== hook && f !== script && !allowed.some((dir) => fs.realpathSync(f).startsWith(dir))
      )
    }
  }

  const expectOnlyTheLibrary = ({
    packages,
    files
  }: {
    readonly packages: ReadonlyArray<string>
    readonly files: ReadonlyArray<string>
  }): void => {
    expect(
      packages.filter((name) => !ALLOWED.includes(name)),
      'packages required besides fp-ts and io-ts'
    ).to.deep.equal([])
    expect(packages, 'the hook saw the dependencies load').to.include.members(['fp-ts', 'io-ts'])
    expect(files, 'files loaded from elsewhere than the three installed packages').to.deep.equal([])
  }

  it("import 'fp-pathio' loads nothing but fp-ts, io-ts and Node's own modules (no S3 SDK, no ssh2, no prom-client), even with the SDK installed", async () => {
    const script = writeIn(
      p.consumer,
      'only.mjs',
      "import 'fp-pathio'\nimport { makeMemoryPathIO } from 'fp-pathio'\nmakeMemoryPathIO()\n"
    )
    const loaded = await loadedBy(script)
    expect(loaded.files.length, 'the hook saw the package load').to.be.greaterThan(10)
    expectOnlyTheLibrary(outside(loaded, script))
  })

  it("require('fp-pathio') loads nothing but fp-ts, io-ts and Node's own modules", async () => {
    const script = writeIn(p.consumer, 'only.cjs', "require('fp-pathio').makeMemoryPathIO()\n")
    expectOnlyTheLibrary(outside(await loadedBy(script), script))
  })

  it("require('fp-pathio/ftp') and import from it load nothing outside the installed packages", async () => {
    const cjs = writeIn(p.consumer, 'ftp.cjs', "require('fp-pathio/ftp')\n")
    const mjs = writeIn(
      p.consumer,
      'ftp.mjs',
      "import { makeFtpServer } from 'fp-pathio/ftp'\nif (typeof makeFtpServer !== 'function') process.exitCode = 1\n"
    )
    for (const script of [cjs, mjs]) {
      const { packages, files } = outside(await loadedBy(script), script)
      expect(files, script).to.deep.equal([])
      expect(
        packages.filter((name) => !ALLOWED.includes(name)),
        script
      ).to.deep.equal([])
    }
  })

  it('fp-pathio/s3 loads @aws-sdk/client-s3, the optional peer, and without it says so by name', async () => {
    const script = writeIn(
      p.consumer,
      's3.mjs',
      "import { makeS3PathIO } from 'fp-pathio/s3'\nconsole.log(typeof makeS3PathIO)\n"
    )
    const { packages } = outside(await loadedBy(script), script)
    expect(packages).to.include('@aws-sdk/client-s3')
    const missing = await runOk(
      process.execPath,
      [
        '-e',
        "try { require('fp-pathio/s3'); console.log('loaded') } catch (e) { console.log(e.code, e.message.split('\\n')[0]) }"
      ],
      p.consumer,
      { ...withPeer(p), NODE_PATH: '' }
    )
    expect(missing).to.match(/^MODULE_NOT_FOUND .*'@aws-sdk\/client-s3'/)
  })

  it('npx fp-pathio-server: --help, --version, passwd piped, and it serves curl, with no checkout', async () => {
    const npx = (args: ReadonlyArray<string>): Promise<string> =>
      runOk('npx', ['--offline', 'fp-pathio-server', ...args], p.consumer, cleanEnv())
    expect(await npx(['--help'])).to.match(/^  FTP_HOST .*\(default: 127\.0\.0\.1\)$/m)
    expect((await npx(['--version'])).trim()).to.equal(
      (JSON.parse(fs.readFileSync(path.join(p.stage, 'package.json'), 'utf8')) as { version: string }).version
    )
    const bin = path.join(p.consumer, 'node_modules', '.bin', 'fp-pathio-server')
    const hash = await new Promise<string>((resolve) => {
      const child = spawn(bin, ['passwd'], { cwd: p.consumer, env: cleanEnv() })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.on('close', () => resolve(out.trim()))
      child.stdin.end('wonderland\n')
    })
    expect(hash).to.match(/^scrypt\$/)
    const server = spawn(bin, [], {
      cwd: p.consumer,
      env: cleanEnv({ PORT: '0', FTP_USER: 'alice', FTP_PASS: 'wonderland' })
    })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const found = /listening on (ftp:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
          if (found !== null) resolve(found[1])
        })
        server.on('close', (code) => reject(new Error(`fp-pathio-server exited ${code}: ${out}`)))
      })
      const file = writeIn(p.dir, 'hello.txt', 'hello from the package\n')
      await runOk('curl', ['-sS', '-u', 'alice:wonderland', '-T', file, `${url}hello.txt`], p.dir)
      expect(await runOk('curl', ['-sS', '-u', 'alice:wonderland', `${url}hello.txt`], p.dir)).to.equal(
        'hello from the package\n'
      )
    } finally {
      server.kill('SIGKILL')
    }
  })
})
