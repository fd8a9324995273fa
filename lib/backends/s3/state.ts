/**
 * The state every record of one `withSharedState` factory shares: the S3
 * client, the bucket, and the table of open handles (so a handle opened by
 * one connection's record works on another's).
 */
import { S3Client } from '@aws-sdk/client-s3'
import { makeHandleTable, type HandleTable } from '../../internal/handleTable'
import type { S3File } from './openObject'
import type { S3Dir } from './pages'

/**
 * What `makeS3PathIO` records share: one client (one connection pool) and one
 * bucket per server.
 *
 * @category model
 * @since 0.1.0
 */
export interface S3State {
  readonly _tag: 'S3State'
  readonly client: S3Client
  readonly bucket: string
  /** @internal open handles, by identity */
  readonly handles: HandleTable<S3File>
  /** @internal directories being listed, by identity */
  readonly dirs: HandleTable<S3Dir>
  /**
   * Ends the client's connections when the backend made the client (a
   * client you passed stays yours); as the pool's `state.close`, a server
   * calls it when it stops.
   */
  readonly close: () => Promise<void>
}

const states = new WeakSet<object>()

export const makeS3State = (client: S3Client, bucket: string, ownsClient: boolean): S3State => {
  const state: S3State = Object.freeze({
    _tag: 'S3State',
    client,
    bucket,
    handles: makeHandleTable<S3File>('file handle'),
    dirs: makeHandleTable<S3Dir>('directory handle'),
    close: async () => {
      if (ownsClient) client.destroy()
    }
  })
  states.add(state)
  return state
}

/**
 * Whether a value is the state of a `makeS3PathIO` record (only a state the
 * factory made is one: an imitation has no handle table to trust).
 *
 * @example
 * import { isS3State, makeS3PathIO } from 'fp-pathio/s3'
 * const io = makeS3PathIO({ bucket: 'files', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' })
 * assert.ok(isS3State(io.state))
 * assert.ok(!isS3State({ _tag: 'S3State' }))
 * await io.state.close()
 *
 * @category refinements
 * @since 0.1.0
 */
export const isS3State = (u: unknown): u is S3State => typeof u === 'object' && u !== null && states.has(u)
