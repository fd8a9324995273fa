/**
 * What the published package holds: the one list. spec/package/contents.spec.ts
 * fails on a file of the tarball that is not expected here, and on a file
 * expected here that is missing from it.
 *
 * When the server ships (its compiled program, a `bin` entry in
 * package.json), add its group below, e.g.
 *
 *   { what: 'the server', from: 'examples/ftp-server.ts', to: 'dist/server/examples/ftp-server', outputs: ['.js'] },
 *
 * plus the library modules it is built with, as `from: 'lib', to: 'dist/server/lib'`,
 * if it is compiled separately, and extend `files` in package.json (and
 * `prepack`, which builds what is packed). The `bin` target must then be in
 * the pack: the spec checks every path package.json names.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

/** Files taken as they are. */
export interface Literal {
  readonly what: string
  readonly files: ReadonlyArray<string>
}

/**
 * Compiled files: for every TypeScript module under `from` (a directory, or
 * one `.ts` file), one file per extension of `outputs` at the same place
 * under `to` (a directory, or, for a file, its path without extension).
 */
export interface Compiled {
  readonly what: string
  readonly from: string
  readonly to: string
  readonly outputs: ReadonlyArray<string>
}

export type Group = Literal | Compiled

export const PACKAGE_CONTENTS: ReadonlyArray<Group> = [
  { what: "npm's own and the licence", files: ['package.json', 'README.md', 'LICENSE'] },
  // No source maps: a map would point at lib/*.ts, which is not shipped (tsconfig.build.json has sourceMap off).
  { what: 'the compiled library', from: 'lib', to: 'dist/lib', outputs: ['.js', '.d.ts'] },
  // The program (bin fp-pathio-server): built by build:server with the library modules it runs, JavaScript only.
  { what: 'the server', from: 'examples/ftp-server.ts', to: 'dist/server/examples/ftp-server', outputs: ['.js'] },
  { what: 'its passwd', from: 'examples/passwd.ts', to: 'dist/server/examples/passwd', outputs: ['.js'] },
  {
    what: 'its S3 backend (loaded for PATHIO_BACKEND=s3)',
    from: 'examples/s3Backend.ts',
    to: 'dist/server/examples/s3Backend',
    outputs: ['.js']
  },
  { what: 'the library the server is built with', from: 'lib', to: 'dist/server/lib', outputs: ['.js'] }
]

/**
 * Nothing of these may ever ship, whatever the list above says: tests,
 * specs, benchmarks, build caches.
 */
export const NEVER_PACKED: ReadonlyArray<RegExp> = [
  /(^|\/)(spec|specs|test|tests|__tests__|bench)\//,
  /\.(spec|test)\.[cm]?[jt]s$/,
  /\.tsbuildinfo$/,
  /(^|\/)\.mocharc/,
  /(^|\/)node_modules\//
]

const modulesUnder = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? modulesUnder(path.join(dir, entry.name)).map((file) => `${entry.name}/${file}`)
        : entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
          ? [entry.name]
          : []
    )

/** Every path (relative to the package, `/`-separated) the list expects, for the sources under `root`. */
export const expectedFiles = (root: string, groups: ReadonlyArray<Group> = PACKAGE_CONTENTS): ReadonlyArray<string> =>
  groups
    .flatMap((group) => {
      if ('files' in group) return group.files
      if (group.from.endsWith('.ts')) return group.outputs.map((ext) => group.to + ext)
      return modulesUnder(path.join(root, group.from)).flatMap((module) =>
        group.outputs.map((ext) => `${group.to}/${module.replace(/\.ts$/, '')}${ext}`)
      )
    })
    .sort()
