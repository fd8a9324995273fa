/**
 * A `wb` handle: bytes gather in a buffer of `partSize`; each full buffer
 * goes up as one part of a multipart upload (two parts in flight at most,
 * while the next one fills), and `close` completes the upload, so the object
 * appears whole at once. A file smaller than one part is a single PutObject
 * at `close`. Nothing is visible before `close`: a failed or abandoned upload
 * leaves no object, even on a store without AbortMultipartUpload.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart
} from '@aws-sdk/client-s3'
import type { OpenObject } from './openObject'
import { putObject } from './requests'
import type { S3State } from './state'

/** Parts uploading at once per handle: the network stays busy while the next part fills. */
const PARTS_IN_FLIGHT = 2
/** The first buffer of a handle; it doubles up to `partSize`, so a small file costs little memory. */
const FIRST_BUFFER = 64 * 1024

export interface S3Writer extends OpenObject {
  readonly mode: 'wb'
  /** Bytes written so far: the position, and the size the object will have. */
  position: number
  buffer: Uint8Array
  filled: number
  uploadId: string | undefined
  readonly parts: Array<CompletedPart>
  readonly inFlight: Set<Promise<void>>
  /** The first failure of a part: every later write and the close give it. */
  failure: unknown
}

export const openWriter = (key: string, path: string): S3Writer => ({
  mode: 'wb',
  key,
  path,
  closed: false,
  queue: Promise.resolve(),
  position: 0,
  buffer: new Uint8Array(0),
  filled: 0,
  uploadId: undefined,
  parts: [],
  inFlight: new Set(),
  failure: undefined
})

const startUpload = async (state: S3State, file: S3Writer): Promise<string> => {
  if (file.uploadId !== undefined) return file.uploadId
  const made = await state.client.send(new CreateMultipartUploadCommand({ Bucket: state.bucket, Key: file.key }))
  if (made.UploadId === undefined) throw new Error('CreateMultipartUpload gave no UploadId')
  file.uploadId = made.UploadId
  return made.UploadId
}

/** Sends the buffer as the next part; waits while `PARTS_IN_FLIGHT` are on their way. */
const sendPart = async (state: S3State, file: S3Writer, partSize: number): Promise<void> => {
  const uploadId = await startUpload(state, file)
  const body = file.buffer.subarray(0, file.filled)
  const PartNumber = file.parts.length + 1
  const part: CompletedPart = { PartNumber }
  file.parts.push(part)
  file.buffer = uninitialised(partSize)
  file.filled = 0
  const sending = state.client
    .send(
      new UploadPartCommand({
        Bucket: state.bucket,
        Key: file.key,
        UploadId: uploadId,
        PartNumber,
        Body: body,
        ContentLength: body.length
      })
    )
    .then(
      (sent) => {
        part.ETag = sent.ETag
      },
      (error: unknown) => {
        file.failure ??= error
      }
    )
    .finally(() => file.inFlight.delete(sending))
  file.inFlight.add(sending)
  while (file.inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(file.inFlight)
}

/** Takes all of `data` (copied: the caller may reuse its buffer), sending full parts as they fill. */
export const writeBytes = async (
  state: S3State,
  file: S3Writer,
  data: Uint8Array,
  partSize: number
): Promise<number> => {
  if (file.failure !== undefined) throw file.failure
  let taken = 0
  while (taken < data.length) {
    if (file.filled === file.buffer.length) {
      if (file.filled === partSize) await sendPart(state, file, partSize)
      else
        grow(
          file,
          Math.min(partSize, Math.max(FIRST_BUFFER, file.buffer.length * 2, file.filled + data.length - taken))
        )
      if (file.failure !== undefined) throw file.failure
    }
    const take = Math.min(data.length - taken, file.buffer.length - file.filled)
    file.buffer.set(data.subarray(taken, taken + take), file.filled)
    file.filled += take
    taken += take
  }
  file.position += taken
  return taken
}

/** A buffer without the zero fill: only its first `filled` bytes are ever sent or copied. */
const uninitialised = (length: number): Uint8Array => Buffer.allocUnsafeSlow(length)

const grow = (file: S3Writer, length: number): void => {
  const bigger = uninitialised(length)
  bigger.set(file.buffer.subarray(0, file.filled))
  file.buffer = bigger
}

/** Drops an unfinished upload. Best effort: a store without AbortMultipartUpload keeps its parts, never an object. */
export const abandon = async (state: S3State, file: S3Writer): Promise<void> => {
  await Promise.allSettled(file.inFlight)
  file.buffer = new Uint8Array(0)
  if (file.uploadId === undefined) return
  await state.client
    .send(new AbortMultipartUploadCommand({ Bucket: state.bucket, Key: file.key, UploadId: file.uploadId }))
    .catch(() => undefined)
}

/** Makes the object appear: one PutObject, or the last part and CompleteMultipartUpload. On failure, abandons it. */
export const finish = async (state: S3State, file: S3Writer): Promise<void> => {
  try {
    if (file.failure !== undefined) throw file.failure
    if (file.uploadId === undefined) {
      await putObject(state, file.key, file.buffer.subarray(0, file.filled))
      file.buffer = new Uint8Array(0)
      return
    }
    if (file.filled > 0) await sendPart(state, file, 0)
    await Promise.all(file.inFlight)
    if (file.failure !== undefined) throw file.failure
    await state.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: state.bucket,
        Key: file.key,
        UploadId: file.uploadId,
        MultipartUpload: { Parts: file.parts }
      })
    )
  } catch (error) {
    await abandon(state, file)
    throw error
  }
}
