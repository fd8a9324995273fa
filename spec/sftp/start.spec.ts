/**
 * `npm start` with SFTP_PORT: FTP and SFTP served together from one users
 * file (a password for FTP, a key for OpenSSH's sftp, on IPv6 too), the
 * listening line naming the SFTP URL and the host key's fingerprint as
 * `ssh-keygen -lf` prints it, the key kept in SFTP_HOST_KEY across
 * restarts, and one line and exit 2 for what is wrong.
 */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { hashPassword } from '../../lib/server'
import { buildServer, startFailing, startServer } from '../ftp/npmStart'
import { makeKey, run, sshOptions, tempDir } from './harness'

const LISTENING = /and sftp:\/\/(127\.0\.0\.1|\[::1\]):(\d+)\/ \(host key (SHA256:[A-Za-z0-9+/]{43})\)/

describe('npm start with SFTP_PORT (examples/ftp-server.ts)', function () {
  this.timeout(60_000)
  let scratch: string
  let usersFile: string
  let key: string

  before(async function () {
    this.timeout(120_000)
    scratch = tempDir('start')
    const alice = await makeKey(scratch, 'alice-key')
    key = alice.file
    usersFile = path.join(scratch, 'users.json')
    fs.writeFileSync(
      usersFile,
      JSON.stringify({ alice: { password: hashPassword('pw'), home: '/alice', perm: 'elradfmw', keys: [alice.line] } })
    )
    fs.writeFileSync(path.join(scratch, 'hello.txt'), 'hello over sftp\n')
    await buildServer()
  })
  after(() => fs.rmSync(scratch, { recursive: true, force: true }))

  it('serves one tree to FTP and SFTP from one users file, with the host key kept in its file across a restart', async () => {
    const hostKey = path.join(scratch, 'host_key')
    const env = {
      PATHIO_BACKEND: 'node',
      FTP_ROOT: scratch,
      FTP_USERS_FILE: usersFile,
      FTP_ANONYMOUS: 'off',
      SFTP_PORT: '0',
      SFTP_HOST_KEY: hostKey,
      FTP_HOST: '::1',
      LOG_LEVEL: 'warn'
    }
    const fingerprints: Array<string> = []
    for (let start = 0; start < 2; start++) {
      const server = await startServer(env)
      try {
        const found = LISTENING.exec(server.output())
        expect(found, server.output()).to.not.equal(null)
        const [, host, port, fingerprint] = found as RegExpExecArray
        expect(host).to.equal('[::1]')
        fingerprints.push(fingerprint)
        const printed = await run('ssh-keygen', ['-lf', hostKey])
        expect(printed.stdout).to.include(fingerprint)
        const put = await run('sftp', [...sshOptions(key), '-P', port, '-b', '-', 'alice@[::1]'], {
          cwd: scratch,
          input: `put hello.txt h${start}.txt`
        })
        expect(put.code, put.stderr).to.equal(0)
        expect(fs.readFileSync(path.join(scratch, 'alice', `h${start}.txt`), 'utf8')).to.equal('hello over sftp\n')
        // The same file, the same account, over FTP.
        const got = await run('curl', ['-sS', '-g', '-u', 'alice:pw', `${server.url}/h${start}.txt`])
        expect(got.stdout, got.stderr).to.equal('hello over sftp\n')
      } finally {
        expect(await server.stop()).to.equal(0)
      }
    }
    expect(fingerprints[0]).to.equal(fingerprints[1])
    expect(fs.statSync(hostKey).mode & 0o777).to.equal(0o600)
  })

  it('a bad SFTP_PORT, a host key that is no key, or a malformed key in the users file is one line and exit 2', async () => {
    const notAKey = path.join(scratch, 'not-a-key')
    fs.writeFileSync(notAKey, 'hello')
    const badUsers = path.join(scratch, 'bad-users.json')
    fs.writeFileSync(
      badUsers,
      JSON.stringify({ bob: { password: hashPassword('pw'), keys: ['ssh-ed25519 AAAAnotakey bob'] } })
    )
    const cases: ReadonlyArray<readonly [Readonly<Record<string, string>>, RegExp]> = [
      [{ SFTP_PORT: 'ssh' }, /^ftp-server: SFTP_PORT must be a port number \(0-65535\), got 'ssh'\n$/],
      [
        { SFTP_PORT: '0', SFTP_HOST_KEY: notAKey },
        /^ftp-server: the host key .*not-a-key is not a usable private key: .*\n$/
      ],
      [{ SFTP_HOST_KEY: notAKey }, /^ftp-server: SFTP_HOST_KEY needs SFTP_PORT\n$/],
      [
        { FTP_USERS_FILE: badUsers, FTP_ANONYMOUS: 'off' },
        /^ftp-server: .*bad-users\.json: user 'bob': field 'keys' \[0\]: .*\n$/
      ]
    ]
    for (const [env, message] of cases) {
      const { code, stderr } = await startFailing(env)
      expect(stderr, JSON.stringify(env)).to.match(message)
      expect(code).to.equal(2)
    }
  })
})
