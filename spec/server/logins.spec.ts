/**
 * The failed-login book (lib/server/logins.ts): the budget per address and
 * one password check at a time per address, counted in hash computations,
 * never in seconds (issue 21 item 6).
 */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { makeAuthenticate, verifyPassword } from '../../lib/server/accounts'
import { guardLogins, makeLoginFailures } from '../../lib/server/logins'
import { hashPassword } from '../../lib/server/accounts'

const HASH = hashPassword('right')

/** An authenticator that counts its hash computations and the most that ran at once. */
const counted = () => {
  let hashes = 0
  let running = 0
  let most = 0
  const verify = async (hash: string, password: string): Promise<boolean> => {
    hashes += 1
    running += 1
    most = Math.max(most, running)
    try {
      return await verifyPassword(hash, password)
    } finally {
      running -= 1
    }
  }
  return {
    authenticate: makeAuthenticate([{ name: 'alice', hash: HASH, home: '/', perm: 'elr' }], 'off', { verify }),
    hashes: () => hashes,
    most: () => most
  }
}

describe('logins: the failed-login budget of each address', function () {
  this.timeout(60_000)

  it("runs one address's checks one at a time, and stops hashing once its budget is used", async () => {
    const book = counted()
    const blocked: Array<string> = []
    const login = guardLogins(book.authenticate, makeLoginFailures({ max: 5, windowMs: 60_000 }), (address) =>
      blocked.push(address)
    )
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login('alice', `guess-${i}`, '10.0.0.9')()))
    expect(results.every(O.isNone)).to.equal(true)
    expect(book.most(), 'checks of one address at once').to.equal(1)
    expect(book.hashes(), 'hashes computed for 40 guesses').to.equal(5)
    expect(blocked).to.deep.equal(['10.0.0.9']) // told once
    // The right password no longer helps that address; another address is not affected.
    expect(O.isNone(await login('alice', 'right', '::ffff:10.0.0.9')())).to.equal(true)
    expect(O.isSome(await login('alice', 'right', '10.0.0.10')())).to.equal(true)
  })

  it('checks of different addresses run side by side (one guesser does not queue everyone)', async () => {
    const book = counted()
    const login = guardLogins(book.authenticate, makeLoginFailures({ max: 100, windowMs: 60_000 }))
    await Promise.all(['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((address) => login('alice', 'wrong', address)()))
    expect(book.most()).to.be.greaterThan(1)
  })

  it('forgets failures older than the window, and max 0 is no budget', () => {
    let clock = 0
    const failures = makeLoginFailures({ max: 2, windowMs: 100, now: () => clock })
    failures.fail('a')
    clock = 50
    failures.fail('a')
    expect(failures.blocked('a')).to.equal(true)
    clock = 101 // the first has aged out
    expect(failures.blocked('a')).to.equal(false)
    const none = makeLoginFailures({ max: 0, windowMs: 100 })
    for (let i = 0; i < 10; i++) none.fail('a')
    expect(none.blocked('a')).to.equal(false)
  })
})
