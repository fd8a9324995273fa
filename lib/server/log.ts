/**
 * The server's log: one function, called with a level and a line.
 *
 * @since 0.1.0
 */

/**
 * Levels, most severe first.
 *
 * @category model
 * @since 0.1.0
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

/**
 * Where the server's log lines go. Events (connect, login, transfer, ...)
 * are logged at `info` with their `fields` (what a JSON log prints);
 * commands and connection details at `debug`, failures at `warn`/`error`.
 *
 * @category model
 * @since 0.1.0
 */
export type Logger = (level: LogLevel, line: string, fields?: Readonly<Record<string, unknown>>) => void

/**
 * How a log line is written: `text` (a timestamp, the level, the line) or
 * `json` (one object a line: `time`, `level`, `event`, and the event's
 * fields; a line that is no event is `event: "message"` with `message`).
 *
 * @category model
 * @since 0.4.0
 */
export type LogFormat = 'text' | 'json'

const RANK: Readonly<Record<LogLevel | 'silent', number>> = { silent: -1, error: 0, warn: 1, info: 2, debug: 3 }

/**
 * Whether a string names a level (or `silent`).
 *
 * @example
 * import { isLogLevel } from 'fp-pathio/server'
 * assert.ok(isLogLevel('debug') && !isLogLevel('loud'))
 *
 * @category refinements
 * @since 0.1.0
 */
export const isLogLevel = (u: unknown): u is LogLevel | 'silent' =>
  typeof u === 'string' && Object.prototype.hasOwnProperty.call(RANK, u)

/**
 * A logger that writes the lines at `threshold` or more severe, each with a
 * timestamp and its level, as text or (`format` `json`) one JSON object a
 * line.
 *
 * @example
 * import { makeLogger } from 'fp-pathio/server'
 * const lines: Array<string> = []
 * const log = makeLogger('info', (line) => lines.push(line))
 * log('debug', 'hidden')
 * log('info', 'RETR a.txt -> 226')
 * assert.strictEqual(lines.length, 1)
 * assert.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  RETR a\.txt -> 226$/)
 * const json: Array<string> = []
 * makeLogger('info', (line) => json.push(line), 'json')('info', 'ignored', { event: 'login', user: 'alice', ok: true })
 * assert.deepStrictEqual({ ...JSON.parse(json[0]), time: 'T' }, { time: 'T', level: 'info', event: 'login', user: 'alice', ok: true })
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeLogger =
  (
    threshold: LogLevel | 'silent',
    write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
    format: LogFormat = 'text'
  ): Logger =>
  (level, line, fields) => {
    if (RANK[level] > RANK[threshold]) return
    const time = new Date().toISOString()
    write(
      format === 'json'
        ? JSON.stringify(
            fields === undefined
              ? { time, level, event: 'message', message: line }
              : { time, level, event: 'message', ...fields }
          )
        : `${time} ${level.toUpperCase().padEnd(5)} ${line}`
    )
  }

/**
 * A logger that drops everything (the server's default).
 *
 * @example
 * import { silentLogger } from 'fp-pathio/server'
 * import { makeFtpServer } from 'fp-pathio/ftp'
 * import { makeMemoryPathIO } from 'fp-pathio'
 * assert.strictEqual(silentLogger('error', 'dropped'), undefined)
 * const quiet = makeFtpServer({ factory: makeMemoryPathIO, log: silentLogger }) // the default anyway
 * assert.strictEqual(quiet.connections(), 0)
 *
 * @category constructors
 * @since 0.1.0
 */
export const silentLogger: Logger = () => undefined
