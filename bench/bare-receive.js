/**
 * What receiving an upload costs Node itself, with no FTP and nothing of
 * fp-pathio: a receiver takes `--count` connections of `--size` MiB each from a
 * sender in another process (so the sender's CPU is not counted) and reports
 * its own CPU per MiB (process.cpuUsage: every thread, microseconds) and its
 * speed. Plain JavaScript, run by `node` as it is.
 *
 *   node bench/bare-receive.js [--size 64] [--count 10] [--modes keep,copy,file,onread,tls-keep,tls-copy] [--cert F --key F]
 *
 * Modes (the receiver is the server, as an FTP server is for a passive upload,
 * except `onread`):
 * - keep: keep the socket's chunks (fresh 64 KiB buffers, one per read), no copy;
 * - copy: copy each chunk into 1 MiB blocks (what the memory backend holds);
 * - gather2: copy each chunk into a reused 1 MiB block, then that block into
 *   a fresh 1 MiB chunk (the two copies fp-pathio's STOR to memory makes);
 * - file: fs.writeSync of each chunk to a file (the node backend's call);
 * - onread: the receiver connects to the sender (as in active mode) and reads
 *   with `onread` into one reused 1 MiB buffer (Node offers `onread` only for
 *   sockets a program opens, not for accepted ones), copying into 1 MiB blocks;
 * - tls-keep, tls-copy: keep and copy behind a TLS 1.2 server socket
 *   (AES-128-GCM, as fp-pathio's data connections).
 */
'use strict'
const { fork } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const tls = require('node:tls')

const MiB = 2 ** 20
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1]
}

// ---------------------------------------------------------------- the sender (a child process)
if (process.argv[2] === 'sender') {
  const data = Buffer.alloc(Number(process.argv[3]) * MiB, 7)
  process.on('message', ({ port, secure, listen }) => {
    const send = (socket) => socket.end(data)
    if (listen) {
      // onread mode: the receiver connects to us.
      const server = net.createServer((socket) => {
        server.close()
        send(socket)
      })
      server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
      return
    }
    const socket = secure
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, () => send(socket))
      : net.connect(port, '127.0.0.1', () => send(socket))
    socket.on('error', () => undefined)
    socket.on('close', () => process.send({ sent: true }))
  })
  return
}

// ---------------------------------------------------------------- the receiver
const size = Number(option('size', '64'))
const count = Number(option('count', '10'))
const modes = option('modes', 'keep,copy,gather2,file,onread,tls-keep,tls-copy').split(',')
const certFile = option('cert', '')
const keyFile = option('key', '')

/** Copies chunks into 1 MiB blocks, as the memory backend holds a file. */
const blocks = () => {
  const held = []
  let block
  let filled = 0
  return (chunk) => {
    for (let taken = 0; taken < chunk.length; ) {
      if (block === undefined || filled === block.length) {
        block = Buffer.allocUnsafe(MiB)
        filled = 0
        held.push(block)
      }
      const take = Math.min(chunk.length - taken, block.length - filled)
      chunk.copy(block, filled, taken, taken + take)
      filled += take
      taken += take
    }
  }
}

/** Two copies, as fp-pathio's STOR to memory: into a reused 1 MiB block, then each full block into a fresh chunk. */
const gather2 = () => {
  const store = blocks()
  const gathering = Buffer.allocUnsafe(MiB)
  let filled = 0
  return (chunk) => {
    for (let taken = 0; taken < chunk.length; ) {
      const take = Math.min(chunk.length - taken, MiB - filled)
      chunk.copy(gathering, filled, taken, taken + take)
      filled += take
      taken += take
      if (filled === MiB) {
        store(gathering)
        filled = 0
      }
    }
  }
}

const sinkFor = (mode) => {
  if (mode.endsWith('keep')) {
    const held = []
    return { take: (chunk) => held.push(chunk), end: () => undefined }
  }
  if (mode === 'file') {
    const file = path.join(os.tmpdir(), `bare-receive-${process.pid}.bin`)
    const fd = fs.openSync(file, 'w')
    return { take: (chunk) => fs.writeSync(fd, chunk), end: () => (fs.closeSync(fd), fs.rmSync(file)) }
  }
  if (mode === 'gather2') return { take: gather2(), end: () => undefined }
  return { take: blocks(), end: () => undefined }
}

const sender = fork(__filename, ['sender', String(size)], { stdio: 'inherit' })
const ask = (message) =>
  new Promise((resolve) => {
    sender.once('message', resolve)
    sender.send(message)
  })

const context =
  certFile === ''
    ? undefined
    : tls.createSecureContext({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })

/** One upload received in `mode`; resolves when the receiver has seen its end. */
const once = async (mode) => {
  const sink = sinkFor(mode)
  if (mode === 'onread') {
    const { port } = await ask({ listen: true })
    const reused = Buffer.allocUnsafe(MiB)
    await new Promise((resolve) => {
      const socket = net.connect({
        port,
        host: '127.0.0.1',
        onread: { buffer: reused, callback: (n, buffer) => void sink.take(buffer.subarray(0, n)) }
      })
      socket.on('end', resolve)
    })
    return sink.end()
  }
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const received = new Promise((resolve) =>
    server.once('connection', (raw) => {
      server.close()
      const socket = mode.startsWith('tls-') ? new tls.TLSSocket(raw, { isServer: true, secureContext: context }) : raw
      socket.on('data', sink.take)
      socket.on('end', () => {
        socket.end()
        resolve()
      })
    })
  )
  const sent = ask({ port: server.address().port, secure: mode.startsWith('tls-') })
  await Promise.all([received, sent])
  sink.end()
}

const main = async () => {
  console.log(`| mode | MiB/s | receiver CPU ms/MiB |`)
  console.log(`|---|---:|---:|`)
  for (const mode of modes) {
    if (mode.startsWith('tls-') && context === undefined) continue
    await once(mode)
    const cpu = process.cpuUsage()
    const start = process.hrtime.bigint()
    for (let i = 0; i < count; i++) await once(mode)
    const wall = Number(process.hrtime.bigint() - start) / 1e9
    const used = process.cpuUsage(cpu)
    const mib = size * count
    console.log(`| ${mode} | ${(mib / wall).toFixed(0)} | ${((used.user + used.system) / 1000 / mib).toFixed(3)} |`)
  }
  sender.kill()
}

void main()
