/**
 * The examples of docs/composition.md run and type-check as the TSDoc ones
 * do (spec/examples.spec.ts): every `ts` block of the page that asserts
 * something.
 */
import * as assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { expect } from 'chai'
import { programOf, ROOT, runnerOf, typeErrorsOf, type Example } from '../examples/extract'

const PAGE = 'docs/composition.md'

/** Every ```ts block of a markdown page that asserts something. */
export const blocksOf = (file: string): ReadonlyArray<Example> => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const blocks: Array<Example> = []
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```/gm)) {
    const code = match[1]
    if (!/\bassert\b/.test(code)) continue
    const line = text.slice(0, match.index ?? 0).split('\n').length
    blocks.push({ file, line, symbol: `block at line ${line}`, code })
  }
  return blocks
}

describe(`the examples of ${PAGE}`, () => {
  const blocks = blocksOf(PAGE)

  it("there is one for each combinator, and a server's tree", () => {
    for (const name of ['mount(', 'overlay(', 'withQuota('])
      expect(
        blocks.some((b) => b.code.includes(name)),
        name
      ).to.equal(true)
    expect(blocks.length).to.be.at.least(4)
  })

  it('type-check against lib/', function () {
    this.timeout(300_000)
    expect(typeErrorsOf(programOf(blocks), blocks)).to.deep.equal([])
  })

  for (const block of blocks)
    it(`run: ${block.symbol}`, async () => {
      await runnerOf(block, assert)()
    })
})
