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
const ACCOUNTS = 'lib/server/accounts.ts'
const CONFINED = 'lib/backends/disk/confined.ts'

const PERMISSION_SPECS = ['spec/middleware/withPermissions.spec.ts', 'spec/ftp/accounts.spec.ts']
const ACCOUNT_SPECS = ['spec/ftp/accounts.spec.ts']
const JAIL_SPECS = ['spec/middleware/withRoot.spec.ts']

export const MUTANTS: ReadonlyArray<Mutant> = [
  // Issue 28, items 1-3, 5, 6, 8, 9: these passed the whole suite before their tests were written.
  {
    id: 'perm-rename-destination',
    bug: "withPermissions: rename checks 'f' at the source only, before it looks at what exists",
    file: PERMISSIONS,
    find: "if (!allowed('f', to)) return refuse('rename', destination, 'f')",
    replace: '',
    specs: PERMISSION_SPECS
  },
  {
    id: 'perm-rename-lands',
    bug: "withPermissions: a rename needs only 'f' where it lands, not the letters to create what lands, nor 'f' in the rules below",
    file: PERMISSIONS,
    find: 'const lacking = missing(lands, place.to, directory)',
    replace: "const lacking = missing(['f'], place.to, false)",
    specs: PERMISSION_SPECS
  },
  {
    id: 'perm-rename-source-subtree',
    bug: "withPermissions: a rename checks 'f' at the source only, not in the rule directories below it",
    file: PERMISSIONS,
    find: "const away = missing(['f'], from, true)",
    replace: "const away = missing(['f'], from, false)",
    specs: PERMISSION_SPECS
  },
  {
    id: 'root-nested-inner-root',
    bug: 'withRoot: a jail inside a jail drops the outer root (the inner root is taken as a real path)',
    file: ROOT,
    find: 'jail(rootedAt(toReal(posix.resolve(inner))), undefined)',
    replace: 'jail(rootedAt(posix.resolve(inner)), undefined)',
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
    id: 'accounts-cost-any',
    bug: 'accounts: a hash at any scrypt cost is taken (a cheap one is cheap to crack; its user answers in its own time)',
    file: ACCOUNTS,
    find: 'n === N && r === R && p === P',
    replace: 'n >= 2 && r >= 1 && p >= 1',
    specs: ACCOUNT_SPECS
  },
  {
    id: 'accounts-unknown-unhashed',
    bug: 'accounts: an unknown user is answered before any hash is computed (users enumerable by timing)',
    file: ACCOUNTS,
    find: 'const matches = await verify(user?.hash ?? dummy, password)',
    replace: 'if (user === undefined) return O.none\n    const matches = await verify(user.hash, password)',
    specs: ACCOUNT_SPECS
  },
  {
    id: 'tls-min-version',
    bug: 'FTPS: the minimum TLS version lowered to TLSv1',
    file: 'lib/ftp/tls.ts',
    find: "export const TLS_MIN_VERSION = 'TLSv1.2'",
    replace: "export const TLS_MIN_VERSION = 'TLSv1'",
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
    file: 'lib/ftp/listingLines.ts',
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
    bug: 'atomic writes: the temporary of an abandoned write (an upload cut short) is left behind',
    file: 'lib/middleware/withAtomicWrites.ts',
    find: 'if (kept === undefined || E.isLeft(kept)) await inner.unlink(temporary)()',
    replace: 'if (kept !== undefined && E.isLeft(kept)) await inner.unlink(temporary)()',
    specs: ['spec/ftp/badInput.spec.ts', 'spec/ftp/safety.spec.ts']
  },
  {
    id: 'sweep-fresh-temporaries',
    bug: "sweep: a fresh temporary (another server's running upload) is removed, not only stale ones",
    file: 'lib/middleware/withAtomicWrites.ts',
    find: 'if (Date.now() - modified <= staleAfterMs || writing.has(baseName(path))) return false',
    replace: 'if (writing.has(baseName(path))) return false',
    specs: ['spec/ftp/safety.spec.ts']
  },
  {
    id: 'limit-total-ignored',
    bug: 'limits: maxConnections is not enforced',
    file: 'lib/server/limits.ts',
    find: 'if (total >= max || (perAddress > 0 && mine >= perAddress))',
    replace: 'if (perAddress > 0 && mine >= perAddress)',
    specs: ['spec/ftp/deployment.spec.ts']
  },
  {
    id: 'limit-per-address-off-by-one',
    bug: 'limits: one connection more than maxConnectionsPerIp is admitted',
    file: 'lib/server/limits.ts',
    find: '(perAddress > 0 && mine >= perAddress)',
    replace: '(perAddress > 0 && mine > perAddress)',
    specs: ['spec/ftp/deployment.spec.ts']
  },

  // Issue 28: bugs planted in the code this wave adds (issue 21's fixes).
  {
    id: 'reset-probe-unawaited',
    bug: 'uploads: the zero-byte write that tells a reset from a FIN is not awaited (a reset reported as an end is committed)',
    file: 'lib/ftp/dataConnection.ts',
    find: 'probeWithNothing(socket).then(() => settled(), settled)',
    replace: 'settled()',
    specs: ['spec/ftp/uploads.spec.ts']
  },
  {
    id: 'tls-close-notify-ignored',
    bug: 'FTPS: a TLS data connection ended without close_notify (a FIN, a reset) counts as a clean end',
    file: 'lib/ftp/tls.ts',
    find: "return ended === undefined ? undefined : ended() !== 'before-tls'",
    replace: 'return ended === undefined ? undefined : true',
    specs: ['spec/ftp/security.spec.ts']
  },
  {
    id: 'tls-reuse-not-required',
    bug: 'FTPS: FTP_TLS_SESSION_REUSE does not require the data connection to resume a session',
    file: 'lib/ftp/dataTransfer.ts',
    find: 'requireResumed: contexts.sessionReuse',
    replace: 'requireResumed: false',
    specs: ['spec/ftp/security.spec.ts']
  },
  {
    id: 'tls-reuse-any-cache',
    bug: "FTPS: a data connection's own new TLS session is stored with the control connection's (a thief can plant one)",
    file: 'lib/ftp/tls.ts',
    find: "data.on('resumeSession'",
    replace:
      "data.on('newSession', (id: Buffer, session: Buffer, done: () => void) => (sessions.set(id.toString('hex'), session), done()))\n  data.on('resumeSession'",
    specs: ['spec/ftp/security.spec.ts']
  },
  {
    id: 'login-budget-off',
    bug: 'logins: the per-address failure budget is never used up',
    file: 'lib/server/logins.ts',
    find: 'blocked: (address) => max > 0 && recent(plainAddress(address)).length >= max',
    replace: 'blocked: () => false',
    specs: ['spec/server/logins.spec.ts', 'spec/ftp/security.spec.ts']
  },
  {
    id: 'login-checks-parallel',
    bug: "logins: one address's password checks run at once (a guesser takes every hashing thread)",
    file: 'lib/server/logins.ts',
    find: 'const mine = before.then(check, check)',
    replace: 'const mine = check()',
    specs: ['spec/server/logins.spec.ts']
  },
  {
    id: 'atomic-temporary-visible',
    bug: 'atomic writes: listings show the temporaries of running uploads',
    file: 'lib/middleware/withAtomicWrites.ts',
    find: 'return entries.filter((entry) => !isTemporaryName(entry.name))',
    replace: 'return entries',
    specs: ['spec/ftp/security.spec.ts', 'spec/middleware/withAtomicWrites.spec.ts']
  },
  {
    id: 'passive-share-unbounded',
    bug: 'passive ports: one address may hold the whole range',
    file: 'lib/ftp/dataConnection.ts',
    find: 'if (mine >= share) return undefined',
    replace: '',
    specs: ['spec/ftp/deployment.spec.ts']
  },
  {
    id: 'anonymous-root-ignored',
    bug: 'anonymous: jailed in the server root, not in FTP_ANONYMOUS_ROOT',
    file: 'lib/server/core.ts',
    find: 'const home = anonymous ? settings.anonymousRoot : who.home',
    replace: 'const home = anonymous ? who.home : who.home',
    specs: ['spec/ftp/security.spec.ts']
  },
  {
    id: 'perm-links-ignored',
    bug: 'withPermissions: a rule is chosen by the path as given, not where its links lead (/rw/toro -> ../ro writes into /ro)',
    file: PERMISSIONS,
    find: 'rules.below.length > 0 && inner.capabilities.symlinks',
    replace: 'false',
    specs: ['spec/middleware/withPermissions.spec.ts', 'spec/ftp/security.spec.ts']
  },
  // Issue 27: a folder's letters hold in it (a read-only folder stays read-only for a user who may write at home).
  {
    id: 'folder-perm-ignored',
    bug: "users' folders: a folder's 'perm' is not among the account's rules, so the home's letters hold in it",
    file: 'lib/server/folders.ts',
    find: 'for (const folder of folders) paths[folder.path] = folder.perm',
    replace: '',
    specs: ['spec/server/folders.spec.ts']
  },
  // Issue 24: the SFTP front.
  {
    id: 'sftp-drop-commits',
    bug: 'sftp: a connection that drops mid-upload commits the half-written file',
    file: 'lib/sftp/session.ts',
    find: "if (entry.kind === 'file') abandonWrite(entry.handle)",
    replace: '',
    specs: ['spec/sftp/security.spec.ts']
  },
  {
    id: 'sftp-stat-unchecked',
    bug: "sftp: STAT and LSTAT need neither 'e' nor 'l'",
    file: 'lib/sftp/session.ts',
    find: "if (!permits(account, 'l', path) && !permits(account, 'e', path))",
    replace: 'if (false)',
    specs: ['spec/sftp/security.spec.ts']
  },
  {
    id: 'sftp-mode-unchecked',
    bug: "sftp: SETSTAT of a mode needs no 'M' anywhere, not only on directories the connection made",
    file: 'lib/sftp/session.ts',
    find: 'const record = made.has(path) ? context.modeIO() : io',
    replace: 'const record = context.modeIO()',
    specs: ['spec/sftp/security.spec.ts']
  },
  {
    id: 'sftp-anonymous',
    bug: 'sftp: anonymous logs in over SSH with any password',
    file: 'lib/sftp/server.ts',
    find: "const name = ctx.username === ANONYMOUS ? '' : ctx.username",
    replace: 'const name = ctx.username',
    specs: ['spec/sftp/security.spec.ts']
  },
  {
    id: 'sftp-signature-unchecked',
    bug: "sftp: a public-key login is accepted without verifying the client's signature",
    file: 'lib/sftp/server.ts',
    find: 'if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true)',
    replace: 'if (true)',
    specs: ['spec/sftp/security.spec.ts']
  },
  {
    id: 'sftp-not-admitted',
    bug: 'sftp: SSH connections are not counted against the limits FTP shares',
    file: 'lib/sftp/server.ts',
    find: 'const place = core.admit(address)',
    replace: 'const place = E.right(() => undefined)',
    specs: ['spec/sftp/security.spec.ts']
  }
]
