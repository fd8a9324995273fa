/**
 * The environment variables of the FTP server program (`npm start`,
 * `fp-pathio-server`): the one table that `--help` prints and
 * docs/ftp-server.md shows (spec/ftp/variables.spec.ts holds the two
 * together), and the check that stops a start on a name in the server's
 * namespaces that it does not know (a typo would otherwise be ignored).
 *
 * @since 0.4.0
 */

/**
 * One row: the names it covers, what it does in one line (for `--help`),
 * the default and what it does in full (markdown, for the docs).
 *
 * @category model
 * @since 0.4.0
 */
export interface Variable {
  readonly names: ReadonlyArray<string>
  /** One line of plain text, for `--help`. */
  readonly summary: string
  readonly fallback: string
  readonly meaning: string
}

/**
 * Every variable of the program, in the order the docs show them.
 *
 * @example
 * import { VARIABLES } from 'fp-pathio/ftp'
 * assert.ok(VARIABLES.some((v) => v.names.includes('PORT') && v.fallback === '`2121`'))
 *
 * @category constants
 * @since 0.4.0
 */
export const VARIABLES: ReadonlyArray<Variable> = [
  {
    names: ['FTP_HOST'],
    summary: 'Address to listen on (0.0.0.0, ::, ::1 or one address).',
    fallback: '`127.0.0.1`',
    meaning: 'Address to listen on: `0.0.0.0` (every IPv4 address), `::` (every address), `::1`, or one address.'
  },
  {
    names: ['PORT'],
    summary: 'Control port; 0 picks a free one.',
    fallback: '`2121`',
    meaning: 'Control port; `0` picks a free one.'
  },
  {
    names: ['FTPS_PORT'],
    summary: 'Port of an implicit-FTPS listener (needs the certificate).',
    fallback: 'off',
    meaning: 'Adds an implicit-FTPS listener (TLS from the first byte, as port 990 servers do). Needs the certificate.'
  },
  {
    names: ['SFTP_PORT'],
    summary: 'Port of an SFTP listener on FTP_HOST (same users and tree); 0 picks a free one.',
    fallback: 'off',
    meaning:
      "Adds an SFTP listener (SSH File Transfer Protocol v3, as OpenSSH's `sftp-server`) on `FTP_HOST`, serving the same tree to the same users (passwords and `keys`; no anonymous); `0` picks a free port. The listening line adds `sftp://HOST:PORT/` and the host key's fingerprint (`SHA256:...`, as `ssh-keygen -lf` prints it). Connections and failed logins count with FTP's. Needs `ssh2` installed (`npm install ssh2`). [sftp.md](sftp.md) says more."
  },
  {
    names: ['SFTP_HOST_KEY'],
    summary: "The SSH host's private key file (made there, ed25519, when missing).",
    fallback: 'a key for this run',
    meaning:
      "The host's private key file (OpenSSH or PEM; ed25519, ECDSA or RSA). Missing, it is made there (ed25519, mode 0600), so the fingerprint survives restarts. Needs `SFTP_PORT`."
  },
  {
    names: ['FTP_PASV_ADDRESS'],
    summary: 'The IPv4 address PASV announces (a host behind NAT: its public one).',
    fallback: "the control connection's local address",
    meaning:
      'The IPv4 address PASV replies announce: a host behind NAT sets its public one. (EPSV announces only a port.)'
  },
  {
    names: ['FTP_PASV_PORTS'],
    summary: 'MIN-MAX: the only ports passive data connections use.',
    fallback: 'any free port',
    meaning:
      '`MIN-MAX`: passive ports come only from this range (open it in the firewall). One client address holds at most half of it at once; when none is free for it, PASV/EPSV answer 425.'
  },
  {
    names: ['FTP_ANONYMOUS'],
    summary: 'off, read (list and download) or write.',
    fallback: '`read`',
    meaning:
      '`off`: anonymous login is refused (530). `read`: list and download (`elr`). `write`: `elradfmw` (not `M`, `T`). Anonymous is jailed in `FTP_ANONYMOUS_ROOT`.'
  },
  {
    names: ['FTP_ANONYMOUS_ROOT'],
    summary: 'Where anonymous users are jailed, under FTP_ROOT.',
    fallback: '`/`',
    meaning:
      'Where anonymous users are jailed, a directory under `FTP_ROOT`, made at start. While anonymous is on, a user of `FTP_USERS_FILE` whose home lies inside it stops the start (exit 2), unless the user has `"public": true`: give anonymous its own directory (`/pub`).'
  },
  {
    names: ['FTP_USER', 'FTP_PASS'],
    summary: 'One named user (home /, every permission) and its password.',
    fallback: 'none',
    meaning:
      'One named user, home `/`, `elradfmw` (every letter but `M` and `T`). The password is hashed at start and kept only as a hash.'
  },
  {
    names: ['FTP_USERS_FILE'],
    summary: 'A JSON file of users with scrypt hashes (fp-pathio-server passwd).',
    fallback: 'none',
    meaning: 'A JSON file of users (below).'
  },
  {
    names: ['FTP_TLS_CERT', 'FTP_TLS_KEY'],
    summary: 'PEM certificate and key: explicit FTPS (AUTH TLS).',
    fallback: 'none',
    meaning: 'PEM files. Turns on explicit FTPS (AUTH TLS, PBSZ, PROT, listed in FEAT). TLS 1.2 or newer only.'
  },
  {
    names: ['FTP_TLS_REQUIRED'],
    summary: '1: no login and no transfer without TLS.',
    fallback: '`0`',
    meaning:
      '`1`: no login before AUTH TLS (530), PROT C refused (534), no transfer over a clear data connection (521).'
  },
  {
    names: ['FTP_TLS_SESSION_REUSE'],
    summary: "1: a TLS data connection must resume its control connection's session.",
    fallback: '`0`',
    meaning:
      "`1`: a TLS data connection must resume its own control connection's TLS session, else 425 (vsftpd's `require_ssl_reuse`): no other client can take a transfer. Control connections are then TLS 1.2. curl, lftp and FileZilla resume sessions; Python's ftplib does not."
  },
  {
    names: ['FTP_MAX_CONNECTIONS'],
    summary: 'Control connections at once.',
    fallback: '`512`',
    meaning:
      'Control connections at once. One more gets `421` and is closed; a closed connection frees its place at once.'
  },
  {
    names: ['FTP_MAX_CONNECTIONS_PER_IP'],
    summary: 'Control connections at once from one address.',
    fallback: '`0` (no limit)',
    meaning: 'The same, per client address.'
  },
  {
    names: ['FTP_IDLE_TIMEOUT'],
    summary: 'Seconds of silence before a session is closed (0: never).',
    fallback: '`300`',
    meaning:
      'Seconds a control connection may stay silent, with no transfer running, before `421` and hang-up. `0`: never.'
  },
  {
    names: ['FTP_MAX_LOGIN_ATTEMPTS'],
    summary: 'Failed logins on one connection before it is closed.',
    fallback: '`3`',
    meaning:
      'Failed logins on one connection before `421` and hang-up. Each failed PASS is answered after a one-second delay.'
  },
  {
    names: ['FTP_MAX_LOGIN_FAILURES_PER_IP'],
    summary: 'Failed logins from one address in 10 minutes before it is turned away (0: no limit).',
    fallback: '`10`',
    meaning:
      "Failed logins from one address in 10 minutes before that address gets `421` at connect, until its oldest failures are 10 minutes old (logged once). An address's password checks run one at a time. `0`: no limit."
  },
  {
    names: ['FTP_MAX_DOWNLOAD_RATE', 'FTP_MAX_UPLOAD_RATE'],
    summary: 'Bytes per second per data connection.',
    fallback: 'no limit',
    meaning: 'Bytes per second per data connection, held over the whole transfer (a burst of one second at most).'
  },
  {
    names: ['PATHIO_BACKEND'],
    summary: 'memory, node, pool or s3.',
    fallback: '`memory`',
    meaning:
      '`memory` (starts empty), `node` or `pool` (a disk directory), or `s3` (a bucket: `S3_BUCKET`, `S3_ENDPOINT`, `S3_PREFIX`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, in [s3.md](s3.md#running-the-ftp-server-on-a-bucket)).'
  },
  {
    names: ['FTP_MEMORY_LIMIT'],
    summary: 'Bytes the memory backend may hold.',
    fallback: '`1073741824` (1 GiB)',
    meaning: "Bytes the `memory` backend's tree may hold in all; an upload past it is refused (452)."
  },
  {
    names: ['FTP_ROOT'],
    summary: 'The served directory of node and pool.',
    fallback: 'a fresh temporary directory',
    meaning: 'The served directory of `node` and `pool`; every home is under it.'
  },
  {
    names: ['POOL_SIZE'],
    summary: 'Worker threads of the pool backend.',
    fallback: "the pool's default",
    meaning: 'Worker threads of the `pool` backend.'
  },
  {
    names: ['PATHIO_TIMEOUT'],
    summary: 'Milliseconds before a file-system operation fails (451).',
    fallback: '`30000`',
    meaning: 'Milliseconds before a file-system operation fails (451).'
  },
  {
    names: ['LOG_LEVEL'],
    summary: 'silent, error, warn, info (events) or debug (and commands).',
    fallback: '`info`',
    meaning:
      '`silent`, `error`, `warn`, `info` (a line per event: connect, login, transfer, change, close, refused), `debug` (and a line per command). Passwords, keys and hashes are never logged, at any level.'
  },
  {
    names: ['LOG_FORMAT'],
    summary: 'text or json (one object a line).',
    fallback: '`text`',
    meaning:
      "`text`: a timestamp, the level, a short prefix and `key=value` fields. `json`: one object a line, with `time` (ISO 8601), `level`, `event` and the event's fields (see [Watching it run](#watching-it-run))."
  },
  {
    names: ['METRICS_PORT'],
    summary: 'Port of GET /metrics (Prometheus); 0 picks a free one.',
    fallback: 'off',
    meaning:
      'Serves `GET /metrics` in the Prometheus text format on this port (`0` picks a free one; the address is in the start line). Needs `prom-client` installed (`npm install prom-client`).'
  },
  {
    names: ['METRICS_HOST'],
    summary: 'Address of the metrics endpoint.',
    fallback: '`127.0.0.1`',
    meaning: 'Address of the metrics endpoint.'
  },
  {
    names: ['S3_BUCKET', 'S3_ENDPOINT', 'S3_PREFIX'],
    summary: 'The bucket, endpoint and key prefix of PATHIO_BACKEND=s3.',
    fallback: 'none',
    meaning:
      'The bucket of `PATHIO_BACKEND=s3`, an S3-compatible endpoint (MinIO, R2...), the key prefix that is `/`: [s3.md](s3.md#running-the-ftp-server-on-a-bucket).'
  }
]

/**
 * Names the program reads besides the table.
 */
const ALSO_KNOWN: ReadonlyArray<string> = ['POOL_SIZE']

/**
 * The namespaces the server owns: a name in one of them that it does not
 * know is a mistake, and stops the start.
 *
 * @example
 * import { OWNED_PREFIXES } from 'fp-pathio/ftp'
 * assert.ok(OWNED_PREFIXES.includes('FTP_'))
 *
 * @category constants
 * @since 0.4.0
 */
export const OWNED_PREFIXES: ReadonlyArray<string> = ['FTP_', 'FTPS_', 'SFTP_', 'S3_', 'PATHIO_', 'LOG_', 'METRICS_']

/**
 * Every name the program knows.
 *
 * @example
 * import { KNOWN_VARIABLES } from 'fp-pathio/ftp'
 * assert.ok(KNOWN_VARIABLES.has('LOG_FORMAT') && KNOWN_VARIABLES.has('SFTP_PORT'))
 *
 * @category constants
 * @since 0.4.0
 */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([...VARIABLES.flatMap((v) => v.names), ...ALSO_KNOWN])

/** Edits (insert, delete, replace) from `a` to `b`. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = row
  }
  return previous[b.length]
}

const withoutPrefix = (name: string): string => {
  const prefix = OWNED_PREFIXES.find((p) => name.startsWith(p))
  return prefix === undefined ? name : name.slice(prefix.length)
}

/**
 * The known name `name` most likely meant, if one is close: by spelling,
 * or by the part after its prefix (`FTP_PORT`: `PORT`).
 *
 * @example
 * import { suggestVariable } from 'fp-pathio/ftp'
 * assert.strictEqual(suggestVariable('FTP_PORT'), 'PORT')
 * assert.strictEqual(suggestVariable('FTP_IDLE_TIMOUT'), 'FTP_IDLE_TIMEOUT')
 * assert.strictEqual(suggestVariable('FTP_COFFEE_MACHINE'), undefined)
 *
 * @category utils
 * @since 0.4.0
 */
export const suggestVariable = (name: string): string | undefined => {
  const scored = [...KNOWN_VARIABLES].map((known) => ({
    known,
    score: Math.min(
      distance(name, known),
      distance(withoutPrefix(name), withoutPrefix(known)) + (withoutPrefix(name) === name ? 0 : 0)
    )
  }))
  const best = scored.reduce((a, b) => (b.score < a.score ? b : a))
  return best.score <= Math.max(1, Math.floor(withoutPrefix(name).length / 4)) ? best.known : undefined
}

/**
 * The first name of `env` in the server's namespaces that it does not
 * know, as the line that stops the start; `undefined` when all are known.
 *
 * @example
 * import { unknownVariable } from 'fp-pathio/ftp'
 * assert.strictEqual(unknownVariable({ FTP_PORT: '21', HOME: '/root' }), 'unknown variable FTP_PORT (did you mean PORT?)')
 * assert.strictEqual(unknownVariable({ FTP_HOST: '::1', LOG_FORMAT: 'json', SFTP_PORT: '2222' }), undefined)
 *
 * @category utils
 * @since 0.4.0
 */
export const unknownVariable = (env: Readonly<Record<string, string | undefined>>): string | undefined => {
  const name = Object.keys(env)
    .sort()
    .find((key) => OWNED_PREFIXES.some((prefix) => key.startsWith(prefix)) && !KNOWN_VARIABLES.has(key))
  if (name === undefined) return undefined
  const suggestion = suggestVariable(name)
  return `unknown variable ${name}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`
}

/** Markdown as plain text: no backticks, links as their text. */
const plain = (markdown: string): string => markdown.replace(/`/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')

/**
 * What `--help` prints: how to run it, then each variable with its default
 * and one line of meaning.
 *
 * @example
 * import { helpText } from 'fp-pathio/ftp'
 * assert.match(helpText('fp-pathio-server'), /^  PORT +Control port; 0 picks a free one\. \(default: 2121\)$/m)
 *
 * @category utils
 * @since 0.4.0
 */
export const helpText = (command: string): string => {
  const rows = VARIABLES.map((v) => [v.names.join(', '), plain(v.fallback), v.summary] as const)
  const width = Math.max(...rows.map(([names]) => names.length))
  return [
    `Usage: ${command}            serve FTP (settings from the environment)`,
    `       ${command} passwd     read a password (prompted twice, or one line of standard input), print its hash`,
    `       ${command} --help | --version`,
    '',
    'Environment (every variable is optional; docs/ftp-server.md says more):',
    ...rows.map(([names, fallback, summary]) => `  ${names.padEnd(width)}  ${summary} (default: ${fallback})`),
    ''
  ].join('\n')
}

/**
 * The table of docs/ftp-server.md, as markdown.
 *
 * @example
 * import { variablesTable } from 'fp-pathio/ftp'
 * assert.match(variablesTable(), /^\| `PORT` \| `2121` \| /m)
 *
 * @category utils
 * @since 0.4.0
 */
export const variablesTable = (): string =>
  [
    '| variable | default | what it does |',
    '|---|---|---|',
    ...VARIABLES.map((v) => `| ${v.names.map((n) => '`' + n + '`').join(' / ')} | ${v.fallback} | ${v.meaning} |`)
  ].join('\n')
