/**
 * A certificate authority and a server certificate for 127.0.0.1, ::1 and
 * localhost, made with `openssl` for the TLS specs: clients verify the
 * server against the CA, as they would in a real deployment.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export interface Certificates {
  readonly dir: string
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
  readonly cert: string
  readonly key: string
  /** A second CA that signed nothing here: a client trusting only it must refuse the server. */
  readonly otherCaFile: string
  readonly remove: () => void
}

const openssl = (cwd: string, args: ReadonlyArray<string>): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

export const makeCertificates = (): Certificates => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-tls-'))
  const days = ['-days', '2']
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    ...days,
    '-subj',
    '/CN=fp-pathio test CA'
  ])
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'other.key',
    '-out',
    'other.pem',
    ...days,
    '-subj',
    '/CN=someone else'
  ])
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost'
  ])
  fs.writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n'
  )
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    ...days,
    '-extfile',
    'ext.cnf'
  ])
  const file = (name: string): string => path.join(dir, name)
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    cert: fs.readFileSync(file('server.pem'), 'utf8'),
    key: fs.readFileSync(file('server.key'), 'utf8'),
    otherCaFile: file('other.pem'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true })
  }
}
