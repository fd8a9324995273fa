/**
 * The least FTP server Node can be, for bench/ftp.ts: what a transfer costs in
 * Node itself, with nothing of fp-pathio (no PathIO record, no streams
 * adapters, no temporary name and rename, no commit wait, no logging). Plain
 * JavaScript, run by `node` as it is, so no compiler sits in its heap.
 *
 *   node bench/bare-ftp-server.js memory|file ROOT [CERT KEY]
 *
 * Prints its port, then serves anonymous (any password) with USER, PASS, AUTH
 * TLS, PBSZ, PROT, TYPE, CWD, PWD, SYST, FEAT, PASV, EPSV, STOR, RETR, QUIT:
 * what Python's ftplib sends. `memory` keeps each upload as the list of chunks
 * the socket gave (no copy) and sends them back as they are; `file` writes
 * each chunk with `fs.writeSync` as it arrives (as the node backend does, one
 * synchronous call per write) and sends a file back with `fs.createReadStream`
 * in blocks of 1 MiB (the node backend's RETR block). Data connections under
 * PROT P speak TLS 1.2, as fp-pathio's do (BARE_DATA_TLS=1.3 lets them speak
 * TLS 1.3, for comparison); an upload ends at the client's close_notify,
 * answered by ours, then 226. One file name space, no directories: CWD is
 * accepted and ignored. Never for anything but the benchmark.
 */
'use strict'
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const tls = require('node:tls')

const [store, root, certFile, keyFile] = process.argv.slice(2)
const files = new Map()
const context =
  certFile === undefined
    ? undefined
    : tls.createSecureContext({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), minVersion: 'TLSv1.2' })
const dataContext =
  certFile === undefined
    ? undefined
    : tls.createSecureContext({
        cert: fs.readFileSync(certFile),
        key: fs.readFileSync(keyFile),
        minVersion: 'TLSv1.2',
        maxVersion: process.env.BARE_DATA_TLS === '1.3' ? 'TLSv1.3' : 'TLSv1.2'
      })

const fileOf = (name) => path.join(root, path.basename(name))

const serve = (raw) => {
  let control = raw
  let protect = false
  let passive
  let pending = ''
  const send = (line) => control.write(line + '\r\n')
  const onLine = (line) => {
    const [verb, ...words] = line.split(' ')
    const arg = words.join(' ')
    switch (verb.toUpperCase()) {
      case 'USER':
        return send('331 Any password')
      case 'PASS':
        return send('230 Logged in')
      case 'AUTH':
        send('234 AUTH TLS ok')
        control.removeAllListeners('data')
        control = new tls.TLSSocket(control, { isServer: true, secureContext: context })
        control.on('data', onData)
        control.on('error', () => undefined)
        return
      case 'PBSZ':
        return send('200 PBSZ=0')
      case 'PROT':
        protect = arg.toUpperCase() === 'P'
        return send('200 PROT ok')
      case 'TYPE':
        return send('200 Type set')
      case 'CWD':
        return send('250 Ok')
      case 'PWD':
        return send('257 "/"')
      case 'SYST':
        return send('215 UNIX Type: L8')
      case 'FEAT':
        return send('211 End')
      case 'PASV':
      case 'EPSV': {
        const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true })
        passive = new Promise((resolve) =>
          server.once('connection', (socket) => {
            server.close()
            socket.setNoDelay(true)
            socket.on('error', () => undefined)
            if (!protect) return resolve(socket)
            const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: dataContext })
            secure.on('error', () => undefined)
            secure.once('secure', () => resolve(secure))
          })
        )
        server.listen(0, '127.0.0.1', () => {
          const port = server.address().port
          if (verb.toUpperCase() === 'EPSV') send(`229 Entering Extended Passive Mode (|||${port}|)`)
          else send(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})`)
        })
        return
      }
      case 'STOR':
        return transfer(async (socket) => {
          const chunks = []
          const fd = store === 'file' ? fs.openSync(fileOf(arg), 'w') : undefined
          socket.on('data', fd === undefined ? (chunk) => chunks.push(chunk) : (chunk) => fs.writeSync(fd, chunk))
          await new Promise((resolve, reject) => {
            socket.once('end', resolve)
            socket.once('error', reject)
            socket.resume()
          })
          if (fd === undefined) files.set(path.basename(arg), chunks)
          else fs.closeSync(fd)
        })
      case 'RETR':
        return transfer(async (socket) => {
          const source = store === 'file' ? fs.createReadStream(fileOf(arg), { highWaterMark: 1024 * 1024 }) : undefined
          await new Promise((resolve, reject) => {
            socket.once('error', reject)
            if (source !== undefined) {
              source.pipe(socket, { end: false })
              source.once('end', resolve)
              return
            }
            const chunks = files.get(path.basename(arg)) ?? []
            let i = 0
            const next = () => {
              while (i < chunks.length) if (!socket.write(chunks[i++])) return void socket.once('drain', next)
              resolve()
            }
            next()
          })
        })
      case 'QUIT':
        send('221 Bye')
        return control.end()
      default:
        return send('502 Not implemented')
    }
  }
  // One transfer: 150, the move, our end of the data connection (close_notify under TLS), then 226.
  const transfer = async (move) => {
    const waiting = passive
    passive = undefined
    if (waiting === undefined) return send('425 PASV first')
    send('150 Ok')
    const socket = await waiting
    try {
      await move(socket)
      await new Promise((resolve) => socket.end(resolve))
      send('226 Transfer complete')
    } catch {
      socket.destroy()
      send('426 Failed')
    }
  }
  const onData = (chunk) => {
    pending += chunk.toString('latin1')
    let at
    while ((at = pending.indexOf('\r\n')) !== -1) {
      const line = pending.slice(0, at)
      pending = pending.slice(at + 2)
      onLine(line)
    }
  }
  raw.setNoDelay(true)
  raw.on('error', () => undefined)
  raw.on('data', onData)
  send('220 bare node')
}

const server = net.createServer(serve)
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
