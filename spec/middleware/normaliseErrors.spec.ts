import { expect } from 'chai'
import * as TE from 'fp-ts/TaskEither'
import { isPathIOError, makeMemoryPathIO, normaliseErrors, pathIOError, type LooseBackend } from '../../lib'
import { expectLeft, expectRight, readFile, writeFile } from '../contract/helpers'
import { loosen } from '../contract/stacks'

/** A loose record over a memory tree, with some operations replaced. */
const looseWith = (overrides: Partial<Record<keyof LooseBackend, unknown>>): LooseBackend =>
  ({ ...loosen(makeMemoryPathIO()), ...overrides }) as LooseBackend

describe('normaliseErrors', () => {
  it('a function that throws is a Left: reason from the errno code, original as cause', async () => {
    const raw = Object.assign(new Error('denied'), { code: 'EACCES' })
    const io = normaliseErrors(
      looseWith({
        stat: () => {
          throw raw
        }
      })
    )
    const error = await expectLeft(io.stat('/x'), 'PermissionDenied', 'stat')
    expect(error.cause).to.equal(raw)
    expect(error.path).to.equal('/x')
    expect(error.code).to.equal('EACCES')
  })

  it('a Promise that rejects is a Left, and one that resolves is the Right value', async () => {
    const raw = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })
    const io = normaliseErrors(
      looseWith({ unlink: () => Promise.reject(raw), exists: (path: string) => Promise.resolve(path === '/yes') })
    )
    const error = await expectLeft(io.unlink('/gone'), 'NotFound', 'unlink')
    expect(error.cause).to.equal(raw)
    expect(error.path).to.equal('/gone')
    expect(await expectRight(io.exists('/yes'))).to.equal(true)
    expect(await expectRight(io.exists('/no'))).to.equal(false)
  })

  it('a TaskEither whose Left is a raw Node error ({ code: "ENOENT" }) maps it and keeps it', async () => {
    const raw = { code: 'ENOENT', syscall: 'open' }
    const io = normaliseErrors(looseWith({ open: () => TE.left(raw) }))
    const error = await expectLeft(io.open('/f', 'rb'), 'NotFound', 'open')
    expect(error.cause).to.equal(raw)
    expect(error.code).to.equal('ENOENT')
  })

  it('a TaskEither whose task rejects or throws is a Left', async () => {
    const io = normaliseErrors(
      looseWith({
        list: () => () => Promise.reject({ code: 'ENOTDIR' }),
        scan: () => () => {
          throw { code: 'EMFILE' }
        }
      })
    )
    await expectLeft(io.list('/f'), 'NotADirectory', 'list')
    await expectLeft(io.scan('/f'), 'Busy', 'scan')
  })

  it('anything without a code is Unknown, with its text in the message and itself as cause', async () => {
    const io = normaliseErrors(
      looseWith({ rmdir: () => Promise.reject('the disk is on fire'), mkdir: () => TE.left(42) })
    )
    const error = await expectLeft(io.rmdir('/d'), 'Unknown', 'rmdir')
    expect(error.message).to.contain('the disk is on fire')
    expect(error.cause).to.equal('the disk is on fire')
    expect((await expectLeft(io.mkdir('/d'), 'Unknown', 'mkdir')).cause).to.equal(42)
  })

  it('a PathIOError passes through untouched', async () => {
    const original = pathIOError('NotEmpty', 'rmdir', { path: '/d', code: 'ENOTEMPTY' })
    const io = normaliseErrors(looseWith({ rmdir: () => TE.left(original) }))
    expect(await expectLeft(io.rmdir('/d'), 'NotEmpty')).to.equal(original)
  })

  it('plain values and Tasks are Right values', async () => {
    const io = normaliseErrors(looseWith({ isDir: () => true, isFile: () => () => Promise.resolve(false) }))
    expect(await expectRight(io.isDir('/'))).to.equal(true)
    expect(await expectRight(io.isFile('/'))).to.equal(false)
  })

  it('calls the function only when the task runs, as a method of the record', async () => {
    let calls = 0
    const record = {
      ...loosen(makeMemoryPathIO()),
      answer: true,
      exists(this: { answer: boolean }) {
        calls++
        return this.answer
      }
    }
    const io = normaliseErrors(record)
    const task = io.exists('/x')
    expect(calls).to.equal(0)
    expect(await expectRight(task)).to.equal(true)
    expect(await expectRight(task)).to.equal(true)
    expect(calls).to.equal(2)
  })

  it('turns a whole loose record into a working PathIO, state included', async () => {
    const memory = makeMemoryPathIO()
    const io = normaliseErrors(loosen(memory))
    expect(io.state).to.equal(memory.state)
    await writeFile(io, '/f', 'hello')
    expect(await readFile(io, '/f')).to.equal('hello')
    const error = await expectLeft(io.open('/missing', 'rb'), 'NotFound', 'open')
    expect(isPathIOError(error)).to.equal(true)
  })

  it('a record missing an operation, or not a record, is a TypeError at once', () => {
    const { scan: _scan, ...partial } = loosen(makeMemoryPathIO())
    expect(() => normaliseErrors(partial as LooseBackend)).to.throw(TypeError, /scan/)
    expect(() => normaliseErrors(null as unknown as LooseBackend)).to.throw(TypeError)
    expect(() => normaliseErrors({ ...partial, scan: 'nope' } as unknown as LooseBackend)).to.throw(TypeError, /scan/)
  })
})
