/**
 * The FTP server's parts on their own: the reply-code function, the line
 * reader, the listing formats, and handlers called as plain functions of a
 * session and a `PathIO` record.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import { Reason, makeMemoryPathIO, pathIOError, S_IFDIR, S_IFREG, type PathIO } from '../../lib'
import { COMMANDS, sessionConfig, makeSession, replyForError, reply, type Reply, type Session } from '../../lib/ftp'
import { parseEprt, parsePort } from '../../lib/ftp/commands/active'
import { mkd } from '../../lib/ftp/commands/files'
import { pwd } from '../../lib/ftp/commands/navigation'
import { rest } from '../../lib/ftp/commands/transfers'
import { dispatch } from '../../lib/ftp/dispatch'
import { makeLineReader, parseCommandLine, stripTelnet, type LineEvent } from '../../lib/ftp/lineReader'
import { ftpTime, listLine, mlsxFacts } from '../../lib/ftp/listingLines'
import { formatReply, REPLY_CODE_BY_REASON, replyCodeFor } from '../../lib/ftp/replies'
import { hashPassword, makeAuthenticate } from '../../lib/server/accounts'

const newSession = (): Session =>
  makeSession({
    id: 1,
    remoteAddress: '127.0.0.1',
    localAddress: '127.0.0.1',
    send: () => undefined,
    config: sessionConfig({
      commands: COMMANDS,
      authenticate: makeAuthenticate([{ name: 'u', hash: hashPassword('p'), home: '/', perm: 'elradfmw' }], 'off'),
      dataTimeout: 1000,
      commitDelay: 0,
      loginFailureDelay: 0
    })
  })

const run = async (task: () => Promise<E.Either<never, Reply>>): Promise<Reply> => {
  const result = await task()
  if (E.isLeft(result)) throw new Error('a handler failed')
  return result.right
}

describe('FTP replies', () => {
  it('maps every reason to a reply code (a total function), as the table in README.md says', () => {
    const expected: Record<string, number> = {
      NotFound: 550,
      AlreadyExists: 550,
      NotADirectory: 550,
      IsADirectory: 550,
      NotEmpty: 550,
      PermissionDenied: 550,
      ReadOnly: 550,
      InvalidArgument: 553,
      NoSpace: 452,
      Busy: 450,
      Timeout: 451,
      BadHandle: 451,
      Unknown: 451,
      Unsupported: 504,
      Cancelled: 451
    }
    expect(Object.keys(REPLY_CODE_BY_REASON).sort()).to.deep.equal(Object.keys(Reason.keys).sort())
    for (const reason of Object.keys(Reason.keys) as ReadonlyArray<Reason>)
      expect(replyCodeFor(reason), reason).to.equal(expected[reason])
  })

  it('names the client path in an error reply, never a disk path', () => {
    const error = pathIOError('NotFound', 'open', { path: '/srv/ftp/root/a.txt' })
    expect(replyForError(error, 'a.txt')).to.deep.equal(reply(550, 'a.txt: No such file or directory'))
  })

  it('formats single and multi-line replies, and no file name can forge a reply line', () => {
    expect(formatReply(reply(200, 'ok'))).to.equal('200 ok\r\n')
    expect(formatReply(reply(211, 'Features:', ' SIZE', 'End'))).to.equal('211-Features:\r\n SIZE\r\n211 End\r\n')
    expect(formatReply(reply(250, 'x\r\n226 fake'))).to.equal('250 x  226 fake\r\n')
    expect(formatReply(reply(250, 'a', '226 fake', 'b'))).to.equal('250-a\r\n 226 fake\r\n250 b\r\n')
  })
})

describe('FTP control line reader', () => {
  const read = (chunks: ReadonlyArray<Buffer | string>, max = 10): Array<string> => {
    const seen: Array<string> = []
    const reader = makeLineReader(max, (event: LineEvent) =>
      seen.push(event._tag === 'Line' ? event.bytes.toString() : '<too long>')
    )
    for (const chunk of chunks) reader.push(Buffer.from(chunk))
    return seen
  }

  it('splits on CRLF, LF and a bare CR, across chunks, skipping empty lines', () => {
    expect(read(['NOOP\r', '\nPW', 'D\n\nABOR\rQUIT\r\n'])).to.deep.equal(['NOOP', 'PWD', 'ABOR', 'QUIT'])
  })

  it('reports a line over the limit once and drops it without buffering it', () => {
    expect(read(['0123456789', 'ABCDEF', 'GHIJ\r\nNOOP\r\n'])).to.deep.equal(['<too long>', 'NOOP'])
    expect(read(['0123456789\r\n'])).to.deep.equal(['0123456789'])
    expect(read(['0123456789A\r\n'])).to.deep.equal(['<too long>'])
  })

  it('removes Telnet commands and decodes strict UTF-8', () => {
    expect(
      stripTelnet(Buffer.from([0xff, 0xf4, 0xff, 0xf2, 0x41, 0xff, 0xff, 0xff, 0xfb, 0x01, 0x42])).toJSON().data
    ).to.deep.equal([0x41, 0xff, 0x42])
    expect(parseCommandLine(Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...Buffer.from('abor')]))).to.deep.equal(
      E.right({ verb: 'ABOR', arg: '' })
    )
    expect(parseCommandLine(Buffer.from('STOR  two  spaces '))).to.deep.equal(
      E.right({ verb: 'STOR', arg: ' two  spaces ' })
    )
    expect(parseCommandLine(Buffer.from([0x43, 0x57, 0x44, 0x20, 0xe9]))).to.deep.equal(
      E.left(reply(501, 'Command is not valid UTF-8'))
    )
    expect(E.isLeft(parseCommandLine(Buffer.from('TOOLONGVERB x')))).to.equal(true)
  })
})

describe('FTP listings', () => {
  const t = Date.UTC(2024, 4, 6, 7, 8, 9)
  const file = { size: 3, mtimeMs: t, ctimeMs: t, nlink: 1, mode: S_IFREG | 0o644 }
  const dir = { size: 4096, mtimeMs: t, ctimeMs: t, nlink: 3, mode: S_IFDIR | 0o755 }

  it('formats LIST lines as ls -l does, with the year for old dates', () => {
    expect(listLine('a.txt', file, t)).to.equal('-rw-r--r-- 1 ftp ftp 3 May 06 07:08 a.txt')
    expect(listLine('pub', dir, t + 365 * 24 * 3600 * 1000)).to.equal('drwxr-xr-x 3 ftp ftp 4096 May 06  2024 pub')
  })

  it('formats MLSx facts and MDTM times (RFC 3659, UTC)', () => {
    expect(ftpTime(t)).to.equal('20240506070809')
    expect(mlsxFacts(file)).to.equal('type=file;size=3;modify=20240506070809;perm=adfrw;unix.mode=0644;')
    expect(mlsxFacts(dir)).to.equal('type=dir;size=4096;modify=20240506070809;perm=cdeflmp;unix.mode=0755;')
  })
})

describe('FTP handlers are plain functions of a session and a PathIO record', () => {
  let pathio: PathIO<unknown>
  let session: Session
  const run1 = dispatch(COMMANDS)

  beforeEach(() => {
    pathio = makeMemoryPathIO() as PathIO<unknown>
    session = newSession()
  })

  it('runs a handler directly', async () => {
    session.cwd = '/'
    expect(await run(mkd(session, pathio, 'pub'))).to.deep.equal(reply(257, '"/pub" created'))
    expect((await run(mkd(session, pathio, 'pub'))).code).to.equal(550)
    expect(await run(pwd(session, pathio, ''))).to.deep.equal(reply(257, '"/" is the current directory'))
    expect((await run(rest(session, pathio, '-1'))).code).to.equal(501)
  })

  it('dispatches with the shared checks: 500 unknown, 530 before login, 501 without argument', async () => {
    expect((await run(run1(session, pathio, { verb: 'XYZZ', arg: 'x' }))).code).to.equal(500)
    expect((await run(run1(session, pathio, { verb: 'MKD', arg: 'x' }))).code).to.equal(530)
    expect((await run(run1(session, pathio, { verb: 'USER', arg: 'u' }))).code).to.equal(331)
    expect((await run(run1(session, pathio, { verb: 'PASS', arg: 'p' }))).code).to.equal(230)
    expect((await run(run1(session, pathio, { verb: 'MKD', arg: ' ' }))).code).to.equal(501)
    expect((await run(run1(session, pathio, { verb: 'MKD', arg: 'x' }))).code).to.equal(257)
  })

  it('forgets RNFR and REST when another command comes between', async () => {
    const step = (verb: string, arg = '') => run(run1(session, pathio, { verb, arg }))
    await step('USER', 'u')
    await step('PASS', 'p')
    await step('MKD', 'a')
    expect((await step('RNFR', 'a')).code).to.equal(350)
    expect((await step('PWD')).code).to.equal(257)
    expect((await step('RNTO', 'b')).code).to.equal(503)
    expect((await step('REST', '10')).code).to.equal(350)
    expect(session.restOffset).to.equal(10)
    await step('PWD')
    expect(session.restOffset).to.equal(0)
  })
})

describe('FTP active mode arguments (PORT, EPRT)', () => {
  const codeOf = (parsed: E.Either<Reply, unknown>): number => (E.isLeft(parsed) ? parsed.left.code : 200)

  it('EPRT: a port is 1 to 65535 (65536 and 99999 are 501), an address of the protocol named, protocol 1 or 2 (else 522)', () => {
    expect(parseEprt('|1|127.0.0.1|65535|')).to.deep.equal(E.right({ host: '127.0.0.1', port: 65535 }))
    expect(parseEprt('|2|::1|1|')).to.deep.equal(E.right({ host: '::1', port: 1 }))
    expect(parseEprt(' !1!10.0.0.1!2000! ')).to.deep.equal(E.right({ host: '10.0.0.1', port: 2000 }))
    for (const arg of [
      '|1|127.0.0.1|65536|',
      '|1|127.0.0.1|99999|',
      '|2|::1|65536|',
      '|2|::1|99999|',
      '|1|127.0.0.1|100000|',
      '|1|127.0.0.1|0|',
      '|1|127.0.0.1|-1|',
      '|1|127.0.0.1|1e3|',
      '|1|127.0.0.1| 2000|',
      '|1|::1|2000|',
      '|2|127.0.0.1|2000|',
      '|1|127.0.0.1|2000',
      '|1|127.0.0.1|2000|x|',
      ''
    ])
      expect(codeOf(parseEprt(arg)), JSON.stringify(arg)).to.equal(501)
    expect(codeOf(parseEprt('|3|x|2000|'))).to.equal(522)
  })

  it('PORT: six bytes, so the port is at most 65535 (255,255); a number past 255 is 501', () => {
    expect(parsePort('127,0,0,1,255,255')).to.deep.equal(E.right({ host: '127.0.0.1', port: 65535 }))
    for (const arg of [
      '127,0,0,1,256,0',
      '127,0,0,1,0,256',
      '127,0,0,256,4,1',
      '127,0,0,1,4',
      '127,0,0,1,4,1,1',
      '127,0,0,1,-4,1'
    ])
      expect(codeOf(parsePort(arg)), arg).to.equal(501)
  })
})
