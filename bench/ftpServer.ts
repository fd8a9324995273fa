/**
 * `node -r ts-node/register bench/ftpServer.ts BACKEND ROOT CERT_FILE KEY_FILE`
 *
 * The server `bench/ftp.ts` measures, in a process of its own (as
 * pyftpdlib's is): anonymous may write, FTPS offered, on a free port of
 * 127.0.0.1, which it prints on standard output. The benchmark's own process
 * spawns the clients; spawning is synchronous in Node, so it must not share
 * the server's event loop or its CPU count.
 */
import * as fs from 'node:fs'
import { makeMemoryPathIO, makeNodePathIO, makePoolPathIO, type PathIOFactory } from '../lib'
import { makeFtpServer } from '../lib/ftp'

const factories: Readonly<Record<string, PathIOFactory<unknown>>> = {
  memory: makeMemoryPathIO as PathIOFactory<unknown>,
  node: makeNodePathIO as PathIOFactory<unknown>,
  pool: ((context) => makePoolPathIO({ ...(context as object) })) as PathIOFactory<unknown>
}

const [backend, root, certFile, keyFile] = process.argv.slice(2)
const server = makeFtpServer({
  factory: factories[backend],
  root,
  anonymous: 'write',
  tls: { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }
})
void server.listen(0, '127.0.0.1').then(({ port }) => console.log(port))
