/**
 * The planted bugs of `npm run mutants` still fit the code: each snippet is
 * found exactly once in its file and each named spec exists. The runner is
 * too slow for `npm test`; this keeps a refactor from leaving it unable to
 * plant a bug without anyone noticing.
 */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { MUTANTS } from './mutants'

const CHECKOUT = path.resolve(__dirname, '..', '..')

const occurrences = (text: string, snippet: string): number => text.split(snippet).length - 1

describe('the planted bugs of npm run mutants', () => {
  it('are many and named once each', () => {
    expect(MUTANTS.length).to.be.greaterThan(20)
    expect(new Set(MUTANTS.map((m) => m.id)).size).to.equal(MUTANTS.length)
  })

  for (const mutant of MUTANTS)
    it(`${mutant.id}: its snippet is in ${mutant.file} exactly once, and its specs exist`, () => {
      const text = fs.readFileSync(path.join(CHECKOUT, mutant.file), 'utf8')
      expect(occurrences(text, mutant.find), mutant.find).to.equal(1)
      expect(mutant.replace).not.to.equal(mutant.find)
      expect(mutant.specs).not.to.be.empty
      for (const spec of mutant.specs) expect(fs.existsSync(path.join(CHECKOUT, spec)), spec).to.equal(true)
    })
})
