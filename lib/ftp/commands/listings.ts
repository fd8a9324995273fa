/**
 * Directory listings over the data connection: LIST, MLSD and NLST, streamed
 * page by page (`opendir`, then one `readdir` of `LISTING_PAGE` entries, with
 * their stats, per write): the first line leaves before the directory has been
 * read to its end, the server holds one page at a time, and an ABOR or a
 * closed connection stops the listing between pages and closes the directory.
 * Lines are sorted by name within each page (a directory of up to one page
 * comes out sorted); a larger one is in the backend's order across pages.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as posix from 'node:path/posix'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isFileStat, type DirHandle, type PathIO, type Stat } from '../../PathIO'
import type { PathIOError } from '../../PathIOError'
import { pathOf, type Handler } from '../handler'
import { isListable, listLine, mlsdLine } from '../listingLines'
import { reply, type Reply } from '../replies'
import { startTransfer, type Move } from '../dataTransfer'
import { withSignal } from '../../middleware/withSignal'

/**
 * Entries per page of a streamed listing: one `readdir`, one write to the
 * data connection. The server holds at most this many entries of a listing.
 *
 * @category constants
 * @since 0.2.0
 */
export const LISTING_PAGE = 1000

interface Named {
  readonly name: string
  readonly stat: Stat
}

const byName = (a: Named, b: Named): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** What a listing sends: an open directory, page by page, or one file listed as itself (`LIST file`, as `ls -l file`). */
type Listing =
  { readonly _tag: 'Directory'; readonly dir: DirHandle } | { readonly _tag: 'File'; readonly entry: Named }

/**
 * Opens the listing of `path`: its directory, or (when `fileAs` is given) a
 * file as its own one-line listing under that name. A missing path fails
 * here, before the data connection is used.
 */
const openListing = (pathio: PathIO<unknown>, path: string, fileAs?: string): TE.TaskEither<PathIOError, Listing> =>
  pipe(
    pathio.opendir(path),
    TE.map((dir): Listing => ({ _tag: 'Directory', dir })),
    TE.orElse((error) =>
      fileAs !== undefined && error.reason === 'NotADirectory'
        ? pipe(
            pathio.stat(path),
            TE.map((stat): Listing => ({ _tag: 'File', entry: { name: fileAs, stat } }))
          )
        : TE.left(error)
    )
  )

/** Closes the listing's directory, if it has one (closing twice is harmless). */
const closeListing =
  (pathio: PathIO<unknown>) =>
  async (_outcome: unknown, listing: Listing): Promise<void> => {
    if (listing._tag === 'Directory') await pathio.closedir(listing.dir)()
  }

/**
 * The listing's text, a page at a time: what the session may see of each
 * page (names with CR or LF left out; the session's record hides upload
 * temporaries and sweeps the stale ones), sorted by name, one line per entry. `readdir` runs
 * under the transfer's signal, so an ABOR or a closed connection answers at
 * once; the directory is closed however the loop ends.
 */
async function* pagesOf(
  pathio: PathIO<unknown>,
  listing: Listing,
  toLine: (entry: Named) => string,
  signal: AbortSignal
): AsyncGenerator<string> {
  if (listing._tag === 'File') {
    yield toLine(listing.entry) + '\r\n'
    return
  }
  const reading = withSignal(signal)(pathio)
  try {
    for (;;) {
      const page = await reading.readdir(listing.dir, LISTING_PAGE)()
      if (E.isLeft(page)) throw page.left
      if (page.right.length === 0) return
      const lines = page.right
        .filter((entry) => isListable(entry.name))
        .sort(byName)
        .map(toLine)
      if (lines.length > 0) yield lines.join('\r\n') + '\r\n'
    }
  } finally {
    await pathio.closedir(listing.dir)()
  }
}

/** Streams the listing over the data connection, with the socket's backpressure. */
const sendListing =
  (pathio: PathIO<unknown>, toLine: (entry: Named) => string) =>
  (listing: Listing): Move =>
  (socket, _wanted, signal, moved) => {
    const pages = Readable.from(pagesOf(pathio, listing, toLine, signal))
    pages.on('data', (page: string) => moved(Buffer.byteLength(page)))
    return pipeline(pages, socket)
  }

/** `LIST -la dir` is `LIST dir`: clients pass `ls` options, which are dropped. */
const withoutOptions = (arg: string): string => arg.replace(/^(?:-[A-Za-z]+(?:\s+|$))+/, '')

const opening = (what: string) => reply(150, `Here comes the ${what}`)

/**
 * LIST: `ls -l` lines of a directory (or of one file) over the data
 * connection; 550 for a missing path, before any data connection is used.
 *
 * @category handlers
 * @since 0.1.0
 */
export const list: Handler = (session, pathio, arg) => {
  const target = withoutOptions(arg)
  const now = Date.now()
  const path = pathOf(session, target)
  return startTransfer(
    session,
    target,
    openListing(pathio, path, target === '' ? posix.basename(path) : target),
    () => opening('directory listing'),
    sendListing(pathio, ({ name, stat }) => listLine(name, stat, now)),
    closeListing(pathio),
    { verb: 'LIST', direction: 'sending' }
  )
}

/**
 * MLSD (RFC 3659): the facts OPTS MLST selected (all by default) of every
 * entry of a directory over the data connection; a file is 501 (RFC 3659
 * §7.2.1: a path that exists but is not a directory), a missing path 550,
 * both before the data connection is used.
 *
 * @category handlers
 * @since 0.1.0
 */
export const mlsd: Handler = (session, pathio, arg) => {
  const path = pathOf(session, arg)
  const facts = session.mlstFacts
  return startTransfer(
    session,
    arg,
    pipe(
      openListing(pathio, path),
      TE.orElseW((error) =>
        error.reason !== 'NotADirectory'
          ? TE.left<PathIOError | Reply>(error)
          : pipe(
              pathio.stat(path),
              TE.matchE(
                () => TE.left(error),
                (stat) => TE.left(isFileStat(stat) ? reply(501, `${arg}: Not a directory`) : error)
              )
            )
      )
    ),
    () => opening('machine-readable listing'),
    sendListing(pathio, ({ name, stat }) => mlsdLine(name, stat, facts)),
    closeListing(pathio),
    { verb: 'MLSD', direction: 'sending' }
  )
}

/**
 * NLST: the names in a directory, one per line; with an argument, each is
 * the argument joined with the name, normalised (`NLST /..` gives `/x`,
 * `NLST pub/` gives `pub/x`), so that a client can use every line as a path.
 *
 * @category handlers
 * @since 0.1.0
 */
export const nlst: Handler = (session, pathio, arg) => {
  const target = withoutOptions(arg)
  const named = (name: string): string => (target === '' ? name : posix.join(target, name))
  return startTransfer(
    session,
    target,
    openListing(pathio, pathOf(session, target)),
    () => opening('name list'),
    sendListing(pathio, ({ name }) => named(name)),
    closeListing(pathio),
    { verb: 'NLST', direction: 'sending' }
  )
}
