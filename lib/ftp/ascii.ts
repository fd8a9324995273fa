/**
 * TYPE A (RFC 959 §3.1.1.1): on the data connection an ASCII file's lines
 * end with CRLF; the server stores its own line ends, LF. Two `Transform`
 * stages of the data path convert, one per direction, whatever the chunks:
 * a CR at the end of one chunk and its LF at the start of the next are one
 * line end.
 *
 * @since 0.4.0
 */
import { Transform } from 'node:stream'

const CR = 0x0d
const LF = 0x0a

/**
 * RETR in ASCII mode: every LF that does not already follow a CR becomes
 * CRLF (a file stored with CRLF goes out unchanged, never as CR CR LF).
 *
 * @category constructors
 * @since 0.4.0
 */
export const toNetworkAscii = (): Transform => {
  // The last byte of the chunk before (none yet).
  let previous = -1
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const before = previous
      if (chunk.length > 0) previous = chunk[chunk.length - 1]
      const bareAt = (i: number): boolean => (i === 0 ? before : chunk[i - 1]) !== CR
      let bare = 0
      for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) if (bareAt(i)) bare++
      if (bare === 0) return callback(null, chunk)
      const out = Buffer.allocUnsafe(chunk.length + bare)
      let from = 0
      let to = 0
      for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
        if (!bareAt(i)) continue
        to += chunk.copy(out, to, from, i)
        out[to++] = CR
        from = i
      }
      to += chunk.copy(out, to, from)
      callback(null, out)
    }
  })
}

/**
 * STOR and APPE in ASCII mode: every CRLF becomes LF; a CR not followed by
 * LF stays. A CR that ends a chunk waits for the next chunk's first byte
 * (and goes out as it is when the upload ends there).
 *
 * @category constructors
 * @since 0.4.0
 */
export const fromNetworkAscii = (): Transform => {
  // A CR that ended the chunk before, not yet sent.
  let heldCr = false
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.length === 0) return callback()
      const input = heldCr ? Buffer.concat([Buffer.of(CR), chunk]) : chunk
      heldCr = input[input.length - 1] === CR
      const end = heldCr ? input.length - 1 : input.length
      const first = input.indexOf(CR)
      if (first === -1 || first >= end) return callback(null, end === input.length ? input : input.subarray(0, end))
      const out = Buffer.allocUnsafe(end)
      let to = 0
      let from = 0
      for (let i = first; i !== -1 && i < end; i = input.indexOf(CR, i + 1)) {
        if (input[i + 1] !== LF) continue
        to += input.copy(out, to, from, i)
        from = i + 1
      }
      to += input.copy(out, to, from, end)
      callback(null, out.subarray(0, to))
    },
    flush(callback) {
      callback(null, heldCr ? Buffer.of(CR) : null)
    }
  })
}
