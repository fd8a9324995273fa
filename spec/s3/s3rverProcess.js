// Runs s3rver in a process of its own: node --openssl-legacy-provider s3rverProcess.js DIR BUCKET...
// (s3rver signs listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy
// provider), and on a loop of its own, so a busy test or benchmark never slows the server.
// Prints {"port":N} once listening on a free 127.0.0.1 port; stops on SIGTERM or when stdin closes.
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { pipeline, Readable, Transform } = require('node:stream')
const S3rver = require('s3rver')
const FilesystemStore = require('s3rver/lib/stores/filesystem')

// s3rver 3.7.1's putObject answers before its file is written (it resolves on
// the hashing stream's end, or at once for a Buffer, not when the file is
// closed), so a GET right after a PUT can read the object empty or cut short
// on a busy machine. The same work, answering once the file is on disk:
FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object')
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true })
  const md5 = crypto.createHash('md5')
  let size = 0
  const counted = new Transform({
    transform(chunk, encoding, callback) {
      md5.update(chunk)
      size += chunk.length
      callback(null, chunk)
    }
  })
  const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content
  await new Promise((resolve, reject) =>
    pipeline(source, counted, fs.createWriteStream(objectPath), (error) => (error ? reject(error) : resolve()))
  )
  const digest = md5.digest('hex')
  await this.putMetadata(object.bucket, object.key, object.metadata, digest)
  return { size, md5: digest }
}

const [directory, ...buckets] = process.argv.slice(2)
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name }))
})
// s3rver lets some disk errors escape (ENAMETOOLONG on a long key): the request fails, the server stays up.
process.on('uncaughtException', (error) => process.stderr.write(`s3rver: ${error.message}\n`))
const stop = () => server.close().then(() => process.exit(0), () => process.exit(1))
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
server.run().then(
  ({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (error) => {
    process.stderr.write(`s3rver: ${error.message}\n`)
    process.exit(1)
  }
)
