/**
 * Users' trees (issue 27, servers): a disk home under a quota, an S3
 * folder on s3rver under a quota of its own and a read-only folder on
 * disk, served by a real FTP server on 127.0.0.1 to real clients (lftp,
 * basic-ftp); the users file's new fields and the start-up checks.
 */
import { expect } from 'chai'
import { Client, FTPError } from 'basic-ftp'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable, Writable } from 'node:stream'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import { makeNodePathIO, readFile } from '../../lib'
import { makeS3PathIO } from '../../lib/backends/s3'
import { makeFtpServer, settingsFromEnvironment, type FtpServer } from '../../lib/ftp'
import { checkUser, hashPassword, parseUsers, type UserSpec } from '../../lib/server'
import { rawConnect, type Raw } from '../ftp/harness'
import { startServer, startFailing } from '../ftp/npmStart'
import { CREDENTIALS, startS3Server, type S3Server } from '../s3/server'

const BUCKET = 'team-files'
const PASSWORD = 'wonderland'
const HASH = hashPassword(PASSWORD)

const run = (command: string, args: ReadonlyArray<string>): Promise<{ status: number; out: string }> =>
  new Promise((resolve) =>
    execFile(command, args, { timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: stdout + stderr })
    )
  )

const connect = async (port: number, user: string): Promise<Client> => {
  const client = new Client(20_000)
  await client.access({ host: '127.0.0.1', port, user, password: PASSWORD })
  return client
}

const upload = (client: Client, remote: string, data: Buffer) => client.uploadFrom(Readable.from([data]), remote)

const download = async (client: Client, remote: string): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  await client.downloadTo(
    new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        chunks.push(chunk)
        callback()
      }
    }),
    remote
  )
  return Buffer.concat(chunks)
}

/** The reply an operation failed with: its code and text (basic-ftp throws an FTPError for 4xx and 5xx). */
const failure = async (operation: () => Promise<unknown>): Promise<{ code: number; text: string } | undefined> => {
  try {
    await operation()
    return undefined
  } catch (error) {
    if (error instanceof FTPError) return { code: error.code, text: error.message }
    throw error
  }
}

/** A raw control connection logged in as `user`. */
const rawLogin = async (port: number, user: string): Promise<Raw> => {
  const raw = await rawConnect(port)
  await raw.reply()
  raw.send(`USER ${user}\r\nPASS ${PASSWORD}\r\n`)
  await raw.reply()
  expect(await raw.reply()).to.match(/^230 /)
  return raw
}

/**
 * The final reply to an upload (`verb` STOR or APPE) over a raw control
 * connection: PASV, the command, `data` sent (or, with none, the data
 * connection never opened: a refusal comes first), the data connection's
 * own errors ignored (the server closes it when it refuses the upload, maybe
 * before it has read all), whatever a client library would make of them.
 */
const rawUpload = async (
  port: number,
  user: string,
  verb: string,
  remote: string,
  data?: Buffer
): Promise<string | undefined> => {
  const raw = await rawLogin(port, user)
  try {
    raw.send('PASV\r\n')
    const pasv = await raw.reply()
    const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv ?? '')
    expect(numbers, pasv).to.not.equal(null)
    raw.send(`${verb} ${remote}\r\n`)
    if (data !== undefined) {
      const socket = net.connect({ host: '127.0.0.1', port: Number(numbers?.[5]) * 256 + Number(numbers?.[6]) })
      socket.on('error', () => undefined)
      socket.end(data)
      expect(await raw.reply()).to.match(/^150 /)
    }
    return (await raw.reply())?.trim()
  } finally {
    raw.socket.destroy()
  }
}

/** Every file under `dir`, by its path relative to it. */
const filesUnder = (dir: string): Record<string, Buffer> => {
  const found: Record<string, Buffer> = {}
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, at), { withFileTypes: true })) {
      const relative = path.posix.join(at, entry.name)
      if (entry.isDirectory()) walk(relative)
      else found[relative] = fs.readFileSync(path.join(dir, relative))
    }
  }
  walk('')
  return found
}

const writeTree = (dir: string, files: Record<string, Buffer>): void => {
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), data)
  }
}

describe('users with a quota and virtual folders (FTP, disk home, S3 folder on s3rver, read-only folder)', function () {
  this.timeout(60_000)
  let s3: S3Server
  let scratch: string
  let root: string
  let server: FtpServer<unknown>
  let port: number

  const ARCHIVE = { 'old.log': randomBytes(5_000), 'years/2023.bin': randomBytes(40_000) }

  before(async () => {
    s3 = await startS3Server([BUCKET])
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-folders-'))
    root = path.join(scratch, 'root')
    writeTree(path.join(root, 'archive'), ARCHIVE)
    const client = s3.client()
    const users: Record<string, UserSpec> = {
      alice: {
        password: HASH,
        home: '/alice',
        perm: 'elradfmw',
        folders: [
          { path: '/shared', storage: { s3: { bucket: BUCKET, prefix: 'shared/' } }, perm: 'elradfmw' },
          { path: '/archive', storage: { dir: '/archive' }, perm: 'elr' }
        ]
      },
      bob: {
        password: HASH,
        home: '/bob',
        perm: 'elradfmw',
        quota: { bytes: 100_000, files: 10 },
        folders: [
          {
            path: '/team/drop',
            storage: { s3: { bucket: BUCKET, prefix: 'drop/' } },
            perm: 'elradfmw',
            quota: { bytes: 50_000 }
          }
        ]
      }
    }
    server = makeFtpServer({
      factory: makeNodePathIO,
      root,
      users,
      anonymous: 'off',
      pasvAddress: '127.0.0.1',
      s3Folder:
        ({ bucket, prefix }) =>
        (context) =>
          makeS3PathIO({ client, bucket, prefix, ...(context as object) })
    })
    ;({ port } = await server.listen(0, '127.0.0.1'))
  })
  after(async () => {
    await server?.close()
    await s3?.stop()
    fs.rmSync(scratch, { recursive: true, force: true })
  })

  it('lftp mirrors a tree up into the home and the S3 folder and the whole tree down, byte for byte; the read-only folder refuses a store', async () => {
    const local = path.join(scratch, 'up')
    const files = {
      'big.bin': randomBytes(300_000),
      'a/small.txt': Buffer.from('small\n'),
      'a/b/c.bin': randomBytes(20_000)
    }
    writeTree(local, files)
    const url = `ftp://alice:${PASSWORD}@127.0.0.1:${port}`
    const settings = 'set net:max-retries 1; set net:timeout 20; set cmd:fail-exit true'
    const up = await run('lftp', [
      '-c',
      `${settings}; open ${url}; mirror -R ${local} /mine; mirror -R ${local} /shared/mine`
    ])
    expect(up.status, up.out).to.equal(0)
    expect(filesUnder(path.join(root, 'alice', 'mine'))).to.deep.equal(files)
    const back = path.join(scratch, 'back')
    const down = await run('lftp', ['-c', `${settings}; open ${url}; mirror / ${back}`])
    expect(down.status, down.out).to.equal(0)
    const expected: Record<string, Buffer> = {}
    for (const [name, data] of Object.entries(files)) {
      expected[`mine/${name}`] = data
      expected[`shared/mine/${name}`] = data
    }
    for (const [name, data] of Object.entries(ARCHIVE)) expected[`archive/${name}`] = data
    expect(filesUnder(back)).to.deep.equal(expected)

    const client = await connect(port, 'alice')
    try {
      expect(await rawUpload(port, 'alice', 'STOR', '/archive/new.txt')).to.equal(
        '550 /archive/new.txt: Permission denied'
      )
      expect(await failure(() => client.remove('/archive/old.log'))).to.include({ code: 550 })
      expect(fs.readdirSync(path.join(root, 'archive')).sort()).to.deep.equal(['old.log', 'years'])
    } finally {
      client.close()
    }
  })

  it('a folder is jailed in its directory: a link out of it leads nowhere', async () => {
    fs.writeFileSync(path.join(root, 'secret.txt'), 'not for alice')
    fs.symlinkSync(path.join(root, 'secret.txt'), path.join(root, 'archive', 'escape.txt'))
    fs.symlinkSync(root, path.join(root, 'archive', 'up'))
    const client = await connect(port, 'alice')
    try {
      expect(await failure(() => download(client, '/archive/escape.txt'))).to.include({ code: 550 })
      expect(await failure(() => download(client, '/archive/up/secret.txt'))).to.include({ code: 550 })
      expect(await failure(() => download(client, '/archive/../../secret.txt'))).to.include({ code: 550 })
    } finally {
      client.close()
      fs.rmSync(path.join(root, 'archive', 'escape.txt'))
      fs.rmSync(path.join(root, 'archive', 'up'))
    }
  })

  it('a rename across folders is 504 and changes nothing (mount: EXDEV); within a folder it renames', async () => {
    const client = await connect(port, 'alice')
    try {
      const data = randomBytes(1_000)
      await upload(client, '/move-me.bin', data)
      const refused = await failure(() => client.rename('/move-me.bin', '/shared/move-me.bin'))
      expect(refused?.code).to.equal(504)
      expect(refused?.text).to.include('Cannot rename across folders')
      expect(await download(client, '/move-me.bin')).to.deep.equal(data)
      expect(await failure(() => client.size('/shared/move-me.bin'))).to.include({ code: 550 })
      // Copy, then delete, as the reply says.
      await upload(client, '/shared/move-me.bin', await download(client, '/move-me.bin'))
      await client.remove('/move-me.bin')
      await client.rename('/shared/move-me.bin', '/shared/moved.bin')
      expect(await download(client, '/shared/moved.bin')).to.deep.equal(data)
      expect((await client.list('/shared')).map((entry) => entry.name))
        .to.include('moved.bin')
        .and.not.include('move-me.bin')
      // What a command needs is asked of the folder at its path: an S3 folder cannot append (bob's APPE in a disk home, below, can).
      expect(await rawUpload(port, 'alice', 'APPE', '/shared/moved.bin')).to.equal(
        "504 APPE is not supported by this server's storage"
      )
      // A mount point is in use: it is neither removed nor renamed.
      expect(await failure(() => client.send('RMD /shared'))).to.include({ code: 450 })
      expect(await failure(() => client.rename('/shared', '/old-shared'))).to.include({ code: 450 })
    } finally {
      client.close()
    }
  })

  it('the home quota counts every session of the user: the upload that crosses it is 552, the one before stays', async () => {
    const [first, second] = [await connect(port, 'bob'), await connect(port, 'bob')]
    try {
      const kept = randomBytes(60_000)
      await upload(first, '/one.bin', kept)
      // The second session's upload: what the first stored counts against it.
      expect(await rawUpload(port, 'bob', 'STOR', '/two.bin', randomBytes(60_000))).to.equal(
        '552 /two.bin: Exceeded storage allocation (quota)'
      )
      expect(await download(second, '/one.bin')).to.deep.equal(kept)
      expect((await second.list('/')).map((entry) => entry.name).sort()).to.deep.equal(['one.bin', 'team'])
      expect(fs.readdirSync(path.join(root, 'bob')).sort()).to.deep.equal(['one.bin', 'team'])
      // What fits still goes in, from either session; APPE past the quota is 552 too.
      await upload(second, '/three.bin', randomBytes(40_000))
      expect(await rawUpload(port, 'bob', 'APPE', '/three.bin', Buffer.alloc(1))).to.equal(
        '552 /three.bin: Exceeded storage allocation (quota)'
      )
      expect(fs.statSync(path.join(root, 'bob', 'three.bin')).size).to.equal(40_000)
    } finally {
      first.close()
      second.close()
    }
  })

  it("refuses to start, in one line, where a folder's bucket does not answer", async () => {
    const client = s3.client()
    const nowhere = makeFtpServer({
      factory: makeNodePathIO,
      root,
      anonymous: 'off',
      users: {
        erin: { password: HASH, folders: [{ path: '/s', storage: { s3: { bucket: 'no-such-bucket', prefix: '' } } }] }
      },
      s3Folder:
        ({ bucket, prefix }) =>
        (context) =>
          makeS3PathIO({ client, bucket, prefix, ...(context as object) })
    })
    const refused = await nowhere.listen(0, '127.0.0.1').then(
      () => undefined,
      (error: Error) => error.message
    )
    await nowhere.close()
    expect(refused)
      .to.match(/^user 'erin': folder \/s: S3 bucket no-such-bucket \(prefix ''\) does not answer: /)
      .and.not.include('\n')
  })

  it('npm start serves an S3 folder with the S3 settings of the environment, and stops in one line (exit 2) where its bucket does not answer', async function () {
    this.timeout(120_000)
    const users = path.join(scratch, 'users.json')
    const folders = [{ path: '/shared', storage: { s3: { bucket: BUCKET, prefix: 'started/' } }, perm: 'elradfmw' }]
    fs.writeFileSync(users, JSON.stringify({ frank: { password: HASH, perm: 'elr', folders } }))
    const env = {
      PATHIO_BACKEND: 'node',
      FTP_ROOT: root,
      FTP_ANONYMOUS: 'off',
      FTP_USERS_FILE: users,
      LOG_LEVEL: 'warn',
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey
    }
    const started = await startServer(env)
    try {
      const client = await connect(Number(new URL(started.url).port), 'frank').catch((error: Error) => {
        throw new Error(`${error.message}: ${started.output()}`)
      })
      await upload(client, '/shared/s.txt', Buffer.from('in the bucket'))
      expect(await rawUpload(Number(new URL(started.url).port), 'frank', 'STOR', '/home.txt')).to.equal(
        '550 /home.txt: Permission denied'
      )
      client.close()
      const bucket = makeS3PathIO({ client: s3.client(), bucket: BUCKET, prefix: 'started/' })
      expect(pipe(await readFile(bucket, '/s.txt')(), E.map(String))).to.deep.equal(E.right('in the bucket'))
    } finally {
      expect(await started.stop()).to.equal(0)
    }
    fs.writeFileSync(
      users,
      JSON.stringify({
        frank: { password: HASH, folders: [{ ...folders[0], storage: { s3: { bucket: 'no-such-bucket' } } }] }
      })
    )
    const failed = await startFailing(env)
    expect(failed.code).to.equal(2)
    expect(failed.stderr.trim().split('\n')).to.have.length(1)
    expect(failed.stderr).to.match(
      /^ftp-server: user 'frank': folder \/shared: S3 bucket no-such-bucket \(prefix ''\) does not answer: /
    )
  })

  it("an S3 folder's own quota refuses its crossing upload with 552 and keeps the one before", async () => {
    const client = await connect(port, 'bob')
    try {
      const kept = randomBytes(30_000)
      await upload(client, '/team/drop/a.bin', kept)
      expect(await rawUpload(port, 'bob', 'STOR', '/team/drop/b.bin', randomBytes(30_000))).to.equal(
        '552 /team/drop/b.bin: Exceeded storage allocation (quota)'
      )
      expect(await download(client, '/team/drop/a.bin')).to.deep.equal(kept)
      expect((await client.list('/team/drop')).map((entry) => entry.name)).to.deep.equal(['a.bin'])
    } finally {
      client.close()
    }
  })
})

describe('users file: quota and folders', () => {
  it('are checked with the user and the field named; good ones are kept', () => {
    const bad = (spec: object) => E.swap(checkUser('carol', { password: HASH, ...spec }))
    expect(bad({ quota: { bytes: -1 } })).to.deep.equal(
      E.right("user 'carol': field 'quota.bytes' must be a non-negative integer")
    )
    expect(bad({ quota: { size: 1 } })).to.deep.equal(
      E.right("user 'carol': field 'quota.size' is not known (use bytes, files)")
    )
    expect(bad({ folders: {} })).to.deep.equal(
      E.right(`user 'carol': field 'folders' must be an array of { "path", "storage", "perm", "quota" }`)
    )
    expect(bad({ folders: [{ path: '/', storage: { dir: '/x' } }] })).to.deep.equal(
      E.right("user 'carol': field 'folders[0].path' must be an absolute path other than '/'")
    )
    expect(bad({ folders: [{ path: '/s', storage: { s3: { bucket: 'B' } } }] })).to.deep.equal(
      E.right("user 'carol': field 'folders[0].storage.s3.bucket' must be a bucket name (3-63 of a-z 0-9 . -)")
    )
    expect(bad({ folders: [{ path: '/s', storage: { ftp: 'x' } }] })).to.deep.equal(
      E.right(
        `user 'carol': field 'folders[0].storage.ftp' is not a storage (use { "dir": "/path/under/the/root" }, { "memory": "name" } or { "s3": { "bucket": "...", "prefix": "..." } })`
      )
    )
    expect(
      E.isRight(
        bad({
          folders: [
            { path: '/s', storage: { dir: '/a' } },
            { path: '/s/', storage: { dir: '/b' } }
          ]
        })
      )
    ).to.equal(true)
    expect(bad({ paths: { '/s': 'elr' }, folders: [{ path: '/s', storage: { dir: '/a' } }] })).to.deep.equal(
      E.right("user 'carol': field 'folders[0].path' /s has letters in 'paths' too: give them as the folder's 'perm'")
    )
    const good = checkUser('carol', {
      password: HASH,
      quota: { files: 3 },
      folders: [{ path: '/m/', storage: { memory: 'scratch' } }]
    })
    expect(E.isRight(good) && good.right.quota).to.deep.equal({ files: 3 })
    expect(E.isRight(good) && good.right.folders).to.deep.equal([
      { path: '/m', storage: { memory: 'scratch' }, perm: 'elr' }
    ])
  })

  it("docs/ftp-server.md's example users file is one the server takes", () => {
    const page = fs.readFileSync(path.join(__dirname, '../../docs/ftp-server.md'), 'utf8')
    const example = [...page.matchAll(/^```json\n([\s\S]*?)^```/gm)]
      .map((m) => m[1])
      .find((json) => json.includes('"folders"'))
    const users = parseUsers((example ?? '').replace('<hash>', HASH))
    expect(E.isRight(users) && users.right[0].folders?.map((folder) => folder.path)).to.deep.equal([
      '/shared',
      '/archive',
      '/scratch'
    ])
  })

  it('reach the server through FTP_USERS_FILE', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-users-')), 'users.json')
    try {
      const folders = [
        { path: '/shared', storage: { s3: { bucket: 'team', prefix: 'p' } }, perm: 'elrw', quota: { bytes: 9 } }
      ]
      fs.writeFileSync(file, JSON.stringify({ dave: { password: HASH, quota: { bytes: 5 }, folders } }))
      const settings = settingsFromEnvironment({ FTP_USERS_FILE: file })
      const dave = E.isRight(settings) ? (settings.right.options.users?.dave as UserSpec) : undefined
      expect(dave?.quota).to.deep.equal({ bytes: 5 })
      expect(dave?.folders).to.deep.equal([{ ...folders[0], storage: { s3: { bucket: 'team', prefix: 'p/' } } }])
      fs.writeFileSync(
        file,
        JSON.stringify({ dave: { password: HASH, folders: [{ path: '/x', storage: { dir: '/d' }, perm: 'xyz' }] } })
      )
      expect(settingsFromEnvironment({ FTP_USERS_FILE: file })).to.deep.equal(
        E.left(`${file}: user 'dave': field 'folders[0].perm' must be letters of elradfmw`)
      )
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true })
    }
  })
})

describe('start-up checks of folders', function () {
  this.timeout(30_000)
  let scratch: string
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-folders-start-'))
  })
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }))

  const serverWith = (folders: UserSpec['folders'], extra: object = {}) =>
    makeFtpServer({
      factory: makeNodePathIO,
      root: scratch,
      anonymous: 'off',
      users: { erin: { password: HASH, home: '/erin', folders } },
      ...extra
    })

  it("makes a folder's directory and its mount point's parent in the home; a memory folder is one tree for every session", async () => {
    const server = serverWith([
      { path: '/deep/in/box', storage: { dir: '/store/box' }, perm: 'elrw' },
      { path: '/scratch', storage: { memory: 'scratch' }, perm: 'elrw' }
    ])
    const { port } = await server.listen(0, '127.0.0.1')
    try {
      expect(fs.statSync(path.join(scratch, 'store', 'box')).isDirectory()).to.equal(true)
      expect(fs.statSync(path.join(scratch, 'erin', 'deep', 'in')).isDirectory()).to.equal(true)
      const [client, other] = [await connect(port, 'erin'), await connect(port, 'erin')]
      await upload(client, '/deep/in/box/f.txt', Buffer.from('f'))
      await upload(client, '/scratch/m.txt', Buffer.from('in memory'))
      expect(String(await download(other, '/scratch/m.txt'))).to.equal('in memory')
      expect((await other.list('/')).map((entry) => entry.name).sort()).to.deep.equal(['deep', 'scratch'])
      client.close()
      other.close()
      expect(fs.readFileSync(path.join(scratch, 'store', 'box', 'f.txt'), 'utf8')).to.equal('f')
      expect(fs.existsSync(path.join(scratch, 'erin', 'scratch'))).to.equal(false)
    } finally {
      await server.close()
    }
  })

  it('refuses to start, in one line, where a folder cannot be made', async () => {
    fs.writeFileSync(path.join(scratch, 'blocked'), 'a file in the way')
    const blocked = serverWith([{ path: '/b', storage: { dir: '/blocked/box' } }])
    const made = await blocked.listen(0, '127.0.0.1').then(
      () => undefined,
      (error: Error) => error.message
    )
    await blocked.close()
    expect(made)
      .to.match(/^user 'erin': folder \/b: cannot create the directory \/blocked\/box: /)
      .and.not.include('\n')
  })

  it('an S3 folder without the s3Folder option is a TypeError at once', () => {
    expect(() => serverWith([{ path: '/s', storage: { s3: { bucket: 'team', prefix: '' } } }])).to.throw(
      TypeError,
      "makeFtpServer: user 'erin': folder /s is on S3, which needs the option 's3Folder' (the S3 settings)"
    )
  })
})
