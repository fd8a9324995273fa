/**
 * The pool's journal, tested directly: what `recover` closes for the jobs a
 * dead worker left unanswered, on real descriptors. The chaos rounds of the
 * reliability suite reach these windows only by chance.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { closing, makeJournal, opened, recover } from '../../lib/backends/pool/journal'
import { openFileDescriptors } from './fds'

/** Where descriptor `fd` of this process leads now, or `undefined` when it is closed. */
const targetOf = (fd: number): string | undefined => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return undefined
  }
}

describe('pool journal: recover', () => {
  let temp: string
  let file: string

  beforeEach(() => {
    temp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-journal-')))
    file = path.join(temp, 'f')
    fs.writeFileSync(file, 'data')
  })
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }))

  /** A real descriptor of `file`, counted: the process holds one more than before. */
  const openReal = (before: number): number => {
    const fd = fs.openSync(file, 'r')
    expect(openFileDescriptors()).to.equal(before + 1)
    expect(targetOf(fd)).to.equal(file)
    return fd
  }

  it('closes the descriptor of an open that completed in a worker that died before answering', () => {
    const before = openFileDescriptors()
    const fd = openReal(before)
    const journal = makeJournal()
    opened(journal, 7, fd)
    // The job failed with its worker (no result), and nobody holds the descriptor any more.
    expect(recover(journal, { id: 7, request: { op: 'open' } })).to.equal(undefined)
    expect(targetOf(fd)).to.equal(undefined)
    expect(openFileDescriptors()).to.equal(before)
  })

  it('leaves alone the descriptors of other opens, and an open that never completed', () => {
    const before = openFileDescriptors()
    const fd = openReal(before)
    const journal = makeJournal()
    opened(journal, 3, fd)
    try {
      expect(recover(journal, { id: 4, request: { op: 'open' } })).to.equal(undefined)
      expect(targetOf(fd)).to.equal(file)
      expect(openFileDescriptors()).to.equal(before + 1)
    } finally {
      fs.closeSync(fd)
    }
  })

  it('finishes a close whose system call the worker never reached: the descriptor is closed, the job succeeds', () => {
    const before = openFileDescriptors()
    const fd = openReal(before)
    const journal = makeJournal()
    closing(journal, 4) // an earlier close was reached; job 5 was not
    const result = recover(journal, { id: 5, request: { op: 'close', fd } })
    expect(result).to.deep.equal(E.right(undefined))
    expect(targetOf(fd)).to.equal(undefined)
    expect(openFileDescriptors()).to.equal(before)
  })

  it('never closes twice: a close whose system call the worker reached is left to it', () => {
    const before = openFileDescriptors()
    const fd = openReal(before)
    const journal = makeJournal()
    closing(journal, 5)
    try {
      expect(recover(journal, { id: 5, request: { op: 'close', fd } })).to.equal(undefined)
      // Still open: the descriptor number may already belong to someone else once the worker closed it.
      expect(targetOf(fd)).to.equal(file)
      expect(openFileDescriptors()).to.equal(before + 1)
    } finally {
      fs.closeSync(fd)
    }
  })
})
