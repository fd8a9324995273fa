/**
 * The SFTP server bench/sftp.ts measures, a process of its own: the node
 * backend over ROOT, one user (`bench`, every letter, home `/`) whose key is
 * the line in KEY_LINE, on 127.0.0.1 and a free port, which it prints as
 * `{"port": N}`; at SIGUSR2 it prints its memory. With SSH2_BINDING=off, `ssh2`'s optional native crypto
 * binding is hidden, as for a user whose npm did not run its install script.
 */
import Module from 'node:module'

if (process.env.SSH2_BINDING === 'off') {
  const load = (Module as unknown as { _load: (request: string, ...rest: Array<unknown>) => unknown })._load
  ;(Module as unknown as { _load: (request: string, ...rest: Array<unknown>) => unknown })._load = (
    request,
    ...rest
  ) => {
    if (request.endsWith('sshcrypto.node')) throw new Error('the binding is hidden for this run')
    return load(request, ...rest)
  }
}

const main = async (): Promise<void> => {
  const { makeNodePathIO } = await import('../lib')
  const { hashPassword, makeServerCore } = await import('../lib/server')
  const { makeSftpFront } = await import('../lib/sftp')
  const core = makeServerCore('bench', {
    factory: makeNodePathIO,
    root: process.env.ROOT ?? '/nonexistent',
    anonymous: 'off',
    maxLoginFailuresPerIp: 0,
    users: {
      bench: { password: hashPassword('unused'), home: '/', perm: 'elradfmwMT', keys: [process.env.KEY_LINE ?? ''] }
    }
  })
  const server = makeSftpFront(core, {})
  const { port } = await server.listen(0, '127.0.0.1')
  process.stdout.write(JSON.stringify({ port }) + '\n')
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)))
  // SIGUSR2: what the process holds now, after a full collection (node --expose-gc), as one line.
  process.on('SIGUSR2', () => {
    ;(globalThis as { gc?: () => void }).gc?.()
    const { rss, heapUsed, external } = process.memoryUsage()
    process.stdout.write(JSON.stringify({ rss, heapUsed, external }) + '\n')
  })
}

void main()
