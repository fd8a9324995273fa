/**
 * The server as a deployment needs it, with real clients: connection limits,
 * the idle timeout, rate limits (lower bounds only: a loaded machine is slow,
 * never fast), passive address, port range and listener lifetime, active mode
 * (PORT, EPRT) over IPv4 and IPv6, EPSV over IPv6, and HELP, STAT, SITE, FEAT.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as net from 'node:net'
import * as path from 'node:path'
import { writeFile } from '../../lib'
import { eventually, rawConnect, runSteps, withServer, type BackendName, type Raw, type Running } from './harness'

const put = async (running: Running, file: string, data: Buffer): Promise<void> => {
  await running.inspect.mkdir(path.posix.dirname(file), { parents: true, existOk: true })()
  const written = await writeFile(running.inspect, file, data)()
  if (E.isLeft(written)) throw new Error(written.left.message)
}

/** Whether a TCP connection to 127.0.0.1:port is accepted (and kept: the caller's to close). */
const tryConnect = (port: number): Promise<net.Socket | undefined> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket))
    socket.once('error', () => resolve(undefined))
  })

/** Two consecutive free ports (bound and released at once: good enough for a test). */
const freePortPair = async (): Promise<number> => {
  for (;;) {
    const first = 20_000 + Math.floor(Math.random() * 30_000)
    const ok = await Promise.all(
      [first, first + 1].map(
        (port) =>
          new Promise<boolean>((resolve) => {
            const server = net.createServer()
            server.once('error', () => resolve(false))
            server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
          })
      )
    )
    if (ok.every(Boolean)) return first
  }
}

/** Whether a new connection is greeted with 220 (not turned away with 421). */
const greeted = async (port: number): Promise<boolean> => {
  const raw = await rawConnect(port)
  const greeting = await raw.reply()
  raw.socket.destroy()
  return greeting?.startsWith('220 ') === true
}

const pasvPort = (reply: string | undefined): number => {
  const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply ?? '')
  if (numbers === null) throw new Error(`not a 227 reply: ${reply}`)
  return Number(numbers[5]) * 256 + Number(numbers[6])
}

describe('FTP server deployment settings', function () {
  this.timeout(90_000)

  it('maxConnections: a connection past it gets 421 and is closed; a closed one frees its place at once', async () => {
    await withServer('memory', { maxConnections: 2 }, async (running) => {
      const a = await rawConnect(running.port)
      const b = await rawConnect(running.port)
      expect(await a.reply()).to.match(/^220 /)
      expect(await b.reply()).to.match(/^220 /)
      const c = await rawConnect(running.port)
      expect(await c.reply()).to.match(/^421 /)
      await c.closed
      a.socket.destroy()
      await a.closed
      // The server sees the close a moment later; then the place is free.
      expect(await eventually(() => greeted(running.port))).to.equal(true)
      b.socket.destroy()
    })
  })

  it('maxConnectionsPerIp: a second connection from the same address gets 421', async () => {
    await withServer('memory', { maxConnectionsPerIp: 1 }, async (running) => {
      const a = await rawConnect(running.port)
      expect(await a.reply()).to.match(/^220 /)
      const b = await rawConnect(running.port)
      expect(await b.reply()).to.match(/^421 /)
      await b.closed
      a.send('QUIT\r\n')
      await a.closed
      expect(await eventually(() => greeted(running.port))).to.equal(true)
    })
  })

  for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
    it(`rate limits hold over a whole transfer, and the idle timeout never cuts a running one (${backend})`, async () => {
      const rate = 100_000
      const size = 256_000 // steps.py sends whole runs of 256 bytes
      await withServer(backend, { maxDownloadRate: rate, maxUploadRate: rate, idleTimeout: 500 }, async (running) => {
        await put(running, '/big.bin', Buffer.alloc(size, 7))
        const r = await runSteps({ port: running.port }, [
          ['retr', 'big.bin'],
          ['stor', 'up.bin', '', size]
        ])
        const [down, up] = r.steps
        expect(down).to.include({ code: 226, size })
        expect(up.code).to.equal(226)
        // One second's burst, then the rest at the rate: at least 1.5 s; asserted loosely.
        expect(down.seconds).to.be.at.least(1.2)
        expect(up.seconds).to.be.at.least(1.2)
        expect((await running.read('/up.bin'))?.length).to.equal(size)
        // Each transfer outlasted the 500 ms idle timeout, and the session is still there.
        expect(r.quit).to.equal(221)
      })
    })
  }

  it('idleTimeout: a silent control connection gets 421 and is closed', async () => {
    await withServer('memory', { idleTimeout: 300 }, async (running) => {
      const raw = await rawConnect(running.port)
      expect(await raw.reply()).to.match(/^220 /)
      raw.send('NOOP\r\n')
      expect(await raw.reply()).to.match(/^200 /)
      expect(await raw.reply()).to.match(/^421 Idle timeout/)
      await raw.closed
    })
  })

  /** PASV from a session logged in from `from` (a loopback address): the reply. */
  const pasvFrom = async (port: number, from: string): Promise<{ readonly raw: Raw; readonly answer: string }> => {
    const raw = await rawConnect(port, '127.0.0.1', from)
    await raw.reply()
    raw.send('USER alice\r\nPASS wonderland\r\nPASV\r\n')
    await raw.reply()
    await raw.reply()
    return { raw, answer: (await raw.reply()) ?? '' }
  }

  it('pasvAddress is what PASV announces; pasvPorts bounds the ports; all busy is 425', async () => {
    const first = await freePortPair()
    await withServer(
      'memory',
      { pasvAddress: '203.0.113.9', pasvPorts: `${first}-${first + 1}`, dataTimeout: 5000 },
      async (running) => {
        // Two addresses, one port each (each may hold half the range), then a third finds none free.
        const sessions = []
        for (const from of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) sessions.push(await pasvFrom(running.port, from))
        const ports = sessions.slice(0, 2).map(({ answer }) => {
          expect(answer).to.match(/^227 Entering Passive Mode \(203,0,113,9,\d+,\d+\)/)
          return pasvPort(answer)
        })
        expect(sessions[2].answer).to.match(/^425 /)
        expect([...ports].sort()).to.deep.equal([first, first + 1])
        for (const { raw } of sessions) raw.socket.destroy()
      }
    )
  })

  it('one address holds at most half the passive range at once: another address always gets a port', async () => {
    const first = await freePortPair()
    await withServer('memory', { pasvPorts: `${first}-${first + 1}`, dataTimeout: 5000 }, async (running) => {
      const greedy = [await pasvFrom(running.port, '127.0.0.1'), await pasvFrom(running.port, '127.0.0.1')]
      expect(greedy.map(({ answer }) => answer.slice(0, 4))).to.deep.equal(['227 ', '425 '])
      const other = await pasvFrom(running.port, '127.0.0.2')
      expect(other.answer).to.match(/^227 /)
      // The port comes back when its listener closes: the same address may have it again.
      greedy[0].raw.socket.destroy()
      const freed = await eventually(async () => {
        const again = await pasvFrom(running.port, '127.0.0.1')
        again.raw.socket.destroy()
        return again.answer.startsWith('227 ')
      })
      expect(freed).to.equal(true)
      for (const { raw } of [...greedy, other]) raw.socket.destroy()
    })
  })

  it('a passive listener that gets no connection within the data timeout closes, and a session holds one at most', async () => {
    await withServer('memory', { dataTimeout: 400 }, async (running) => {
      const raw = await rawConnect(running.port)
      await raw.reply()
      raw.send('USER alice\r\nPASS wonderland\r\nPASV\r\n')
      await raw.reply()
      await raw.reply()
      const first = pasvPort(await raw.reply())
      raw.send('PASV\r\n')
      const second = pasvPort(await raw.reply())
      // The first listener went when the second came.
      expect(await tryConnect(first)).to.equal(undefined)
      // The second goes on its own, unused, after the data timeout.
      expect(
        await eventually(async () => (await tryConnect(second).then((s) => (s?.destroy(), s))) === undefined, 5000)
      ).to.equal(true)
      raw.send('LIST\r\n')
      expect(await raw.reply()).to.match(/^(150|425) /)
      raw.socket.destroy()
    })
  })

  for (const host of ['127.0.0.1', '::1']) {
    it(`active mode (${host === '::1' ? 'EPRT' : 'PORT'}) and passive mode (${host === '::1' ? 'EPSV' : 'PASV'}) move bytes on ${host}`, async () => {
      await withServer('node', { host }, async (running) => {
        const r = await runSteps({ host, port: running.port }, [
          ['pasv', false],
          ['stor', 'active.txt', 'sent actively'],
          ['retr', 'active.txt'],
          ['nlst'],
          ['pasv', true],
          ['retr', 'active.txt'],
          ['list']
        ])
        const [, stored, retrieved, names, , passive, listing] = r.steps
        expect(stored.code).to.equal(226)
        expect(retrieved).to.include({ code: 226, text: 'sent actively' })
        expect(names.lines).to.deep.equal(['active.txt'])
        expect(passive).to.include({ code: 226, text: 'sent actively' })
        expect(listing.lines).to.have.length(1)
      })
    })
  }

  it('HELP, HELP verb, STAT, STAT path, SITE HELP and FEAT (exactly what is on)', async () => {
    await withServer('memory', {}, async (running) => {
      await put(running, '/pub/a.txt', Buffer.from('abc'))
      const r = await runSteps({ port: running.port }, [
        ['send', 'HELP'],
        ['send', 'HELP stou'],
        ['send', 'HELP NOPE'],
        ['send', 'STAT'],
        ['send', 'STAT /pub'],
        ['send', 'STAT /pub/a.txt'],
        ['send', 'STAT /missing'],
        ['send', 'SITE HELP'],
        ['send', 'SITE NOPE x'],
        ['send', 'FEAT']
      ])
      const [help, helpStou, helpNope, stat, statDir, statFile, statMissing, siteHelp, siteOther, feat] = r.steps
      expect(help.code).to.equal(214)
      for (const verb of ['RETR', 'STOU', 'EPRT', 'AUTH', 'STAT', 'SITE', 'HELP']) expect(help.text).to.include(verb)
      expect(helpStou.text).to.match(/^214 Syntax: STOU/)
      expect(helpNope.code).to.equal(501)
      expect(stat.code).to.equal(211)
      expect(stat.text).to.include('Logged in as alice')
      expect(statDir.code).to.equal(212)
      expect(statDir.text).to.match(/ 3 \w{3} \d\d \d\d:\d\d a\.txt/)
      expect(statFile.code).to.equal(213)
      expect(statFile.text).to.match(/-rw.* 3 .* \/pub\/a\.txt/)
      expect(statMissing.code).to.equal(550)
      expect(siteHelp.code).to.equal(214)
      expect(siteOther.code).to.equal(501)
      expect(
        feat.text
          .split('\n')
          .map((l: string) => l.trimEnd())
          .slice(1, -1)
      ).to.deep.equal([
        ' EPRT',
        ' EPSV',
        ' PASV',
        ' MDTM',
        ' MFMT',
        ' MLST type*;size*;modify*;perm*;unix.mode*;',
        ' REST STREAM',
        ' SITE CHMOD',
        ' SITE UTIME',
        ' SIZE',
        ' TVFS',
        ' UTF8'
      ])
    })
  })
})
