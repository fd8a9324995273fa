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
 * Where the server's log lines go. Commands are logged at `info`,
 * connections and data connections at `debug`, failures at `warn`/`error`.
 *
 * @category model
 * @since 0.1.0
 */
export type Logger = (level: LogLevel, line: string) => void

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
 * timestamp and its level.
 *
 * @example
 * import { makeLogger } from 'fp-pathio/server'
 * const lines: Array<string> = []
 * const log = makeLogger('info', (line) => lines.push(line))
 * log('debug', 'hidden')
 * log('info', 'RETR a.txt -> 226')
 * assert.strictEqual(lines.length, 1)
 * assert.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  RETR a\.txt -> 226$/)
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeLogger =
  (threshold: LogLevel | 'silent', write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger =>
  (level, line) => {
    if (RANK[level] <= RANK[threshold]) write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${line}`)
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
