/**
 * Directory listings over the data connection: LIST and MLSD (one `scan`
 * per listing, not one call per file) and NLST (one `list`).
 *
 * @since 0.1.0
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { PathIO, Stat } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import { pathOf, type Handler } from '../handler'
import { listLine, mlsdLine } from '../listing'
import { reply } from '../replies'
import type { Move } from '../transfer'
import { startTransfer } from '../transfer'

const LINES_PER_CHUNK = 1024

function* chunksOf(lines: ReadonlyArray<string>): Generator<string> {
  for (let i = 0; i < lines.length; i += LINES_PER_CHUNK)
    yield lines.slice(i, i + LINES_PER_CHUNK).join('\r\n') + '\r\n'
}

/** Writes the lines, CRLF after each, with the socket's backpressure. */
const sendLines =
  (lines: ReadonlyArray<string>): Move =>
  (socket) =>
    pipeline(Readable.from(chunksOf(lines)), socket)

interface Named {
  readonly name: string
  readonly stat: Stat
}

const byName = (a: Named, b: Named): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** `LIST -la dir` is `LIST dir`: clients pass `ls` options, which are dropped. */
const withoutOptions = (arg: string): string => arg.replace(/^(?:-[A-Za-z]+(?:\s+|$))+/, '')

/** A directory's entries, or a file as its own one-line listing (as `ls -l file` does). */
const entriesOf = (pathio: PathIO<unknown>, path: string, shown: string): TE.TaskEither<PathIOError, ReadonlyArray<Named>> =>
  pipe(
    pathio.scan(path),
    TE.map((entries): ReadonlyArray<Named> => [...entries].sort(byName)),
    TE.orElse((error) =>
      error.reason === 'NotADirectory'
        ? pipe(
            pathio.stat(path),
            TE.map((stat) => [{ name: shown === '' ? posix.basename(path) : shown, stat }])
          )
        : TE.left(error)
    )
  )

const opening = (what: string) => reply(150, `Here comes the ${what}`)

/**
 * LIST: `ls -l` lines of a directory (or of one file) over the data
 * connection; 550 for a missing path, before any data connection is used.
 *
 * @example
 * import { makeSession, epsv, list, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as net from 'node:net'
 * import { text } from 'node:stream/consumers'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await io.mkdir('/pub')()
 * await writeFile(io, '/pub/a.txt', Buffer.from('hello'))()
 * await epsv(session, io, '')()
 * const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
 * const [done, received] = await Promise.all([list(session, io, '-la /pub')(), text(data)])
 * assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.match(received, /^-rw-r--r-- 1 ftp ftp 5 .* a\.txt\r\n$/)
 *
 * @category handlers
 * @since 0.1.0
 */
export const list: Handler = (session, pathio, arg) => {
  const shown = withoutOptions(arg)
  const now = Date.now()
  return startTransfer(
    session,
    shown,
    entriesOf(pathio, pathOf(session, shown), shown),
    () => opening('directory listing'),
    (entries) => sendLines(entries.map(({ name, stat }) => listLine(name, stat, now)))
  )
}

/**
 * MLSD (RFC 3659): the facts of every entry of a directory over the data
 * connection; a file or a missing path is 550.
 *
 * @example
 * import { makeSession, epsv, mlsd, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as net from 'node:net'
 * import { text } from 'node:stream/consumers'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await io.mkdir('/pub')()
 * await writeFile(io, '/pub/a.txt', Buffer.from('hello'))()
 * await epsv(session, io, '')()
 * const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
 * const [done, received] = await Promise.all([mlsd(session, io, 'pub')(), text(data)])
 * assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.match(received, /^type=file;size=5;.*; a\.txt\r\n$/)
 *
 * @category handlers
 * @since 0.1.0
 */
export const mlsd: Handler = (session, pathio, arg) =>
  startTransfer(
    session,
    arg,
    pipe(
      pathio.scan(pathOf(session, arg)),
      TE.map((entries) => [...entries].sort(byName))
    ),
    () => opening('machine-readable listing'),
    (entries) => sendLines(entries.map(({ name, stat }) => mlsdLine(name, stat)))
  )

/**
 * NLST: the names in a directory, one per line (prefixed with the argument
 * when there is one, as `ls dir` shells do).
 *
 * @example
 * import { makeSession, epsv, nlst, sessionConfig } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO, writeFile } from 'fp-pathio'
 * import * as E from 'fp-ts/Either'
 * import * as net from 'node:net'
 * import { text } from 'node:stream/consumers'
 * const session = makeSession({ id: 1, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', send: () => undefined,
 *   config: sessionConfig({ commands: {} }), account: { name: 'alice', home: '/', perm: 'elradfmw' } })
 * const io = makeMemoryPathIO()
 * await io.mkdir('/pub')()
 * await writeFile(io, '/pub/a.txt', Buffer.from('hello'))()
 * await epsv(session, io, '')()
 * const data = net.connect(session.dataChannel?.port ?? 0, '127.0.0.1') // the client's data connection
 * const [done, received] = await Promise.all([nlst(session, io, 'pub')(), text(data)])
 * assert.deepStrictEqual(done, E.right({ code: 226, lines: ['Transfer complete'] }))
 * assert.strictEqual(received, 'pub/a.txt\r\n')
 *
 * @category handlers
 * @since 0.1.0
 */
export const nlst: Handler = (session, pathio, arg) => {
  const shown = withoutOptions(arg)
  const prefix = shown === '' ? '' : shown.replace(/\/+$/, '') + '/'
  return startTransfer(
    session,
    shown,
    pathio.list(pathOf(session, shown)),
    () => opening('name list'),
    (paths) => sendLines(paths.map((path) => prefix + posix.basename(path)).sort())
  )
}
