/**
 * Users' trees over SFTP (issue 27, servers): a disk home, an S3 folder on
 * s3rver and a read-only folder, and quotas, served by the SFTP front to
 * OpenSSH's `sftp -b` (with a key) and `ssh2`'s client, which shows the
 * status codes and messages; the same users file as spec/server/folders.spec.ts.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Client, type SFTPWrapper } from 'ssh2'
import * as E from 'fp-ts/Either'
import { readFile } from '../../lib'
import { makeS3PathIO } from '../../lib/backends/s3'
import { hashPassword, type UserSpec } from '../../lib/server'
import { startS3Server, type S3Server } from '../s3/server'
import { makeKey, PASSWORD, startSftp, tempDir, type Running } from './harness'

const BUCKET = 'sftp-folders'
const PERMISSION_DENIED = 3
const FAILURE = 4
const OP_UNSUPPORTED = 8

type Failure = { readonly code: number | undefined; readonly message: string } | undefined

/** An ssh2 client call's failure (its status code and message), or `undefined` when it succeeded. */
const failureOf = (f: (done: (error: (Error & { readonly code?: number }) | null | undefined) => void) => void) =>
  new Promise<Failure>((resolve) =>
    f((error) => resolve(error ? { code: error.code, message: error.message } : undefined))
  )

/** A logged-in ssh2 SFTP channel for `user` (password), and how to end it. */
const connect = async (port: number, user: string): Promise<{ sftp: SFTPWrapper; end: () => void }> => {
  const client = new Client()
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve()).once('error', reject)
    client.connect({ host: '127.0.0.1', port, username: user, password: PASSWORD })
  })
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((error, s) => (error ? reject(error) : resolve(s)))
  )
  return { sftp, end: () => client.end() }
}

const put = (sftp: SFTPWrapper, remote: string, data: Buffer) => failureOf((done) => sftp.writeFile(remote, data, done))

const get = (sftp: SFTPWrapper, remote: string) =>
  new Promise<Buffer | undefined>((resolve) =>
    sftp.readFile(remote, (error, data) => resolve(error ? undefined : data))
  )

const names = (sftp: SFTPWrapper, remote: string) =>
  new Promise<ReadonlyArray<string>>((resolve, reject) =>
    sftp.readdir(remote, (error, list) => (error ? reject(error) : resolve(list.map((entry) => entry.filename).sort())))
  )

describe('sftp: users with virtual folders and quotas (disk home, S3 folder on s3rver, read-only folder)', function () {
  this.timeout(30_000)
  let s3: S3Server
  let server: Running
  let local: string
  let key: string

  const ARCHIVE = { 'old.log': randomBytes(5_000), 'years/2023.bin': randomBytes(40_000) }

  before(async () => {
    s3 = await startS3Server([BUCKET])
    local = tempDir('folders')
    const alice = await makeKey(local, 'alice-key')
    key = alice.file
    const client = s3.client()
    const hash = hashPassword(PASSWORD)
    const users: Record<string, UserSpec> = {
      alice: {
        password: hash,
        home: '/alice',
        perm: 'elradfmw',
        keys: [alice.line],
        folders: [
          { path: '/shared', storage: { s3: { bucket: BUCKET, prefix: 'shared/' } }, perm: 'elradfmw' },
          { path: '/archive', storage: { dir: '/archive' }, perm: 'elr' }
        ]
      },
      bob: {
        password: hash,
        home: '/bob',
        perm: 'elradfmw',
        keys: [alice.line],
        quota: { bytes: 100_000, files: 10 },
        folders: [
          {
            path: '/drop',
            storage: { s3: { bucket: BUCKET, prefix: 'drop/' } },
            perm: 'elradfmw',
            quota: { bytes: 50_000 }
          }
        ]
      }
    }
    server = await startSftp('node', {
      anonymous: 'off',
      users,
      s3Folder:
        ({ bucket, prefix }) =>
        (context) =>
          makeS3PathIO({ client, bucket, prefix, ...(context as object) })
    })
    for (const [name, data] of Object.entries(ARCHIVE)) {
      fs.mkdirSync(path.dirname(path.join(server.root, 'archive', name)), { recursive: true })
      fs.writeFileSync(path.join(server.root, 'archive', name), data)
    }
  })
  after(async () => {
    await server?.stop()
    await s3?.stop()
    fs.rmSync(local, { recursive: true, force: true })
  })

  const inBucket = async (key: string): Promise<Buffer | undefined> => {
    const read = await readFile(makeS3PathIO({ client: s3.client(), bucket: BUCKET }), key)()
    return E.isRight(read) ? Buffer.from(read.right) : undefined
  }

  it('sftp -b puts into the home and the S3 folder and gets from all three, byte for byte', async () => {
    const [home, shared] = [randomBytes(300_000), randomBytes(700_000)]
    fs.writeFileSync(path.join(local, 'home.bin'), home)
    fs.writeFileSync(path.join(local, 'shared.bin'), shared)
    const result = await server.sftp(
      'alice',
      key,
      [
        'mkdir /mine',
        'put home.bin /mine/home.bin',
        'mkdir /shared/in',
        'put shared.bin /shared/in/shared.bin',
        'get /mine/home.bin home-back.bin',
        'get /shared/in/shared.bin shared-back.bin',
        'get /archive/years/2023.bin archive-back.bin',
        'ls /'
      ].join('\n'),
      local
    )
    expect(result.code, result.stdout + result.stderr).to.equal(0)
    expect(result.stderr).to.equal('')
    const back = (name: string) => fs.readFileSync(path.join(local, name))
    expect(back('home-back.bin').equals(home)).to.equal(true)
    expect(back('shared-back.bin').equals(shared)).to.equal(true)
    expect(back('archive-back.bin').equals(ARCHIVE['years/2023.bin'])).to.equal(true)
    // Each where its folder keeps it: the home on disk, the folder in the bucket under its prefix.
    expect(fs.readFileSync(path.join(server.root, 'alice', 'mine', 'home.bin')).equals(home)).to.equal(true)
    expect((await inBucket('/shared/in/shared.bin'))?.equals(shared)).to.equal(true)
    expect(fs.existsSync(path.join(server.root, 'alice', 'shared', 'in'))).to.equal(false)
    // The mount points are listed in the root as directories.
    expect(result.stdout.split('sftp> ls /\n')[1]?.trim().split(/\s+/).sort()).to.deep.equal([
      '/archive',
      '/mine',
      '/shared'
    ])
  })

  it('the read-only folder refuses a write, a delete and a rename with PERMISSION_DENIED, and stays as it was', async () => {
    fs.writeFileSync(path.join(local, 'new.txt'), 'new\n')
    const batch = await server.sftp(
      'alice',
      key,
      ['-put new.txt /archive/new.txt', '-rm /archive/old.log', '-rename /archive/old.log /archive/o.log'].join('\n'),
      local
    )
    expect(batch.stderr.split('\r\n')).to.deep.equal([
      'dest open "/archive/new.txt": Permission denied',
      'remote delete /archive/old.log: Permission denied',
      'remote rename "/archive/old.log" to "/archive/o.log": Permission denied',
      ''
    ])
    const { sftp, end } = await connect(server.port, 'alice')
    try {
      expect(await put(sftp, '/archive/years/2024.bin', Buffer.from('x'))).to.include({ code: PERMISSION_DENIED })
      expect(await failureOf((done) => sftp.mkdir('/archive/more', done))).to.include({ code: PERMISSION_DENIED })
      expect(await failureOf((done) => sftp.rmdir('/archive/years', done))).to.include({ code: PERMISSION_DENIED })
      expect((await get(sftp, '/archive/old.log'))?.equals(ARCHIVE['old.log'])).to.equal(true)
    } finally {
      end()
    }
    expect(fs.readdirSync(path.join(server.root, 'archive')).sort()).to.deep.equal(['old.log', 'years'])
    expect(fs.readdirSync(path.join(server.root, 'archive', 'years'))).to.deep.equal(['2023.bin'])
  })

  it('a rename across folders is OP_UNSUPPORTED saying what to do, and changes nothing; within a folder it renames', async () => {
    const { sftp, end } = await connect(server.port, 'alice')
    try {
      const data = randomBytes(1_000)
      expect(await put(sftp, '/move-me.bin', data)).to.equal(undefined)
      const refused = {
        code: OP_UNSUPPORTED,
        message: 'Operation unsupported: cannot rename across folders: copy, then delete'
      }
      expect(await failureOf((done) => sftp.rename('/move-me.bin', '/shared/move-me.bin', done))).to.deep.equal(refused)
      expect(
        await failureOf((done) => sftp.ext_openssh_rename('/move-me.bin', '/shared/move-me.bin', done))
      ).to.deep.equal(refused)
      // Out of the read-only folder, the letters answer first.
      expect(await failureOf((done) => sftp.rename('/archive/old.log', '/old.log', done))).to.include({
        code: PERMISSION_DENIED
      })
      expect((await get(sftp, '/move-me.bin'))?.equals(data)).to.equal(true)
      expect(await get(sftp, '/shared/move-me.bin')).to.equal(undefined)
      expect(fs.existsSync(path.join(server.root, 'archive', 'old.log'))).to.equal(true)
      // Copy, then delete, as the message says; then a rename within the S3 folder.
      expect(await put(sftp, '/shared/move-me.bin', data)).to.equal(undefined)
      expect(await failureOf((done) => sftp.unlink('/move-me.bin', done))).to.equal(undefined)
      expect(await failureOf((done) => sftp.rename('/shared/move-me.bin', '/shared/moved.bin', done))).to.equal(
        undefined
      )
      expect((await inBucket('/shared/moved.bin'))?.equals(data)).to.equal(true)
      expect(await names(sftp, '/shared'))
        .to.include('moved.bin')
        .and.not.include('move-me.bin')
    } finally {
      end()
    }
    // What OpenSSH's sftp prints: the status's own text (it does not show a server's message).
    const batch = await server.sftp('alice', key, '-rename /shared/moved.bin /moved.bin', local)
    expect(batch.stderr).to.equal('remote rename "/shared/moved.bin" to "/moved.bin": Operation unsupported\r\n')
  })

  it('a mount point cannot be removed or renamed (FAILURE, Busy), by ssh2 or OpenSSH', async () => {
    const { sftp, end } = await connect(server.port, 'alice')
    try {
      expect(await put(sftp, '/shared/stays.txt', Buffer.from('stays'))).to.equal(undefined)
      const busy = { code: FAILURE, message: 'Busy' }
      expect(await failureOf((done) => sftp.rmdir('/shared', done))).to.deep.equal(busy)
      expect(await failureOf((done) => sftp.ext_openssh_rename('/shared', '/mine/shared', done))).to.deep.equal(busy)
      expect(await failureOf((done) => sftp.rename('/shared', '/old-shared', done))).to.deep.equal(busy)
      expect(await failureOf((done) => sftp.ext_openssh_rename('/mine', '/shared', done))).to.deep.equal(busy)
      expect(await names(sftp, '/'))
        .to.include.members(['archive', 'mine', 'shared'])
        .and.not.include('old-shared')
      expect(await names(sftp, '/mine')).to.not.include('shared')
    } finally {
      end()
    }
    const batch = await server.sftp('alice', key, ['-rmdir /shared', '-rename /shared /old'].join('\n'), local)
    expect(batch.stderr.split('\r\n')).to.deep.equal([
      'remote rmdir "/shared": Failure',
      'remote rename "/shared" to "/old": Failure',
      ''
    ])
    expect(String(await inBucket('/shared/stays.txt'))).to.equal('stays')
    expect(fs.readdirSync(path.join(server.root, 'archive')).sort()).to.deep.equal(['old.log', 'years'])
  })

  it('the home quota counts every session: the upload that crosses it is FAILURE (NoSpace: quota exceeded), the one before stays', async () => {
    const kept = randomBytes(60_000)
    fs.writeFileSync(path.join(local, 'one.bin'), kept)
    fs.writeFileSync(path.join(local, 'two.bin'), randomBytes(60_000))
    const batch = await server.sftp('bob', key, ['put one.bin /one.bin', 'put two.bin /two.bin'].join('\n'), local)
    expect(batch.code).to.equal(1)
    // OpenSSH prints the status's text, not the server's message: ssh2's client (below) shows the reason.
    expect(batch.stderr).to.equal('write remote "/two.bin": Failure\r\nclose remote: Failure\r\n')
    const { sftp, end } = await connect(server.port, 'bob')
    try {
      const quota = { code: FAILURE, message: 'NoSpace: quota exceeded' }
      // Another session of bob's: what the first stored counts against it.
      expect(await put(sftp, '/three.bin', randomBytes(60_000))).to.deep.equal(quota)
      expect((await get(sftp, '/one.bin'))?.equals(kept)).to.equal(true)
      expect(await names(sftp, '/')).to.deep.equal(['drop', 'one.bin'])
      // What fits still goes in; a write in place past the quota writes none of its bytes.
      expect(await put(sftp, '/four.bin', randomBytes(40_000))).to.equal(undefined)
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.open('/four.bin', 'r+', (error, h) => (error ? reject(error) : resolve(h)))
      )
      expect(
        await failureOf((done) => sftp.write(handle, Buffer.alloc(1), 0, 1, 40_000, (error) => done(error)))
      ).to.deep.equal(quota)
      await failureOf((done) => sftp.close(handle, done))
    } finally {
      end()
    }
    // Nothing of the refused uploads is left, not even a temporary (the mount point /drop is no directory on the disk).
    expect(fs.readdirSync(path.join(server.root, 'bob')).sort()).to.deep.equal(['four.bin', 'one.bin'])
    expect(fs.readFileSync(path.join(server.root, 'bob', 'one.bin')).equals(kept)).to.equal(true)
    expect(fs.statSync(path.join(server.root, 'bob', 'four.bin')).size).to.equal(40_000)
  })

  it("an S3 folder's own quota refuses its crossing upload and keeps the one before", async () => {
    const { sftp, end } = await connect(server.port, 'bob')
    try {
      const kept = randomBytes(30_000)
      expect(await put(sftp, '/drop/a.bin', kept)).to.equal(undefined)
      expect(await put(sftp, '/drop/b.bin', randomBytes(30_000))).to.deep.equal({
        code: FAILURE,
        message: 'NoSpace: quota exceeded'
      })
      expect((await get(sftp, '/drop/a.bin'))?.equals(kept)).to.equal(true)
      expect(await names(sftp, '/drop')).to.deep.equal(['a.bin'])
      expect((await inBucket('/drop/a.bin'))?.equals(kept)).to.equal(true)
    } finally {
      end()
    }
  })
})
