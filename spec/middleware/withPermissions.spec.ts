/**
 * `withPermissions` on its own, over the memory backend: each operation needs
 * its letter, the nearest `paths` rule wins, a refused operation never reaches
 * the inner record, and a file the record created may be moved into a place
 * where `w` holds (atomic uploads) without `f`.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { makeMemoryPathIO, permits, withPermissions, wrapOperations, type PathIO } from '../../lib'

const reasonOf = (result: E.Either<{ reason: string }, unknown>): string => (E.isLeft(result) ? result.left.reason : 'Right')

const seeded = async (): Promise<PathIO<unknown>> => {
  const io = makeMemoryPathIO() as PathIO<unknown>
  await io.mkdir('/d')()
  await io.mkdir('/empty')()
  for (const name of ['/f.txt', '/g.txt', '/d/in.txt']) {
    const h = await io.open(name, 'wb')()
    if (E.isRight(h)) await io.close(h.right)()
  }
  return io
}

describe('withPermissions', () => {
  it('needs l to list, r/w/a to open, m, d, f: every other operation is PermissionDenied (EACCES)', async () => {
    const cases: ReadonlyArray<readonly [string, (io: PathIO<unknown>) => Promise<E.Either<{ reason: string }, unknown>>]> = [
      ['l', (io) => io.list('/d')()],
      ['l', (io) => io.scan('/d')()],
      ['r', (io) => io.open('/f.txt', 'rb')()],
      ['w', (io) => io.open('/new.txt', 'wb')()],
      ['w', (io) => io.open('/f.txt', 'r+b')()],
      ['a', (io) => io.open('/f.txt', 'ab')()],
      ['m', (io) => io.mkdir('/made')()],
      ['d', (io) => io.unlink('/g.txt')()],
      ['d', (io) => io.rmdir('/empty')()],
      ['f', (io) => io.rename('/f.txt', '/renamed.txt')()]
    ]
    for (const [letter, call] of cases) {
      const without = withPermissions({ perm: 'elradfmw'.replace(letter, '') })(await seeded())
      expect(reasonOf(await call(without)), `without ${letter}`).to.equal('PermissionDenied')
      const withIt = withPermissions({ perm: letter })(await seeded())
      expect(reasonOf(await call(withIt)), `with ${letter}`).to.equal('Right')
    }
    const none = withPermissions({ perm: '' })(await seeded())
    for (const look of [none.stat('/f.txt'), none.exists('/f.txt'), none.isDir('/d'), none.isFile('/f.txt')])
      expect(reasonOf(await look())).to.equal('Right')
  })

  it('never calls the inner record for a refused operation', async () => {
    const calls: Array<string> = []
    const spy = wrapOperations((op, args, next) => {
      calls.push(op)
      return next(...args)
    })
    const io = withPermissions({ perm: 'l' })(spy(await seeded()))
    const refused = await io.mkdir('/x')()
    expect(E.isLeft(refused) && refused.left).to.include({ reason: 'PermissionDenied', code: 'EACCES', path: '/x' })
    expect(calls).to.deep.equal([])
  })

  it('paths override perm at and below a directory; the nearest rule wins; relative paths resolve against /', () => {
    const rules = { perm: 'elr', paths: { '/pub': 'elrw', '/pub/ro': 'elr', '/pub/ro/drop': 'w' } }
    expect(permits(rules, 'w', '/pub')).to.equal(true)
    expect(permits(rules, 'w', '/pub/x/y')).to.equal(true)
    expect(permits(rules, 'w', '/pub/ro/x')).to.equal(false)
    expect(permits(rules, 'w', '/pub/ro/drop/x')).to.equal(true)
    expect(permits(rules, 'r', '/pub/ro/drop/x')).to.equal(false)
    expect(permits(rules, 'w', '/public')).to.equal(false) // a sibling with the same prefix is not below /pub
    expect(permits(rules, 'w', 'pub/../pub/a')).to.equal(true)
    expect(permits(rules, 'w', '/pub/ro/../a')).to.equal(true)
  })

  it('a file it created with wb may be renamed where w holds, or removed, without f or d (an atomic upload)', async () => {
    const io = withPermissions({ perm: 'w', paths: { '/ro': 'r' } })(await seeded())
    const h = await io.open('/.upload.part', 'wb')()
    if (E.isLeft(h)) throw new Error(h.left.message)
    await io.close(h.right)()
    expect(reasonOf(await io.rename('/.upload.part', '/ro/final.txt')())).to.equal('PermissionDenied')
    expect(reasonOf(await io.rename('/.upload.part', '/final.txt')())).to.equal('Right')
    // Once moved, it is an ordinary file again: no second rename without f.
    expect(reasonOf(await io.rename('/final.txt', '/again.txt')())).to.equal('PermissionDenied')
    expect(reasonOf(await io.unlink('/final.txt')())).to.equal('PermissionDenied')
    const other = await io.open('/.other.part', 'wb')()
    if (E.isRight(other)) await io.close(other.right)()
    expect(reasonOf(await io.unlink('/.other.part')())).to.equal('Right')
    expect(reasonOf(await io.rename('/f.txt', '/x.txt')())).to.equal('PermissionDenied')
  })

  it('w without r: a file opened r+b (REST+STOR) may be written but not read', async () => {
    const io = withPermissions({ perm: 'w' })(await seeded())
    const h = await io.open('/f.txt', 'r+b')()
    if (E.isLeft(h)) throw new Error(h.left.message)
    const refused = await io.read(h.right, 16)()
    expect(E.isLeft(refused) && refused.left).to.include({ reason: 'PermissionDenied', code: 'EACCES', op: 'read' })
    expect(reasonOf(await io.write(h.right, new Uint8Array([1, 2, 3]))())).to.equal('Right')
    expect(reasonOf(await io.seek(h.right, 0)())).to.equal('Right')
    expect(reasonOf(await io.read(h.right, 16)())).to.equal('PermissionDenied')
    expect(reasonOf(await io.close(h.right)())).to.equal('Right')
    // With r as well, the same handle reads.
    const both = withPermissions({ perm: 'rw' })(await seeded())
    const g = await both.open('/f.txt', 'r+b')()
    if (E.isLeft(g)) throw new Error(g.left.message)
    expect(reasonOf(await both.read(g.right, 16)())).to.equal('Right')
  })

  it('a bad permission set is a TypeError naming the option, at once', () => {
    expect(() => withPermissions({ perm: 'elrx' })).to.throw(TypeError, /'perm'/)
    expect(() => withPermissions({ perm: 'elr', paths: { relative: 'elr' } })).to.throw(TypeError, /'paths'/)
    expect(() => withPermissions({ perm: 'elr', paths: { '/a': 'z' } })).to.throw(TypeError, /paths\["\/a"\]/)
    expect(() => withPermissions(null as never)).to.throw(TypeError)
  })

  it('bad input still gets the inner record reason (InvalidArgument), not a throw', async () => {
    const io = withPermissions({ perm: 'elradfmw' })(await seeded())
    expect(reasonOf(await io.stat(42 as never)())).to.equal('InvalidArgument')
    expect(reasonOf(await io.open('', 'rb')())).to.equal('InvalidArgument')
  })

  it('needs T for utimes and M for chmod (their letters in the operation table); truncate, on a handle, was checked at open', async () => {
    const without = withPermissions({ perm: 'elradfmw' })(await seeded())
    expect(reasonOf(await without.utimes('/f.txt', 0)())).to.equal('PermissionDenied')
    expect(reasonOf(await without.chmod('/f.txt', 0o600)())).to.equal('PermissionDenied')
    const withThem = withPermissions({ perm: 'MT', paths: { '/d': 'w' } })(await seeded())
    expect(reasonOf(await withThem.utimes('/f.txt', 0)())).to.equal('Right')
    expect(reasonOf(await withThem.chmod('/f.txt', 0o600)())).to.equal('Right')
    expect(reasonOf(await withThem.utimes('/d/in.txt', 0)())).to.equal('PermissionDenied')
    const h = await withThem.open('/d/in.txt', 'r+b')()
    if (E.isLeft(h)) throw new Error(h.left.message)
    expect(reasonOf(await withThem.truncate(h.right, 0)())).to.equal('Right')
    expect(() => withPermissions({ perm: 'elradfmwMT' })).to.not.throw()
  })
})
