/**
 * OpenSSH's own clients against the SFTP front, on the memory and node
 * backends: `sftp -b` batches (every command a user types), `scp` (which
 * speaks SFTP underneath since OpenSSH 9), and `ssh`, which gets no shell;
 * and rclone's sftp backend.
 * Every byte that travels is compared.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { hashPassword } from '../../lib/server'
import { makeKey, run, sshOptions, startSftp, stored, tempDir, type BackendName, type Running } from './harness'

/** A tree with spaces and non-ASCII names, and files of several sizes (one of several packets). */
const makeTree = (dir: string): void => {
  fs.mkdirSync(path.join(dir, 'tree', 'sub dir', 'ünïcødé ✓'), { recursive: true })
  fs.mkdirSync(path.join(dir, 'tree', 'empty'))
  fs.writeFileSync(path.join(dir, 'tree', 'a file.txt'), 'hello\n')
  fs.writeFileSync(path.join(dir, 'tree', 'sub dir', 'big.bin'), randomBytes(700_000))
  fs.writeFileSync(path.join(dir, 'tree', 'sub dir', 'ünïcødé ✓', 'Grüße 日本.txt'), 'grüße\n')
  fs.writeFileSync(path.join(dir, 'tree', 'empty.bin'), '')
}

/** Every file under `dir` (relative paths, sorted) with its bytes; directories as themselves. */
const snapshot = (dir: string): ReadonlyArray<readonly [string, string]> =>
  fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const full = path.join(dir, name)
      return [name, fs.statSync(full).isDirectory() ? 'dir' : fs.readFileSync(full).toString('base64')] as const
    })

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`sftp: OpenSSH's clients on ${backend}`, function () {
    this.timeout(30_000)
    let server: Running
    let local: string
    let key: string

    before(async () => {
      local = tempDir('local')
      const alice = await makeKey(local, 'alice-key')
      key = alice.file
      server = await startSftp(backend, {
        anonymous: 'off',
        users: { alice: { password: hashPassword('unused'), home: '/alice', perm: 'elradfmwMT', keys: [alice.line] } }
      })
      makeTree(local)
      fs.writeFileSync(path.join(local, 'data.bin'), randomBytes(1_000_000))
    })
    after(async () => {
      await server?.stop()
      fs.rmSync(local, { recursive: true, force: true })
    })

    const batch = async (commands: string): Promise<string> => {
      const result = await server.sftp('alice', key, commands, local)
      expect(result.stderr, commands).to.equal('')
      expect(result.code, `${commands}\n${result.stdout}`).to.equal(0)
      return result.stdout
    }

    it('put, get, ls -l, mkdir, rename, chmod, rm and rmdir in one batch', async () => {
      const out = await batch(
        [
          'pwd',
          'put data.bin',
          'mkdir docs',
          'rename data.bin docs/moved.bin',
          'chmod 600 docs/moved.bin',
          'ls -l docs',
          'get docs/moved.bin back.bin'
        ].join('\n')
      )
      expect(out).to.include('Remote working directory: /')
      expect(out).to.match(/-rw------- +1 alice +alice +1000000 \w{3} [ \d]\d [\d:]{5} moved\.bin/)
      expect(
        fs.readFileSync(path.join(local, 'back.bin')).equals(fs.readFileSync(path.join(local, 'data.bin')))
      ).to.equal(true)
      expect(
        (await stored(server, '/alice/docs/moved.bin'))?.equals(fs.readFileSync(path.join(local, 'data.bin')))
      ).to.equal(true)
      await batch('rm docs/moved.bin\nrmdir docs')
      expect(await stored(server, '/alice/docs/moved.bin')).to.equal(undefined)
    })

    it('a failing command fails the batch with the message OpenSSH prints', async () => {
      const result = await server.sftp('alice', key, 'rmdir nowhere', local)
      expect(result.code).to.equal(1)
      expect(result.stderr).to.include('No such file')
    })

    it('rename onto an existing file replaces it (posix-rename@openssh.com is announced and used)', async () => {
      await batch('put data.bin one.bin\nput tree/a\\ file.txt two.txt\nrename two.txt one.bin')
      expect((await stored(server, '/alice/one.bin'))?.toString()).to.equal('hello\n')
      await batch('rm one.bin')
    })

    it('reput and reget resume where the other side stopped', async () => {
      const data = fs.readFileSync(path.join(local, 'data.bin'))
      fs.writeFileSync(path.join(local, 'half.bin'), data.subarray(0, 400_000))
      await batch('put half.bin resumed.bin')
      await batch('reput data.bin resumed.bin')
      expect((await stored(server, '/alice/resumed.bin'))?.equals(data)).to.equal(true)
      fs.writeFileSync(path.join(local, 'partial.bin'), data.subarray(0, 123_456))
      await batch('reget resumed.bin partial.bin')
      expect(fs.readFileSync(path.join(local, 'partial.bin')).equals(data)).to.equal(true)
      await batch('rm resumed.bin')
    })

    it('put -r and get -r carry a tree with spaces and UTF-8 names, byte for byte', async () => {
      await batch('put -r tree')
      fs.mkdirSync(path.join(local, 'copy'))
      await batch('get -r tree copy/tree')
      expect(snapshot(path.join(local, 'copy', 'tree'))).to.deep.equal(snapshot(path.join(local, 'tree')))
    })

    it('scp uploads and downloads, over a longer file too (OpenSSH 9 opens without truncating, then sets the size)', async () => {
      const target = 'alice@127.0.0.1:scp.bin'
      expect((await server.scp(key, ['data.bin', target], local)).code).to.equal(0)
      expect((await server.scp(key, ['tree/a file.txt', target], local)).code).to.equal(0)
      expect((await stored(server, '/alice/scp.bin'))?.toString()).to.equal('hello\n')
      const back = await server.scp(key, [target, 'scp-back.txt'], local)
      expect(back.code, back.stderr).to.equal(0)
      expect(fs.readFileSync(path.join(local, 'scp-back.txt'), 'utf8')).to.equal('hello\n')
      const tree = await server.scp(key, ['-r', 'tree', 'alice@127.0.0.1:scp-tree'], local)
      expect(tree.code, tree.stderr).to.equal(0)
      expect((await stored(server, '/alice/scp-tree/sub dir/ünïcødé ✓/Grüße 日本.txt'))?.toString()).to.equal('grüße\n')
    })

    it("rclone's sftp backend: sync a tree, then check it byte for byte", async () => {
      const remote = [
        ':sftp:rclone',
        '--sftp-host',
        '127.0.0.1',
        '--sftp-port',
        String(server.port),
        '--sftp-user',
        'alice',
        '--sftp-key-file',
        key
      ]
      // No shell: rclone would run md5sum and df over exec, which the server refuses.
      const common = ['--sftp-shell-type', 'none', '--config', '/dev/null']
      const sync = await run('rclone', ['sync', 'tree', ...remote, ...common], { cwd: local })
      expect(sync.code, sync.stderr).to.equal(0)
      const check = await run('rclone', ['check', '--download', 'tree', ...remote, ...common], { cwd: local })
      expect(check.code, check.stderr).to.equal(0)
      expect(check.stderr).to.include('0 differences found')
      expect((await stored(server, '/alice/rclone/sub dir/ünïcødé ✓/Grüße 日本.txt'))?.toString()).to.equal('grüße\n')
    })

    it('ssh gets no shell and no command: refused, the channel closed', async () => {
      const result = await run('ssh', [
        ...sshOptions(key),
        '-p',
        String(server.port),
        'alice@127.0.0.1',
        'cat /etc/passwd'
      ])
      expect(result.code).to.equal(1)
      expect(result.stdout).to.equal('')
      expect(result.stderr).to.include('SFTP only')
    })
  })
}
