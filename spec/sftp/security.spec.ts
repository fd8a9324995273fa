/**
 * What an operator relies on, over SFTP with real clients: every
 * permission letter, a home no path leaves (`..`, absolute paths, links on
 * disk), logins that tell nobody which users exist, no anonymous, the
 * connection limit counted with FTP's, an upload cut short that leaves the
 * old file and no temporary, and a host key that survives a restart.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { Client, utils, type ParsedKey, type PublicKeyAuthMethod } from 'ssh2'
import { makeMemoryPathIO, writeFile } from '../../lib'
import { makeFtpFront } from '../../lib/ftp'
import { hashPassword, makeServerCore } from '../../lib/server'
import { loadOrCreateHostKey, makeSftpFront } from '../../lib/sftp'
import {
  makeKey,
  PASSWORD,
  PYTHON,
  run,
  sshOptions,
  startSftp,
  stored,
  tempDir,
  type BackendName,
  type Running
} from './harness'

const ATTEMPTS = path.join(__dirname, 'attempts.py')
const ALL = 'elradfmwMT'

type Attempt = readonly [user: string, operation: string, ...args: ReadonlyArray<string | number>]
type Result = readonly [outcome: string, value: unknown]

const attempt = async (
  server: Running,
  attempts: ReadonlyArray<Attempt>,
  password = PASSWORD
): Promise<ReadonlyArray<Result>> => {
  const plan = attempts.map(([user, ...rest]) => [user, password, ...rest])
  const result = await run(PYTHON, [ATTEMPTS, String(server.port), JSON.stringify(plan)])
  expect(result.code, result.stderr).to.equal(0)
  return JSON.parse(result.stdout) as ReadonlyArray<Result>
}

const DENIED: Result = ['PermissionError', '[Errno 13] Permission denied']
const MISSING: Result = ['FileNotFoundError', '[Errno 2] No such file']

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`sftp: permissions and the jail on ${backend}`, function () {
    this.timeout(30_000)
    let server: Running
    let local: string
    const hash = hashPassword(PASSWORD)
    /** A user for every letter, with every letter but that one; `all` has them all. */
    const users = Object.fromEntries([
      ['all', { password: hash, home: '/shared', perm: ALL }],
      ...[...ALL].map((letter) => [`no${letter}`, { password: hash, home: '/shared', perm: ALL.replace(letter, '') }]),
      ['onlye', { password: hash, home: '/shared', perm: 'e' }],
      ['onlyl', { password: hash, home: '/shared', perm: 'l' }],
      ['onlyr', { password: hash, home: '/shared', perm: 'r' }]
    ])

    before(async () => {
      local = tempDir('local')
      const noM = await makeKey(local, 'noM-key')
      server = await startSftp(backend, {
        anonymous: 'read',
        anonymousRoot: '/pub',
        users: { ...users, noM: { ...users.noM, keys: [noM.line] } }
      })
      for (const name of ['r.txt', 'a.txt', 'd.txt', 'f.txt', 'M.txt', 'T.txt', 'stat.txt'])
        await writeFile(server.inspect, path.posix.join(server.root, 'shared', name), Buffer.from('12345'))()
      await writeFile(server.inspect, path.posix.join(server.root, 'secret.txt'), Buffer.from('secret'))()
      fs.mkdirSync(path.join(local, 'tree', 'inner'), { recursive: true })
      fs.writeFileSync(path.join(local, 'tree', 'inner', 'x.txt'), 'x')
    })
    after(async () => {
      await server?.stop()
      fs.rmSync(local, { recursive: true, force: true })
    })

    it('each letter allows its operations and nothing else does', async () => {
      const operations: ReadonlyArray<
        readonly [letter: string, operation: string, ...args: ReadonlyArray<string | number>]
      > = [
        ['l', 'listdir', '/'],
        ['r', 'read', 'r.txt'],
        ['w', 'write', 'w.txt', 'new'],
        ['a', 'append', 'a.txt', '678'],
        ['d', 'remove', 'd.txt'],
        ['f', 'rename', 'f.txt', 'f2.txt'],
        ['m', 'mkdir', 'made'],
        ['M', 'chmod', 'M.txt', 0o600],
        ['T', 'utime', 'T.txt', 1_000_000_000]
      ]
      // Refused first (nothing changes), then allowed.
      const results = await attempt(server, [
        ...operations.map(([letter, ...op]): Attempt => [`no${letter}`, ...op]),
        ...operations.map(([, ...op]): Attempt => ['all', ...op])
      ])
      const refused = results.slice(0, operations.length)
      const allowed = results.slice(operations.length)
      refused.forEach((result, i) => expect(result, `without ${operations[i][0]}`).to.deep.equal(DENIED))
      allowed.forEach((result, i) => expect(result[0], `with ${operations[i][0]}: ${String(result[1])}`).to.equal('ok'))
      expect((await stored(server, '/shared/a.txt'))?.toString()).to.equal('12345678')
      expect((await stored(server, '/shared/w.txt'))?.toString()).to.equal('new')
      expect(await stored(server, '/shared/d.txt')).to.equal(undefined)
      const [chmodded, touched] = await attempt(server, [
        ['all', 'stat', 'M.txt'],
        ['all', 'stat', 'T.txt']
      ])
      expect(chmodded).to.deep.equal(['ok', 5])
      expect(touched).to.deep.equal(['ok', 5])
    })

    it('stat needs e or l; realpath needs no letter', async () => {
      const results = await attempt(server, [
        ['onlye', 'stat', 'stat.txt'],
        ['onlyl', 'stat', 'stat.txt'],
        ['onlyr', 'stat', 'stat.txt'],
        ['onlyr', 'normalize', '.'],
        ['onlyr', 'normalize', 'not/there/../yet']
      ])
      expect(results).to.deep.equal([['ok', 5], ['ok', 5], DENIED, ['ok', '/'], ['ok', '/not/yet']])
    })

    it('put -r sets modes on the directories it made without M, and chmod elsewhere still needs it', async () => {
      const put = await server.sftp('noM', path.join(local, 'noM-key'), 'put -r tree', local)
      expect(put.code, put.stderr).to.equal(0)
      expect((await stored(server, '/shared/tree/inner/x.txt'))?.toString()).to.equal('x')
      const chmod = await server.sftp('noM', path.join(local, 'noM-key'), 'chmod 700 tree', local)
      expect(chmod.code).to.equal(1)
      expect(chmod.stderr).to.include('Permission denied')
    })

    it('no path leads out of the home: .., absolute paths, posix-rename', async () => {
      const results = await attempt(server, [
        ['all', 'read', '../secret.txt'],
        ['all', 'read', '/../../secret.txt'],
        ['all', 'read', '/shared/../secret.txt'],
        ['all', 'listdir', '/..'],
        ['all', 'normalize', '../..'],
        ['all', 'posix_rename', 'r.txt', '../stolen.txt']
      ])
      expect(results.slice(0, 3)).to.deep.equal([MISSING, MISSING, MISSING])
      expect(results[3][0]).to.equal('ok')
      expect(results[3][1]).to.not.include('secret.txt')
      expect(results[4]).to.deep.equal(['ok', '/'])
      expect(results[5][0]).to.equal('ok') // it lands in the home, as /stolen.txt
      expect(await stored(server, '/stolen.txt')).to.equal(undefined)
      expect((await stored(server, '/shared/stolen.txt'))?.toString()).to.equal('12345')
    })

    it('links: readlink and symlink are unsupported (the codes: protocol.spec.ts)', async () => {
      const results = await attempt(server, [
        ['all', 'symlink', '/etc/passwd', 'link'],
        ['all', 'readlink', 'r.txt']
      ])
      for (const result of results) expect(result).to.deep.equal(['OSError', 'Links are not supported'])
    })

    if (backend === 'node')
      it('a link on disk that points out of the home leads nowhere', async () => {
        fs.symlinkSync(path.join(server.root, 'secret.txt'), path.join(server.root, 'shared', 'out-file'))
        fs.symlinkSync('/etc', path.join(server.root, 'shared', 'out-dir'))
        const results = await attempt(server, [
          ['all', 'read', 'out-file'],
          ['all', 'listdir', 'out-dir'],
          ['all', 'read', 'out-dir/passwd'],
          ['all', 'normalize', 'out-dir']
        ])
        for (const result of results) {
          expect(result[0], JSON.stringify(result)).to.not.equal('ok')
          expect(JSON.stringify(result)).to.not.include('secret')
        }
      })
  })
}

describe('sftp: logins', function () {
  this.timeout(30_000)
  let server: Running
  let local: string
  let alice: { readonly file: string; readonly line: string }
  let mallory: { readonly file: string; readonly line: string }
  const carol: Array<{ readonly file: string; readonly line: string }> = []

  before(async () => {
    local = tempDir('keys')
    alice = await makeKey(local, 'alice-key')
    mallory = await makeKey(local, 'mallory-key')
    carol.push(
      await makeKey(local, 'carol-rsa', ['-t', 'rsa', '-b', '2048']),
      await makeKey(local, 'carol-ecdsa', ['-t', 'ecdsa', '-b', '521'])
    )
    server = await startSftp('memory', {
      anonymous: 'write',
      anonymousRoot: '/pub',
      maxLoginFailuresPerIp: 0,
      users: {
        alice: { password: hashPassword(PASSWORD), home: '/alice', perm: ALL, keys: [alice.line] },
        bob: { password: hashPassword(PASSWORD), home: '/bob', perm: ALL },
        carol: { password: hashPassword(PASSWORD), home: '/carol', perm: ALL, keys: carol.map((key) => key.line) }
      }
    })
  })
  after(async () => {
    await server?.stop()
    fs.rmSync(local, { recursive: true, force: true })
  })

  it('a wrong password, an unknown user and anonymous get the same answer; the right password logs in', async () => {
    const results = await attempt(
      server,
      [
        ['alice', 'normalize', '.'],
        ['nobody', 'normalize', '.'],
        ['anonymous', 'normalize', '.']
      ],
      'wrong'
    )
    for (const result of results) expect(result).to.deep.equal(['AuthenticationException', 'Authentication failed.'])
    expect(await attempt(server, [['alice', 'normalize', '.']])).to.deep.equal([['ok', '/']])
  })

  it('paramiko retries a password on its connection, and the right one logs in (ssh2 would disconnect the second try)', async () => {
    const retried = await run(PYTHON, [
      '-c',
      [
        'import paramiko',
        `t = paramiko.Transport(('127.0.0.1', ${server.port})); t.connect()`,
        'try: t.auth_password("alice", "wrong")',
        'except paramiko.AuthenticationException: print("refused")',
        `t.auth_password("alice", ${JSON.stringify(PASSWORD)})`,
        'print(paramiko.SFTPClient.from_transport(t).normalize("."))'
      ].join('\n')
    ])
    expect(retried.stdout, retried.stderr).to.equal('refused\n/\n')
  })

  it('a wrong key, a key of another user and an unknown user look alike to OpenSSH; the right key logs in', async () => {
    const login = (user: string, key: string) =>
      run('sftp', [...sshOptions(key), '-P', String(server.port), '-b', '-', `${user}@127.0.0.1`], { input: 'pwd' })
    const refused = await Promise.all([
      login('alice', mallory.file),
      login('bob', alice.file),
      login('nobody', alice.file)
    ])
    for (const result of refused) {
      expect(result.code).to.equal(255)
      expect(result.stderr).to.include('Permission denied (publickey,password)')
    }
    const ok = await login('alice', alice.file)
    expect(ok.code, ok.stderr).to.equal(0)
  })

  it('a signature made with another key than the one offered is refused: the server verifies it', async () => {
    const offered = utils.parseKey(fs.readFileSync(alice.file)) as ParsedKey
    const signer = utils.parseKey(fs.readFileSync(mallory.file)) as ParsedKey
    // Alice's public key is offered (the server says it would do), and Mallory's private key signs.
    offered.sign = (data, algo) => signer.sign(data, algo)
    const client = new Client()
    const outcome = await new Promise<string>((resolve) => {
      client.once('ready', () => resolve('logged in')).once('error', (error) => resolve(error.message))
      // An authHandler: ssh2 takes a `privateKey` only as text, and would parse it anew.
      client.connect({
        host: '127.0.0.1',
        port: server.port,
        username: 'alice',
        authHandler: [{ type: 'publickey', username: 'alice', key: offered } as PublicKeyAuthMethod]
      })
    })
    client.end()
    expect(outcome).to.equal('All configured authentication methods failed')
  })

  it('RSA (signed with rsa-sha2-256) and ECDSA P-521 keys log in too', async () => {
    for (const key of carol) {
      const result = await run(
        'sftp',
        [...sshOptions(key.file), '-P', String(server.port), '-b', '-', 'carol@127.0.0.1'],
        { input: 'pwd' }
      )
      expect(result.code, `${key.file}: ${result.stderr}`).to.equal(0)
    }
  })
})

describe('sftp: shared limits, dropped uploads, host keys', function () {
  this.timeout(30_000)

  it('FTP and SFTP connections count against one limit', async () => {
    const core = makeServerCore('spec', {
      factory: makeMemoryPathIO,
      users: { alice: PASSWORD },
      maxConnections: 1,
      loginFailureDelay: 1
    })
    const ftp = makeFtpFront(core, {})
    const sftp = makeSftpFront(core, {})
    const ftpPort = (await ftp.listen(0, '127.0.0.1')).port
    const sftpPort = (await sftp.listen(0, '127.0.0.1')).port
    try {
      const socket = net.connect(ftpPort, '127.0.0.1')
      const greeting = await new Promise<string>((resolve) => socket.once('data', (b) => resolve(b.toString())))
      expect(greeting).to.match(/^220 /)
      const attemptSftp = () =>
        run(PYTHON, [ATTEMPTS, String(sftpPort), JSON.stringify([['alice', PASSWORD, 'normalize', '.']])])
      const refused = JSON.parse((await attemptSftp()).stdout) as ReadonlyArray<Result>
      expect(refused[0][0]).to.not.equal('ok')
      socket.destroy()
      while (ftp.connections() > 0) await new Promise((resolve) => setTimeout(resolve, 10))
      const admitted = JSON.parse((await attemptSftp()).stdout) as ReadonlyArray<Result>
      expect(admitted).to.deep.equal([['ok', '/']])
    } finally {
      await Promise.all([ftp.close(), sftp.close()])
    }
  })

  it('failed SFTP logins use the address budget FTP turns it away with; failed attempts end a connection', async () => {
    const core = makeServerCore('spec', {
      factory: makeMemoryPathIO,
      users: { alice: PASSWORD },
      maxLoginFailuresPerIp: 3,
      maxLoginAttempts: 2,
      loginFailureDelay: 1
    })
    const ftp = makeFtpFront(core, {})
    const sftp = makeSftpFront(core, {})
    const ftpPort = (await ftp.listen(0, '127.0.0.1')).port
    const sftpPort = (await sftp.listen(0, '127.0.0.1')).port
    try {
      // Two wrong passwords on one connection: the second ends it, and a third try on it finds it gone.
      const tries = await run(PYTHON, [
        '-c',
        [
          'import paramiko',
          `t = paramiko.Transport(('127.0.0.1', ${sftpPort})); t.connect()`,
          'import time',
          'for password in ["one", "two", "three"]:',
          '    try: t.auth_password("alice", password); print("in")',
          '    except paramiko.AuthenticationException: print("refused")',
          '    except Exception as e: print("gone")',
          // The server hangs up after the second: whatever the third saw, the connection ends.
          'for _ in range(200):',
          '    if not t.is_active(): break',
          '    time.sleep(0.01)',
          'print("active" if t.is_active() else "closed")'
        ].join('\n')
      ])
      const lines = tries.stdout.trim().split('\n')
      expect(lines.slice(0, 2)).to.deep.equal(['refused', 'refused'])
      expect(lines[2]).to.not.equal('in')
      expect(lines[3]).to.equal('closed')
      // A third failure, on a new connection, uses up the address's budget: FTP turns the address away.
      await run(PYTHON, [ATTEMPTS, String(sftpPort), JSON.stringify([['alice', 'four', 'normalize', '.']])])
      const socket = net.connect(ftpPort, '127.0.0.1')
      const greeting = await new Promise<string>((resolve) => socket.once('data', (b) => resolve(b.toString())))
      socket.destroy()
      expect(greeting).to.match(/^421 Too many failed logins/)
    } finally {
      await Promise.all([ftp.close(), sftp.close()])
    }
  })

  it('an idle connection is closed', async () => {
    const server = await startSftp('memory', { users: { alice: PASSWORD }, anonymous: 'off', idleTimeout: 200 })
    try {
      const client = new Client()
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
      client.on('error', () => undefined)
      client.connect({ host: '127.0.0.1', port: server.port, username: 'alice', password: PASSWORD })
      // The client never ends it: the server does, once the connection has been silent for idleTimeout.
      await closed
    } finally {
      await server.stop()
    }
  })

  it('a connection dropped mid-upload leaves the old file whole and no temporary', async () => {
    const server = await startSftp('node', { users: { alice: PASSWORD }, anonymous: 'off' })
    try {
      fs.writeFileSync(path.join(server.root, 'keep.bin'), 'old')
      const client = new Client()
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve()).once('error', reject)
        client.connect({ host: '127.0.0.1', port: server.port, username: 'alice', password: PASSWORD })
      })
      const sftp = await new Promise<import('ssh2').SFTPWrapper>((resolve, reject) =>
        client.sftp((error, s) => (error ? reject(error) : resolve(s)))
      )
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.open('keep.bin', 'w', (error, h) => (error ? reject(error) : resolve(h)))
      )
      const chunk = Buffer.alloc(32 * 1024, 7)
      for (let i = 0; i < 8; i++)
        await new Promise<void>((resolve, reject) =>
          sftp.write(handle, chunk, 0, chunk.length, i * chunk.length, (error) => (error ? reject(error) : resolve()))
        )
      // While the upload runs, the old file is what others see, and its temporary is hidden.
      expect(fs.readFileSync(path.join(server.root, 'keep.bin'), 'utf8')).to.equal('old')
      client.destroy()
      // The server abandons the upload once it sees the connection go: wait for the temporary to be removed.
      for (let i = 0; i < 500 && fs.readdirSync(server.root).length > 1; i++)
        await new Promise((resolve) => setTimeout(resolve, 10))
      expect(fs.readdirSync(server.root)).to.deep.equal(['keep.bin'])
      expect(fs.readFileSync(path.join(server.root, 'keep.bin'), 'utf8')).to.equal('old')
    } finally {
      await server.stop()
    }
  })

  it('the host key kept in a file gives the same fingerprint after a restart, as ssh-keyscan sees it', async () => {
    const dir = tempDir('hostkey')
    const file = path.join(dir, 'host_key')
    const fingerprints: Array<string> = []
    try {
      for (let start = 0; start < 2; start++) {
        const hostKey = loadOrCreateHostKey(file)
        if (E.isLeft(hostKey)) throw new Error(hostKey.left)
        const sftp = makeSftpFront(makeServerCore('spec', { factory: makeMemoryPathIO }), { hostKey: hostKey.right })
        const { port } = await sftp.listen(0, '127.0.0.1')
        const scanned = await run('ssh-keyscan', ['-p', String(port), '-t', 'ed25519', '127.0.0.1'])
        await sftp.close()
        const printed = await run('ssh-keygen', ['-lf', '-'], { input: scanned.stdout })
        expect(printed.stdout).to.include(sftp.fingerprint)
        fingerprints.push(sftp.fingerprint)
      }
      expect(fingerprints[0]).to.equal(fingerprints[1])
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
