/**
 * Issue 22: FTP protocol conformance, bullet by bullet, on the memory and
 * node backends, with raw control and data connections (every byte seen),
 * Python's ftplib, curl, lftp and rclone. Each test failed on the code
 * before the change (the failure is named in its comment).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/Either'
import { makeCapabilities, makeMemoryPathIO, pathIOError, writeFile, type PathIO, type PathIOFactory } from '../../lib'
import * as TE from 'fp-ts/TaskEither'
import { hashPassword } from '../../lib/server/accounts'
import { makeCertificates, type Certificates } from './certificates'
import { rawConnect, runCurl, runSteps, startServer, USER, type BackendName, type Raw, type Running } from './harness'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

const run = (
  command: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = {}
): Promise<{ status: number; out: string }> =>
  new Promise((resolve) =>
    execFile(
      command,
      args,
      { timeout: 90_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: stdout + stderr })
    )
  )

const hasCommand = (name: string): boolean =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, name)))

/** alice may also set times (T) and modes (M); bob has the usual every-permission set, without them. */
const BOB = { name: 'bob', password: 'builder' }
const USERS = {
  [USER.name]: { password: hashPassword(USER.password), perm: 'elradfmwMT', public: true },
  [BOB.name]: BOB.password
}

const login = async (port: number, who: { name: string; password: string } = USER): Promise<Raw> => {
  const raw = await rawConnect(port)
  await raw.reply()
  raw.send(`USER ${who.name}\r\n`)
  await raw.reply()
  raw.send(`PASS ${who.password}\r\n`)
  const answer = await raw.reply()
  if (!answer?.startsWith('230')) throw new Error(`login failed: ${answer}`)
  return raw
}

const ask = async (raw: Raw, command: string): Promise<string> => {
  raw.send(`${command}\r\n`)
  return (await raw.reply()) ?? '(closed)'
}

const TIMED_OUT = '(no reply in time)'

/** The next reply, or TIMED_OUT after `ms`. */
const replyWithin = (raw: Raw, ms: number): Promise<string> =>
  Promise.race([
    raw.reply().then((r) => r ?? '(closed)'),
    new Promise<string>((resolve) => setTimeout(() => resolve(TIMED_OUT), ms))
  ])

/** EPSV, then a data connection to the port it names. */
const openData = async (raw: Raw): Promise<net.Socket> => {
  const answer = await ask(raw, 'EPSV')
  const port = /\(\|\|\|(\d+)\|\)/.exec(answer)?.[1]
  if (port === undefined) throw new Error(`EPSV failed: ${answer}`)
  const socket = net.connect(Number(port), '127.0.0.1')
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  socket.on('error', () => undefined)
  return socket
}

const collect = (socket: net.Socket): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.once('close', () => resolve(Buffer.concat(chunks)))
  })

/** A download over a fresh EPSV connection: the preliminary reply, the bytes, the final reply. */
const download = async (raw: Raw, command: string): Promise<{ first: string; data: Buffer; last: string }> => {
  const socket = await openData(raw)
  const received = collect(socket)
  const first = await ask(raw, command)
  if (!first.startsWith('150')) {
    socket.destroy()
    return { first, data: Buffer.alloc(0), last: '' }
  }
  const data = await received
  return { first, data, last: (await raw.reply()) ?? '(closed)' }
}

/** An upload of `pieces`, each written on its own after a pause (so each is its own TCP segment). */
const upload = async (
  raw: Raw,
  command: string,
  pieces: ReadonlyArray<Buffer>
): Promise<{ first: string; last: string }> => {
  const socket = await openData(raw)
  socket.setNoDelay(true)
  const first = await ask(raw, command)
  if (!first.startsWith('150')) {
    socket.destroy()
    return { first, last: '' }
  }
  for (const piece of pieces) {
    socket.write(piece)
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  socket.end()
  return { first, last: (await raw.reply()) ?? '(closed)' }
}

const put = async (running: Running, name: string, data: Buffer | string): Promise<void> => {
  const written = await writeFile(running.inspect, name, Buffer.from(data))()
  if (E.isLeft(written)) throw new Error(written.left.message)
}

const mtimeOf = async (running: Running, name: string): Promise<number> => {
  const st = await running.inspect.stat(name)()
  if (E.isLeft(st)) throw new Error(st.left.message)
  return st.right.mtimeMs
}

const modeOf = async (running: Running, name: string): Promise<number> => {
  const st = await running.inspect.stat(name)()
  if (E.isLeft(st)) throw new Error(st.left.message)
  return st.right.mode & 0o7777
}

/** The feature lines of a FEAT reply, without the first and last lines. */
const featLines = (reply: string): ReadonlyArray<string> => reply.split('\r\n').filter((line) => line.startsWith(' '))

const EVERY_FEATURE = [
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
]

describe('FTP protocol conformance (issue 22)', function () {
  this.timeout(120_000)

  for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
    describe(`${backend} backend`, () => {
      let running: Running
      beforeEach(async () => {
        running = await startServer(backend, { users: USERS })
      })
      afterEach(() => running.stop())

      // Before: OPTS MLST answered 200 with every fact and MLST/MLSD kept sending them all.
      it('OPTS MLST selects the facts MLST and MLSD send, and FEAT stars them (RFC 3659 §7.9)', async () => {
        await running.inspect.mkdir('/d')()
        await put(running, '/d/a.txt', 'hello')
        const raw = await login(running.port)
        expect(featLines(await ask(raw, 'FEAT'))).to.include(' MLST type*;size*;modify*;perm*;unix.mode*;')
        expect(await ask(raw, 'OPTS MLST type;size;')).to.equal('200 MLST OPTS type;size;\r\n')
        expect(featLines(await ask(raw, 'FEAT'))).to.include(' MLST type*;size*;modify;perm;unix.mode;')
        expect(await ask(raw, 'MLST /d/a.txt')).to.match(/^250-.*\r\n type=file;size=5; \/d\/a\.txt\r\n250 /)
        let listing = await download(raw, 'MLSD /d')
        expect(listing.data.toString()).to.equal('type=file;size=5; a.txt\r\n')
        expect(listing.last).to.match(/^226 /)
        // Fact names are case-insensitive; an unknown one is ignored; OPTS itself is case-insensitive.
        expect(await ask(raw, 'opts mLSt fish;TyPe;cakes;')).to.equal('200 MLST OPTS type;\r\n')
        expect(featLines(await ask(raw, 'FEAT'))).to.include(' MLST type*;size;modify;perm;unix.mode;')
        // Malformed: 501, and the selection stays as it was.
        for (const bad of [
          'OPTS MLST type',
          'OPTS MLST type ;',
          'OPTS MLST ;',
          'OPTS MLST type;;size;',
          'OPTS MLST size=1;'
        ])
          expect(await ask(raw, bad), bad).to.match(/^501 /)
        listing = await download(raw, 'MLSD /d')
        expect(listing.data.toString()).to.equal('type=file; a.txt\r\n')
        // No facts at all: only the names.
        expect(await ask(raw, 'OPTS MLST')).to.equal('200 MLST OPTS \r\n')
        expect(featLines(await ask(raw, 'FEAT'))).to.include(' MLST type;size;modify;perm;unix.mode;')
        expect(await ask(raw, 'MLST /d/a.txt')).to.match(/\r\n  \/d\/a\.txt\r\n250 /)
        listing = await download(raw, 'MLSD /d')
        expect(listing.data.toString()).to.equal(' a.txt\r\n')
        expect(await ask(raw, 'OPTS MLST type;size;modify;perm;unix.mode;')).to.equal(
          '200 MLST OPTS type;size;modify;perm;unix.mode;\r\n'
        )
        raw.socket.destroy()
      })

      // Before: TYPE A sent and stored the bytes as they were.
      it('TYPE A converts: LF to CRLF on RETR, CRLF to LF on STOR and APPE, across chunk boundaries; TYPE I is untouched', async () => {
        const raw = await login(running.port)
        await put(running, '/lf.txt', 'one\ntwo\r\nthree\n\nfour')
        // A CR at the end of one 1 MiB read and its LF at the start of the next; a bare LF at the start of a read.
        const big = Buffer.alloc(3 << 20, 0x61)
        big[(1 << 20) - 1] = 0x0d
        big[1 << 20] = 0x0a
        big[2 << 20] = 0x0a
        await put(running, '/big.txt', big)
        expect(await ask(raw, 'TYPE A')).to.match(/^200 /)
        let got = await download(raw, 'RETR lf.txt')
        expect(got.last).to.match(/^226 /)
        expect(got.data.toString()).to.equal('one\r\ntwo\r\nthree\r\n\r\nfour')
        got = await download(raw, 'RETR big.txt')
        expect(got.last).to.match(/^226 /)
        expect(got.data.length).to.equal(big.length + 1)
        const expected = Buffer.concat([big.subarray(0, 2 << 20), Buffer.from('\r'), big.subarray(2 << 20)])
        expect(sha256(got.data)).to.equal(sha256(expected))
        // CRLF split between two TCP segments, a lone CR kept, a CR at the very end kept.
        let sent = await upload(raw, 'STOR up.txt', [
          Buffer.from('a\r'),
          Buffer.from('\nb\r\n\r'),
          Buffer.from('\nc\rd\r')
        ])
        expect(sent.last).to.match(/^226 /)
        expect((await running.read('/up.txt'))?.toString()).to.equal('a\nb\n\nc\rd\r')
        sent = await upload(raw, 'APPE up.txt', [Buffer.from('\r'), Buffer.from('\ne\r\n')])
        expect(sent.last).to.match(/^226 /)
        expect((await running.read('/up.txt'))?.toString()).to.equal('a\nb\n\nc\rd\r\ne\n')
        // Listings carry CRLF already, once.
        got = await download(raw, 'NLST')
        expect(got.data.toString()).to.match(/^[^\r\n]+\r\n([^\r\n]+\r\n)+$/)
        // TYPE I: as stored.
        expect(await ask(raw, 'TYPE I')).to.match(/^200 /)
        got = await download(raw, 'RETR lf.txt')
        expect(got.data.toString()).to.equal('one\ntwo\r\nthree\n\nfour')
        sent = await upload(raw, 'STOR bin.txt', [Buffer.from('x\r\ny')])
        expect((await running.read('/bin.txt'))?.toString()).to.equal('x\r\ny')
        raw.socket.destroy()
        if (backend === 'node')
          expect(fs.readFileSync(path.join(running.root, 'up.txt'), 'latin1')).to.equal('a\nb\n\nc\rd\r\ne\n')
      })

      // Before: SIZE answered the stored size and REST was taken in ASCII mode.
      it('TYPE A: SIZE is 550 and REST is 504 (before any data connection); binary SIZE and REST as before', async () => {
        await put(running, '/lf.txt', 'one\ntwo\n')
        const raw = await login(running.port)
        expect(await ask(raw, 'SIZE lf.txt')).to.equal('213 8\r\n')
        expect(await ask(raw, 'TYPE A')).to.match(/^200 /)
        expect(await ask(raw, 'SIZE lf.txt')).to.match(/^550 .*ASCII/)
        expect(await ask(raw, 'REST 3')).to.match(/^504 /)
        // REST given in binary, then TYPE A: the transfer is refused, before its data connection is used.
        expect(await ask(raw, 'TYPE I')).to.match(/^200 /)
        expect(await ask(raw, 'REST 3')).to.match(/^350 /)
        expect(await ask(raw, 'TYPE A')).to.match(/^200 /)
        expect((await download(raw, 'RETR lf.txt')).first).to.match(/^504 /)
        expect(await ask(raw, 'TYPE I')).to.match(/^200 /)
        expect(await ask(raw, 'REST 4')).to.match(/^350 /)
        const got = await download(raw, 'RETR lf.txt')
        expect(got.data.toString()).to.equal('two\n')
        raw.socket.destroy()
      })

      it('curl --use-ascii: CRLF on the wire both ways (curl converts its side), LF stored and read', async () => {
        await put(running, '/notes.txt', 'a\nb\n')
        const creds = ['-u', `${USER.name}:${USER.password}`]
        // curl turns the CRLF it receives in ASCII mode into LF: its trace shows the bytes as they came.
        const down = await runCurl([...creds, '--use-ascii', '--trace', '-', `${running.url}/notes.txt`])
        expect(down.status, down.stderr).to.equal(0)
        const trace = down.stdout.toString()
        expect(trace).to.match(/<= Recv data, 6 bytes[^\n]*\n0000: 61 0d 0a 62 0d 0a /)
        expect(trace.endsWith('a\nb\n') || trace.includes('\na\nb\n'), trace).to.equal(true)
        // Uploading, curl turns the local LF into CRLF on the wire; the server stores LF again.
        const up = await runCurl(
          [...creds, '--use-ascii', '--trace', '-', '-T', '-', `${running.url}/unix.txt`],
          Buffer.from('x\ny\n')
        )
        expect(up.status, up.stderr).to.equal(0)
        expect(up.stdout.toString()).to.match(/=> Send data, 6 bytes[^\n]*\n0000: 78 0d 0a 79 0d 0a /)
        expect((await running.read('/unix.txt'))?.toString()).to.equal('x\ny\n')
      })

      // Before: PASV, PORT and EPRT still worked after EPSV ALL.
      it('EPSV ALL: PASV, PORT and EPRT are refused (501) for the rest of the session, EPSV still works (RFC 2428 §4)', async () => {
        const raw = await login(running.port)
        expect(await ask(raw, 'EPSV ALL')).to.match(/^200 /)
        expect(await ask(raw, 'PASV')).to.match(/^501 /)
        expect(await ask(raw, 'PORT 127,0,0,1,200,1')).to.match(/^501 /)
        expect(await ask(raw, 'EPRT |1|127.0.0.1|51201|')).to.match(/^501 /)
        const got = await download(raw, 'NLST')
        expect(got.last).to.match(/^226 /)
        // Another login on the same connection does not lift it.
        expect(await ask(raw, 'REIN')).to.match(/^220 /)
        expect(await ask(raw, `USER ${USER.name}`)).to.match(/^331 /)
        expect(await ask(raw, `PASS ${USER.password}`)).to.match(/^230 /)
        expect(await ask(raw, 'PASV')).to.match(/^501 /)
        raw.socket.destroy()
        // A session without EPSV ALL is unaffected.
        const other = await login(running.port)
        expect(await ask(other, 'PASV')).to.match(/^227 /)
        other.socket.destroy()
      })

      // Before: 450 (Busy): a client may retry for ever.
      it('RMD / and RNTO / (and RNFR / ... RNTO) are 550, never 450', async () => {
        await put(running, '/f.txt', 'x')
        await running.inspect.mkdir('/d')()
        const raw = await login(running.port)
        expect(await ask(raw, 'RMD /')).to.match(/^550 /)
        expect(await ask(raw, 'RNFR f.txt')).to.match(/^350 /)
        expect(await ask(raw, 'RNTO /')).to.match(/^550 /)
        expect(await ask(raw, 'RNFR d')).to.match(/^350 /)
        expect(await ask(raw, 'RNTO /')).to.match(/^550 /)
        expect(await ask(raw, 'RNFR /')).to.match(/^350 /)
        expect(await ask(raw, 'RNTO /moved')).to.match(/^550 /)
        expect(await ask(raw, 'CWD /d')).to.match(/^250 /)
        expect(await ask(raw, 'RMD ..')).to.match(/^550 /)
        raw.socket.destroy()
        expect(await running.read('/f.txt')).to.deep.equal(Buffer.from('x'))
      })

      // Before: 550.
      it('MLSD of a file is 501 (RFC 3659 §7.2.1); of a missing path 550', async () => {
        await put(running, '/f.txt', 'x')
        const raw = await login(running.port)
        expect((await download(raw, 'MLSD f.txt')).first).to.match(/^501 /)
        expect((await download(raw, 'MLSD nothing')).first).to.match(/^550 /)
        expect((await download(raw, 'MLSD /')).last).to.match(/^226 /)
        raw.socket.destroy()
      })

      // Before: accepted, and the gap filled with zero bytes.
      it('REST past the end, then STOR or APPE: 554 before the data connection, the file as it was (a missing file stays missing)', async () => {
        await put(running, '/five.bin', '12345')
        const raw = await login(running.port)
        for (const verb of ['STOR', 'APPE']) {
          expect(await ask(raw, 'REST 6')).to.match(/^350 /)
          const refused = await upload(raw, `${verb} five.bin`, [Buffer.from('more')])
          expect(refused.first, verb).to.match(/^554 /)
          expect(await running.read('/five.bin')).to.deep.equal(Buffer.from('12345'))
          expect(await ask(raw, 'REST 1')).to.match(/^350 /)
          expect((await upload(raw, `${verb} missing.bin`, [Buffer.from('x')])).first, verb).to.match(/^554 /)
          expect(await running.read('/missing.bin')).to.equal(undefined)
        }
        // REST at the end is a resume.
        expect(await ask(raw, 'REST 5')).to.match(/^350 /)
        expect((await upload(raw, 'STOR five.bin', [Buffer.from('678')])).last).to.match(/^226 /)
        expect(await running.read('/five.bin')).to.deep.equal(Buffer.from('12345678'))
        // The data channel of the refused transfer is not left for the next one.
        raw.socket.destroy()
      })

      // Before: 500.
      it('REIN ends the login and keeps the connection (220); the next login starts fresh', async () => {
        await running.inspect.mkdir('/pub')()
        const raw = await login(running.port)
        expect(await ask(raw, 'CWD /pub')).to.match(/^250 /)
        expect(await ask(raw, 'TYPE A')).to.match(/^200 /)
        expect(await ask(raw, 'OPTS MLST type;')).to.match(/^200 /)
        expect(await ask(raw, 'REIN')).to.match(/^220 /)
        expect(await ask(raw, 'PWD')).to.match(/^530 /)
        expect(await ask(raw, 'STAT')).to.include('Not logged in')
        expect(await ask(raw, `USER ${BOB.name}`)).to.match(/^331 /)
        expect(await ask(raw, `PASS ${BOB.password}`)).to.match(/^230 /)
        expect(await ask(raw, 'PWD')).to.match(/^257 "\/"/)
        const status = await ask(raw, 'STAT')
        expect(status).to.include('Logged in as bob').and.include('TYPE: BINARY')
        expect(featLines(await ask(raw, 'FEAT'))).to.include(' MLST type*;size*;modify*;perm*;unix.mode*;')
        // bob's permissions, not alice's.
        await put(running, '/t.txt', 'x')
        expect(await ask(raw, 'MFMT 20200101000000 t.txt')).to.match(/^550 /)
        expect(await ask(raw, 'HELP REIN')).to.match(/^214 /)
        raw.socket.destroy()
      })

      // Before: STAT waited for the end of the transfer.
      it('STAT during a RETR or a STOR answers at once with the transfer in progress; the transfer goes on and ends with 226', async () => {
        const big = randomBytes(16 << 20)
        await put(running, '/big.bin', big)
        const raw = await login(running.port)
        // A download the client does not read for now.
        let socket = await openData(raw)
        socket.pause()
        expect(await ask(raw, 'RETR big.bin')).to.match(/^150 /)
        await new Promise((resolve) => setTimeout(resolve, 100))
        raw.send('STAT\r\n')
        const during = await replyWithin(raw, 800)
        expect(during).to.match(/^213-/)
        expect(during)
          .to.match(/RETR/)
          .and.match(/\/big\.bin/)
          .and.match(/sending/)
        const sentSoFar = Number(/ (\d+) bytes/.exec(during)?.[1])
        expect(sentSoFar).to.be.greaterThan(0).and.at.most(big.length)
        const received = collect(socket)
        socket.resume()
        expect(sha256(await received)).to.equal(sha256(big))
        expect(await replyWithin(raw, 5000)).to.match(/^226 /)
        // An upload under way.
        socket = await openData(raw)
        expect(await ask(raw, 'STOR up.bin')).to.match(/^150 /)
        socket.write(Buffer.alloc(100_000, 1))
        await new Promise((resolve) => setTimeout(resolve, 200))
        raw.send('STAT\r\n')
        const upload = await replyWithin(raw, 800)
        expect(upload)
          .to.match(/^213-/)
          .and.match(/STOR/)
          .and.match(/\/up\.bin/)
          .and.match(/receiving/)
          .and.match(/ 100000 bytes/)
        socket.end(Buffer.alloc(1000, 2))
        expect(await replyWithin(raw, 5000)).to.match(/^226 /)
        expect((await running.read('/up.bin'))?.length).to.equal(101_000)
        // With no transfer, STAT is the session's status, as before.
        expect(await ask(raw, 'STAT')).to.match(/^211-/)
        raw.socket.destroy()
      })

      // Before: 500 (MFMT unknown), 501 (SITE CHMOD, SITE UTIME).
      it('MFMT sets a modification time (needs T); MDTM and the disk show it', async () => {
        await put(running, '/t.txt', 'x')
        await running.inspect.mkdir('/dir')()
        const raw = await login(running.port)
        expect(await ask(raw, 'MFMT 20170921013410 t.txt')).to.equal('213 Modify=20170921013410; t.txt\r\n')
        expect(await ask(raw, 'MDTM t.txt')).to.equal('213 20170921013410\r\n')
        expect(await mtimeOf(running, '/t.txt')).to.equal(Date.UTC(2017, 8, 21, 1, 34, 10))
        if (backend === 'node')
          expect(fs.statSync(path.join(running.root, 't.txt')).mtimeMs).to.equal(Date.UTC(2017, 8, 21, 1, 34, 10))
        // Fractions of a second (RFC 3659 time-val), and a directory.
        expect(await ask(raw, 'MFMT 20200102030405.250 t.txt')).to.match(/^213 Modify=20200102030405(\.250)?; t\.txt/)
        expect(await mtimeOf(running, '/t.txt')).to.be.within(
          Date.UTC(2020, 0, 2, 3, 4, 5),
          Date.UTC(2020, 0, 2, 3, 4, 5, 250)
        )
        expect(await ask(raw, 'MFMT 20010101000000 dir')).to.match(/^213 /)
        expect(await mtimeOf(running, '/dir')).to.equal(Date.UTC(2001, 0, 1))
        for (const bad of [
          'MFMT B017092101341A t.txt',
          'MFMT 20170921 t.txt',
          'MFMT t.txt',
          'MFMT 20171321013410 t.txt'
        ])
          expect(await ask(raw, bad), bad).to.match(/^501 /)
        expect(await ask(raw, 'MFMT 20170921013410 missing.txt')).to.match(/^550 /)
        raw.socket.destroy()
        const bob = await login(running.port, BOB)
        expect(await ask(bob, 'MFMT 20000101000000 t.txt')).to.match(/^550 .*[Pp]ermission/)
        expect(await ask(bob, 'SITE UTIME 20000101000000 t.txt')).to.match(/^550 .*[Pp]ermission/)
        bob.socket.destroy()
        expect(await mtimeOf(running, '/t.txt')).to.be.within(
          Date.UTC(2020, 0, 2, 3, 4, 5),
          Date.UTC(2020, 0, 2, 3, 4, 5, 250)
        )
      })

      it('SITE CHMOD sets the permission bits (needs M); SITE UTIME in both forms; SITE HELP lists them', async () => {
        await put(running, '/m.txt', 'x')
        const raw = await login(running.port)
        expect(await ask(raw, 'SITE CHMOD 640 m.txt')).to.match(/^200 /)
        expect(await modeOf(running, '/m.txt')).to.equal(0o640)
        if (backend === 'node') expect(fs.statSync(path.join(running.root, 'm.txt')).mode & 0o777).to.equal(0o640)
        expect(await ask(raw, 'MLST m.txt')).to.include('unix.mode=0640;')
        expect(await ask(raw, 'site chmod 0755 m.txt')).to.match(/^200 /)
        expect(await modeOf(running, '/m.txt')).to.equal(0o755)
        for (const bad of [
          'SITE CHMOD 777',
          'SITE CHMOD',
          'SITE CHMOD -177 m.txt',
          'SITE CHMOD 778 m.txt',
          'SITE CHMOD foo m.txt',
          'SITE CHMOD 4755 m.txt'
        ])
          expect(await ask(raw, bad), bad).to.match(/^501 /)
        expect(await modeOf(running, '/m.txt')).to.equal(0o755)
        expect(await ask(raw, 'SITE CHMOD 644 missing.txt')).to.match(/^550 /)
        // SITE UTIME: "time path" and "path atime mtime ctime UTC".
        expect(await ask(raw, 'SITE UTIME 20110203040506 m.txt')).to.match(/^200 /)
        expect(await mtimeOf(running, '/m.txt')).to.equal(Date.UTC(2011, 1, 3, 4, 5, 6))
        expect(await ask(raw, 'SITE UTIME m.txt 20120101000000 20130203040506 20120101000000 UTC')).to.match(/^200 /)
        expect(await mtimeOf(running, '/m.txt')).to.equal(Date.UTC(2013, 1, 3, 4, 5, 6))
        expect(await ask(raw, 'SITE UTIME nonsense')).to.match(/^501 /)
        const help = await ask(raw, 'SITE HELP')
        expect(help).to.match(/^214-/).and.include(' CHMOD').and.include(' UTIME').and.include(' HELP')
        expect(await ask(raw, 'SITE EXEC ls')).to.match(/^501 /)
        raw.socket.destroy()
        const bob = await login(running.port, BOB)
        expect(await ask(bob, 'SITE CHMOD 600 m.txt')).to.match(/^550 .*[Pp]ermission/)
        bob.socket.destroy()
        expect(await modeOf(running, '/m.txt')).to.equal(0o755)
      })

      // Before: MFMT, SITE CHMOD and SITE UTIME were not listed (and did not work).
      it('FEAT lists exactly what works, before and after login; HELP lists MFMT and REIN', async () => {
        const raw = await rawConnect(running.port)
        await raw.reply()
        expect(featLines(await ask(raw, 'FEAT'))).to.deep.equal(EVERY_FEATURE)
        raw.send(`USER ${USER.name}\r\nPASS ${USER.password}\r\n`)
        await raw.reply()
        await raw.reply()
        expect(featLines(await ask(raw, 'FEAT'))).to.deep.equal(EVERY_FEATURE)
        const help = await ask(raw, 'HELP')
        expect(help).to.include('MFMT').and.include('REIN')
        raw.socket.destroy()
      })

      it('ftplib: MFMT, SITE CHMOD, OPTS MLST, REIN with the replies ftplib accepts', async () => {
        await put(running, '/p.txt', 'hello')
        const r = await runSteps({ port: running.port }, [
          ['send', 'MFMT 20190101120000 p.txt'],
          ['send', 'MDTM p.txt'],
          ['send', 'SITE CHMOD 600 p.txt'],
          ['send', 'opts mlst type;'],
          ['send', 'MLST p.txt'],
          ['send', 'REIN'],
          ['send', 'PWD'],
          ['send', `USER ${USER.name}`],
          ['send', `PASS ${USER.password}`],
          ['retr', 'p.txt']
        ])
        const steps = r.steps
        expect(steps[0].text).to.equal('213 Modify=20190101120000; p.txt')
        expect(steps[1].text).to.equal('213 20190101120000')
        expect(steps[2].code).to.equal(200)
        expect(steps[3].text).to.equal('200 MLST OPTS type;')
        expect(steps[4].text).to.match(/\n type=file; \/p\.txt\n/)
        expect(steps[5].code).to.equal(220)
        expect(steps[6].code).to.equal(530)
        expect(steps[8].code).to.equal(230)
        expect(steps[9].text).to.equal('hello')
        expect(await modeOf(running, '/p.txt')).to.equal(0o600)
      })

      it('lftp mirror --parallel keeps every file time, up and down', async function () {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-mirror-'))
        try {
          const local = path.join(scratch, 'tree')
          fs.mkdirSync(path.join(local, 'a', 'b'), { recursive: true })
          const files: Record<string, { data: Buffer; time: number }> = {
            'x.bin': { data: randomBytes(100_000), time: Date.UTC(2015, 4, 6, 7, 8, 9) },
            'a/y.txt': { data: Buffer.from('y\n'), time: Date.UTC(2019, 10, 11, 12, 13, 14) },
            'a/b/z.bin': { data: randomBytes(20_000), time: Date.UTC(2003, 0, 2, 3, 4, 5) },
            'a/b/w.txt': { data: Buffer.from('w'), time: Date.UTC(2021, 6, 7, 8, 9, 10) }
          }
          for (const [name, { data, time }] of Object.entries(files)) {
            fs.writeFileSync(path.join(local, name), data)
            fs.utimesSync(path.join(local, name), time / 1000, time / 1000)
          }
          const url = `ftp://${USER.name}:${USER.password}@127.0.0.1:${running.port}`
          const settings = 'set net:max-retries 1; set net:timeout 20; set cmd:fail-exit true'
          const up = await run('lftp', ['-c', `${settings}; open ${url}; mirror -R --parallel=3 ${local} /up`])
          expect(up.status, up.out).to.equal(0)
          for (const [name, { data, time }] of Object.entries(files)) {
            expect(await running.read(`/up/${name}`), name).to.deep.equal(data)
            expect(await mtimeOf(running, `/up/${name}`), name).to.equal(time)
          }
          const back = path.join(scratch, 'back')
          const down = await run('lftp', ['-c', `${settings}; open ${url}; mirror --parallel=3 /up ${back}`])
          expect(down.status, down.out).to.equal(0)
          for (const [name, { data, time }] of Object.entries(files)) {
            expect(fs.readFileSync(path.join(back, name)), name).to.deep.equal(data)
            expect(fs.statSync(path.join(back, name)).mtimeMs, name).to.equal(time)
          }
          expect(up.out + down.out).to.not.match(/50[0-9] /)
        } finally {
          fs.rmSync(scratch, { recursive: true, force: true })
        }
      })

      it('rclone sync then rclone check: no error logged, every time kept, a second sync moves nothing', async function () {
        if (!hasCommand('rclone')) return this.skip()
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-rclone-'))
        try {
          const local = path.join(scratch, 'src')
          fs.mkdirSync(path.join(local, 'sub'), { recursive: true })
          const files: Record<string, number> = {
            'r.bin': Date.UTC(2016, 1, 2, 3, 4, 5),
            'sub/s.txt': Date.UTC(2018, 5, 6, 7, 8, 9)
          }
          for (const [name, time] of Object.entries(files)) {
            fs.writeFileSync(path.join(local, name), randomBytes(10_000))
            fs.utimesSync(path.join(local, name), time / 1000, time / 1000)
          }
          const config = path.join(scratch, 'rclone.conf')
          fs.writeFileSync(config, '')
          const obscured = (await run('rclone', ['--config', config, 'obscure', USER.password])).out.trim()
          const remote = `:ftp,host=127.0.0.1,port=${running.port},user=${USER.name},pass=${obscured}:/r`
          const common = [
            '--config',
            config,
            '--contimeout',
            '10s',
            '--timeout',
            '20s',
            '--retries',
            '1',
            '--low-level-retries',
            '1'
          ]
          const sync = await run('rclone', [...common, 'sync', '-v', local, remote])
          expect(sync.status, sync.out).to.equal(0)
          expect(sync.out, sync.out).to.not.match(/ERROR/)
          // --download: compare the bytes (FTP has no hash in common with a local disk).
          const check = await run('rclone', [...common, 'check', '--download', local, remote])
          expect(check.status, check.out).to.equal(0)
          expect(check.out).to.not.match(/ERROR/)
          for (const [name, time] of Object.entries(files))
            expect(await mtimeOf(running, `/r/${name}`), name).to.equal(time)
          const again = await run('rclone', [...common, 'sync', '-v', local, remote])
          expect(again.status, again.out).to.equal(0)
          expect(again.out, again.out).to.not.match(/ERROR|Copied/)
        } finally {
          fs.rmSync(scratch, { recursive: true, force: true })
        }
      })
    })
  }

  describe('REIN over TLS', () => {
    let certs: Certificates
    before(() => {
      certs = makeCertificates()
    })
    after(() => certs.remove())

    it('keeps the control connection in TLS; PBSZ and PROT are reset with the rest', async () => {
      const running = await startServer('memory', { users: USERS, tls: { cert: certs.cert, key: certs.key } })
      try {
        await put(running, '/s.txt', 'secret')
        const r = await runSteps({ port: running.port, tls: true, cafile: certs.caFile, prot: 'P' }, [
          ['retr', 's.txt'],
          ['send', 'REIN'],
          ['send', 'PWD'],
          ['send', `USER ${USER.name}`],
          ['send', `PASS ${USER.password}`],
          ['send', 'STAT'],
          ['call', 'prot_p'],
          ['retr', 's.txt']
        ])
        expect(r.steps[0].text).to.equal('secret')
        expect(r.steps[1].code).to.equal(220)
        expect(r.steps[2].code).to.equal(530)
        expect(r.steps[4].code).to.equal(230)
        expect(r.steps[5].text).to.include('Control connection TLS; data connections clear')
        expect(r.steps[6].code).to.equal(200)
        expect(r.steps[7].text).to.equal('secret')
      } finally {
        await running.stop()
      }
    })
  })

  describe('a record that cannot set times or modes (as S3)', () => {
    /** The memory backend, with `utimes` and `chmod` Unsupported and its capabilities saying so. */
    const noTimesNoModes: PathIOFactory<unknown> = (context) => {
      const inner = makeMemoryPathIO(context as never) as PathIO<unknown>
      const unsupported = (op: string) => (p: string) => TE.left(pathIOError('Unsupported', op, { path: p }))
      return {
        ...inner,
        capabilities: makeCapabilities({ ...inner.capabilities, times: false, modes: false }),
        utimes: unsupported('utimes'),
        chmod: unsupported('chmod')
      }
    }

    it('FEAT leaves out MFMT, SITE CHMOD and SITE UTIME; the commands are 550', async () => {
      const running = await startServer('memory', { users: USERS, factory: noTimesNoModes })
      try {
        const raw = await rawConnect(running.port)
        await raw.reply()
        const expected = EVERY_FEATURE.filter((line) => !/MFMT|SITE/.test(line))
        expect(featLines(await ask(raw, 'FEAT'))).to.deep.equal(expected)
        raw.socket.destroy()
        const alice = await login(running.port)
        expect(featLines(await ask(alice, 'FEAT'))).to.deep.equal(expected)
        await ask(alice, 'MKD d')
        expect(await ask(alice, 'MFMT 20170921013410 d')).to.match(/^550 /)
        expect(await ask(alice, 'SITE CHMOD 644 d')).to.match(/^550 /)
        expect(await ask(alice, 'SITE UTIME 20170921013410 d')).to.match(/^550 /)
        alice.socket.destroy()
      } finally {
        await running.stop()
      }
    })
  })
})
