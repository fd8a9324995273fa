/**
 * Every `@example` in the TSDoc of lib/ runs here as its own test, so an
 * example can never rot: a snippet that throws, rejects or fails an
 * `assert` fails its test, and so does one that leaves a timer, a socket, a
 * server or a worker behind.
 */
import * as assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { expect } from 'chai'
import type { Program } from 'typescript'
import * as path from 'node:path'
import {
  allExamples,
  exportsWithoutExample,
  programOf,
  runnerOf,
  surfaceOf,
  typeErrorsOf,
  type Example
} from './examples/extract'

const examples = allExamples()

/** What keeps the event loop busy, by kind ('Timeout', 'TCPServerWrap', 'Worker'...), counted. */
const resources = (): Map<string, number> =>
  process.getActiveResourcesInfo().reduce((counts, kind) => counts.set(kind, (counts.get(kind) ?? 0) + 1), new Map())

/**
 * The threads of the process (Linux): a worker pool left open is unref'd, so
 * only its threads show it. Absent elsewhere, where the check is skipped.
 */
const threads = (): number => (fs.existsSync('/proc/self/task') ? fs.readdirSync('/proc/self/task').length : 0)

/** The kinds an example added and did not take back. */
const leftBehind = (before: Map<string, number>, after: Map<string, number>): ReadonlyArray<string> =>
  [...after]
    .filter(([kind, n]) => n > (before.get(kind) ?? 0))
    .map(([kind, n]) => `${kind} x${n - (before.get(kind) ?? 0)}`)

/**
 * Node's list of the sockets and servers that keep the process alive. It is
 * undocumented, so it serves only to close what a failing example left open:
 * without that, the test run would never end.
 */
const handles = (): ReadonlyArray<unknown> =>
  (process as unknown as { readonly _getActiveHandles?: () => ReadonlyArray<unknown> })._getActiveHandles?.() ?? []

const closeAll = (left: ReadonlyArray<unknown>): void => {
  for (const handle of left) {
    const h = handle as { readonly destroy?: () => void; readonly close?: () => void }
    if (typeof h.destroy === 'function') h.destroy()
    else if (typeof h.close === 'function') h.close()
  }
}

/** A closed socket or worker leaves the active list on a later turn of the event loop. */
const settled = (): Promise<void> => new Promise((done) => setTimeout(done, 20))

const nameOf = (example: Example): string => `${example.symbol} (${example.file}:${example.line})`

describe('@example blocks of lib/', () => {
  // libuv makes its whole thread pool on first use: let that happen before any count.
  before(() => fs.promises.stat(__dirname))

  it('there are examples to run, and every one asserts something', () => {
    expect(examples.length).to.be.greaterThan(0)
    // An assert in a comment does not count, and a '// ... -> right(...)' comment is no assertion.
    const code = (e: Example): string => e.code.replace(/\/\/.*$/gm, '')
    const silent = examples.filter((e) => !/\bassert\b/.test(code(e))).map(nameOf)
    expect(silent, 'examples that assert nothing').to.deep.equal([])
    const claims = examples.filter((e) => /->\s*(right|left)\(/.test(e.code)).map(nameOf)
    expect(claims, 'examples that claim a result in a comment instead of asserting it').to.deep.equal([])
  })

  // Made once for the two checks below (about 15 s on two busy cores).
  let program: Program | undefined
  const theProgram = (): Program => (program ??= programOf(examples))

  it('every example type-checks against lib/', function () {
    this.timeout(300_000)
    expect(typeErrorsOf(theProgram(), examples)).to.deep.equal([])
  })

  // The public surface, one file per entry point: a change to it shows as a diff of spec/api/ (UPDATE_API=1 writes them).
  it('each entry point exports exactly the names spec/api/ lists', function () {
    this.timeout(300_000)
    const dir = path.join(__dirname, 'api')
    for (const [specifier, names] of surfaceOf(theProgram())) {
      const file = path.join(dir, `${specifier.replace(/\//g, '+')}.txt`)
      const text = names.join('\n') + '\n'
      if (process.env.UPDATE_API === '1') fs.writeFileSync(file, text)
      const listed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
      expect(
        text,
        `${specifier}: the surface changed (UPDATE_API=1 npm test -- spec/examples.spec.ts writes ${path.relative(process.cwd(), file)})`
      ).to.equal(listed)
    }
  })

  it('every value the package exports has an @example', function () {
    this.timeout(300_000)
    expect(exportsWithoutExample(theProgram())).to.deep.equal([])
  })

  const byFile = new Map<string, Array<Example>>()
  for (const example of examples) byFile.set(example.file, [...(byFile.get(example.file) ?? []), example])

  for (const [file, inFile] of byFile) {
    describe(file, () => {
      for (const example of inFile) {
        it(`${example.symbol} (line ${example.line})`, async () => {
          await settled()
          const before = { resources: resources(), threads: threads(), handles: new Set(handles()) }
          await runnerOf(example, assert)()
          await settled()
          const left = leftBehind(before.resources, resources())
          if (left.length > 0) closeAll(handles().filter((h) => !before.handles.has(h)))
          expect(left, 'what the example left open').to.deep.equal([])
          expect(threads() - before.threads, 'threads the example left running (a pool not closed?)').to.equal(0)
        })
      }
    })
  }
})
