/**
 * Bugs planted in the security code, one at a time, to prove that the tests
 * guard it (issue 28): each mutant replaces one short snippet of the current
 * code, and at least one of its `specs` must then fail. `npm run mutants`
 * applies them (see ./run.ts).
 *
 * `find` must occur exactly once in `file`: when the code changes, update the
 * snippet (the runner refuses to run, loudly, on a snippet it cannot find or
 * finds twice). Keep each one line, the smallest that is still unique.
 */

export interface Mutant {
  /** Short and stable: what `--only` takes and the table shows. */
  readonly id: string
  /** The bug, as a reviewer would describe it. */
  readonly bug: string
  /** The file, relative to the checkout. */
  readonly file: string
  /** An exact snippet of the current code, found exactly once in `file`. */
  readonly find: string
  readonly replace: string
  /** The spec files that must kill it (the default run runs only these). */
  readonly specs: ReadonlyArray<string>
}

const PERMISSIONS = 'lib/middleware/withPermissions.ts'
const ROOT = 'lib/middleware/withRoot.ts'
const ACCOUNTS = 'lib/ftp/accounts.ts'
const CONFINED = 'lib/backends/disk/confined.ts'

const PERMISSION_SPECS = ['spec/middleware/withPermissions.spec.ts', 'spec/ftp/accounts.spec.ts']
const ACCOUNT_SPECS = ['spec/ftp/accounts.spec.ts']
const JAIL_SPECS = ['spec/middleware/withRoot.spec.ts']

export const MUTANTS: ReadonlyArray<Mutant> = [
  // Issue 28, items 1-3, 5, 6, 8, 9: these passed the whole suite before their tests were written.
  {
    id: 'perm-rename-destination',
    bug: "withPermissions: rename checks 'f' at the source only, not at the destination",
    file: PERMISSIONS,
    find: "allowed('f', path) && allowed('f', destination)",
    replace: "allowed('f', path)",
    specs: PERMISSION_SPECS
  },
  {
    id: 'perm-append-created',
    bug: "withPermissions: a file opened 'ab' is tracked as created (may be removed or renamed without d or f)",
    file: PERMISSIONS,
    find: "if (op === 'open' && given[1] === 'wb' && path !== undefined)",
    replace: "if (op === 'open' && (given[1] === 'wb' || given[1] === 'ab') && path !== undefined)",
    specs: PERMISSION_SPECS
  },
  {
    id: 'root-nested-inner-root',
    bug: 'withRoot: a jail inside a jail drops the outer root (the inner root is taken as a real path)',
    file: ROOT,
    find: 'jail(rooting(toReal(posix.resolve(inner))), undefined)',
    replace: 'jail(rooting(posix.resolve(inner)), undefined)',
    specs: JAIL_SPECS
  },
  {
    id: 'accounts-key-length',
    bug: 'accounts: a hash with its key cut off (or shorter than 16 bytes) passes validation',
    file: ACCOUNTS,
    find: 'salt.length >= 8 && key.length >= 16',
    replace: 'salt.length >= 8',
    specs: ACCOUNT_SPECS
  },
  {
    id: 'eprt-port-upper-bound',
    bug: 'EPRT: no upper bound on the port (|1|127.0.0.1|99999| accepted)',
    file: 'lib/ftp/commands/active.ts',
    find: '!(port >= 1 && port <= 65535)',
    replace: '!(port >= 1)',
    specs: ['spec/ftp/units.spec.ts', 'spec/ftp/badInput.spec.ts']
  },
  {
    id: 'scrypt-cost',
    bug: "accounts: scrypt's N lowered from 16384 to 1024",
    file: ACCOUNTS,
    find: 'const N = 16384',
    replace: 'const N = 1024',
    specs: ACCOUNT_SPECS
  },
  {
    id: 'scrypt-stored-cost-ignored',
    bug: 'accounts: verifyPassword uses its own N, not the one stored in the hash',
    file: ACCOUNTS,
    find: '{ N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }',
    replace: '{ N, r, p, maxmem: 256 * N * r + 1024 * 1024 }',
    specs: ACCOUNT_SPECS
  },
  {
    id: 'tls-min-version',
    bug: 'FTPS: the minimum TLS version lowered to TLSv1',
    file: 'lib/ftp/tls.ts',
    find: "const MIN_VERSION = 'TLSv1.2'",
    replace: "const MIN_VERSION = 'TLSv1'",
    specs: ['spec/ftp/tlsOptions.spec.ts']
  },

  // Already guarded before issue 28 (the jail's fd-pinned walk, the CR/LF filter, temporaries, connection limits).
  {
    id: 'jail-prefix-sibling',
    bug: 'jail: a directory whose real path merely starts with the root (/srv/jail-other for /srv/jail) counts as inside',
    file: CONFINED,
    find: "location.startsWith(jail.real === '/' ? '/' : `${jail.real}/`)",
    replace: 'location.startsWith(jail.real)',
    specs: JAIL_SPECS
  },
  {
    id: 'jail-lexical-location',
    bug: 'jail: the pinned directory is checked where its path says it is, not where its descriptor really is',
    file: CONFINED,
    find: 'location = fs.readlinkSync(throughDescriptor(fd))',
    replace: 'location = posix.resolve(dir)',
    specs: JAIL_SPECS
  },
  {
    id: 'jail-ancestor-unchecked',
    bug: 'jail: a missing path below a link that leads out is NotFound, not refused (its ancestor is not checked)',
    file: CONFINED,
    find: 'if (isOutside(ancestor)) throw ancestor',
    replace: 'void ancestor',
    specs: JAIL_SPECS
  },
  {
    id: 'listing-cr-kept',
    bug: 'listings: a name with a CR (but no LF) is listed',
    file: 'lib/ftp/listing.ts',
    find: '!/[\\r\\n]/.test(name) && !isTemporaryName(name)',
    replace: '!/\\n/.test(name) && !isTemporaryName(name)',
    specs: ['spec/ftp/safety.spec.ts']
  },
  {
    id: 'reply-cr-kept',
    bug: 'replies: a CR in a name reaches the control connection raw',
    file: 'lib/ftp/replies.ts',
    find: "text.replace(/[\\r\\n]/g, ' ')",
    replace: "text.replace(/\\n/g, ' ')",
    specs: ['spec/ftp/units.spec.ts']
  },
  {
    id: 'upload-failed-temporary-kept',
    bug: 'STOR: the temporary of an upload that failed (a reset) is left behind; only an aborted one is removed',
    file: 'lib/ftp/commands/transfers.ts',
    find: "if (!inPlace && outcome._tag !== 'Done')",
    replace: "if (!inPlace && outcome._tag === 'Aborted')",
    specs: ['spec/ftp/badInput.spec.ts', 'spec/ftp/safety.spec.ts']
  },
  {
    id: 'sweep-fresh-temporaries',
    bug: "sweep: a fresh temporary (another server's running upload) is removed, not only stale ones",
    file: 'lib/ftp/uploads.ts',
    find: 'Date.now() - stat.right.mtimeMs <= maxAgeMs || ',
    replace: '',
    specs: ['spec/ftp/safety.spec.ts']
  },
  {
    id: 'limit-total-ignored',
    bug: 'limits: maxConnections is not enforced',
    file: 'lib/ftp/limits.ts',
    find: 'if (total >= max || (perAddress > 0 && mine >= perAddress))',
    replace: 'if (perAddress > 0 && mine >= perAddress)',
    specs: ['spec/ftp/deployment.spec.ts']
  },
  {
    id: 'limit-per-address-off-by-one',
    bug: 'limits: one connection more than maxConnectionsPerIp is admitted',
    file: 'lib/ftp/limits.ts',
    find: '(perAddress > 0 && mine >= perAddress)',
    replace: '(perAddress > 0 && mine > perAddress)',
    specs: ['spec/ftp/deployment.spec.ts']
  }
]
