/**
 * What the contract suite checks instead of a test whose capability the
 * record lacks (its own `capabilities` say so): the backend must say so
 * (`Unsupported`, and nothing changed) or behave as its documentation says.
 * Never a skip.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { SEEK_CUR, type CapabilityFlag, type PathIO } from '../../lib'
import { bytes, expectLeft, expectRight, readFile, run, writeFile } from './helpers'

type Probe = (io: PathIO<unknown>) => Promise<void>

/**
 * The capabilities a contract test may need, each with its probe: the
 * flags of `Capabilities` that the contract asks for (`write` is not one a
 * fixture can lack: the suite writes its own test files; `atomicRename` and
 * `symlinks` change no outcome the suite checks).
 */
export type Capability = Exclude<CapabilityFlag, 'write' | 'atomicRename' | 'symlinks'>

const refusedMode =
  (mode: 'ab' | 'r+b'): Probe =>
  async (io) => {
    await writeFile(io, 'probe', 'keep')
    await expectLeft(io.open('probe', mode), 'Unsupported', 'open')
    await expectLeft(io.open('probe-new', mode), 'Unsupported', 'open')
    expect(await readFile(io, 'probe')).to.equal('keep')
    expect(await expectRight(io.exists('probe-new'))).to.equal(false)
  }

export const PROBES: Readonly<Record<Capability, Probe>> = {
  append: refusedMode('ab'),
  update: refusedMode('r+b'),
  seekWrite: async (io) => {
    const h = await expectRight(io.open('probe', 'wb'))
    await expectRight(io.write(h, bytes('ab')))
    await expectLeft(io.seek(h, 0), 'Unsupported', 'seek')
    await expectLeft(io.seek(h, 5), 'Unsupported', 'seek')
    // Where it is, a seek moves nothing and is fine: that is how a caller asks the position.
    expect(await expectRight(io.seek(h, 0, SEEK_CUR))).to.equal(2)
    await expectRight(io.write(h, bytes('c')))
    await expectRight(io.close(h))
    expect(await readFile(io, 'probe')).to.equal('abc')
  },
  visibleWhileWriting: async (io) => {
    await writeFile(io, 'probe', 'old')
    const replacing = await expectRight(io.open('probe', 'wb'))
    const making = await expectRight(io.open('probe-new', 'wb'))
    await expectRight(io.write(replacing, bytes('new')))
    await expectRight(io.write(making, bytes('made')))
    // Nothing shows before close: the old content stays whole, the new file is not there.
    expect(await readFile(io, 'probe')).to.equal('old')
    expect(await expectRight(io.exists('probe-new'))).to.equal(false)
    await expectRight(io.close(replacing))
    await expectRight(io.close(making))
    expect(await readFile(io, 'probe')).to.equal('new')
    expect(await readFile(io, 'probe-new')).to.equal('made')
  },
  directoryTimes: async (io) => {
    await expectRight(io.mkdir('probe'))
    const before = await expectRight(io.stat('probe'))
    await expectRight(io.mkdir('probe/sub'))
    await writeFile(io, 'probe/f', 'x')
    // No directory times or link counts to keep: the stat does not move.
    expect(await expectRight(io.stat('probe'))).to.deep.equal(before)
  },
  openAfterRemoval: async (io) => {
    await writeFile(io, 'probe', 'gone')
    const h = await expectRight(io.open('probe', 'rb'))
    await expectRight(io.unlink('probe'))
    await expectLeft(io.read(h), 'NotFound', 'read')
    await expectRight(io.close(h))
  },
  times: async (io) => {
    await writeFile(io, 'probe', 'keep')
    await expectRight(io.mkdir('probe-dir'))
    const file = await expectRight(io.stat('probe'))
    const dir = await expectRight(io.stat('probe-dir'))
    await expectLeft(io.utimes('probe', 1_000_000_000_000), 'Unsupported', 'utimes')
    await expectLeft(io.utimes('probe-dir', 1_000_000_000_000), 'Unsupported', 'utimes')
    expect(await expectRight(io.stat('probe'))).to.deep.equal(file)
    expect(await expectRight(io.stat('probe-dir'))).to.deep.equal(dir)
  },
  modes: async (io) => {
    await writeFile(io, 'probe', 'keep')
    await expectRight(io.mkdir('probe-dir'))
    const file = await expectRight(io.stat('probe'))
    const dir = await expectRight(io.stat('probe-dir'))
    await expectLeft(io.chmod('probe', 0o600), 'Unsupported', 'chmod')
    await expectLeft(io.chmod('probe-dir', 0o700), 'Unsupported', 'chmod')
    expect(await expectRight(io.stat('probe'))).to.deep.equal(file)
    expect(await expectRight(io.stat('probe-dir'))).to.deep.equal(dir)
  },
  truncate: async (io) => {
    const h = await expectRight(io.open('probe', 'wb'))
    await expectRight(io.write(h, bytes('abc')))
    await expectLeft(io.truncate(h, 1), 'Unsupported', 'truncate')
    await expectLeft(io.truncate(h, 10), 'Unsupported', 'truncate')
    // Nothing moved: the position, and what the file holds once written.
    expect(await expectRight(io.seek(h, 0, SEEK_CUR))).to.equal(3)
    await expectRight(io.write(h, bytes('d')))
    await expectRight(io.close(h))
    expect(await readFile(io, 'probe')).to.equal('abcd')
  },
  longNames: async (io) => {
    // The backend's own checks still take 255 bytes and refuse 256; only the store cannot keep them.
    // (s3rver itself answers a HEAD of such a name with an error of its own.)
    const longest = await run(io.stat('a'.repeat(255)))
    if (E.isLeft(longest)) expect(longest.left.reason).to.not.equal('InvalidArgument')
    await expectLeft(io.stat('a'.repeat(256)), 'InvalidArgument', 'stat')
  }
}
