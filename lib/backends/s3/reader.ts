/**
 * An `rb` handle: ranged GETs of `partSize` bytes, the next one fetched
 * while the current one is consumed (read-ahead), so sequential reads wait
 * for the network at most once and `seek` (FTP REST) costs one request.
 * `open` is one HEAD (whether the object exists, its size and ETag); every
 * GET asks `If-Match` that ETag, so a reader never mixes two versions of an
 * object. (Not a GET at `open`: a ranged GET of an empty object fails on some
 * stores, and an open that is never read would fetch a part for nothing.)
 */
import { pathIOError } from '../../PathIOError'
import type { OpenObject } from './handles'
import { getRange, type ObjectInfo } from './requests'
import type { S3State } from './state'

interface Chunk {
  readonly start: number
  readonly bytes: Uint8Array
}

export interface S3Reader extends OpenObject {
  readonly mode: 'rb'
  readonly size: number
  readonly etag: string | undefined
  position: number
  current: Chunk
  /** The next chunk on its way, if any. */
  ahead: { readonly start: number; readonly chunk: Promise<Chunk> } | undefined
}

const covers = (chunk: Chunk, at: number): boolean => at >= chunk.start && at < chunk.start + chunk.bytes.length

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
  current: { start: 0, bytes: new Uint8Array(0) },
  ahead: undefined
})

const fetchChunk = async (state: S3State, file: S3Reader, start: number, length: number): Promise<Chunk> => {
  const end = Math.min(file.size, start + length) - 1
  const got = await getRange(state, file.key, start, end, file.etag)
  // A store that ignores If-Match (s3rver) still tells the ETag it served.
  if (file.etag !== undefined && got.etag !== undefined && got.etag !== file.etag)
    throw pathIOError('Busy', 'read', { path: file.path, detail: 'the object was replaced while it was read' })
  return { start, bytes: got.bytes }
}

/** Starts fetching the chunk after the current one, unless it is the end. */
const readAhead = (state: S3State, file: S3Reader, partSize: number): void => {
  const next = file.current.start + file.current.bytes.length
  if (next >= file.size || file.current.bytes.length === 0) return
  const chunk = fetchChunk(state, file, next, partSize)
  chunk.catch(() => undefined) // a read-ahead nobody asks for must not be an unhandled rejection
  file.ahead = { start: next, chunk }
}

/** The chunk holding byte `at`: the current one, the one read ahead, or a new GET of at least `wanted` bytes. */
const chunkAt = async (state: S3State, file: S3Reader, at: number, wanted: number, partSize: number): Promise<Chunk> => {
  if (covers(file.current, at)) return file.current
  const ahead = file.ahead
  file.ahead = undefined
  file.current =
    ahead !== undefined && ahead.start === at ? await ahead.chunk : await fetchChunk(state, file, at, Math.max(wanted, partSize))
  readAhead(state, file, partSize)
  return file.current
}

/** Reads up to `size` bytes (to the end when `undefined`) from the position; never more than the object holds. */
export const readBytes = async (
  state: S3State,
  file: S3Reader,
  size: number | undefined,
  partSize: number
): Promise<Uint8Array> => {
  const left = Math.max(0, file.size - file.position)
  const want = size === undefined ? left : Math.min(size, left)
  if (want === 0) return new Uint8Array(0)
  const start = file.position
  // The usual case, a block inside the current chunk: one copy, no request.
  if (covers(file.current, start) && start + want <= file.current.start + file.current.bytes.length) {
    const from = start - file.current.start
    file.position += want
    if (file.ahead === undefined) readAhead(state, file, partSize)
    return file.current.bytes.slice(from, from + want)
  }
  const out = new Uint8Array(want)
  let filled = 0
  while (filled < want) {
    const at = start + filled
    const chunk = await chunkAt(state, file, at, want - filled, partSize)
    const from = at - chunk.start
    const take = Math.min(want - filled, chunk.bytes.length - from)
    if (take <= 0) break // the object shrank under us: give what there is
    out.set(chunk.bytes.subarray(from, from + take), filled)
    filled += take
  }
  file.position = start + filled
  return filled === want ? out : out.slice(0, filled)
}
