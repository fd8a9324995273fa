/**
 * A real S3 server for the tests: s3rver in a child process on a free
 * 127.0.0.1 port, storing in a fresh temporary directory, stopped and
 * removed after. Clients made here talk to it as the SDK talks to any
 * S3-compatible store.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createInterface } from 'node:readline'
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'

// The pinned SDK warns once per process that its releases after January 2027 need Node 22:
// known (docs/s3.md), and noise in every test run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

/** s3rver accepts any credentials that sign consistently; these are its documented defaults. */
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const
export const REGION = 'us-east-1'

export interface S3Server {
  readonly endpoint: string
  /** A new client for this server (path-style, checksums only where S3 requires them); destroyed by `stop`. */
  readonly client: (config?: Partial<S3ClientConfig>) => S3Client
  readonly stop: () => Promise<void>
}

/** Starts s3rver with `buckets` made (names of 3+ characters); `stop` ends it and removes its directory. */
export const startS3Server = async (buckets: ReadonlyArray<string>): Promise<S3Server> => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-s3rver-'))
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', path.join(__dirname, 's3rverProcess.js'), directory, ...buckets],
    { stdio: ['pipe', 'pipe', 'inherit'] }
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)))
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port)
    )
  })
  const endpoint = `http://127.0.0.1:${port}`
  const clients: Array<S3Client> = []
  return {
    endpoint,
    client: (config = {}) => {
      const client = new S3Client({
        endpoint,
        region: REGION,
        credentials: CREDENTIALS,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        ...config
      })
      clients.push(client)
      return client
    },
    stop: async () => {
      for (const client of clients) client.destroy()
      child.kill('SIGTERM')
      await exited
      fs.rmSync(directory, { recursive: true, force: true })
    }
  }
}
