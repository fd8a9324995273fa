/**
 * The environment of `npm start`, variable by variable: what each one sets,
 * its default, and the one-line message for a bad value.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { settingsFromEnvironment, VARIABLES, type EnvironmentSettings } from '../../lib/ftp'
import { VARIABLE_CODECS } from '../../lib/ftp/environment'
import { hashPassword } from '../../lib/server/accounts'

const settings = (env: Record<string, string>): EnvironmentSettings => {
  const got = settingsFromEnvironment(env)
  if (E.isLeft(got)) throw new Error(got.left)
  return got.right
}

const failure = (env: Record<string, string>): string => {
  const got = settingsFromEnvironment(env)
  if (E.isRight(got)) throw new Error(`expected a failure for ${JSON.stringify(env)}`)
  return got.left
}

describe('npm start environment (settingsFromEnvironment)', () => {
  let scratch: string
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-env-'))
  })
  after(() => fs.rmSync(scratch, { recursive: true, force: true }))

  it('defaults: 127.0.0.1:2121, anonymous read, 512 connections, none per IP, 300 s idle, 3 attempts, no rate limit, no TLS', () => {
    const s = settings({})
    expect([s.host, s.port, s.ftpsPort]).to.deep.equal(['127.0.0.1', 2121, undefined])
    expect(s.options).to.deep.include({
      anonymous: 'read',
      maxConnections: 512,
      maxConnectionsPerIp: 0,
      idleTimeout: 300_000,
      maxLoginAttempts: 3,
      maxDownloadRate: 0,
      maxUploadRate: 0,
      tlsRequired: false,
      timeout: 30_000
    })
    expect(s.options.tls).to.equal(undefined)
    expect(s.options.users).to.deep.equal({})
  })

  it('every variable sets its option', () => {
    const cert = path.join(scratch, 'c.pem')
    const key = path.join(scratch, 'k.pem')
    fs.writeFileSync(cert, 'CERT')
    fs.writeFileSync(key, 'KEY')
    const hash = hashPassword('pw')
    const users = path.join(scratch, 'users.json')
    fs.writeFileSync(
      users,
      JSON.stringify({ alice: { password: hash, home: '/home/alice', perm: 'elrw', paths: { '/ro': 'elr' } } })
    )
    const s = settings({
      FTP_HOST: '::1',
      PORT: '2200',
      FTPS_PORT: '9900',
      FTP_PASV_ADDRESS: '198.51.100.4',
      FTP_PASV_PORTS: '50000-50099',
      FTP_ANONYMOUS: 'off',
      FTP_USER: 'bob',
      FTP_PASS: 'builder',
      FTP_USERS_FILE: users,
      FTP_TLS_CERT: cert,
      FTP_TLS_KEY: key,
      FTP_TLS_REQUIRED: '1',
      FTP_MAX_CONNECTIONS: '100',
      FTP_MAX_CONNECTIONS_PER_IP: '5',
      FTP_IDLE_TIMEOUT: '60',
      FTP_MAX_LOGIN_ATTEMPTS: '5',
      FTP_MAX_DOWNLOAD_RATE: '1000000',
      FTP_MAX_UPLOAD_RATE: '500000',
      PATHIO_TIMEOUT: '5000'
    })
    expect([s.host, s.port, s.ftpsPort]).to.deep.equal(['::1', 2200, 9900])
    expect(s.options).to.deep.include({
      pasvAddress: '198.51.100.4',
      anonymous: 'off',
      tlsRequired: true,
      maxConnections: 100,
      maxConnectionsPerIp: 5,
      idleTimeout: 60_000,
      maxLoginAttempts: 5,
      maxDownloadRate: 1_000_000,
      maxUploadRate: 500_000,
      timeout: 5000
    })
    expect(s.options.pasvPorts).to.deep.equal({ min: 50000, max: 50099 })
    expect(s.options.tls).to.deep.equal({ cert: 'CERT', key: 'KEY' })
    expect(s.options.users).to.deep.equal({
      alice: { password: hash, home: '/home/alice', perm: 'elrw', paths: { '/ro': 'elr' } },
      bob: 'builder'
    })
  })

  it('a bad value is one line naming the variable', () => {
    expect(failure({ FTP_HOST: 'example.com' })).to.match(/^FTP_HOST must be an IP address/)
    expect(failure({ PORT: '70000' })).to.match(/^PORT must be a port number/)
    expect(failure({ FTP_PASV_ADDRESS: '::1' })).to.match(/^FTP_PASV_ADDRESS must be an IPv4 address/)
    expect(failure({ FTP_PASV_PORTS: '10-5' })).to.match(/^FTP_PASV_PORTS must be a port range/)
    expect(failure({ FTP_ANONYMOUS: 'yes' })).to.match(/^FTP_ANONYMOUS must be off, read or write/)
    expect(failure({ FTP_USER: 'bob' })).to.equal('FTP_USER needs FTP_PASS')
    expect(
      failure({ FTP_TLS_CERT: path.join(scratch, 'nope.pem'), FTP_TLS_KEY: path.join(scratch, 'nope.key') })
    ).to.match(/^cannot read FTP_TLS_CERT .*: ENOENT$/)
    expect(failure({ FTP_TLS_REQUIRED: '1' })).to.equal('FTP_TLS_REQUIRED needs FTP_TLS_CERT and FTP_TLS_KEY')
    expect(failure({ FTPS_PORT: '990' })).to.equal('FTPS_PORT needs FTP_TLS_CERT and FTP_TLS_KEY')
    expect(failure({ FTP_TLS_REQUIRED: 'maybe' })).to.match(/^FTP_TLS_REQUIRED must be 1 or 0/)
    for (const name of [
      'FTP_MAX_CONNECTIONS',
      'FTP_MAX_CONNECTIONS_PER_IP',
      'FTP_IDLE_TIMEOUT',
      'FTP_MAX_LOGIN_ATTEMPTS',
      'FTP_MAX_DOWNLOAD_RATE',
      'FTP_MAX_UPLOAD_RATE'
    ])
      expect(failure({ [name]: '-1' })).to.match(new RegExp(`^${name} must be a non-negative integer`))
    const users = path.join(scratch, 'bad.json')
    fs.writeFileSync(users, '{ "eve": { "password": "plain" } }')
    expect(failure({ FTP_USERS_FILE: users })).to.match(/bad\.json: user 'eve': field 'password'/)
    fs.writeFileSync(users, '{ not json')
    expect(failure({ FTP_USERS_FILE: users })).to.match(/bad\.json: the users file is not JSON/)
    expect(failure({ FTP_USERS_FILE: path.join(scratch, 'missing.json') })).to.match(/^cannot read the users file/)
  })

  it("each variable's codec has the default the variables table (--help, docs/ftp-server.md) gives", () => {
    for (const [name, codec] of Object.entries(VARIABLE_CODECS)) {
      const row = VARIABLES.find((variable) => variable.names.includes(name))
      const decoded: E.Either<unknown, unknown> = codec.validate(undefined, [])
      const fallback = E.isRight(decoded) ? decoded.right : 'a failure'
      const shown =
        fallback === undefined
          ? undefined
          : typeof fallback === 'boolean'
            ? `\`${fallback ? 1 : 0}\``
            : `\`${fallback}\``
      if (shown === undefined) expect(row?.fallback, name).to.not.match(/^`/)
      else if (fallback === 0 && row?.fallback === 'no limit') continue
      else expect(row?.fallback.split(' ')[0], name).to.equal(shown)
    }
  })
})
