/**
 * The SFTP front's answers, code by code, through `ssh2`'s own client: the
 * status codes clients branch on, the extensions VERSION announces,
 * requests out of order, the size a SETSTAT sets, handles that are not.
 */
import { expect } from 'chai'
import { Client, type SFTPWrapper } from 'ssh2'
import type { ServerEvent } from '../../lib/server'
import { PASSWORD, startSftp, stored, type Running } from './harness'

const NO_SUCH_FILE = 2
const PERMISSION_DENIED = 3
const FAILURE = 4
const OP_UNSUPPORTED = 8

/** Calls an ssh2 client method with a callback; resolves with its result or with the error's status code. */
const call = <A>(
  f: (done: (error: (Error & { readonly code?: number }) | null | undefined, value?: A) => void) => void
): Promise<{ readonly code: number | undefined; readonly value: A | undefined }> =>
  new Promise((resolve) =>
    f((error, value) => resolve(error ? { code: error.code ?? -1, value: undefined } : { code: undefined, value }))
  )

describe('sftp: the protocol, through ssh2 client', function () {
  this.timeout(20_000)
  let server: Running
  let client: Client
  let sftp: SFTPWrapper
  const events: Array<ServerEvent> = []

  before(async () => {
    server = await startSftp('memory', {
      anonymous: 'off',
      onEvent: (event) => events.push(event),
      users: {
        alice: { password: (await import('../../lib/server')).hashPassword(PASSWORD), home: '/alice', perm: 'elradfmw' }
      }
    })
    client = new Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject)
      client.connect({ host: '127.0.0.1', port: server.port, username: 'alice', password: PASSWORD })
    })
    sftp = await new Promise((resolve, reject) => client.sftp((error, s) => (error ? reject(error) : resolve(s))))
  })
  after(async () => {
    client?.end()
    await server?.stop()
  })

  const write = (handle: Buffer, data: string, position: number) =>
    call<void>((done) => sftp.write(handle, Buffer.from(data), 0, data.length, position, (error) => done(error)))

  it('announces posix-rename@openssh.com and limits@openssh.com in VERSION, and answers limits (ssh2 reads and writes 255 KiB at a time)', () => {
    const internals = sftp as unknown as {
      readonly _extensions: Record<string, string>
      readonly _maxReadLen: number
      readonly _maxWriteLen: number
    }
    expect(internals._extensions).to.deep.equal({ 'posix-rename@openssh.com': '1', 'limits@openssh.com': '1' })
    // ssh2's client asked for the limits before it called the channel ready, and took them.
    expect([internals._maxReadLen, internals._maxWriteLen]).to.deep.equal([255 * 1024, 255 * 1024])
  })

  it('answers NO_SUCH_FILE, PERMISSION_DENIED, OP_UNSUPPORTED and FAILURE as clients expect', async () => {
    expect((await call((done) => sftp.stat('/missing', done))).code).to.equal(NO_SUCH_FILE)
    expect((await call((done) => sftp.open('/missing', 'r', done))).code).to.equal(NO_SUCH_FILE)
    expect((await call((done) => sftp.chmod('/', 0o700, done))).code).to.equal(PERMISSION_DENIED)
    expect((await call((done) => sftp.readlink('/x', done))).code).to.equal(OP_UNSUPPORTED)
    expect((await call((done) => sftp.symlink('/etc/passwd', '/x', done))).code).to.equal(OP_UNSUPPORTED)
    expect((await call((done) => sftp.setstat('/', { uid: 0, gid: 0 }, done))).code).to.equal(OP_UNSUPPORTED)
    await call((done) => sftp.mkdir('/full', done))
    await call((done) => sftp.mkdir('/full/inner', done))
    const notEmpty = await new Promise<Error & { readonly code?: number }>((resolve) =>
      sftp.rmdir('/full', (error) => resolve(error as Error))
    )
    expect(notEmpty.code).to.equal(FAILURE)
    expect(notEmpty.message).to.include('NotEmpty')
  })

  it('RENAME does not replace an existing file; posix-rename does', async () => {
    for (const [name, data] of [
      ['/a', 'A'],
      ['/b', 'B']
    ]) {
      const handle = (await call<Buffer>((done) => sftp.open(name, 'w', done))).value as Buffer
      await write(handle, data, 0)
      await call((done) => sftp.close(handle, done))
    }
    expect((await call((done) => sftp.rename('/a', '/b', done))).code).to.equal(FAILURE)
    expect((await stored(server, '/alice/b'))?.toString()).to.equal('B')
    expect((await call((done) => sftp.ext_openssh_rename('/a', '/b', done))).code).to.equal(undefined)
    expect((await stored(server, '/alice/b'))?.toString()).to.equal('A')
  })

  it('an exclusive create of an existing file fails, and nothing changes', async () => {
    expect((await call((done) => sftp.open('/b', 'wx', done))).code).to.equal(FAILURE)
    expect((await stored(server, '/alice/b'))?.toString()).to.equal('A')
  })

  it('writes out of order land where they say; READ past the end is EOF', async () => {
    const handle = (await call<Buffer>((done) => sftp.open('/ooo', 'w', done))).value as Buffer
    await Promise.all([write(handle, 'world', 6), write(handle, 'hello ', 0), write(handle, '!', 11)])
    await call((done) => sftp.close(handle, done))
    expect((await stored(server, '/alice/ooo'))?.toString()).to.equal('hello world!')
    const reader = (await call<Buffer>((done) => sftp.open('/ooo', 'r', done))).value as Buffer
    const buffer = Buffer.alloc(100)
    const first = await new Promise<number>((resolve) =>
      sftp.read(reader, buffer, 0, 100, 6, (_error, bytes) => resolve(bytes))
    )
    expect(buffer.subarray(0, first).toString()).to.equal('world!')
    const end = await new Promise<number | undefined>((resolve) =>
      sftp.read(reader, buffer, 0, 100, 12, (_error, bytes) => resolve(bytes))
    )
    expect(end).to.equal(0) // ssh2's client turns EOF into 0 bytes
    await call((done) => sftp.close(reader, done))
  })

  it('a write without truncate over a longer file, then the size set, leaves exactly the new bytes', async () => {
    const handle = (await call<Buffer>((done) => sftp.open('/ooo', 'r+', done))).value as Buffer
    await write(handle, 'HEY', 0)
    expect((await call((done) => sftp.fsetstat(handle, { size: 3 }, done))).code).to.equal(undefined)
    await call((done) => sftp.close(handle, done))
    expect((await stored(server, '/alice/ooo'))?.toString()).to.equal('HEY')
    expect((await call((done) => sftp.setstat('/ooo', { size: 1 }, done))).code).to.equal(undefined)
    expect((await stored(server, '/alice/ooo'))?.toString()).to.equal('H')
  })

  it("tells the server's events: listening, connect, login, each transfer and change (the same events as FTP's)", () => {
    const tags = events.map((event) => event._tag)
    expect(tags.slice(0, 3)).to.deep.equal(['Listening', 'Connect', 'Login'])
    expect(events[2]).to.include({ front: 'sftp', user: 'alice', method: 'password', ok: true })
    const upload = events.find(
      (event) => event._tag === 'Transfer' && event.path === '/ooo' && event.direction === 'upload'
    )
    expect(upload).to.include({ front: 'sftp', bytes: 12, result: 'ok' })
    const renamed = events.find(
      (event) => event._tag === 'Change' && event.action === 'rename' && event.result === 'ok'
    )
    expect(renamed).to.include({ path: '/a', to: '/b' })
    const failedRmdir = events.find((event) => event._tag === 'Change' && event.action === 'rmdir')
    expect(failedRmdir).to.include({ path: '/full', result: 'failed', code: 'NotEmpty' })
  })

  it('a handle it did not give, or one already closed, is FAILURE', async () => {
    expect((await call((done) => sftp.close(Buffer.from([0, 0, 0, 99]), done))).code).to.equal(FAILURE)
    const handle = (await call<Buffer>((done) => sftp.open('/ooo', 'r', done))).value as Buffer
    await call((done) => sftp.close(handle, done))
    expect((await call((done) => sftp.fstat(handle, done))).code).to.equal(FAILURE)
  })
})
