/**
 * FTPS refuses TLS older than 1.2 by its own `minVersion`, not only by
 * OpenSSL's defaults: the options themselves, then real TLS 1.1 handshakes
 * (Node's client and `openssl s_client`) against every place the server
 * speaks TLS (the implicit listener, AUTH TLS on a control connection, the
 * data-connection context).
 *
 * OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level already
 * (their handshake signatures use SHA-1), so a server with `minVersion:
 * 'TLSv1'` would still refuse them, for another reason. Here the security
 * level is lowered to 0 on both sides (`tls.DEFAULT_CIPHERS` while the server
 * makes its contexts, `ciphers` on the client): a control server with
 * `minVersion: 'TLSv1'` then accepts the TLS 1.1 client, so the refusals
 * below ("protocol version", alert 70) are the server's `minVersion` at work.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { constants } from 'node:crypto'
import * as fs from 'node:fs'
import * as net from 'node:net'
// The module object itself (a namespace import's properties are read-only copies): DEFAULT_CIPHERS is set below.
import tls from 'node:tls'
import { makeTlsContexts, secureServerSocket, tlsContextOptions } from '../../lib/ftp/tls'
import { makeCertificates, type Certificates } from './certificates'
import { rawConnect, startServer, type Running } from './harness'

/** Lets OpenSSL use what TLS 1.0 and 1.1 need (SHA-1 signatures). */
const SECURITY_LEVEL_0 = 'DEFAULT:@SECLEVEL=0'

type Version = 'TLSv1.1' | 'TLSv1.2'

/** What a handshake of `version` gave: the protocol agreed, or the client's error code. */
type Outcome = { readonly protocol: string | null } | { readonly error: string }

/** A TLS client of exactly `version` (security level 0), verifying the server against the spec's CA. */
const handshake = (
  version: Version,
  ca: string,
  connect: { port: number } | { socket: net.Socket }
): Promise<Outcome> =>
  new Promise((resolve) => {
    const client = tls.connect({
      ...('port' in connect ? { host: '127.0.0.1', port: connect.port } : { socket: connect.socket }),
      ca,
      servername: 'localhost',
      minVersion: version,
      maxVersion: version,
      ciphers: SECURITY_LEVEL_0
    })
    client.once('secureConnect', () => {
      const protocol = client.getProtocol()
      client.destroy()
      resolve({ protocol })
    })
    client.once('error', (error: NodeJS.ErrnoException) => {
      client.destroy()
      resolve({ error: error.code ?? error.message })
    })
  })

/** The refusal of a server whose minVersion is above the client's version (alert 70, protocol_version). */
const REFUSED = { error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }

/** `openssl s_client -tls1_1` at security level 0: its exit status and what it printed. */
const sClientTls11 = (port: number, caFile: string): Promise<{ status: number; out: string }> =>
  new Promise((resolve) =>
    execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_1',
        '-cipher',
        SECURITY_LEVEL_0,
        '-CAfile',
        caFile,
        '-servername',
        'localhost'
      ],
      { timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: stdout + stderr })
    ).stdin?.end()
  )

describe('FTPS: the minimum TLS version', function () {
  this.timeout(60_000)
  let certs: Certificates
  /** The CA's certificate (PEM): the clients verify the server against it. */
  let ca: string
  let defaultCiphers: string

  before(() => {
    certs = makeCertificates()
    ca = fs.readFileSync(certs.caFile, 'utf8')
    defaultCiphers = tls.DEFAULT_CIPHERS
  })
  after(() => {
    tls.DEFAULT_CIPHERS = defaultCiphers
    certs.remove()
  })

  it('the options say TLSv1.2: the implicit listener, and both contexts (control: 1.2 or 1.3; data: exactly 1.2)', () => {
    expect(tlsContextOptions({ cert: certs.cert, key: certs.key })).to.include({ minVersion: 'TLSv1.2' })
    const contexts = makeTlsContexts({ cert: certs.cert, key: certs.key })
    // Node's SecureContext has no public getter; its native handle answers what OpenSSL was set to.
    const versions = (context: tls.SecureContext): readonly [number, number] => {
      const native = (context as unknown as { context: { getMinProto?: () => number; getMaxProto?: () => number } })
        .context
      expect(typeof native.getMinProto, 'getMinProto on the native SecureContext').to.equal('function')
      return [native.getMinProto?.() ?? -1, native.getMaxProto?.() ?? -1]
    }
    const { TLS1_2_VERSION, TLS1_3_VERSION } = constants as unknown as Record<string, number>
    expect(versions(contexts.control), 'control').to.deep.equal([TLS1_2_VERSION, TLS1_3_VERSION])
    expect(versions(contexts.data), 'data').to.deep.equal([TLS1_2_VERSION, TLS1_2_VERSION])
  })

  describe('a TLS 1.1 client, with OpenSSL willing to speak TLS 1.1 on both sides', () => {
    let running: Running

    before(async () => {
      // The server makes its contexts (makeFtpServer) and its implicit listener (listenTls) with this default.
      tls.DEFAULT_CIPHERS = SECURITY_LEVEL_0
      running = await startServer('memory', { tls: { cert: certs.cert, key: certs.key }, implicitTls: true })
    })
    after(async () => {
      tls.DEFAULT_CIPHERS = defaultCiphers
      await running?.stop()
    })

    it('would be served by a server whose minVersion is TLSv1 (so what refuses it below is the option)', async () => {
      const lax = tls.createServer({ cert: certs.cert, key: certs.key, minVersion: 'TLSv1' }, (socket) => socket.end())
      await new Promise<void>((listening) => lax.listen(0, '127.0.0.1', listening))
      try {
        const port = (lax.address() as net.AddressInfo).port
        expect(await handshake('TLSv1.1', ca, { port })).to.deep.equal({ protocol: 'TLSv1.1' })
        const openssl = await sClientTls11(port, certs.caFile)
        expect(openssl.out, openssl.out).to.match(/Protocol\s*: TLSv1\.1/)
        expect(openssl.out).to.match(/Cipher is (?!\(NONE\))/)
      } finally {
        lax.close()
      }
    })

    it('is refused by the implicit-FTPS listener (protocol version), where TLS 1.2 is served', async () => {
      const port = running.tlsPort as number
      expect(await handshake('TLSv1.1', ca, { port })).to.deep.equal(REFUSED)
      expect(await handshake('TLSv1.2', ca, { port })).to.deep.equal({ protocol: 'TLSv1.2' })
      const openssl = await sClientTls11(port, certs.caFile)
      expect(openssl.status, openssl.out).to.not.equal(0)
      expect(openssl.out).to.match(/alert protocol version/)
    })

    it('is refused after AUTH TLS on a control connection, where TLS 1.2 is served', async () => {
      for (const [version, expected] of [
        ['TLSv1.1', REFUSED],
        ['TLSv1.2', { protocol: 'TLSv1.2' }]
      ] as const) {
        const raw = await rawConnect(running.port)
        expect(await raw.reply()).to.match(/^220 /)
        raw.send('AUTH TLS\r\n')
        expect(await raw.reply()).to.match(/^234 /)
        raw.socket.removeAllListeners('data')
        expect(await handshake(version, ca, { socket: raw.socket }), version).to.deep.equal(expected)
        raw.socket.destroy()
      }
    })

    it("is refused by the data connections' context, where TLS 1.2 is served", async () => {
      const { data } = makeTlsContexts({ cert: certs.cert, key: certs.key })
      const server = net.createServer()
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
      const port = (server.address() as net.AddressInfo).port
      try {
        for (const [version, expected, serverSide] of [
          ['TLSv1.1', REFUSED, false],
          ['TLSv1.2', { protocol: 'TLSv1.2' }, true]
        ] as const) {
          const accepted = new Promise<net.Socket>((done) => server.once('connection', done))
          const client = handshake(version, ca, { port })
          const secured = secureServerSocket(await accepted, data, { timeoutMs: 10_000 })
          expect(await client, version).to.deep.equal(expected)
          const socket = await secured
          expect(socket !== undefined, `${version}: the server's side`).to.equal(serverSide)
          socket?.destroy()
        }
      } finally {
        server.close()
      }
    })
  })
})
