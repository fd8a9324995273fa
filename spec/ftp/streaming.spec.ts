/**
 * LIST, NLST and MLSD stream page by page: the first line leaves before the
 * directory has been read to its end, the whole listing is what `list` gives,
 * and a client that drops the connection, or sends ABOR, stops the listing
 * and leaves no directory open. The backend under the server counts its
 * listing calls and answers each page a little late, as a slow disk would.
 */
import { expect } from 'chai'
import * as net from 'node:net'
import * as E from 'fp-ts/Either'
import {
  makeMemoryPathIO,
  makeMemoryTree,
  makePoolPathIO,
  wrapOperations,
  writeFile,
  type PathIO,
  type PathIOFactory
} from '../../lib'
import { LISTING_PAGE } from '../../lib/ftp/commands/listings'
import { eventually, rawConnect, startServer, USER, type Raw, type Running } from './harness'

interface Counts {
  opened: number
  closed: number
  pages: number
}

/** Counts the listings the server opens and closes and the pages it reads; each page answers `pageDelayMs` late. */
const counted =
  (counts: Counts, pageDelayMs: number) =>
  <S>(inner: PathIO<S>): PathIO<S> =>
    wrapOperations((op, args, next) => {
      if (op === 'opendir')
        return async () => {
          const opened = await next(...args)()
          if (E.isRight(opened)) counts.opened++
          return opened
        }
      if (op === 'closedir') counts.closed++
      if (op === 'readdir')
        return async () => {
          counts.pages++
          await new Promise((resolve) => setTimeout(resolve, pageDelayMs))
          return next(...args)()
        }
      return next(...args)
    })(inner)

const ENTRIES = 10 * LISTING_PAGE
const PAGES = ENTRIES / LISTING_PAGE + 1 // the last, empty page says the end

const login = async (port: number): Promise<Raw> => {
  const raw = await rawConnect(port)
  expect(await raw.reply()).to.match(/^220/)
  raw.send(`USER ${USER.name}\r\nPASS ${USER.password}\r\n`)
  expect(await raw.reply()).to.match(/^331/)
  expect(await raw.reply()).to.match(/^230/)
  return raw
}

/** EPSV, then `command`; resolves with the data socket once the 150 came. */
const startListing = async (raw: Raw, command: string): Promise<net.Socket> => {
  raw.send('EPSV\r\n')
  const epsv = (await raw.reply()) ?? ''
  const port = Number(/\(\|\|\|(\d+)\|\)/.exec(epsv)?.[1])
  const data = net.connect(port, '127.0.0.1')
  data.on('error', () => undefined)
  await new Promise((resolve) => data.once('connect', resolve))
  raw.send(`${command}\r\n`)
  expect(await raw.reply()).to.match(/^150/)
  return data
}

/** Everything the data connection brings, and how many pages the server had read when its first bytes came. */
const received = (
  data: net.Socket,
  counts: Counts
): Promise<{ readonly text: string; readonly pagesAtFirstBytes: number }> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let pagesAtFirstBytes = -1
    data.on('data', (chunk: Buffer) => {
      if (chunks.length === 0) pagesAtFirstBytes = counts.pages
      chunks.push(chunk)
    })
    data.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), pagesAtFirstBytes }))
  })

for (const backend of ['memory', 'pool'] as const) {
  describe(`FTP listings stream page by page (${backend})`, function () {
    this.timeout(120_000)
    let running: Running
    const counts: Counts = { opened: 0, closed: 0, pages: 0 }
    const base: PathIOFactory<unknown> =
      backend === 'memory'
        ? (makeMemoryPathIO as PathIOFactory<unknown>)
        : (((context) => makePoolPathIO({ ...(context as object), size: 2 })) as PathIOFactory<unknown>)
    const tree = makeMemoryTree()

    before(async () => {
      running = await startServer(backend, {
        factory: (context) => counted(counts, 50)(base(backend === 'memory' ? { ...context, state: tree } : context))
      })
      const io = running.inspect
      expect(E.isRight(await io.mkdir('/big')())).to.equal(true)
      // Many entries, made quickly: names are what a listing reads, content does not matter.
      for (let i = 0; i < ENTRIES; i += 500)
        await Promise.all(
          Array.from({ length: Math.min(500, ENTRIES - i) }, (_, j) =>
            writeFile(io, `/big/f${String(i + j).padStart(6, '0')}`, new Uint8Array(0))()
          )
        )
    })
    after(async () => running.stop())
    beforeEach(() => {
      counts.opened = counts.closed = counts.pages = 0
    })

    it('the first line leaves before the directory is read to its end, and the whole listing is what list gives', async () => {
      const raw = await login(running.port)
      const data = await startListing(raw, 'NLST /big')
      const { text, pagesAtFirstBytes } = await received(data, counts)
      expect(await raw.reply()).to.match(/^226/)
      expect(pagesAtFirstBytes, 'pages read when the first bytes arrived').to.be.lessThan(PAGES / 2)
      expect(counts.pages).to.equal(PAGES)
      const names = text.split('\r\n').filter((line) => line !== '')
      const listed = await running.inspect.list('/big')()
      expect(E.isRight(listed)).to.equal(true)
      expect(names.length, 'every entry exactly once').to.equal(ENTRIES)
      expect([...names].sort()).to.deep.equal(E.isRight(listed) ? [...listed.right].sort() : [])
      expect(counts.closed).to.be.greaterThanOrEqual(counts.opened)
      raw.socket.destroy()
    })

    it('a client that drops the connection in the middle stops the listing and leaves no directory open', async () => {
      const raw = await login(running.port)
      const data = await startListing(raw, 'LIST /big')
      await new Promise((resolve) => data.once('data', resolve))
      data.destroy()
      raw.socket.destroy()
      expect(
        await eventually(() => counts.opened > 0 && counts.closed >= counts.opened, 10_000),
        JSON.stringify(counts)
      ).to.equal(true)
      const pagesWhenClosed = counts.pages
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(counts.pages, 'no page is read after the listing closed').to.equal(pagesWhenClosed)
      expect(counts.pages, 'the listing stopped before its end').to.be.lessThan(PAGES)
    })

    it('ABOR stops a listing: 426 then 226, and the directory is closed', async () => {
      const raw = await login(running.port)
      const data = await startListing(raw, 'MLSD /big')
      await new Promise((resolve) => data.once('data', resolve))
      data.pause() // a client that has stopped reading: the server is held by backpressure, not by the end of the listing
      raw.send('ABOR\r\n')
      expect(await raw.reply()).to.match(/^426/)
      expect(await raw.reply()).to.match(/^226/)
      expect(
        await eventually(() => counts.opened > 0 && counts.closed >= counts.opened, 10_000),
        JSON.stringify(counts)
      ).to.equal(true)
      expect(counts.pages).to.be.lessThan(PAGES)
      data.destroy()
      raw.socket.destroy()
    })
  })
}
