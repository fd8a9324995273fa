/**
 * Directory listings over the data connection: LIST and MLSD (one `scan`
 * per listing, not one call per file) and NLST (one `list`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Entry, PathIO, Stat } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import { pathOf, type Handler } from '../handler'
import { isListable, listLine, mlsdLine } from '../listing'
import { reply } from '../replies'
import type { Session } from '../session'
import type { Move } from '../transfer'
import { startTransfer } from '../transfer'
import { removeStaleUploads } from '../uploads'

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

/**
 * What a listing shows of a directory's children (`paths`, or entries with
 * their `path`): the listable ones, after the stale upload temporaries among
 * them have been removed (listing a directory is when left-overs are swept).
 */
const shown =
  <A>(session: Session, pathio: PathIO<unknown>, pathOfChild: (child: A) => string) =>
  (children: ReadonlyArray<A>): TE.TaskEither<never, ReadonlyArray<A>> =>
  async () => {
    await removeStaleUploads(pathio, children.map(pathOfChild), session.config.dataTimeout)
    return E.right(children.filter((child) => isListable(posix.basename(pathOfChild(child)))))
  }

/** A directory's listable entries, sorted by name. */
const scanned = (session: Session, pathio: PathIO<unknown>, path: string): TE.TaskEither<PathIOError, ReadonlyArray<Entry>> =>
  pipe(
    pathio.scan(path),
    TE.chainW(shown(session, pathio, (entry: Entry) => entry.path)),
    TE.map((entries) => [...entries].sort(byName))
  )

/** `LIST -la dir` is `LIST dir`: clients pass `ls` options, which are dropped. */
const withoutOptions = (arg: string): string => arg.replace(/^(?:-[A-Za-z]+(?:\s+|$))+/, '')

/** A directory's entries, or a file as its own one-line listing (as `ls -l file` does). */
const entriesOf = (
  session: Session,
  pathio: PathIO<unknown>,
  path: string,
  arg: string
): TE.TaskEither<PathIOError, ReadonlyArray<Named>> =>
  pipe(
    scanned(session, pathio, path),
    TE.map((entries): ReadonlyArray<Named> => entries),
    TE.orElse((error) =>
      error.reason === 'NotADirectory'
        ? pipe(
            pathio.stat(path),
            TE.map((stat) => [{ name: arg === '' ? posix.basename(path) : arg, stat }])
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
  const target = withoutOptions(arg)
  const now = Date.now()
  return startTransfer(
    session,
    target,
    entriesOf(session, pathio, pathOf(session, target), target),
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
    scanned(session, pathio, pathOf(session, arg)),
    () => opening('machine-readable listing'),
    (entries) => sendLines(entries.map(({ name, stat }) => mlsdLine(name, stat)))
  )

/**
 * NLST: the names in a directory, one per line; with an argument, each is
 * the argument joined with the name, normalised (`NLST /..` gives `/x`,
 * `NLST pub/` gives `pub/x`), so that a client can use every line as a path.
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
  const target = withoutOptions(arg)
  const named = (path: string): string => (target === '' ? posix.basename(path) : posix.join(target, posix.basename(path)))
  return startTransfer(
    session,
    target,
    pipe(pathio.list(pathOf(session, target)), TE.chainW(shown(session, pathio, (path: string) => path))),
    () => opening('name list'),
    (paths) => sendLines(paths.map(named).sort())
  )
}
