/**
 * The events of a session, seen three ways that must agree: `onEvent`, the
 * JSON log (parsed), and the text log. A real client (basic-ftp) logs in,
 * uploads, downloads, renames, and a second connection is refused (the
 * server takes one at a time).
 */
import { expect } from 'chai'
import { Client } from 'basic-ftp'
import * as net from 'node:net'
import { Readable, Writable } from 'node:stream'
import { makeMemoryPathIO } from '../../lib'
import { makeFtpServer } from '../../lib/ftp'
import { makeLogger, type ServerEvent } from '../../lib/server'

const PASSWORD = 'wonderland-secret'

describe('server events (onEvent, JSON log, text log)', function () {
  this.timeout(20_000)

  it('a session that logs in, uploads, downloads, renames and is refused once gives exactly those events, alike in onEvent and the JSON log', async () => {
    const events: Array<ServerEvent> = []
    const json: Array<string> = []
    const text: Array<string> = []
    const jsonLog = makeLogger('debug', (line) => json.push(line), 'json')
    const textLog = makeLogger('debug', (line) => text.push(line))
    const server = makeFtpServer({
      factory: makeMemoryPathIO,
      users: { alice: PASSWORD },
      anonymous: 'off',
      maxConnections: 1,
      loginFailureDelay: 0,
      log: (level, line, fields) => {
        jsonLog(level, line, fields)
        textLog(level, line, fields)
      },
      onEvent: (event) => {
        events.push(event)
        // A handler that throws is logged and changes nothing.
        if (event._tag === 'Transfer') throw new Error('hook failed')
      }
    })
    const { port } = await server.listen(0, '127.0.0.1')
    const client = new Client(5000)
    try {
      await client.access({ host: '127.0.0.1', port, user: 'alice', password: PASSWORD })
      const data = Buffer.alloc(5000, 7)
      await client.uploadFrom(Readable.from([data]), 'up.bin')
      const chunks: Array<Buffer> = []
      await client.downloadTo(
        new Writable({ write: (chunk: Buffer, _e, done) => void (chunks.push(chunk), done()) }),
        'up.bin'
      )
      expect(Buffer.concat(chunks)).to.deep.equal(data)
      await client.rename('up.bin', 'moved.bin')
      // The second connection is turned away: one at a time.
      const refused = net.connect(port, '127.0.0.1')
      const farewell = await new Promise<string>((done) => refused.once('data', (b) => done(b.toString())))
      expect(farewell).to.match(/^421 /)
      refused.destroy()
    } finally {
      client.close()
    }
    await server.close()

    const tags = events.map((event) => event._tag)
    expect(tags).to.deep.equal(['Listening', 'Connect', 'Login', 'Transfer', 'Transfer', 'Change', 'Refused', 'Close'])
    const [listening, connect, login, up, down, rename, refusal, close] = events
    expect(listening).to.deep.include({ front: 'ftp', address: '127.0.0.1', port })
    expect(connect).to.deep.include({ front: 'ftp', session: 1, address: '127.0.0.1' })
    expect(login).to.deep.equal({
      _tag: 'Login',
      front: 'ftp',
      session: 1,
      address: '127.0.0.1',
      user: 'alice',
      method: 'password',
      ok: true
    })
    expect(up).to.deep.include({
      user: 'alice',
      command: 'STOR',
      direction: 'upload',
      path: '/up.bin',
      bytes: 5000,
      result: 'ok',
      code: 226
    })
    expect(down).to.deep.include({
      user: 'alice',
      command: 'RETR',
      direction: 'download',
      path: '/up.bin',
      bytes: 5000,
      result: 'ok',
      code: 226
    })
    expect(rename).to.deep.include({
      user: 'alice',
      action: 'rename',
      path: '/up.bin',
      to: '/moved.bin',
      result: 'ok',
      code: 250
    })
    expect(refusal).to.deep.include({ front: 'ftp', address: '127.0.0.1', reason: 'too many connections' })
    expect(close).to.deep.include({ session: 1, user: 'alice', bytesIn: 5000 })
    expect((close as { bytesOut: number }).bytesOut).to.be.at.least(5000)

    // The JSON log: one object a line; its events are onEvent's, field for field.
    const parsed = json.map((line) => JSON.parse(line) as Record<string, unknown>)
    for (const entry of parsed) {
      expect(entry.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(entry.level).to.be.oneOf(['error', 'warn', 'info', 'debug'])
    }
    const logged = parsed.filter((entry) => entry.event !== 'message')
    expect(logged.map((entry) => entry.event)).to.deep.equal(tags.map((tag) => tag.toLowerCase()))
    logged.forEach((entry, i) => {
      const { _tag, ...fields } = events[i]
      expect(entry).to.deep.equal({ time: entry.time, level: 'info', event: _tag.toLowerCase(), ...fields })
    })
    // Commands are at debug; the throwing handler at error, twice.
    expect(parsed.filter((entry) => entry.level === 'debug').map((entry) => entry.message)).to.include(
      '#1 RNTO moved.bin -> 250'
    )
    expect(parsed.filter((entry) => entry.level === 'error')).to.have.length(2)

    // The text log: a short prefix and key=value.
    expect(
      text.some((line) =>
        / INFO  #1 127\.0\.0\.1 alice STOR \/up\.bin ok bytes=5000 ms=\d+ direction=upload code=226$/.test(line)
      )
    ).to.equal(true)
    expect(
      text.some((line) => / INFO  #1 127\.0\.0\.1 alice rename \/up\.bin -> \/moved\.bin ok code=250$/.test(line))
    ).to.equal(true)

    // No password, at any level.
    for (const line of [...json, ...text]) expect(line).to.not.include(PASSWORD)
  })

  it('logs an unknown user and a wrong password alike, as bad credentials', async () => {
    const events: Array<ServerEvent> = []
    const server = makeFtpServer({
      factory: makeMemoryPathIO,
      users: { alice: PASSWORD },
      loginFailureDelay: 0,
      onEvent: (e) => events.push(e)
    })
    const { port } = await server.listen(0, '127.0.0.1')
    for (const user of ['alice', 'mallory']) {
      const client = new Client(5000)
      await client.access({ host: '127.0.0.1', port, user, password: 'guess' }).then(
        () => expect.fail('logged in'),
        (error: { code?: number }) => expect(error.code).to.equal(530)
      )
      client.close()
    }
    await server.close()
    const logins = events.filter((e) => e._tag === 'Login').map(({ user: _user, session: _session, ...rest }) => rest)
    expect(logins).to.deep.equal([
      { _tag: 'Login', front: 'ftp', address: '127.0.0.1', method: 'password', ok: false, reason: 'bad credentials' },
      { _tag: 'Login', front: 'ftp', address: '127.0.0.1', method: 'password', ok: false, reason: 'bad credentials' }
    ])
  })
})
