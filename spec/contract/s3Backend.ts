/**
 * The S3 backend as a contract fixture: one s3rver per run of the suite
 * (started by the first test, stopped in `after`), one bucket, and a fresh
 * key prefix per test. The records' root and cwd is `/jail` (made in each
 * fresh prefix), not `/`, so that `withRoot` over them is a real jail.
 */
import { makeS3PathIO } from '../../lib/backends/s3'
import { startS3Server, type S3Server } from '../s3/server'
import type { Backend } from './fixture'

export const CONTRACT_BUCKET = 'contract'
const ROOT = '/jail'

/**
 * s3rver stores each key as a file name plus a suffix of its own, so a name
 * of 255 bytes exceeds the disk's limit (AWS, MinIO and R2 take it): the
 * records say so with `longNames: false`. What an object store cannot do at
 * all, the backend's own capabilities say (docs/s3.md says why).
 */
const ON_S3RVER = { longNames: false } as const

export const makeS3Backend = (name = 's3'): Backend => {
  let server: Promise<S3Server> | undefined
  let test = 0
  return {
    name,
    disk: false,
    setup: async () => {
      const running = await (server ??= startS3Server([CONTRACT_BUCKET]))
      const client = running.client()
      const prefix = `${name}-${++test}/`
      const pathio = makeS3PathIO({ client, bucket: CONTRACT_BUCKET, prefix, cwd: ROOT, ...ON_S3RVER })
      const made = await pathio.mkdir(ROOT)()
      if (made._tag === 'Left') throw new Error(`fixture: ${made.left.message}`)
      return {
        pathio,
        root: ROOT,
        sibling: () => makeS3PathIO({ state: pathio.state, prefix, cwd: ROOT, ...ON_S3RVER }),
        // Another state (client and handle table) on the same bucket: its handles are foreign here.
        stranger: () =>
          makeS3PathIO({
            client: running.client(),
            bucket: CONTRACT_BUCKET,
            prefix: `${prefix}stranger/`,
            ...ON_S3RVER
          }),
        teardown: async () => undefined
      }
    },
    after: async () => {
      await (await server)?.stop()
      server = undefined
    }
  }
}

export const s3Backend: Backend = makeS3Backend()
