/**
 * SFTP over S3 (s3rver): whole-file uploads with OpenSSH's `sftp` and `scp`,
 * listings, downloads and removals on a bucket; what an object store
 * cannot do (an update in place) is refused, never emulated.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { makeS3PathIO } from '../../lib/backends/s3'
import { hashPassword, makeServerCore } from '../../lib/server'
import { makeSftpFront, type SftpServer } from '../../lib/sftp'
import { startS3Server, type S3Server } from '../s3/server'
import { makeKey, run, sshOptions, tempDir } from './harness'

const BUCKET = 'sftp-files'

describe('sftp over S3 (s3rver)', function () {
  this.timeout(60_000)
  let s3: S3Server
  let server: SftpServer<unknown>
  let port: number
  let local: string
  let key: string

  before(async () => {
    s3 = await startS3Server([BUCKET])
    local = tempDir('s3')
    const alice = await makeKey(local, 'alice-key')
    key = alice.file
    const client = s3.client()
    const core = makeServerCore('spec', {
      factory: (context) => makeS3PathIO({ client, bucket: BUCKET, ...(context as object) }),
      anonymous: 'off',
      users: { alice: { password: hashPassword('unused'), home: '/alice', perm: 'elradfmw', keys: [alice.line] } }
    })
    server = makeSftpFront(core, {})
    port = (await server.listen(0, '127.0.0.1')).port
    fs.writeFileSync(path.join(local, 'data.bin'), randomBytes(3_000_000))
    fs.writeFileSync(path.join(local, 'small.txt'), 'small\n')
  })
  after(async () => {
    await server?.close()
    await s3?.stop()
    fs.rmSync(local, { recursive: true, force: true })
  })

  const sftp = (batch: string) =>
    run('sftp', [...sshOptions(key), '-P', String(port), '-b', '-', 'alice@127.0.0.1'], { cwd: local, input: batch })

  it('put, ls -l, get and rm', async () => {
    const result = await sftp('put data.bin\nput small.txt\nls -l\nget data.bin back.bin\nrm small.txt\nls')
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/-rw\S* +\d+ alice +alice +3000000 .* data\.bin/)
    expect(
      fs.readFileSync(path.join(local, 'back.bin')).equals(fs.readFileSync(path.join(local, 'data.bin')))
    ).to.equal(true)
    expect(result.stdout.split('sftp> ls\n')[1]).to.not.include('small.txt')
  })

  it('scp of a new file works; over an existing object, whose update in place S3 cannot do, it fails and the object stays', async () => {
    const first = await run('scp', [...sshOptions(key), '-P', String(port), 'small.txt', 'alice@127.0.0.1:scp.txt'], {
      cwd: local
    })
    expect(first.code, first.stderr).to.equal(0)
    const again = await run('scp', [...sshOptions(key), '-P', String(port), 'data.bin', 'alice@127.0.0.1:scp.txt'], {
      cwd: local
    })
    expect(again.code).to.not.equal(0)
    expect(again.stderr, 'SSH_FX_OP_UNSUPPORTED').to.match(/unsupported/i)
    const back = await run('scp', [...sshOptions(key), '-P', String(port), 'alice@127.0.0.1:scp.txt', 'scp-back.txt'], {
      cwd: local
    })
    expect(back.code, back.stderr).to.equal(0)
    expect(fs.readFileSync(path.join(local, 'scp-back.txt'), 'utf8')).to.equal('small\n')
  })
})
