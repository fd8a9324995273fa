// Runs s3rver in a process of its own: node --openssl-legacy-provider s3rverProcess.js DIR BUCKET...
// (s3rver signs listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy
// provider), and on a loop of its own, so a busy test or benchmark never slows the server.
// Prints {"port":N} once listening on a free 127.0.0.1 port; stops on SIGTERM or when stdin closes.
'use strict'
const S3rver = require('s3rver')

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
