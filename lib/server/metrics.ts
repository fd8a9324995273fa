/**
 * Prometheus metrics of a server: counters fed by its events (`onEvent`)
 * and by `withMetrics` (each file-system operation), and an HTTP endpoint,
 * `GET /metrics`, in Prometheus's text format. `prom-client` is loaded only
 * when `makeMetrics` is called (an optional peer of the package, as the S3
 * SDK is): importing `fp-pathio/server` does not load it, and the library
 * never does.
 *
 * @since 0.4.0
 */
import * as http from 'node:http'
import type * as net from 'node:net'
import type * as Prom from 'prom-client'
import type { OperationSample } from '../middleware/withMetrics'
import type { EventHandler } from './events'
import { silentLogger, type Logger } from './log'

/**
 * A server's metrics: feed `onEvent` the server's events and `operation`
 * the samples of `withMetrics`; `text` is what `GET /metrics` answers.
 *
 * @category model
 * @since 0.4.0
 */
export interface Metrics {
  readonly onEvent: EventHandler
  readonly operation: (sample: OperationSample) => void
  readonly text: () => Promise<string>
  readonly contentType: string
}

/** prom-client, or a one-line reason it cannot be had. */
const loadPromClient = (): typeof Prom => {
  try {
    return require('prom-client') as typeof Prom
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException
    throw new Error(
      code === 'MODULE_NOT_FOUND' ? 'metrics need prom-client: npm install prom-client' : (error as Error).message
    )
  }
}

/**
 * New metrics in a registry of their own, with Node's default process
 * metrics; throws (one line) when prom-client is not installed.
 *
 * @example
 * import { makeMetrics } from 'fp-pathio/server'
 * const metrics = makeMetrics()
 * metrics.onEvent({ _tag: 'Transfer', front: 'ftp', session: 1, address: '127.0.0.1', user: 'alice', direction: 'upload', path: '/a', bytes: 42, ms: 3, result: 'ok' })
 * metrics.operation({ op: 'open', ms: 2, outcome: 'ok' })
 * const text = await metrics.text()
 * assert.match(text, /^fp_pathio_transfer_bytes_total\{front="ftp",direction="upload"\} 42$/m)
 * assert.match(text, /^fp_pathio_operations_total\{operation="open",result="ok"\} 1$/m)
 *
 * @category constructors
 * @since 0.4.0
 */
export const makeMetrics = (): Metrics => {
  const prom = loadPromClient()
  const registers = [new prom.Registry()]
  const [registry] = registers
  prom.collectDefaultMetrics({ register: registry })
  const connections = new prom.Gauge({
    name: 'fp_pathio_connections',
    help: 'Connections open now, by front',
    labelNames: ['front'],
    registers
  })
  const logins = new prom.Counter({
    name: 'fp_pathio_logins_total',
    help: 'Logins, by front and result (ok, failed)',
    labelNames: ['front', 'result'],
    registers
  })
  const transfers = new prom.Counter({
    name: 'fp_pathio_transfers_total',
    help: 'File transfers, by front, direction (upload, download) and result (ok, aborted, failed)',
    labelNames: ['front', 'direction', 'result'],
    registers
  })
  const bytes = new prom.Counter({
    name: 'fp_pathio_transfer_bytes_total',
    help: 'Bytes of file transfers, by front and direction',
    labelNames: ['front', 'direction'],
    registers
  })
  const refused = new prom.Counter({
    name: 'fp_pathio_refused_total',
    help: 'Connections or commands refused, by front and reason',
    labelNames: ['front', 'reason'],
    registers
  })
  const operations = new prom.Counter({
    name: 'fp_pathio_operations_total',
    help: "File-system operations, by operation and result (ok, or the PathIOError's reason)",
    labelNames: ['operation', 'result'],
    registers
  })
  const seconds = new prom.Histogram({
    name: 'fp_pathio_operation_seconds',
    help: 'How long file-system operations took, by operation',
    labelNames: ['operation'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers
  })
  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    operation: ({ op, ms, outcome }) => {
      operations.inc({ operation: op, result: outcome })
      seconds.observe({ operation: op }, ms / 1000)
    },
    onEvent: (event) => {
      switch (event._tag) {
        case 'Connect':
          return connections.inc({ front: event.front })
        case 'Close':
          return connections.dec({ front: event.front })
        case 'Login':
          return logins.inc({ front: event.front, result: event.ok ? 'ok' : 'failed' })
        case 'Transfer':
          transfers.inc({ front: event.front, direction: event.direction, result: event.result })
          return bytes.inc({ front: event.front, direction: event.direction }, event.bytes)
        case 'Refused':
          // A TLS handshake's reason holds OpenSSL's words: the label keeps only what kind it was.
          return refused.inc({
            front: event.front,
            reason: event.reason.startsWith('TLS handshake') ? 'TLS handshake' : event.reason
          })
        default:
          return undefined
      }
    }
  }
}

/**
 * The metrics endpoint: an HTTP server answering `GET /metrics` (404
 * elsewhere), listening on `port` (0: a free one) at `host`. Its errors are
 * logged and stay its own: the file servers never see them.
 *
 * @example
 * import { makeMetrics, serveMetrics } from 'fp-pathio/server'
 * const endpoint = await serveMetrics(makeMetrics(), 0, '127.0.0.1')
 * const answer = await fetch(`http://127.0.0.1:${endpoint.address.port}/metrics`)
 * assert.match(await answer.text(), /^# TYPE fp_pathio_connections gauge$/m)
 * await endpoint.close()
 *
 * @category constructors
 * @since 0.4.0
 */
export const serveMetrics = (
  metrics: Metrics,
  port: number,
  host: string,
  log: Logger = silentLogger
): Promise<{ readonly address: net.AddressInfo; readonly close: () => Promise<void> }> =>
  new Promise((resolve, reject) => {
    const server = http.createServer((request, response) => {
      response.on('error', () => undefined)
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n')
        return
      }
      metrics.text().then(
        (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (error: unknown) => {
          log('warn', `metrics: ${String(error)}`)
          response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n')
        }
      )
    })
    server.on('clientError', (_error, socket) => socket.destroy())
    const failed = (error: Error): void => reject(error)
    server.once('error', failed)
    server.listen(port, host, () => {
      server.off('error', failed)
      server.on('error', (error) => log('warn', `metrics endpoint: ${error.message}`))
      server.unref()
      resolve({
        address: server.address() as net.AddressInfo,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })
