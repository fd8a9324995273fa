/**
 * One table of the program's variables: docs/ftp-server.md shows exactly
 * what `--help` is made from (UPDATE_DOCS=1 rewrites the docs' table).
 */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { variablesTable } from '../../lib/ftp'

const DOC = path.join(__dirname, '..', '..', 'docs', 'ftp-server.md')
const TABLE = /\| variable \| default \| what it does \|\n(?:\|.*\|\n)+/

describe('the variables table', () => {
  it('docs/ftp-server.md shows the table --help is made from', () => {
    const doc = fs.readFileSync(DOC, 'utf8')
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(DOC, doc.replace(TABLE, variablesTable() + '\n'))
    expect(TABLE.exec(fs.readFileSync(DOC, 'utf8'))?.[0]).to.equal(variablesTable() + '\n')
  })
})
