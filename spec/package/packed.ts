/**
 * The package as a user gets it, made once per test run for every spec of
 * spec/package/: the working tree is copied (without node_modules, dist and
 * .git) to a temporary folder, `npm pack` runs there (its `prepack` builds
 * dist/ afresh, as it would before `npm publish`), and the tarball is
 * installed with `npm install --offline` into an empty project beside it,
 * with fp-ts and io-ts packed from the repository's own node_modules (no
 * registry, no network). That project has no TypeScript, no ts-node and no
 * checkout above it.
 *
 * `@aws-sdk/client-s3`, the optional peer, is not installed there: a run
 * that needs it (`fp-pathio/s3`) gets it through NODE_PATH from a folder
 * that holds only it (`withPeer`).
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** The repository's root (the directory of package.json). */
export const ROOT = path.resolve(__dirname, '..', '..')

/** What the working tree holds that is not the project's own: never copied. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git'])

/** One file of the tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string
  readonly size: number
}

export interface Packed {
  /** The temporary folder that holds everything below; removed when the process exits. */
  readonly dir: string
  /** The copy of the working tree `npm pack` ran in (with dist/ built). */
  readonly stage: string
  /** The tarball. */
  readonly tarball: string
  /** What it holds, as npm listed it. */
  readonly files: ReadonlyArray<PackedFile>
  /** The project the tarball is installed in: its node_modules holds fp-pathio, fp-ts and io-ts, nothing else. */
  readonly consumer: string
  /** A folder whose node_modules holds only `@aws-sdk/client-s3` (a link to the repository's copy). */
  readonly peer: string
  /** How long packing and installing took, in milliseconds. */
  readonly took: { readonly pack: number; readonly install: number }
}

/**
 * The environment of a child process: this one's, without what npm puts
 * there for a script (`npm_config_*`: a nested npm must not act on the
 * repository) and without what would let Node find modules elsewhere.
 */
export const cleanEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!/^npm_/i.test(key) && !['NODE_OPTIONS', 'NODE_PATH', 'INIT_CWD', 'TS_NODE_TRANSPILE_ONLY'].includes(key))
      env[key] = value
  return { ...env, ...extra }
}

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `file` with `args` in `cwd`; resolves with its exit status and output whatever it is. */
export const run = (
  file: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
  timeout = 120_000
): Promise<Ran> =>
  new Promise((resolve) =>
    execFile(file, args, { cwd, env, timeout, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) =>
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        stdout,
        stderr: stderr || (error?.message ?? '')
      })
    )
  )

/** As `run`, and rejects, with everything printed, unless the exit status is 0. */
export const runOk = async (
  file: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env?: NodeJS.ProcessEnv,
  timeout?: number
): Promise<string> => {
  const ran = await run(file, args, cwd, env, timeout)
  if (ran.code !== 0)
    throw new Error(
      `${path.basename(file)} ${args.join(' ')} (in ${cwd}) exited ${ran.code}:\n${ran.stdout}\n${ran.stderr}`
    )
  return ran.stdout
}

const npm = (args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  runOk(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, cwd, cleanEnv(), 600_000)

/** The folder the repository installed a package in (not through `require.resolve`: an `exports` map may hide package.json). */
const installed = (name: string): string => fs.realpathSync(path.join(ROOT, 'node_modules', name))

const make = async (): Promise<Packed> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-package-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  const started = Date.now()

  // The working tree as a fresh checkout would be, with the repository's node_modules for the build.
  const stage = path.join(dir, 'stage')
  fs.mkdirSync(stage)
  for (const entry of fs.readdirSync(ROOT))
    if (!NOT_COPIED.has(entry)) fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true })
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir')

  // npm pack runs `prepack` (the build); its output goes to stderr, the listing to stdout.
  const listing = JSON.parse(await npm(['pack', '--json', '--pack-destination', dir], stage)) as ReadonlyArray<{
    readonly filename: string
    readonly files: ReadonlyArray<PackedFile>
  }>
  const tarball = path.join(dir, listing[0].filename)
  const packedAt = Date.now()

  // fp-ts and io-ts, packed from what the repository installed: no registry needed.
  const dependencies = JSON.parse(
    await npm(['pack', '--json', '--pack-destination', dir, installed('fp-ts'), installed('io-ts')], dir)
  ) as ReadonlyArray<{
    readonly filename: string
  }>
  const consumer = path.join(dir, 'consumer')
  fs.mkdirSync(consumer)
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)
  )
  await npm(
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      tarball,
      ...dependencies.map((d) => path.join(dir, d.filename))
    ],
    consumer
  )

  const peer = path.join(dir, 'peer')
  fs.mkdirSync(path.join(peer, 'node_modules', '@aws-sdk'), { recursive: true })
  fs.symlinkSync(installed('@aws-sdk/client-s3'), path.join(peer, 'node_modules', '@aws-sdk', 'client-s3'), 'dir')

  return {
    dir,
    stage,
    tarball,
    files: listing[0].files,
    consumer,
    peer,
    took: { pack: packedAt - started, install: Date.now() - packedAt }
  }
}

let made: Promise<Packed> | undefined

/** The package, packed and installed once per process (a minute or so: the build is most of it); give its hook five. */
export const packed = (): Promise<Packed> => (made ??= make())

/** The environment for a run that may load `@aws-sdk/client-s3` (only it) from `peer`. */
export const withPeer = (p: Packed, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv =>
  cleanEnv({ ...extra, NODE_PATH: path.join(p.peer, 'node_modules') })

/** Writes `text` to `name` under `dir` (made if need be) and gives the file's path. */
export const writeIn = (dir: string, name: string, text: string): string => {
  const file = path.join(dir, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}
