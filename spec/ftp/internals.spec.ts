/**
 * The ftp layer's internals, one test each: what their @example blocks showed before the
 * public surface was bounded (spec/api/): internals are not part of it, so they are tested here.
 */
import * as assert from 'node:assert'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as net from 'node:net'
import * as tls from 'node:tls'
import { S_IFDIR, S_IFREG, makeMemoryPathIO, readFile, writeFile } from '../../lib'
import { fromNetworkAscii, toNetworkAscii } from '../../lib/ftp/ascii'
import { COMMANDS } from '../../lib/ftp/commands'
import { pass, quit, rein, user } from '../../lib/ftp/commands/access'
import { checkActiveTarget, eprt, parseEprt, parsePort, port } from '../../lib/ftp/commands/active'
import { dele, mdtm, mfmt, mkd, mlst, rmd, rnfr, rnto, setMode, setTime, size } from '../../lib/ftp/commands/files'
import { LISTING_PAGE, list, mlsd, nlst } from '../../lib/ftp/commands/listings'
import { cdup, cwd, pwd } from '../../lib/ftp/commands/navigation'
import { afterEpsvAll, epsv, pasv } from '../../lib/ftp/commands/passive'
import { auth, pbsz, prot } from '../../lib/ftp/commands/security'
import { allo, feat, mode, noop, opts, stru, syst, type } from '../../lib/ftp/commands/settings'
import { help, site, stat, transferStatus } from '../../lib/ftp/commands/status'
import { abor, appe, rest, retr, stor, stou } from '../../lib/ftp/commands/transfers'
import { activeChannel, makePortBudget, openPassiveListener, peerFinished } from '../../lib/ftp/dataConnection'
import { dispatch } from '../../lib/ftp/dispatch'
import { makeLineReader, parseCommandLine, stripTelnet } from '../../lib/ftp/lineReader'
import {
  MLST_FACTS,
  ftpTime,
  isListable,
  listLine,
  mlsdLine,
  mlstFeature,
  mlsxFacts,
  parseFtpTime,
  parseMlstOptions
} from '../../lib/ftp/listingLines'
import { parsePortRange } from '../../lib/ftp/options'
import { REPLY_CODE_BY_REASON, formatReply, quotePath, reply, replyCodeFor } from '../../lib/ftp/replies'
import { makeSession, may, sessionConfig, virtualPath } from '../../lib/ftp/session'
import {
  TLS12_CIPHERS,
  TLS_MIN_VERSION,
  endedCleanly,
  makeTlsContexts,
  makeTlsSessions,
  secureServerSocket,
  tlsContextOptions
} from '../../lib/ftp/tls'
import {
  commitWait,
  dropPassive,
  outcomeReply,
  runTransfer,
  secureDataConnection,
  settle,
  startTransfer
} from '../../lib/ftp/dataTransfer'
import { hashPassword, makeAuthenticate } from '../../lib/server/accounts'
import { pipe } from 'fp-ts/function'
import { Readable } from 'node:stream'
import { buffer, text } from 'node:stream/consumers'

describe('ftp internals (their former examples)', () => {
  it('toNetworkAscii (lib/ftp/ascii.ts)', async () => {
    // A CRLF split between two chunks stays one CRLF; a bare LF at the start of a chunk gets its CR.
    const out = await buffer(
      Readable.from([Buffer.from('a\nb\r'), Buffer.from('\n'), Buffer.from('\nc')]).pipe(toNetworkAscii())
    )
    assert.strictEqual(out.toString(), 'a\r\nb\r\n\r\nc')
  })

  it('fromNetworkAscii (lib/ftp/ascii.ts)', async () => {
    const out = await buffer(Readable.from([Buffer.from('a\r'), Buffer.from('\nb\rc\r\n\r')]).pipe(fromNetworkAscii()))
    assert.strictEqual(out.toString(), 'a\nb\rc\n\r')
  })

  it('user (lib/ftp/commands/access.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const task = user(session, makeMemoryPathIO(), 'alice')
    assert.strictEqual(session.user, undefined) // nothing changes until the task runs
    const result = await task()
    assert.ok(result._tag === 'Right' && result.right.code === 331 && session.user === 'alice')
  })

  it('pass (lib/ftp/commands/access.ts)', async () => {
    const config = sessionConfig({
      commands: COMMANDS,
      loginFailureDelay: 0,
      authenticate: makeAuthenticate([{ name: 'alice', hash: hashPassword('pw'), home: '/', perm: 'elr' }], 'off')
    })
    const session = makeSession({ id: 1, remoteAddress: '::1', localAddress: '::1', send: () => undefined, config })
    const io = makeMemoryPathIO()
    await user(session, io, 'alice')()
    const wrong = await pass(session, io, 'nope')()
    assert.ok(wrong._tag === 'Right' && wrong.right.code === 530)
    await user(session, io, 'alice')()
    const right = await pass(session, io, 'pw')()
    assert.ok(right._tag === 'Right' && right.right.code === 230 && session.account?.name === 'alice')
  })

  it('quit (lib/ftp/commands/access.ts)', async () => {
    const r = await quit(undefined as never, undefined as never, '')()
    assert.deepStrictEqual(r, { _tag: 'Right', right: { code: 221, lines: ['Goodbye'], after: 'close' } })
  })

  it('rein (lib/ftp/commands/access.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS }),
      account: { name: 'alice', home: '/', perm: 'elr' }
    })
    session.cwd = '/pub'
    session.type = 'A'
    const r = await rein(session, undefined as never, '')()
    assert.ok(r._tag === 'Right' && r.right.code === 220)
    assert.deepStrictEqual([session.loggedIn, session.account, session.cwd, session.type], [false, undefined, '/', 'I'])
  })

  it('parsePort (lib/ftp/commands/active.ts)', async () => {
    assert.deepStrictEqual(parsePort('127,0,0,1,4,1'), E.right({ host: '127.0.0.1', port: 1025 }))
    assert.ok(E.isLeft(parsePort('127,0,0,1,4')))
  })

  it('parseEprt (lib/ftp/commands/active.ts)', async () => {
    assert.deepStrictEqual(parseEprt('|2|::1|5282|'), E.right({ host: '::1', port: 5282 }))
    assert.ok(E.isLeft(parseEprt('|3|x|1|')))
  })

  it('checkActiveTarget (lib/ftp/commands/active.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    assert.ok(E.isRight(checkActiveTarget(session, { host: '127.0.0.1', port: 40000 })))
    assert.ok(E.isLeft(checkActiveTarget(session, { host: '10.0.0.1', port: 40000 })))
    assert.ok(E.isLeft(checkActiveTarget(session, { host: '127.0.0.1', port: 80 })))
  })

  it('port (lib/ftp/commands/active.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const bounce = await port(session, makeMemoryPathIO(), '192,0,2,1,0,25')()
    assert.ok(bounce._tag === 'Right' && bounce.right.code === 504 && session.dataChannel === undefined)
  })

  it('eprt (lib/ftp/commands/active.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const ok = await eprt(session, makeMemoryPathIO(), '|2|::1|40000|')()
    assert.ok(ok._tag === 'Right' && ok.right.code === 200)
    session.dataChannel?.close()
  })

  it('mkd (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await mkd(session, io, 'pub')(), E.right({ code: 257, lines: ['"/pub" created'] }))
    assert.deepStrictEqual(await io.isDir('/pub')(), E.right(true))
  })

  it('rmd (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await io.mkdir('/pub')()
    assert.deepStrictEqual(await rmd(session, io, 'pub')(), E.right({ code: 250, lines: ['Directory pub removed'] }))
    assert.deepStrictEqual(
      await rmd(session, io, 'pub')(),
      E.right({ code: 550, lines: ['pub: No such file or directory'] })
    )
  })

  it('dele (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('hello'))()
    assert.deepStrictEqual(await dele(session, io, 'a.txt')(), E.right({ code: 250, lines: ['File a.txt deleted'] }))
  })

  it('rnfr (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('hello'))()
    assert.deepStrictEqual(await rnfr(session, io, 'a.txt')(), E.right({ code: 350, lines: ['Ready for RNTO'] }))
    assert.strictEqual(session.renameFrom, '/a.txt') // for the RNTO that must come next
  })

  it('rnto (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('hello'))()
    await rnfr(session, io, 'a.txt')()
    assert.deepStrictEqual(await rnto(session, io, 'b.txt')(), E.right({ code: 250, lines: ['Rename successful'] }))
    assert.deepStrictEqual(await io.list('/')(), E.right(['/b.txt']))
  })

  it('size (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('hello'))()
    assert.deepStrictEqual(await size(session, io, 'a.txt')(), E.right({ code: 213, lines: ['5'] }))
  })

  it('mdtm (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    const modified = pipe(
      writeFile(io, '/a.txt', Buffer.from('hello')),
      TE.chain(() => io.stat('/a.txt'))
    )
    const stat = await modified()
    assert.ok(E.isRight(stat))
    assert.deepStrictEqual(
      await mdtm(session, io, 'a.txt')(),
      E.right({ code: 213, lines: [ftpTime(stat.right.mtimeMs)] })
    )
  })

  it('mlst (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('hello'))()
    const facts = await mlst(session, io, 'a.txt')()
    assert.ok(facts._tag === 'Right' && facts.right.code === 250)
    assert.match(facts.right.lines[1], /^ type=file;size=5;modify=\d{14};perm=[a-z]+;unix\.mode=0\d{3}; \/a\.txt$/)
  })

  it('setTime (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elrwT' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('x'))()
    const r = await setTime(session, io, 'a.txt', Date.UTC(2001, 0, 1), (t) => reply(213, `Modify=${t}; a.txt`))()
    assert.deepStrictEqual(r, { _tag: 'Right', right: { code: 213, lines: ['Modify=20010101000000; a.txt'] } })
  })

  it('setMode (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elrwM' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('x'))()
    assert.strictEqual(((await setMode(session, io, 'a.txt', 0o600)()) as E.Right<{ code: number }>).right.code, 200)
    const stat = await io.stat('/a.txt')()
    assert.ok(E.isRight(stat) && (stat.right.mode & 0o777) === 0o600)
  })

  it('mfmt (lib/ftp/commands/files.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elrwT' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('x'))()
    const r = await mfmt(session, io, '20170921013410 a.txt')()
    assert.deepStrictEqual(r, { _tag: 'Right', right: { code: 213, lines: ['Modify=20170921013410; a.txt'] } })
    const bad = await mfmt(session, io, '2017 a.txt')()
    assert.ok(bad._tag === 'Right' && bad.right.code === 501)
  })

  it('LISTING_PAGE (lib/ftp/commands/listings.ts)', async () => {
    assert.strictEqual(LISTING_PAGE, 1000)
  })

  it('list (lib/ftp/commands/listings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await io.mkdir('/pub')()
    await writeFile(io, '/pub/a.txt', Buffer.from('hello'))()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    const [done, received] = await Promise.all([list(session, io, '-la /pub')(), text(data)])
    assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.match(received, /^-rw-r--r-- 1 ftp ftp 5 .* a\.txt\r\n$/)
  })

  it('mlsd (lib/ftp/commands/listings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await io.mkdir('/pub')()
    await writeFile(io, '/pub/a.txt', Buffer.from('hello'))()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    const [done, received] = await Promise.all([mlsd(session, io, 'pub')(), text(data)])
    assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.match(received, /^type=file;size=5;.*; a\.txt\r\n$/)
  })

  it('nlst (lib/ftp/commands/listings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await io.mkdir('/pub')()
    await writeFile(io, '/pub/a.txt', Buffer.from('hello'))()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    const [done, received] = await Promise.all([nlst(session, io, 'pub')(), text(data)])
    assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.strictEqual(received, 'pub/a.txt\r\n')
  })

  it('pwd (lib/ftp/commands/navigation.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(
      await pwd(session, io, '')(),
      E.right({ code: 257, lines: ['"/" is the current directory'] })
    )
  })

  it('cwd (lib/ftp/commands/navigation.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await io.mkdir('/pub')()
    assert.deepStrictEqual(
      await cwd(session, io, 'pub')(),
      E.right({ code: 250, lines: ['Directory changed to /pub'] })
    )
    assert.strictEqual(session.cwd, '/pub')
  })

  it('cdup (lib/ftp/commands/navigation.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    session.cwd = '/pub'
    assert.deepStrictEqual(await cdup(session, io, '')(), E.right({ code: 250, lines: ['Directory changed to /'] }))
    assert.strictEqual(session.cwd, '/')
  })

  it('afterEpsvAll (lib/ftp/commands/passive.ts)', async () => {
    assert.strictEqual(afterEpsvAll('PASV').code, 501)
  })

  it('pasv (lib/ftp/commands/passive.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS, pasvAddress: '203.0.113.7' })
    })
    const r = await pasv(session, makeMemoryPathIO(), '')()
    assert.ok(r._tag === 'Right' && /^Entering Passive Mode \(203,0,113,7,\d+,\d+\)$/.test(r.right.lines[0]))
    session.dataChannel?.close()
  })

  it('epsv (lib/ftp/commands/passive.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const all = await epsv(session, makeMemoryPathIO(), 'ALL')()
    assert.ok(all._tag === 'Right' && all.right.code === 200 && session.epsvAll)
    const wrong = await epsv(session, makeMemoryPathIO(), '2')()
    assert.ok(wrong._tag === 'Right' && wrong.right.code === 522)
    const r = await epsv(session, makeMemoryPathIO(), '')()
    assert.ok(r._tag === 'Right' && /^Entering Extended Passive Mode \(\|\|\|\d+\|\)$/.test(r.right.lines[0]))
    session.dataChannel?.close()
  })

  it('auth (lib/ftp/commands/security.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const off = await auth(session, undefined as never, 'TLS')()
    assert.ok(off._tag === 'Right' && off.right.code === 502)
  })

  it('pbsz (lib/ftp/commands/security.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS }),
      secure: true
    })
    const r = await pbsz(session, undefined as never, '0')()
    assert.ok(r._tag === 'Right' && r.right.code === 200 && session.protectionBufferSet)
  })

  it('prot (lib/ftp/commands/security.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS }),
      secure: true
    })
    await pbsz(session, undefined as never, '0')()
    const r = await prot(session, undefined as never, 'P')()
    assert.ok(r._tag === 'Right' && r.right.code === 200 && session.protection === 'P')
  })

  it('syst (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await syst(session, io, '')(), E.right({ code: 215, lines: ['UNIX Type: L8'] }))
  })

  it('feat (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const r = await feat(session, makeMemoryPathIO(), '')()
    assert.ok(r._tag === 'Right' && r.right.lines.includes(' EPRT') && !r.right.lines.includes(' AUTH TLS'))
    assert.ok(r._tag === 'Right' && r.right.lines.includes(' MFMT') && r.right.lines.includes(' SITE CHMOD'))
  })

  it('noop (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await noop(session, io, '')(), E.right({ code: 200, lines: ['NOOP ok'] }))
  })

  it('opts (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await opts(session, io, 'UTF8 ON')(), E.right({ code: 200, lines: ['Always in UTF8 mode'] }))
    assert.deepStrictEqual(
      await opts(session, io, 'MLST size;Type;fish;')(),
      E.right({ code: 200, lines: ['MLST OPTS type;size;'] })
    )
    assert.deepStrictEqual(session.mlstFacts, ['type', 'size'])
  })

  it('type (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await type(session, io, 'A')(), E.right({ code: 200, lines: ['Switching to ASCII mode'] }))
    assert.strictEqual(session.type, 'A')
  })

  it('mode (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await mode(session, io, 'S')(), E.right({ code: 200, lines: ['MODE set to S'] }))
    assert.deepStrictEqual(await mode(session, io, 'B')(), E.right({ code: 504, lines: ['MODE B not implemented'] }))
  })

  it('stru (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(await stru(session, io, 'F')(), E.right({ code: 200, lines: ['STRU set to F'] }))
  })

  it('allo (lib/ftp/commands/settings.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(
      await allo(session, io, '1024')(),
      E.right({ code: 202, lines: ['No storage allocation necessary'] })
    )
  })

  it('help (lib/ftp/commands/status.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const all = await help(session, undefined as never, '')()
    assert.ok(all._tag === 'Right' && all.right.code === 214 && all.right.lines.some((l) => l.includes('RETR')))
    const one = await help(session, undefined as never, 'stou')()
    assert.ok(one._tag === 'Right' && one.right.lines[0].startsWith('Syntax: STOU'))
  })

  it('stat (lib/ftp/commands/status.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const r = await stat(session, makeMemoryPathIO(), '')()
    assert.ok(r._tag === 'Right' && r.right.code === 211 && r.right.lines.includes(' Connected from ::1'))
  })

  it('transferStatus (lib/ftp/commands/status.ts)', async () => {
    const r = transferStatus({
      abort: () => undefined,
      verb: 'RETR',
      path: '/big.bin',
      direction: 'sending',
      startedAt: Date.now() - 1500,
      bytes: () => 4096
    })
    assert.strictEqual(r.code, 213)
    assert.ok(r.lines.includes(' RETR /big.bin: sending to the client'))
    assert.ok(r.lines.some((line) => /^ 4096 bytes so far, in 1\.\d s$/.test(line)))
  })

  it('site (lib/ftp/commands/status.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elrwM' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/x', Buffer.from('x'))()
    const r = await site(session, io, 'help')()
    assert.ok(r._tag === 'Right' && r.right.code === 214)
    const chmod = await site(session, io, 'CHMOD 600 x')()
    assert.ok(chmod._tag === 'Right' && chmod.right.code === 200)
    const st = await io.stat('/x')()
    assert.ok(E.isRight(st) && (st.right.mode & 0o777) === 0o600)
    const other = await site(session, io, 'EXEC ls')()
    assert.ok(other._tag === 'Right' && other.right.code === 501)
  })

  it('retr (lib/ftp/commands/transfers.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('hello'))()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    const [done, received] = await Promise.all([retr(session, io, 'a.txt')(), text(data)])
    assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.strictEqual(received, 'hello')
  })

  it('stor (lib/ftp/commands/transfers.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('old'))()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    data.end('new')
    assert.deepStrictEqual(await stor(session, io, 'a.txt')(), E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.deepStrictEqual(pipe(await readFile(io, '/a.txt')(), E.map(String)), E.right('new'))
  })

  it('stou (lib/ftp/commands/transfers.ts)', async () => {
    const sent: Array<string> = []
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: (r) => void sent.push(r.lines[0]),
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    data.end('unique')
    const done = await stou(session, io, 'report')()
    assert.ok(E.isRight(done) && /^Transfer complete; stored as report\.[0-9a-f]{8}$/.test(done.right.lines[0]))
    const name = sent[0].replace('FILE: ', '')
    assert.deepStrictEqual(pipe(await readFile(io, `/${name}`)(), E.map(String)), E.right('unique'))
  })

  it('appe (lib/ftp/commands/transfers.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await writeFile(io, '/a.txt', Buffer.from('one '))()
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    data.end('two')
    assert.deepStrictEqual(await appe(session, io, 'a.txt')(), E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.deepStrictEqual(pipe(await readFile(io, '/a.txt')(), E.map(String)), E.right('one two'))
  })

  it('rest (lib/ftp/commands/transfers.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    assert.deepStrictEqual(
      await rest(session, io, '1024')(),
      E.right({ code: 350, lines: ['Restarting at 1024. Send STOR or RETR'] })
    )
    assert.strictEqual(session.restOffset, 1024) // where the next RETR or STOR starts
  })

  it('abor (lib/ftp/commands/transfers.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    await epsv(session, io, '')()
    assert.deepStrictEqual(await abor(session, io, '')(), E.right({ code: 226, lines: ['ABOR command successful'] }))
    assert.strictEqual(session.dataChannel, undefined) // the unused data connection is closed
  })

  it('peerFinished (lib/ftp/dataConnection.ts)', async () => {
    const server = net.createServer({ allowHalfOpen: true })
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
    const accepted = new Promise<net.Socket>((done) => server.once('connection', done))
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
    const socket = await accepted
    const finished = peerFinished(socket)
    socket.resume()
    client.end('the whole file')
    const verdict = await finished.then(
      () => 'finished',
      () => 'reset'
    )
    socket.destroy()
    server.close()
    assert.strictEqual(verdict, 'finished')
  })

  it('openPassiveListener (lib/ftp/dataConnection.ts)', async () => {
    const passive = await openPassiveListener('127.0.0.1', { peer: '127.0.0.1', timeoutMs: 5000 })
    const client = net.connect(passive.port, '127.0.0.1')
    const socket = await passive.accept(5000)
    assert.ok(socket !== undefined)
    socket.destroy()
    client.destroy()
    passive.close()
  })

  it('makePortBudget (lib/ftp/dataConnection.ts)', async () => {
    const budget = makePortBudget({ min: 50000, max: 50003 })
    const first = budget.take('10.0.0.1')
    const second = budget.take('10.0.0.1')
    assert.ok(first !== undefined && second !== undefined)
    assert.strictEqual(budget.take('::ffff:10.0.0.1'), undefined) // half the range is taken
    assert.ok(budget.take('10.0.0.2') !== undefined) // another address still gets one
    first()
    assert.ok(budget.take('10.0.0.1') !== undefined)
  })

  it('activeChannel (lib/ftp/dataConnection.ts)', async () => {
    // The client's listener, where PORT told the server to connect.
    const listener = net.createServer((socket) => socket.end('hi'))
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done))
    const channel = activeChannel('127.0.0.1', (listener.address() as net.AddressInfo).port, '127.0.0.1')
    const socket = await channel.accept(5000)
    assert.ok(socket !== undefined)
    assert.strictEqual(await text(socket), 'hi')
    listener.close()
  })

  it('dispatch (lib/ftp/dispatch.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    const run = dispatch(COMMANDS)
    const before = await run(session, makeMemoryPathIO(), { verb: 'PWD', arg: '' })()
    assert.deepStrictEqual(before, { _tag: 'Right', right: { code: 530, lines: ['Please login with USER and PASS'] } })
  })

  it('makeLineReader (lib/ftp/lineReader.ts)', async () => {
    const seen: Array<string> = []
    const reader = makeLineReader(4094, (e) => {
      if (e._tag === 'Line') seen.push(e.bytes.toString())
    })
    reader.push(Buffer.from('USER anonymous\r\nPA'))
    reader.push(Buffer.from('SS x\r\n'))
    assert.deepStrictEqual(seen, ['USER anonymous', 'PASS x'])
  })

  it('stripTelnet (lib/ftp/lineReader.ts)', async () => {
    assert.strictEqual(stripTelnet(Buffer.from([0xff, 0xf4, 0xff, 0xf2, 65])).toString(), 'A')
  })

  it('parseCommandLine (lib/ftp/lineReader.ts)', async () => {
    assert.deepStrictEqual(parseCommandLine(Buffer.from('cwd my dir')), E.right({ verb: 'CWD', arg: 'my dir' }))
    assert.ok(E.isLeft(parseCommandLine(Buffer.from([0x52, 0x45, 0x54, 0x52, 0x20, 0xc3]))))
  })

  it('isListable (lib/ftp/listingLines.ts)', async () => {
    assert.ok(isListable('report.pdf'))
    assert.ok(!isListable('evil\r\n-rw-r--r-- 1 ftp ftp 9 Jan 01 00:00 injected'))
    assert.ok(!isListable('.fp-pathio-upload-0123456789abcdef.part'))
  })

  it('ftpTime (lib/ftp/listingLines.ts)', async () => {
    assert.strictEqual(ftpTime(Date.UTC(2024, 0, 2, 3, 4, 5)), '20240102030405')
  })

  it('parseFtpTime (lib/ftp/listingLines.ts)', async () => {
    assert.strictEqual(parseFtpTime('20240102030405'), Date.UTC(2024, 0, 2, 3, 4, 5))
    assert.strictEqual(parseFtpTime('20240102030405.25'), Date.UTC(2024, 0, 2, 3, 4, 5, 250))
    assert.strictEqual(parseFtpTime('20241302030405'), undefined) // month 13
    assert.strictEqual(parseFtpTime('2024010203'), undefined)
  })

  it('listLine (lib/ftp/listingLines.ts)', async () => {
    const t = Date.UTC(2024, 4, 6, 7, 8)
    const line = listLine('a.txt', { size: 3, mtimeMs: t, ctimeMs: t, nlink: 1, mode: S_IFREG | 0o644 }, t)
    assert.strictEqual(line, '-rw-r--r-- 1 ftp ftp 3 May 06 07:08 a.txt')
  })

  it('MLST_FACTS (lib/ftp/listingLines.ts)', async () => {
    assert.deepStrictEqual(MLST_FACTS, ['type', 'size', 'modify', 'perm', 'unix.mode'])
  })

  it('parseMlstOptions (lib/ftp/listingLines.ts)', async () => {
    assert.deepStrictEqual(parseMlstOptions('Size;fish;TYPE;'), ['type', 'size'])
    assert.deepStrictEqual(parseMlstOptions(''), [])
    assert.strictEqual(parseMlstOptions('type'), undefined)
    assert.strictEqual(parseMlstOptions('type ;'), undefined)
  })

  it('mlsxFacts (lib/ftp/listingLines.ts)', async () => {
    const stat = { size: 0, mtimeMs: 0, ctimeMs: 0, nlink: 2, mode: S_IFDIR | 0o755 }
    assert.strictEqual(mlsxFacts(stat), 'type=dir;size=0;modify=19700101000000;perm=cdeflmp;unix.mode=0755;')
    assert.strictEqual(mlsxFacts(stat, ['type', 'unix.mode']), 'type=dir;unix.mode=0755;')
  })

  it('mlsdLine (lib/ftp/listingLines.ts)', async () => {
    const stat = { size: 3, mtimeMs: 0, ctimeMs: 0, nlink: 1, mode: S_IFREG | 0o644 }
    assert.ok(mlsdLine('a b.txt', stat).endsWith('; a b.txt'))
    assert.strictEqual(mlsdLine('a b.txt', stat, []), ' a b.txt')
  })

  it('mlstFeature (lib/ftp/listingLines.ts)', async () => {
    assert.strictEqual(mlstFeature(['type', 'size']), ' MLST type*;size*;modify;perm;unix.mode;')
  })

  it('parsePortRange (lib/ftp/options.ts)', async () => {
    assert.deepStrictEqual(parsePortRange('50000-50010'), E.right({ min: 50000, max: 50010 }))
    assert.ok(E.isLeft(parsePortRange('9-1')))
  })

  it('formatReply (lib/ftp/replies.ts)', async () => {
    assert.strictEqual(formatReply(reply(211, 'Features:', ' SIZE', 'End')), '211-Features:\r\n SIZE\r\n211 End\r\n')
  })

  it('REPLY_CODE_BY_REASON (lib/ftp/replies.ts)', async () => {
    assert.strictEqual(REPLY_CODE_BY_REASON.Timeout, 451)
  })

  it('replyCodeFor (lib/ftp/replies.ts)', async () => {
    assert.strictEqual(replyCodeFor('NotEmpty'), 550)
    assert.strictEqual(replyCodeFor('NoSpace'), 452)
  })

  it('quotePath (lib/ftp/replies.ts)', async () => {
    assert.strictEqual(quotePath('/a"b'), '"/a""b"')
  })

  it('may (lib/ftp/session.ts)', async () => {
    const s = makeSession({
      id: 1,
      remoteAddress: '::1',
      localAddress: '::1',
      send: () => undefined,
      config: sessionConfig({ commands: COMMANDS })
    })
    s.account = { name: 'bob', home: '/', perm: 'elr', paths: { '/secret': 'r' } }
    assert.ok(may(s, 'e', '/pub') && !may(s, 'e', '/secret/x'))
  })

  it('virtualPath (lib/ftp/session.ts)', async () => {
    assert.strictEqual(virtualPath('/pub', '../../etc/passwd'), '/etc/passwd')
  })

  it('TLS_MIN_VERSION (lib/ftp/tls.ts)', async () => {
    assert.strictEqual(TLS_MIN_VERSION, 'TLSv1.2')
  })

  it('TLS12_CIPHERS (lib/ftp/tls.ts)', async () => {
    assert.ok(TLS12_CIPHERS.split(':').every((suite) => suite.startsWith('ECDHE-')))
  })

  it('tlsContextOptions (lib/ftp/tls.ts)', async () => {
    const options = tlsContextOptions({ cert: 'c', key: 'k' })
    assert.strictEqual(options.minVersion, 'TLSv1.2')
    assert.strictEqual(options.honorCipherOrder, true)
  })

  it('makeTlsContexts (lib/ftp/tls.ts)', async () => {
    assert.throws(() => makeTlsContexts({ cert: 'not a certificate', key: 'nor a key' }), TypeError)
  })

  it('makeTlsSessions (lib/ftp/tls.ts)', async () => {
    const sessions = makeTlsSessions()
    sessions.control.emit('newSession', Buffer.from('id'), Buffer.from('session'), () => undefined)
    let resumed: unknown
    sessions.data.emit('resumeSession', Buffer.from('id'), (_error: unknown, session: unknown) => (resumed = session))
    assert.deepStrictEqual(resumed, Buffer.from('session'))
    sessions.data.emit(
      'resumeSession',
      Buffer.from('other'),
      (_error: unknown, session: unknown) => (resumed = session)
    )
    assert.strictEqual(resumed, null)
  })

  it('endedCleanly (lib/ftp/tls.ts)', async () => {
    assert.strictEqual(endedCleanly(new net.Socket()), undefined) // plain: `peerFinished` asks the kernel instead
  })

  it('secureServerSocket (lib/ftp/tls.ts)', async () => {
    const server = net.createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const accepted = new Promise<net.Socket>((done) => server.once('connection', done))
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
    client.on('error', () => undefined)
    client.write('USER not-a-tls-hello\r\n') // a client that never starts TLS
    const secure = await secureServerSocket(await accepted, tls.createSecureContext(), { timeoutMs: 5000 })
    assert.strictEqual(secure, undefined)
    client.destroy()
    server.close()
  })

  it('outcomeReply (lib/ftp/dataTransfer.ts)', async () => {
    assert.strictEqual(outcomeReply({ _tag: 'Aborted' }).code, 426)
  })

  it('settle (lib/ftp/dataTransfer.ts)', async () => {
    let later = false
    setImmediate(() => (later = true))
    await settle(0)
    assert.ok(later)
  })

  it('commitWait (lib/ftp/dataTransfer.ts)', async () => {
    assert.strictEqual(commitWait(20, 0.2, 1024), 0.2)
    assert.strictEqual(commitWait(20, 3, 1024 * 1024), 20)
  })

  it('secureDataConnection (lib/ftp/dataTransfer.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} })
    }) // a server without TLS
    const socket = new net.Socket()
    assert.strictEqual(await secureDataConnection(session, socket), undefined)
    assert.ok(socket.destroyed)
  })

  it('runTransfer (lib/ftp/dataTransfer.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    const hello = (socket: net.Socket) => new Promise<void>((done) => socket.end('hello', done))
    assert.deepStrictEqual(await runTransfer(session, reply(150, 'Here it comes'), hello), { _tag: 'NoConnection' })
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    const [outcome, received] = await Promise.all([
      runTransfer(session, reply(150, 'Here it comes'), hello),
      text(data)
    ])
    assert.deepStrictEqual(outcome, { _tag: 'Done' })
    assert.strictEqual(received, 'hello')
  })

  it('dropPassive (lib/ftp/dataTransfer.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    await epsv(session, makeMemoryPathIO(), '')()
    assert.ok(session.dataChannel !== undefined)
    dropPassive(session)
    assert.strictEqual(session.dataChannel, undefined)
  })

  it('startTransfer (lib/ftp/dataTransfer.ts)', async () => {
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {} }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    const io = makeMemoryPathIO()
    const send = (words: string) => (socket: net.Socket) => new Promise<void>((done) => socket.end(words, done))
    const hello = () => startTransfer(session, 'x', TE.right('hello'), () => reply(150, 'Here it comes'), send)
    assert.deepStrictEqual(await hello()(), E.right({ code: 425, lines: ['Use PORT, EPRT, PASV or EPSV first'] }))
    await epsv(session, io, '')()
    const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
    const [done, received] = await Promise.all([hello()(), text(data)])
    assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
    assert.strictEqual(received, 'hello')
  })
})
