/**
 * The end of an upload, decided deterministically: a data socket whose end
 * looks clean but which the kernel says was reset (its zero-byte write fails
 * with ECONNRESET) must give 426 and leave the old file (issue 28 item 7).
 * On this machine a reset has never been reported as a clean end by Node,
 * so the real-client tests of safety.spec.ts pass whether or not that check
 * runs; this one forces the kernel's verdict on a real loopback socket.
 */
import { expect } from 'chai'
import * as net from 'node:net'
import * as E from 'fp-ts/Either'
import { makeMemoryPathIO, readFile, withAtomicWrites, writeFile } from '../../lib'
import { makeSession, sessionConfig } from '../../lib/ftp'
import { stor } from '../../lib/ftp/commands/transfers'

/** A real loopback connection: the server's side (half-open, as a passive listener's) and the client's. */
const socketPair = async (): Promise<{
  readonly server: net.Socket
  readonly client: net.Socket
  readonly close: () => void
}> => {
  const listener = net.createServer({ allowHalfOpen: true })
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done))
  const accepted = new Promise<net.Socket>((done) => listener.once('connection', done))
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1')
  const server = await accepted
  return { server, client, close: () => (server.destroy(), client.destroy(), listener.close()) }
}

/** The server side answers a zero-byte write as the kernel does on a reset connection. */
const resetUnderneath = (socket: net.Socket): void => {
  const write = socket.write.bind(socket) as (...args: Array<unknown>) => boolean
  socket.write = ((chunk: Uint8Array, ...rest: Array<unknown>) => {
    if (chunk.length > 0) return write(chunk, ...rest)
    const callback = rest.find((arg) => typeof arg === 'function') as ((error?: Error) => void) | undefined
    process.nextTick(() => callback?.(Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' })))
    return true
  }) as typeof socket.write
}

const storeOver = async (
  reset: boolean
): Promise<{ readonly code: number; readonly content: string; readonly names: ReadonlyArray<string> }> => {
  const inner = makeMemoryPathIO()
  const io = withAtomicWrites()(inner)
  await writeFile(io, '/a.txt', Buffer.from('old'))()
  const pair = await socketPair()
  try {
    if (reset) resetUnderneath(pair.server)
    const session = makeSession({
      id: 1,
      remoteAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      send: () => undefined,
      config: sessionConfig({ commands: {}, commitDelay: 0 }),
      account: { name: 'alice', home: '/', perm: 'elradfmw' }
    })
    session.dataChannel = { accept: async () => pair.server, close: () => undefined }
    pair.client.end('new, but cut short')
    const answer = await stor(session, io, 'a.txt')()
    const content = await readFile(io, '/a.txt')()
    const names = await inner.list('/')()
    return {
      code: E.isRight(answer) ? answer.right.code : 0,
      content: E.isRight(content) ? Buffer.from(content.right).toString() : '',
      names: E.isRight(names) ? names.right : []
    }
  } finally {
    pair.close()
  }
}

describe('FTP uploads: the end of the data connection', () => {
  it('a clean end (the client finished sending) commits: 226 and the new content', async () => {
    expect(await storeOver(false)).to.deep.equal({ code: 226, content: 'new, but cut short', names: ['/a.txt'] })
  })

  it('an end that the kernel says was a reset: 426, the old file as it was, no temporary left', async () => {
    expect(await storeOver(true)).to.deep.equal({ code: 426, content: 'old', names: ['/a.txt'] })
  })
})
