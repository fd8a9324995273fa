/**
 * `fp-pathio/s3`: the S3 backend, `makeS3PathIO`, a `PathIO` over any
 * S3-compatible object store (AWS S3, MinIO, Ceph RGW, Cloudflare R2).
 * Several servers on several machines share one bucket and see each other's
 * files at once. Loaded only by those who import it, so the core
 * (`fp-pathio`) needs nothing but fp-ts and io-ts; this entry needs the
 * optional peer dependency `@aws-sdk/client-s3`. Its operations live beside
 * this module: `paths`, `files`, `listings`.
 *
 * @since 0.1.0
 */
import { makeCapabilities, type Capabilities } from '../../Capabilities'
import type { PathIO } from '../../PathIO'
import { applyContext, checkContext } from '../../internal/context'
import { makePathIO } from '../makePathIO'
import { s3Files } from './files'
import { s3Listings } from './listings'
import { checkS3Options, type S3Options } from './options'
import { s3Paths } from './paths'
import type { S3State } from './state'

export { DEFAULT_PART_SIZE, MIN_PART_SIZE, type S3Options } from './options'
export { isS3State, type S3State } from './state'
export { reasonOfS3Error } from './errors'

/**
 * What an object store cannot do (docs/s3.md): change an object in place (no
 * `ab`, `r+b`, seeking a `wb` handle), show an upload before it is whole,
 * keep directory times or a removed object open, rename at once (a copy then
 * a delete), set a time or a mode, or truncate an upload. Keys are no links,
 * so a jail is its paths alone.
 */
const s3Capabilities = (longNames: boolean): Capabilities =>
  makeCapabilities({
    append: false,
    update: false,
    seekWrite: false,
    visibleWhileWriting: false,
    directoryTimes: false,
    openAfterRemoval: false,
    atomicRename: false,
    symlinks: false,
    modes: false,
    times: false,
    truncate: false,
    longNames
  })

/**
 * A `PathIO` over an S3 bucket: `/a/b` is the key `prefix + 'a/b'`, a
 * directory is a zero-byte marker `a/` or any key under `a/`. `wb` streams a
 * multipart upload that appears whole at `close`; `rb` reads with one
 * streaming GET, and a new ranged one after a `seek`. What an object store
 * cannot do (`ab`, `r+b`, seeking a `wb` handle) is `Unsupported`, and its
 * `capabilities` say so; `rename` is copy then delete, not atomic
 * (docs/s3.md). Its `state` (the client, the bucket, the open handles) is
 * shared by `withSharedState`. Bad options are a `TypeError` at once.
 *
 * @example
 * import { makeS3PathIO } from 'fp-pathio/s3'
 * import * as os from 'node:os'
 * import * as fs from 'node:fs'
 * import * as path from 'node:path'
 * const S3rver = require('s3rver')
 * const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3-example-'))
 * const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'files' }] })
 * const { port } = await server.run()
 * const io = makeS3PathIO({
 *   endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, bucket: 'files',
 *   credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
 * })
 * assert.deepStrictEqual(await io.mkdir('/pub')(), { _tag: 'Right', right: undefined })
 * const h = await io.open('/pub/a.txt', 'wb')()
 * assert.ok(h._tag === 'Right')
 * await io.write(h.right, Buffer.from('hello'))()
 * await io.close(h.right)()
 * assert.deepStrictEqual(await io.list('/pub')(), { _tag: 'Right', right: ['/pub/a.txt'] })
 * assert.deepStrictEqual(await io.realpath('/pub/../pub/a.txt')(), { _tag: 'Right', right: '/pub/a.txt' }) // keys are no links
 * assert.strictEqual(io.capabilities.append, false)
 * await io.state.close()
 * await server.close()
 * fs.rmSync(directory, { recursive: true, force: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeS3PathIO = (options?: S3Options): PathIO<S3State> => {
  const context = checkContext<S3State>(options, 'makeS3PathIO')
  const settings = checkS3Options(options ?? {})
  const pathio = makePathIO({
    state: settings.state,
    capabilities: s3Capabilities(settings.longNames),
    // Keys are no links: `realpath` is derived, the path resolved against this cwd once `stat` finds it.
    cwd: settings.cwd,
    ...s3Paths(settings),
    ...s3Files(settings),
    ...s3Listings(settings)
  })
  return applyContext(pathio, context)
}
