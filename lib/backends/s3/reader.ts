/**
 * An `rb` handle: one streaming GET from the position to the end, consumed
 * as `read` asks (TCP's flow control holds the rest back), so a sequential
 * read costs one request and moves at the speed of a plain GetObject. A
 * `seek` elsewhere (FTP REST) ends that GET and the next `read` starts a new
 * one there (`Range: bytes=N-`). A stream that breaks midway is reopened
 * once where it stopped.
 *
 * `open` is one HEAD (whether the object exists, its size and ETag); every
 * GET asks `If-Match` that ETag and is checked against it (s3rver ignores
 * If-Match), so a reader never mixes two versions of an object. (Not a GET
 * at `open`: a ranged GET of an empty object fails on some stores, and an
 * open that is never read would start a download for nothing.)
 */
import type { Readable } from 'node:stream'
import { pathIOError } from '../../PathIOError'
import { allocateFromSlab } from '../../internal/slab'
import type { OpenObject } from './openObject'
import { getFrom, type ObjectInfo } from './requests'
import type { S3State } from './state'

/** A GET under way: where its next byte is in the object, and what came but was not yet read. */
interface Download {
  readonly body: Readable
  readonly chunks: AsyncIterator<Uint8Array>
  at: number
  leftover: Uint8Array | undefined
}

export interface S3Reader extends OpenObject {
  readonly mode: 'rb'
  readonly size: number
  readonly etag: string | undefined
  position: number
  download: Download | undefined
}

/** A reader of an object a HEAD found: nothing is fetched before the first `read`. */
export const openReader = (key: string, path: string, info: ObjectInfo): S3Reader => ({
  mode: 'rb',
  key,
  path,
  closed: false,
  queue: Promise.resolve(),
  size: info.size,
  etag: info.etag,
  position: 0,
  download: undefined
})

/** Ends the GET under way, if any (its connection is not reused: the rest of the body is not wanted). */
export const stopDownload = (file: S3Reader): void => {
  file.download?.body.destroy()
  file.download = undefined
}

const startDownload = async (state: S3State, file: S3Reader): Promise<Download> => {
  stopDownload(file)
  const got = await getFrom(state, file.key, file.position, file.etag)
  if (file.etag !== undefined && got.etag !== undefined && got.etag !== file.etag) {
    got.body.destroy()
    throw pathIOError('Busy', 'read', { path: file.path, detail: 'the object was replaced while it was read' })
  }
  const download: Download = {
    body: got.body,
    chunks: got.body[Symbol.asyncIterator](),
    at: file.position,
    leftover: undefined
  }
  file.download = download
  return download
}

/** The next bytes of the download (what was left over first); `undefined` at its end. */
const nextChunk = async (download: Download): Promise<Uint8Array | undefined> => {
  if (download.leftover !== undefined) {
    const chunk = download.leftover
    download.leftover = undefined
    return chunk
  }
  const next = await download.chunks.next()
  return next.done === true ? undefined : next.value
}

/** Reads up to `size` bytes (to the end when `undefined`) from the position; never more than the object holds. */
export const readBytes = async (state: S3State, file: S3Reader, size: number | undefined): Promise<Uint8Array> => {
  const left = Math.max(0, file.size - file.position)
  const want = size === undefined ? left : Math.min(size, left)
  if (want === 0) return new Uint8Array(0)
  const out = allocateFromSlab(want) // filled whole below (or cut to what came)
  let filled = 0
  let retried = false
  while (filled < want) {
    const download =
      file.download !== undefined && file.download.at === file.position
        ? file.download
        : await startDownload(state, file)
    let chunk: Uint8Array | undefined
    try {
      chunk = await nextChunk(download)
    } catch (error) {
      // A connection that broke midway: once, start again where it stopped.
      stopDownload(file)
      if (retried) throw error
      retried = true
      continue
    }
    if (chunk === undefined) {
      stopDownload(file) // the object ended early (shrunk under us?): give what there is
      break
    }
    const take = Math.min(chunk.length, want - filled)
    out.set(chunk.subarray(0, take), filled)
    if (take < chunk.length) download.leftover = chunk.subarray(take)
    filled += take
    file.position += take
    download.at += take
  }
  return filled === want ? out : out.slice(0, filled)
}
