/**
 * The S3 requests the backend makes, one function each, on the shared
 * state. They throw what the SDK throws; the operations turn that into a
 * `PathIOError` (see errors.ts).
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput
} from '@aws-sdk/client-s3'
import { Readable } from 'node:stream'
import { copySource, fitsKey } from './keys'
import { isMissing } from './errors'
import type { S3State } from './state'

/** What a HEAD, a GET or a listing tells of an object. */
export interface ObjectInfo {
  readonly size: number
  readonly mtimeMs: number
  readonly etag: string | undefined
}

/**
 * Times at the second: a HEAD's `Last-Modified` has no milliseconds while a
 * listing's has, and `stat` and `scan` must agree.
 */
export const toMtimeMs = (date: Date | undefined): number =>
  date === undefined ? 0 : Math.floor(date.getTime() / 1000) * 1000

/** The object at `key`, or `undefined` when there is none (one HEAD; none for a key too long to exist). */
export const headObject = async (state: S3State, key: string): Promise<ObjectInfo | undefined> => {
  if (key === '' || !fitsKey(key)) return undefined
  try {
    const head = await state.client.send(new HeadObjectCommand({ Bucket: state.bucket, Key: key }))
    return { size: head.ContentLength ?? 0, mtimeMs: toMtimeMs(head.LastModified), etag: head.ETag }
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
}

/** One page of a listing under `prefix`; with `delimiter`, what lies deeper comes as common prefixes. */
export const listPage = async (
  state: S3State,
  prefix: string,
  options: { readonly delimiter?: boolean; readonly max?: number; readonly token?: string } = {}
): Promise<ListObjectsV2CommandOutput> =>
  fitsKey(prefix)
    ? state.client.send(
        new ListObjectsV2Command({
          Bucket: state.bucket,
          Prefix: prefix,
          ...(options.delimiter === true ? { Delimiter: '/' } : {}),
          ...(options.max === undefined ? {} : { MaxKeys: options.max }),
          ...(options.token === undefined ? {} : { ContinuationToken: options.token })
        })
      )
    : ({ $metadata: {}, IsTruncated: false } as ListObjectsV2CommandOutput)

/** Whether any key lies under `prefix` (one request). */
export const anyUnder = async (state: S3State, prefix: string): Promise<boolean> =>
  ((await listPage(state, prefix, { max: 1 })).Contents?.length ?? 0) > 0

export const putObject = (state: S3State, key: string, body: Uint8Array): Promise<unknown> =>
  state.client.send(new PutObjectCommand({ Bucket: state.bucket, Key: key, Body: body, ContentLength: body.length }))

export const deleteObject = (state: S3State, key: string): Promise<unknown> =>
  state.client.send(new DeleteObjectCommand({ Bucket: state.bucket, Key: key }))

export const copyObject = (state: S3State, from: string, to: string): Promise<unknown> =>
  state.client.send(
    new CopyObjectCommand({ Bucket: state.bucket, Key: to, CopySource: copySource(state.bucket, from) })
  )

/** S3's largest DeleteObjects batch. */
const DELETE_BATCH = 1000

/** Deletes `keys`, a thousand per request; a key S3 could not delete fails the whole call. */
export const deleteObjects = async (state: S3State, keys: ReadonlyArray<string>): Promise<void> => {
  for (let at = 0; at < keys.length; at += DELETE_BATCH) {
    const batch = keys.slice(at, at + DELETE_BATCH)
    const out = await state.client.send(
      new DeleteObjectsCommand({
        Bucket: state.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true }
      })
    )
    const failed = out.Errors?.[0]
    if (failed !== undefined)
      throw Object.assign(new Error(failed.Message ?? 'delete failed'), { name: failed.Code, Code: failed.Code })
  }
}

/** Every key under `prefix`, page by page (a directory's whole subtree). */
export const keysUnder = async (state: S3State, prefix: string): Promise<ReadonlyArray<string>> => {
  const keys: Array<string> = []
  let token: string | undefined
  do {
    const page = await listPage(state, prefix, token === undefined ? {} : { token })
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key)
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return keys
}

/** A GET of the object from byte `start` to its end, as a stream, with the ETag it serves. */
export const getFrom = async (
  state: S3State,
  key: string,
  start: number,
  etag?: string
): Promise<{ readonly body: Readable; readonly etag: string | undefined }> => {
  const out = await state.client.send(
    new GetObjectCommand({
      Bucket: state.bucket,
      Key: key,
      Range: `bytes=${start}-`,
      ...(etag === undefined ? {} : { IfMatch: etag })
    })
  )
  return { body: (out.Body as Readable | undefined) ?? Readable.from([]), etag: out.ETag }
}
