/**
 * Bad input and faults on raw sockets: what a broken or hostile client sends
 * gets its reply or a clean close of that one connection, and the server
 * keeps serving everyone else.
 */
import { expect } from 'chai'
import * as net from 'node:net'
import { openFileDescriptors } from '../disk/fds'
import { eventually, rawConnect, startServer, USER, type BackendName, type Raw, type Running } from './harness'

const login = async (raw: Raw): Promise<void> => {
  expect(await raw.reply()).to.match(/^220 /)
  raw.send(`USER ${USER.name}\r\nPASS ${USER.password}\r\n`)
  expect(await raw.reply()).to.match(/^331 /)
  expect(await raw.reply()).to.match(/^230 /)
}

const codeOf = (reply: string | undefined): number | undefined =>
  reply === undefined ? undefined : Number(reply.slice(0, 3))

/** Opens the data connection a 227 reply announces. */
const dataConnection = (reply: string): Promise<net.Socket> => {
  const numbers = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply)
  if (numbers === null) throw new Error(`not a 227 reply: ${reply}`)
  const port = Number(numbers[5]) * 256 + Number(numbers[6])
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

describe('FTP server: bad input and faults', function () {
  this.timeout(30_000)
  let running: Running
  /** A well-behaved client that stays connected through every test. */
  let bystander: Raw

  beforeEach(async () => {
    running = await startServer('memory')
    bystander = await rawConnect(running.port)
    await login(bystander)
  })
  afterEach(async () => {
    // The bystander was served all along.
    bystander.send('PWD\r\n')
    expect(await bystander.reply()).to.equal('257 "/" is the current directory\r\n')
    bystander.socket.destroy()
    await running.stop()
  })

  it('answers a line over 4 KiB (a path of 5,000 characters) with 500 and keeps the connection', async () => {
    const raw = await rawConnect(running.port)
    await login(raw)
    raw.send(`RETR /${'a'.repeat(5000)}\r\n`)
    expect(codeOf(await raw.reply())).to.equal(500)
    raw.send(`NOOP ${'x'.repeat(100_000)}`)
    raw.send('\r\nNOOP\r\n')
    expect(codeOf(await raw.reply())).to.equal(500)
    expect(codeOf(await raw.reply())).to.equal(200)
    // Just under the limit is a command: a name over 255 bytes is not allowed.
    raw.send(`MKD /${'b'.repeat(4000)}\r\n`)
    expect(codeOf(await raw.reply())).to.equal(553)
    raw.socket.destroy()
  })

  it('answers bytes that are not UTF-8, a NUL and a verb that is not one with 501/500, creating nothing', async () => {
    const raw = await rawConnect(running.port)
    await login(raw)
    raw.send(Buffer.concat([Buffer.from('MKD /caf'), Buffer.from([0xe9]), Buffer.from('\r\n')]))
    expect(codeOf(await raw.reply())).to.equal(501)
    raw.send(Buffer.concat([Buffer.from('MKD /x'), Buffer.from([0xc3, 0x28]), Buffer.from('\r\n')]))
    expect(codeOf(await raw.reply())).to.equal(501)
    raw.send('MKD /a\0b\r\n')
    expect(codeOf(await raw.reply())).to.equal(501)
    raw.send(Buffer.from([0x80, 0x81, 0x0d, 0x0a]))
    expect(codeOf(await raw.reply())).to.equal(501)
    raw.send('HELLO WORLD\r\nR2D2\r\n')
    expect(codeOf(await raw.reply())).to.equal(500)
    expect(codeOf(await raw.reply())).to.equal(500)
    raw.send('MKD /caf\u00e9\r\n')
    expect(await raw.reply()).to.equal('257 "/caf\u00e9" created\r\n')
    const listed = await running.inspect.list('/')()
    expect(listed).to.deep.equal({ _tag: 'Right', right: ['/caf\u00e9'] })
    raw.socket.destroy()
  })

  it('answers commands out of order: 503 for PASS first and RNTO alone, 530 before login, 425 without PASV', async () => {
    const raw = await rawConnect(running.port)
    expect(await raw.reply()).to.match(/^220 /)
    raw.send('PASS secret\r\nLIST\r\nSTOR x\r\nUSER anonymous\r\nRNTO y\r\n')
    expect([codeOf(await raw.reply()), codeOf(await raw.reply()), codeOf(await raw.reply())]).to.deep.equal([
      503, 530, 530
    ])
    expect(codeOf(await raw.reply())).to.equal(331)
    expect(codeOf(await raw.reply())).to.equal(530) // RNTO before PASS
    raw.send('PASS any\r\nRNTO y\r\nSTOR x\r\nRNFR /\r\n')
    expect([codeOf(await raw.reply()), codeOf(await raw.reply()), codeOf(await raw.reply())]).to.deep.equal([
      230, 503, 425
    ])
    expect(codeOf(await raw.reply())).to.equal(550) // anonymous has no f: RNFR says nothing of what exists
    raw.send('QUIT\r\n')
    expect(codeOf(await raw.reply())).to.equal(221)
    await raw.closed
  })

  it('answers EPRT with a port past 65535 (65536, 99999) or 0 with 501, and PORT with a byte past 255; 65535 is taken', async () => {
    const raw = await rawConnect(running.port)
    await login(raw)
    for (const arg of ['|1|127.0.0.1|65536|', '|1|127.0.0.1|99999|', '|1|127.0.0.1|0|', '|1|127.0.0.1|100000|']) {
      raw.send(`EPRT ${arg}\r\n`)
      expect(await raw.reply(), arg).to.match(/^501 /)
    }
    raw.send('PORT 127,0,0,1,256,0\r\n')
    expect(await raw.reply()).to.match(/^501 /)
    raw.send('EPRT |1|127.0.0.1|65535|\r\nPORT 127,0,0,1,255,255\r\n')
    expect(codeOf(await raw.reply())).to.equal(200)
    expect(codeOf(await raw.reply())).to.equal(200)
    raw.send('PWD\r\n')
    expect(codeOf(await raw.reply())).to.equal(257)
    raw.socket.destroy()
  })

  it('answers a data connection that never opens with 425 and closes the passive port', async () => {
    const raw = await rawConnect(running.port)
    await login(raw)
    raw.send('EPSV\r\n')
    const epsv = (await raw.reply()) ?? ''
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(epsv)?.[1])
    raw.send('LIST\r\n')
    expect(codeOf(await raw.reply())).to.equal(150)
    expect(codeOf(await raw.reply())).to.equal(425)
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(port, '127.0.0.1', () => {
        probe.destroy()
        resolve(false)
      })
      probe.once('error', () => resolve(true))
    })
    expect(refused, 'the passive port is closed').to.equal(true)
    raw.send('NOOP\r\n')
    expect(codeOf(await raw.reply())).to.equal(200)
    raw.socket.destroy()
  })

  it('gives up on a data connection that goes silent mid-RETR (426) and keeps the session', async () => {
    await running.inspect.mkdir('/big')()
    const raw = await rawConnect(running.port)
    await login(raw)
    raw.send('STOR /big/large.bin\r\n')
    expect(codeOf(await raw.reply())).to.equal(425)
    raw.send('PASV\r\n')
    const up = await dataConnection((await raw.reply()) ?? '')
    raw.send('STOR /big/large.bin\r\n')
    expect(codeOf(await raw.reply())).to.equal(150)
    // Bigger than the socket buffers of both ends, so a reader that stops stalls the server.
    up.end(Buffer.alloc(32 << 20, 7))
    expect(codeOf(await raw.reply())).to.equal(226)
    raw.send('PASV\r\n')
    const down = await dataConnection((await raw.reply()) ?? '')
    down.pause() // reads nothing: the server's writes back up, then the connection is silent
    raw.send('RETR /big/large.bin\r\n')
    expect(codeOf(await raw.reply())).to.equal(150)
    expect(codeOf(await raw.reply())).to.equal(426)
    down.destroy()
    raw.send('SIZE /big/large.bin\r\n')
    expect(await raw.reply()).to.equal(`213 ${32 << 20}\r\n`)
    raw.socket.destroy()
    expect(await eventually(() => running.server.connections() === 1)).to.equal(true)
    expect((await running.inspect.unlink('/big/large.bin')())._tag).to.equal('Right')
  })

  it('cleans up after a client whose connections are reset mid-STOR, removing the partial upload', async () => {
    const raw = await rawConnect(running.port)
    await login(raw)
    raw.send('PASV\r\n')
    const up = await dataConnection((await raw.reply()) ?? '')
    raw.send('STOR half.bin\r\n')
    expect(codeOf(await raw.reply())).to.equal(150)
    up.write(Buffer.alloc(300_000, 1))
    // Both connections torn down with a reset, as when a machine drops off the network and comes back.
    up.resetAndDestroy()
    raw.socket.resetAndDestroy()
    expect(await eventually(() => running.server.connections() === 1)).to.equal(true)
    expect(await running.inspect.list('/')()).to.deep.equal({ _tag: 'Right', right: [] })
  })

  it('serves a client that sends 20,000 commands without reading, in order', async () => {
    const raw = await rawConnect(running.port)
    await login(raw)
    raw.send('NOOP\r\n'.repeat(20_000) + 'PWD\r\n')
    let count = 0
    for (let i = 0; i < 20_000; i++) if (codeOf(await raw.reply()) === 200) count++
    expect(count).to.equal(20_000)
    expect(codeOf(await raw.reply())).to.equal(257)
    raw.socket.destroy()
  })

  it('hangs up on an idle client with 421', async () => {
    await running.stop()
    running = await startServer('memory', { idleTimeout: 300 })
    bystander.socket.destroy()
    bystander = await rawConnect(running.port)
    await login(bystander)
    const raw = await rawConnect(running.port)
    await login(raw)
    expect(codeOf(await raw.reply())).to.equal(421)
    await raw.closed
    // The bystander, idle too, is let go the same way; give the after hook a fresh one.
    expect(codeOf(await bystander.reply())).to.equal(421)
    bystander = await rawConnect(running.port)
    await login(bystander)
  })
})

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`FTP server: close (${backend} backend)`, function () {
    this.timeout(30_000)

    it('says 421 to everyone, aborts a running transfer, removes its partial upload and closes its handle', async () => {
      const running = await startServer(backend)
      const descriptors = openFileDescriptors()
      try {
        const idle = await rawConnect(running.port)
        await login(idle)
        const raw = await rawConnect(running.port)
        await login(raw)
        await running.inspect.mkdir('/up')()
        raw.send('PASV\r\n')
        const up = await dataConnection((await raw.reply()) ?? '')
        up.on('error', () => undefined)
        raw.send('STOR /up/partial.bin\r\n')
        expect(codeOf(await raw.reply())).to.equal(150)
        up.write(Buffer.alloc(100_000, 2))
        await eventually(async () => {
          const listed = await running.inspect.list('/up')()
          return listed._tag === 'Right' && listed.right.length === 1
        })
        if (backend === 'node') expect(openFileDescriptors()).to.equal(descriptors + 1)
        await running.server.close()
        expect(running.server.connections()).to.equal(0)
        expect(codeOf(await raw.reply())).to.equal(426)
        expect(codeOf(await raw.reply())).to.equal(421)
        expect(codeOf(await idle.reply())).to.equal(421)
        await Promise.all([raw.closed, idle.closed])
        expect(await running.inspect.list('/up')()).to.deep.equal({ _tag: 'Right', right: [] })
        expect(openFileDescriptors()).to.equal(descriptors)
        up.destroy()
      } finally {
        await running.stop()
      }
    })
  })
}
