#!/usr/bin/env node
/**
 * `npm run build:server`: compiles lib/ and examples/ into dist/server/ (the
 * program `npm start` and `fp-pathio-server` run), but only when a source
 * changed since the last build: nothing changed, nothing runs (npm start
 * reaches "listening" in well under a second). After a build, an output
 * whose source is gone is removed, so a stale module can never shadow a
 * live one (an old dist/server/lib/backends/memory.js once shadowed
 * memory/index.js).
 */
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const out = path.join(root, 'dist', 'server')
const stamp = path.join(out, '.tsbuildinfo')
const SOURCES = ['lib', 'examples']
const CONFIGS = ['tsconfig.json', 'examples/tsconfig.build.json', 'package.json', 'scripts/build-server.js']

/** The newest modification time under `dir`: files and folders (a removed file changes its folder's time). */
const newest = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name)
    return Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs)
  }, fs.statSync(dir).mtimeMs)

const built = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? -1
const changed = Math.max(...SOURCES.map((dir) => newest(path.join(root, dir))), ...CONFIGS.map((file) => fs.statSync(path.join(root, file)).mtimeMs))
if (built >= changed && fs.existsSync(path.join(out, 'examples', 'ftp-server.js'))) process.exit(0)

try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'examples', 'tsconfig.build.json')], { stdio: 'inherit' })
} catch {
  process.exit(1)
}
// tsc leaves the build info untouched when nothing it emits changed: touch it, so the next start skips the build.
const now = new Date()
fs.utimesSync(stamp, now, now)

/** Removes every output under `dir` whose TypeScript source is gone. */
const prune = (dir, sources) => {
  if (!fs.existsSync(dir)) return
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      prune(full, path.join(sources, entry.name))
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full)
      continue
    }
    const base = entry.name.replace(/\.(js|js\.map|d\.ts|d\.ts\.map)$/, '')
    if (base !== entry.name && !fs.existsSync(path.join(sources, base + '.ts'))) fs.rmSync(full)
  }
}
for (const dir of SOURCES) prune(path.join(out, dir), path.join(root, dir))
