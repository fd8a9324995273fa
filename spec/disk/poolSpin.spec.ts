/**
 * The pool worker's short wait for its next batch (`lib/backends/pool/spin`),
 * tested directly on a `MessageChannel`: it gives a message already there,
 * polls only while it holds the pool's lock, never while another
 * worker holds it or has jobs too, and stops polling for a while after waits
 * that found nothing.
 */
import { expect } from 'chai'
import { MessageChannel } from 'node:worker_threads'
import { countBusy, makeNextMessage, makeSpinLock, releaseLock, spinLockOf } from '../../lib/backends/pool/spin'

/** Waits long enough to tell apart from none on a loaded machine. */
const LONG_NS = 300_000_000n
const LONG_MS = 300
/** Milliseconds `body` took. */
const timed = (body: () => void): number => {
  const start = process.hrtime.bigint()
  body()
  return Number(process.hrtime.bigint() - start) / 1e6
}

describe('pool spin: the wait for the next batch', () => {
  it('gives a message already waiting, without taking the lock', () => {
    const { port1, port2 } = new MessageChannel()
    const lock = makeSpinLock()
    const next = makeNextMessage(port2, lock, 7)
    port1.postMessage('a')
    expect(next()).to.deep.equal({ message: 'a' })
    expect(lock[0]).to.equal(0)
    port1.close()
  })

  it('without a message, polls a little while and leaves the lock as it found it', () => {
    const { port1, port2 } = new MessageChannel()
    const lock = makeSpinLock()
    const next = makeNextMessage(port2, lock, 7, 20_000_000n)
    expect(timed(() => expect(next()).to.equal(undefined))).to.be.at.least(20)
    expect(lock[0]).to.equal(0)
    port1.close()
  })

  it('does not poll while another worker holds the lock', () => {
    const { port1, port2 } = new MessageChannel()
    const lock = makeSpinLock()
    lock[0] = 3
    const next = makeNextMessage(port2, lock, 7, LONG_NS)
    expect(timed(() => expect(next()).to.equal(undefined))).to.be.below(LONG_MS)
    expect(lock[0]).to.equal(3)
    port1.close()
  })

  it('does not poll while another worker has jobs too; does once it is alone again', () => {
    const { port1, port2 } = new MessageChannel()
    const lock = makeSpinLock()
    countBusy(lock, 1)
    countBusy(lock, 1)
    const next = makeNextMessage(port2, lock, 7, LONG_NS)
    expect(timed(() => expect(next()).to.equal(undefined))).to.be.below(LONG_MS)
    countBusy(lock, -1)
    expect(timed(() => expect(next()).to.equal(undefined))).to.be.at.least(LONG_MS)
    port1.close()
  })

  it('the lock of a worker that exited is freed; another holder is left alone', () => {
    const lock = makeSpinLock()
    lock[0] = 3
    releaseLock(lock, 4)
    expect(lock[0]).to.equal(3)
    releaseLock(lock, 3)
    expect(lock[0]).to.equal(0)
  })

  it('after a few waits that found nothing, rests: the next calls return at once', () => {
    const { port1, port2 } = new MessageChannel()
    const next = makeNextMessage(port2, makeSpinLock(), 7, 100_000_000n)
    for (let i = 0; i < 4; i++) expect(next()).to.equal(undefined)
    // Eight waits of 100 ms would take 800 ms; resting, they return at once (far apart, so load cannot blur it).
    expect(
      timed(() => {
        for (let i = 0; i < 8; i++) expect(next()).to.equal(undefined)
      })
    ).to.be.below(100)
    port1.close()
  })

  it('a worker given no lock never polls; the lock crosses to a worker as a SharedArrayBuffer', () => {
    const { port1, port2 } = new MessageChannel()
    const next = makeNextMessage(port2, undefined, 7, LONG_NS)
    expect(timed(() => expect(next()).to.equal(undefined))).to.be.below(LONG_MS)
    const lock = makeSpinLock()
    expect(spinLockOf({ spin: lock.buffer })?.buffer).to.equal(lock.buffer)
    expect(spinLockOf({})).to.equal(undefined)
    expect(spinLockOf(undefined)).to.equal(undefined)
    port1.close()
  })
})
