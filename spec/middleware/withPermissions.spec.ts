/**
 * `withPermissions` on its own, over the memory backend: each operation needs
 * its letter, the nearest `paths` rule wins, a refused operation never reaches
 * the inner record, and a file the record created may be moved into a place
 * where `w` holds (atomic uploads) without `f`.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  makeMemoryPathIO,
  makeNodePathIO,
  permits,
  withAtomicWrites,
  withPermissions,
  withRoot,
  wrapOperations,
  writeFile,
  type PathIO
} from '../../lib'

const reasonOf = (result: E.Either<{ reason: string }, unknown>): string =>
  E.isLeft(result) ? result.left.reason : 'Right'

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
  it('needs l to list, r/w/a to open, m, d, f (with w where a file lands): every other operation is PermissionDenied (EACCES)', async () => {
    const cases: ReadonlyArray<
      readonly [string, (io: PathIO<unknown>) => Promise<E.Either<{ reason: string }, unknown>>]
    > = [
      ['l', (io) => io.list('/d')()],
      ['l', (io) => io.scan('/d')()],
      ['r', (io) => io.open('/f.txt', 'rb')()],
      ['w', (io) => io.open('/new.txt', 'wb')()],
      ['w', (io) => io.open('/f.txt', 'r+b')()],
      ['a', (io) => io.open('/f.txt', 'ab')()],
      ['m', (io) => io.mkdir('/made')()],
      ['d', (io) => io.unlink('/g.txt')()],
      ['d', (io) => io.rmdir('/empty')()],
      ['f', (io) => io.rename('/f.txt', '/renamed.txt')()],
      // A renamed file lands at its destination: creating it there needs w as well as f.
      ['w', (io) => io.rename('/f.txt', '/renamed.txt')()]
    ]
    for (const [letter, call] of cases) {
      const without = withPermissions({ perm: 'elradfmw'.replace(letter, '') })(await seeded())
      expect(reasonOf(await call(without)), `without ${letter}`).to.equal('PermissionDenied')
      const withIt = withPermissions({ perm: call.toString().includes('rename') ? 'fw' : letter })(await seeded())
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

  it('an atomic store needs w only: withAtomicWrites below it renames its own temporary, which no user can name', async () => {
    const inner = await seeded()
    const io = withPermissions({ perm: 'w', paths: { '/ro': 'r' } })(withAtomicWrites()(inner))
    const h = await io.open('/final.txt', 'wb')()
    if (E.isLeft(h)) throw new Error(h.left.message)
    await io.write(h.right, Buffer.from('whole'))()
    await io.close(h.right)()
    expect(reasonOf(await inner.stat('/final.txt')())).to.equal('Right')
    expect(reasonOf(await io.open('/ro/final.txt', 'wb')())).to.equal('PermissionDenied')
    // Without f and d a stored file is like any other: no rename, no delete.
    expect(reasonOf(await io.rename('/final.txt', '/again.txt')())).to.equal('PermissionDenied')
    expect(reasonOf(await io.unlink('/final.txt')())).to.equal('PermissionDenied')
    // A name shaped like a temporary is nobody's to make or to find.
    expect(reasonOf(await io.open('/.fp-pathio-upload-0123456789abcdef.part', 'wb')())).to.equal('InvalidArgument')
  })

  describe('a rename carries nothing across a rule', () => {
    const tree = async (): Promise<PathIO<unknown>> => {
      const io = makeMemoryPathIO()
      for (const dir of ['/pub/ro/sub', '/incoming', '/evil/ro', '/empty']) await io.mkdir(dir, { parents: true })()
      for (const file of ['/pub/ro/file.txt', '/incoming/up.txt', '/evil/ro/file.txt'])
        await writeFile(io, file, Buffer.from('x'))()
      return io
    }
    const rules = {
      perm: 'elr',
      paths: { '/pub': 'elradfmw', '/pub/ro': 'elr', '/incoming': 'elrwf', '/evil': 'elradfmw', '/tmpX': 'elradfmw' }
    }

    it('f at the source only is not enough: the destination needs f and w (a file into read-only /pub/ro)', async () => {
      const io = withPermissions(rules)(await tree())
      expect(reasonOf(await io.rename('/incoming/up.txt', '/pub/ro/up.txt')())).to.equal('PermissionDenied')
      expect(reasonOf(await io.rename('/incoming/up.txt', '/incoming/done.txt')())).to.equal('Right')
    })

    it('a parent of a read-only rule cannot be renamed away (and back after a change)', async () => {
      const inner = await tree()
      const io = withPermissions(rules)(inner)
      expect(reasonOf(await io.rename('/pub', '/tmpX')())).to.equal('PermissionDenied')
      expect(reasonOf(await inner.stat('/pub/ro/file.txt')())).to.equal('Right')
    })

    it('a tree built elsewhere cannot be moved into the place of a read-only one', async () => {
      const inner = await tree()
      await inner.rmdir('/pub/ro/sub')()
      await inner.unlink('/pub/ro/file.txt')()
      const io = withPermissions(rules)(inner)
      // /pub/ro is empty now: replacing it would shadow the rule's directory with /evil/ro's content.
      expect(reasonOf(await io.rename('/evil/ro', '/pub/ro')())).to.equal('PermissionDenied')
      expect(reasonOf(await io.rename('/evil', '/pub/x')())).to.equal('Right')
    })

    it('a directory needs m where it lands, and w too when it holds files', async () => {
      const inner = await tree()
      for (const dir of ['/a', '/b']) await inner.mkdir(dir)()
      const io = withPermissions({ perm: 'elf', paths: { '/a': 'elfm', '/b': 'elfmw' } })(inner)
      expect(reasonOf(await io.rename('/empty', '/a/empty')())).to.equal('Right')
      expect(reasonOf(await io.rename('/incoming', '/a/incoming')())).to.equal('PermissionDenied')
      expect(reasonOf(await io.rename('/incoming', '/b/incoming')())).to.equal('Right')
    })

    it('a user without f learns nothing of what exists', async () => {
      const io = withPermissions({ perm: 'elr' })(await tree())
      const there = await io.rename('/incoming/up.txt', '/x')()
      const missing = await io.rename('/incoming/none.txt', '/x')()
      expect([reasonOf(there), reasonOf(missing)]).to.deep.equal(['PermissionDenied', 'PermissionDenied'])
      // f at the source is not enough to learn whether it exists, when the destination is refused.
      const half = withPermissions({ perm: 'elr', paths: { '/incoming': 'elrwf' } })(await tree())
      for (const source of ['/incoming/up.txt', '/incoming/none.txt'])
        expect(reasonOf(await half.rename(source, '/pub/x')()), source).to.equal('PermissionDenied')
    })
  })

  it('rename needs f at the destination as well as at the source: nothing moves into a place without f', async () => {
    const inner = await seeded()
    for (const dir of ['/incoming', '/pub']) await inner.mkdir(dir)()
    for (const name of ['/incoming/a.txt', '/incoming/b.txt', '/pub/p.txt']) {
      const h = await inner.open(name, 'wb')()
      if (E.isRight(h)) await inner.close(h.right)()
    }
    const user = withPermissions({ perm: 'elr', paths: { '/incoming': 'elrwf', '/pub': 'elr' } })(inner)
    const into = await user.rename('/incoming/a.txt', '/pub/a.txt')()
    expect(E.isLeft(into) && into.left, 'into /pub').to.include({
      reason: 'PermissionDenied',
      code: 'EACCES',
      path: '/pub/a.txt'
    })
    expect(reasonOf(await user.rename('/incoming/a.txt', '/elsewhere.txt')()), 'into /').to.equal('PermissionDenied')
    expect(reasonOf(await user.rename('/incoming/b.txt', '/pub/p.txt')()), 'onto a file of /pub').to.equal(
      'PermissionDenied'
    )
    const out = await user.rename('/pub/p.txt', '/incoming/p.txt')()
    expect(E.isLeft(out) && out.left, 'out of /pub').to.include({ reason: 'PermissionDenied', path: '/pub/p.txt' })
    // Nothing moved; within /incoming, where f holds at both ends, a rename works.
    const names = async (dir: string): Promise<ReadonlyArray<string>> => {
      const listed = await inner.list(dir)()
      return E.isRight(listed) ? [...listed.right].sort() : []
    }
    expect(await names('/pub')).to.deep.equal(['/pub/p.txt'])
    expect(await names('/incoming')).to.deep.equal(['/incoming/a.txt', '/incoming/b.txt'])
    expect(reasonOf(await user.rename('/incoming/a.txt', '/incoming/c.txt')())).to.equal('Right')
    expect(await names('/incoming')).to.deep.equal(['/incoming/b.txt', '/incoming/c.txt'])
  })

  it('a file opened ab (APPE) is not one it created: removing or renaming it still needs d or f', async () => {
    const io = withPermissions({ perm: 'elrwa' })(await seeded())
    for (const name of ['/f.txt', '/appended-new.txt']) {
      const h = await io.open(name, 'ab')()
      if (E.isLeft(h)) throw new Error(h.left.message)
      expect(reasonOf(await io.write(h.right, new Uint8Array([1]))())).to.equal('Right')
      expect(reasonOf(await io.close(h.right)())).to.equal('Right')
      expect(reasonOf(await io.unlink(name)()), `unlink ${name}`).to.equal('PermissionDenied')
      expect(reasonOf(await io.rename(name, '/moved.txt')()), `rename ${name}`).to.equal('PermissionDenied')
      expect(reasonOf(await io.stat(name)()), `${name} still there`).to.equal('Right')
    }
    // A file the user wrote wb is no different: without d it stays (atomic stores need no exception: withAtomicWrites).
    const h = await io.open('/.upload.part', 'wb')()
    if (E.isLeft(h)) throw new Error(h.left.message)
    await io.close(h.right)()
    expect(reasonOf(await io.unlink('/.upload.part')())).to.equal('PermissionDenied')
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

  it('realpath needs no letter (its row has none): it only looks, as stat does', async () => {
    const io = withPermissions({ perm: '', paths: { '/d': 'e' } })(await seeded())
    expect(await io.realpath('/d/in.txt')()).to.deep.equal(E.right('/d/in.txt'))
    expect(await io.realpath('/f.txt')()).to.deep.equal(E.right('/f.txt'))
    expect(reasonOf(await io.realpath('/missing')())).to.equal('NotFound')
  })
})

describe('withPermissions on a disk with symbolic links: the rule of where a path really leads', () => {
  let dir: string
  let io: PathIO<unknown>
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-perm-links-')))
    fs.mkdirSync(path.join(dir, 'ro', 'sub'), { recursive: true })
    fs.mkdirSync(path.join(dir, 'rw'))
    fs.writeFileSync(path.join(dir, 'ro', 'secret.txt'), 'secret')
    fs.writeFileSync(path.join(dir, 'ro', 'sub', 'x.txt'), 'keep')
    fs.symlinkSync('../ro', path.join(dir, 'rw', 'toro'))
    fs.writeFileSync(path.join(dir, 'rw', 'own.txt'), 'mine')
    fs.symlinkSync('own.txt', path.join(dir, 'rw', 'link.txt'))
    // /ro may only be listed: no reading, writing or deleting there, whatever path leads to it.
    io = withPermissions({ perm: 'elradfmw', paths: { '/ro': 'l' } })(withRoot(dir)(makeNodePathIO()))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('a write, a delete, a read and a rename through a link into a stricter rule are refused, and nothing there changes', async () => {
    for (const [what, call] of [
      ['open wb', () => io.open('/rw/toro/x', 'wb')()],
      ['unlink', () => io.unlink('/rw/toro/sub/x.txt')()],
      ['open rb', () => io.open('/rw/toro/secret.txt', 'rb')()],
      ['mkdir', () => io.mkdir('/rw/toro/made')()],
      ['rename out', () => io.rename('/rw/toro/secret.txt', '/rw/stolen.txt')()],
      ['rename in', () => io.rename('/rw/own.txt', '/rw/toro/planted.txt')()],
      ['chmod', () => io.chmod('/rw/toro/secret.txt', 0o777)()]
    ] as const)
      expect(reasonOf(await call()), what).to.equal('PermissionDenied')
    expect(fs.readdirSync(path.join(dir, 'ro')).sort()).to.deep.equal(['secret.txt', 'sub'])
    expect(fs.readdirSync(path.join(dir, 'ro', 'sub'))).to.deep.equal(['x.txt'])
  })

  it('links inside one rule work as before, and the link itself (an entry of /rw) may be removed or renamed', async () => {
    const read = await io.open('/rw/link.txt', 'rb')()
    expect(reasonOf(read)).to.equal('Right')
    if (E.isRight(read)) await io.close(read.right)()
    expect(reasonOf(await io.rename('/rw/toro', '/rw/elsewhere')())).to.equal('Right')
    expect(reasonOf(await io.unlink('/rw/elsewhere')())).to.equal('Right')
    expect(fs.readdirSync(path.join(dir, 'ro')).sort()).to.deep.equal(['secret.txt', 'sub'])
  })
})
