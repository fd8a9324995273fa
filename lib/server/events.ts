/**
 * What a server tells the people and programs watching it: typed events,
 * the same for every front (FTP, SFTP). A front emits them after the fact;
 * the core's emitter writes each to the log at `info` (a text line, or the
 * event's fields in a JSON log) and hands it to the embedder's `onEvent`.
 * No event carries a password, a key or a hash.
 *
 * @since 0.4.0
 */
import type { Logger } from './log'

/**
 * Which front a connection came in on: FTP in clear (or upgraded later
 * with AUTH TLS), implicit FTPS, SFTP.
 *
 * @category model
 * @since 0.4.0
 */
export type Front = 'ftp' | 'ftps' | 'sftp'

/**
 * How a transfer or a change ended: `ok`, `aborted` (ABOR, a vanished
 * client, the server stopping) or `failed` (its `code` says why: the
 * reply code or the SFTP status).
 *
 * @category model
 * @since 0.4.0
 */
export type Result = 'ok' | 'aborted' | 'failed'

/**
 * One event of a server, a tagged union (`_tag`). `front` is the one the
 * connection came in on (FTP upgraded by AUTH TLS stays `ftp`), `session`
 * the connection's number (per front), `address` the client's address (and `port` its
 * port), `path` a path as the user sees it (inside their home), `ms`
 * milliseconds.
 *
 * @category model
 * @since 0.4.0
 */
export type ServerEvent =
  | { readonly _tag: 'Listening'; readonly front: Front; readonly address: string; readonly port: number }
  | {
      readonly _tag: 'Connect'
      readonly front: Front
      readonly session: number
      readonly address: string
      readonly port: number
    }
  | {
      readonly _tag: 'Login'
      readonly front: Front
      readonly session: number
      readonly address: string
      readonly user: string
      readonly method: 'password' | 'key' | 'anonymous'
      readonly ok: boolean
      /** Why it failed: an unknown user and a wrong password are both 'bad credentials'. */
      readonly reason?: string
    }
  | {
      readonly _tag: 'Transfer'
      readonly front: Front
      readonly session: number
      readonly address: string
      readonly user: string
      /** The protocol's command (RETR, STOR, APPE, STOU), where it has one. */
      readonly command?: string
      readonly direction: 'download' | 'upload'
      readonly path: string
      readonly bytes: number
      readonly ms: number
      readonly result: Result
      readonly code?: number | string
    }
  | {
      readonly _tag: 'Change'
      readonly front: Front
      readonly session: number
      readonly address: string
      readonly user: string
      readonly action: 'mkdir' | 'rmdir' | 'delete' | 'rename' | 'chmod' | 'utimes'
      readonly path: string
      /** Where a rename put it. */
      readonly to?: string
      readonly result: Result
      readonly code?: number | string
    }
  | {
      readonly _tag: 'Close'
      readonly front: Front
      readonly session: number
      readonly address: string
      readonly user?: string
      readonly ms: number
      readonly bytesIn: number
      readonly bytesOut: number
    }
  | {
      readonly _tag: 'Refused'
      readonly front: Front
      readonly address: string
      readonly session?: number
      readonly reason: string
    }

/**
 * Called with each event, after the fact.
 *
 * @category model
 * @since 0.4.0
 */
export type EventHandler = (event: ServerEvent) => void

/**
 * An event's name in a log: its tag in lower case (`transfer`).
 *
 * @example
 * import { eventName } from 'fp-pathio/server'
 * assert.strictEqual(eventName({ _tag: 'Refused', front: 'ftp', address: '10.0.0.1', reason: 'too many connections' }), 'refused')
 *
 * @category destructors
 * @since 0.4.0
 */
export const eventName = (event: ServerEvent): string => event._tag.toLowerCase()

/**
 * An event's fields, without its tag, for a JSON log line.
 *
 * @example
 * import { eventFields } from 'fp-pathio/server'
 * assert.deepStrictEqual(eventFields({ _tag: 'Listening', front: 'ftp', address: '127.0.0.1', port: 2121 }), { front: 'ftp', address: '127.0.0.1', port: 2121 })
 *
 * @category destructors
 * @since 0.4.0
 */
export const eventFields = (event: ServerEvent): Readonly<Record<string, unknown>> => {
  const { _tag, ...fields } = event
  return fields
}

/** `key=value`, quoted when the value holds a space, a quote or nothing. */
const pair = (key: string, value: unknown): string => {
  const text = String(value)
  return `${key}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`
}

const pairs = (fields: Readonly<Record<string, unknown>>, skip: ReadonlyArray<string>): string =>
  Object.entries(fields)
    .filter(([key, value]) => value !== undefined && !skip.includes(key))
    .map(([key, value]) => pair(key, value))
    .join(' ')

const shown = (text: string): string => (text === '' || /[\s"]/.test(text) ? JSON.stringify(text) : text)

/**
 * An event as one text line: a short human prefix (who, what) and then
 * every other field as `key=value`.
 *
 * @example
 * import { eventLine } from 'fp-pathio/server'
 * const line = eventLine({ _tag: 'Transfer', front: 'ftp', session: 6, address: '127.0.0.1', user: 'alice', command: 'STOR', direction: 'upload', path: '/x', bytes: 5000000, ms: 22, result: 'ok', code: 226 })
 * assert.strictEqual(line, '#6 127.0.0.1 alice STOR /x ok bytes=5000000 ms=22 direction=upload code=226')
 *
 * @category destructors
 * @since 0.4.0
 */
export const eventLine = (event: ServerEvent): string => {
  const rest = (skip: ReadonlyArray<string>): string => {
    const text = pairs(eventFields(event), skip)
    return text === '' ? '' : ' ' + text
  }
  switch (event._tag) {
    case 'Listening':
      return `listening ${event.front} ${event.address}:${event.port}`
    case 'Connect':
      return `#${event.session} ${event.address}:${event.port} connect ${event.front}`
    case 'Login':
      return `#${event.session} ${event.address} ${shown(event.user)} login ${event.ok ? 'ok' : 'failed'}${rest(['front', 'session', 'address', 'user', 'ok'])}`
    case 'Transfer':
      return (
        `#${event.session} ${event.address} ${shown(event.user)} ${event.command ?? event.direction} ${shown(event.path)} ${event.result}` +
        ` bytes=${event.bytes} ms=${event.ms}${rest(['front', 'session', 'address', 'user', 'command', 'path', 'result', 'bytes', 'ms'])}`
      )
    case 'Change':
      return (
        `#${event.session} ${event.address} ${shown(event.user)} ${event.action} ${shown(event.path)}` +
        (event.to === undefined ? '' : ` -> ${shown(event.to)}`) +
        ` ${event.result}${rest(['front', 'session', 'address', 'user', 'action', 'path', 'to', 'result'])}`
      )
    case 'Close':
      return `#${event.session} ${event.address}${event.user === undefined ? '' : ' ' + shown(event.user)} close${rest(['session', 'address', 'user'])}`
    case 'Refused':
      return `${event.session === undefined ? '' : `#${event.session} `}${event.address} refused${rest(['session', 'address'])}`
  }
}

/**
 * The emitter of a server: each event goes to the log at `info` (with its
 * fields, for a JSON log) and then to `onEvent`. A handler that throws is
 * logged at `error` and never reaches the session that emitted.
 *
 * @example
 * import { makeEmitter, silentLogger, type ServerEvent } from 'fp-pathio/server'
 * const seen: Array<ServerEvent> = []
 * const emit = makeEmitter(silentLogger, (event) => {
 *   seen.push(event)
 *   throw new Error('a bad handler')
 * })
 * emit({ _tag: 'Refused', front: 'ftp', address: '10.0.0.1', reason: 'too many connections' })
 * assert.strictEqual(seen.length, 1)
 *
 * @category constructors
 * @since 0.4.0
 */
export const makeEmitter =
  (log: Logger, onEvent?: EventHandler): EventHandler =>
  (event) => {
    log('info', eventLine(event), { event: eventName(event), ...eventFields(event) })
    if (onEvent === undefined) return
    try {
      onEvent(event)
    } catch (error) {
      log('error', `onEvent threw on ${eventName(event)}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
