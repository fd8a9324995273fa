/**
 * Accounts with real clients (Python's ftplib): every permission letter, the
 * nearest `paths` rule, homes as jails (`..`, absolute paths, symbolic links
 * on disk), anonymous access, no user enumeration, and login attempts; and
 * the password hashes themselves (their cost, and hashes that must be refused).
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { randomBytes, scryptSync } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeFile, PERMISSION_LETTERS } from '../../lib'
import {
  hashPassword,
  isPasswordHash,
  makeAuthenticate,
  verifyPassword,
  type UserSpec
} from '../../lib/server/accounts'
import { checkUser, parseUsers } from '../../lib/server/usersFile'
import { rawConnect, runSteps, startServer, withServer, type BackendName, type Running, type Step } from './harness'

const PASSWORD = 'correct horse'
const HASH = hashPassword(PASSWORD)

/** Each step of the letter check, the letters it needs ('' : none), its code, and its code without a letter (default 550). */
const LETTER_STEPS: ReadonlyArray<readonly [Step, string, number, Readonly<Record<string, number>>?]> = [
  [['send', 'CWD d'], 'e', 250],
  [['send', 'CDUP'], 'e', 250],
  [['list', 'd'], 'l', 226],
  [['nlst', 'd'], 'l', 226],
  [['mlsd', 'd'], 'l', 226],
  [['send', 'MLST f.txt'], 'l', 250],
  // ftplib's listings leave TYPE A, where SIZE is 550 whoever asks.
  [['send', 'TYPE I'], '', 200],
  [['send', 'SIZE f.txt'], 'l', 213],
  [['send', 'MDTM f.txt'], 'l', 213],
  [['send', 'STAT d'], 'l', 212],
  [['retr', 'f.txt'], 'r', 226],
  [['appe', 'f.txt', '+more'], 'a', 226],
  [['send', 'DELE f2.txt'], 'd', 250],
  [['send', 'RMD e'], 'd', 250],
  // RNFR needs f itself (without it the answer must not say what exists); RNTO then has no RNFR to follow: 503.
  [['send', 'RNFR f3.txt'], 'f', 350],
  // A renamed file lands at its destination: f and w there (without f, 503: the RNFR was refused).
  [['send', 'RNTO f4.txt'], 'fw', 250, { f: 503 }],
  [['send', 'MKD new'], 'm', 257],
  [['stor', 'new.txt', 'x'], 'w', 226],
  [['stou', '', 'y'], 'w', 226],
  [['send', 'MFMT 20200102030405 f.txt'], 'T', 213],
  [['send', 'SITE CHMOD 600 f.txt'], 'M', 200],
  [['send', 'PWD'], '', 257]
]

const mkdir = async (running: Running, dir: string): Promise<void> => {
  const made = await running.inspect.mkdir(dir, { parents: true, existOk: true })()
  if (E.isLeft(made)) throw new Error(made.left.message)
}

const put = async (running: Running, file: string, text: string): Promise<void> => {
  await mkdir(running, path.posix.dirname(file))
  const written = await writeFile(running.inspect, file, Buffer.from(text))()
  if (E.isLeft(written)) throw new Error(written.left.message)
}

const codes = (r: { steps: ReadonlyArray<{ code: number } | null> }): ReadonlyArray<number | undefined> =>
  r.steps.map((s) => s?.code)

for (const backend of ['memory', 'node'] as ReadonlyArray<BackendName>) {
  describe(`FTP accounts and permissions (${backend} backend)`, function () {
    this.timeout(120_000)

    describe('every permission letter', () => {
      const users: Record<string, UserSpec> = {}
      for (const letter of PERMISSION_LETTERS)
        users[`no_${letter}`] = {
          password: HASH,
          home: `/home/no_${letter}`,
          perm: PERMISSION_LETTERS.filter((l) => l !== letter).join('')
        }
      users.all = { password: HASH, home: '/home/all', perm: PERMISSION_LETTERS.join('') }
      let running: Running
      before(async () => {
        running = await startServer(backend, { users, anonymous: 'off' })
        for (const name of Object.keys(users)) {
          const home = `/home/${name}`
          await mkdir(running, `${home}/d`)
          await mkdir(running, `${home}/e`)
          for (const file of ['d/in.txt', 'f.txt', 'f2.txt', 'f3.txt']) await put(running, `${home}/${file}`, file)
        }
      })
      after(() => running.stop())

      it('a user without one letter is refused exactly the commands that need it (550), and may do the rest', async () => {
        const results = await Promise.all(
          Object.keys(users).map((name) =>
            runSteps(
              { port: running.port, user: name, password: PASSWORD },
              LETTER_STEPS.map(([step]) => step)
            ).then((r) => [name, r] as const)
          )
        )
        for (const [name, r] of results) {
          expect(r.login, name).to.equal(230)
          const missing = name.slice(3)
          const expected = LETTER_STEPS.map(([, letters, ok, refused = {}]) =>
            missing !== '' && letters.includes(missing) ? (refused[missing] ?? 550) : ok
          )
          expect(codes(r), name).to.deep.equal(expected)
        }
        // What was refused left no trace; what was allowed happened.
        expect(await running.read('/home/no_w/new.txt')).to.equal(undefined)
        expect((await running.read('/home/all/new.txt'))?.toString()).to.equal('x')
        expect((await running.read('/home/no_a/f.txt'))?.toString()).to.equal('f.txt')
        expect((await running.read('/home/all/f.txt'))?.toString()).to.equal('f.txt+more')
        expect((await running.read('/home/no_d/f2.txt'))?.toString()).to.equal('f2.txt')
        expect((await running.read('/home/no_f/f3.txt'))?.toString()).to.equal('f3.txt')
        expect((await running.read('/home/all/f4.txt'))?.toString()).to.equal('f3.txt')
        const statOf = async (p: string) => {
          const st = await running.inspect.stat(p)()
          if (E.isLeft(st)) throw new Error(st.left.message)
          return st.right
        }
        expect((await statOf('/home/no_M/f.txt')).mode & 0o777).to.equal(0o644)
        expect((await statOf('/home/all/f.txt')).mode & 0o777).to.equal(0o600)
        expect((await statOf('/home/no_T/f.txt')).mtimeMs).to.not.equal(Date.UTC(2020, 0, 2, 3, 4, 5))
        expect((await statOf('/home/all/f.txt')).mtimeMs).to.equal(Date.UTC(2020, 0, 2, 3, 4, 5))
        const stou = results.find(([name]) => name === 'all')?.[1].steps[18]
        expect(stou.text).to.match(/^226 Transfer complete; stored as stou\.[0-9a-f]{8}$/)
        const stored = stou.text.split(' ').pop()
        expect((await running.read(`/home/all/${stored}`))?.toString()).to.equal('y')
      })
    })

    it("'paths' overrides 'perm' below a directory, and the nearest rule wins", async () => {
      await withServer(
        backend,
        {
          users: { mixed: { password: HASH, perm: 'elr', paths: { '/incoming': 'elrwm', '/incoming/locked': 'elr' } } },
          anonymous: 'off'
        },
        async (running) => {
          await mkdir(running, '/incoming/locked')
          const r = await runSteps({ port: running.port, user: 'mixed', password: PASSWORD }, [
            ['stor', '/top.txt', 'no'],
            ['stor', '/incoming/a.txt', 'yes'],
            ['stor', '/incoming/locked/a.txt', 'no'],
            ['send', 'MKD /incoming/sub'],
            ['send', 'MKD /incoming/locked/sub'],
            ['send', 'CWD /incoming'],
            ['stor', 'relative.txt', 'yes'],
            ['send', 'DELE a.txt']
          ])
          expect(codes(r)).to.deep.equal([550, 226, 550, 257, 550, 250, 226, 550])
          expect((await running.read('/incoming/a.txt'))?.toString()).to.equal('yes')
          expect((await running.read('/incoming/relative.txt'))?.toString()).to.equal('yes')
          expect(await running.read('/top.txt')).to.equal(undefined)
          expect(await running.read('/incoming/locked/a.txt')).to.equal(undefined)
        }
      )
    })

    it('RNTO needs f at the destination too; a file the session appended to (APPE) still needs d to delete and f to rename', async () => {
      await withServer(
        backend,
        {
          users: {
            dropper: { password: HASH, perm: 'elr', paths: { '/incoming': 'elrwf' } },
            appender: { password: HASH, perm: 'elrwa' }
          },
          anonymous: 'off'
        },
        async (running) => {
          await put(running, '/incoming/a.txt', 'a')
          await put(running, '/pub/readme.txt', 'readme')
          await put(running, '/log.txt', 'log')
          const dropper = await runSteps({ port: running.port, user: 'dropper', password: PASSWORD }, [
            ['send', 'RNFR /incoming/a.txt'],
            ['send', 'RNTO /pub/a.txt'],
            ['send', 'RNFR /incoming/a.txt'],
            ['send', 'RNTO /pub/readme.txt'],
            ['send', 'RNFR /incoming/a.txt'],
            ['send', 'RNTO /incoming/b.txt']
          ])
          expect(codes(dropper), 'dropper').to.deep.equal([350, 550, 350, 550, 350, 250])
          expect(await running.read('/pub/a.txt')).to.equal(undefined)
          expect((await running.read('/pub/readme.txt'))?.toString()).to.equal('readme')
          expect((await running.read('/incoming/b.txt'))?.toString()).to.equal('a')
          const appender = await runSteps({ port: running.port, user: 'appender', password: PASSWORD }, [
            ['appe', 'log.txt', '+1'],
            ['send', 'DELE log.txt'],
            ['send', 'RNFR log.txt'],
            ['send', 'RNTO moved.txt'],
            ['appe', 'new.txt', 'n'],
            ['send', 'DELE new.txt'],
            ['send', 'RNFR new.txt'],
            ['send', 'RNTO moved.txt']
          ])
          // Without f, RNFR itself is refused (it must not say what exists), and RNTO has nothing to follow (503).
          expect(codes(appender), 'appender').to.deep.equal([226, 550, 550, 503, 226, 550, 550, 503])
          expect((await running.read('/log.txt'))?.toString()).to.equal('log+1')
          expect((await running.read('/new.txt'))?.toString()).to.equal('n')
          expect(await running.read('/moved.txt')).to.equal(undefined)
        }
      )
    })

    it('a home is a jail: .., absolute paths and (on disk) symbolic links never reach outside it', async () => {
      await withServer(
        backend,
        {
          users: { jailed: { password: HASH, home: '/home/jailed', perm: 'elradfmw' } },
          anonymous: 'off'
        },
        async (running) => {
          await put(running, '/home/jailed/mine.txt', 'mine')
          await put(running, '/home/other/secret.txt', 'secret')
          await put(running, '/top.txt', 'top')
          const links = backend === 'node'
          if (links) {
            fs.symlinkSync(path.join(running.root, 'home', 'other'), path.join(running.root, 'home', 'jailed', 'out'))
            fs.symlinkSync('/etc', path.join(running.root, 'home', 'jailed', 'etc'))
            fs.symlinkSync(
              path.join(running.root, 'home', 'other', 'new.txt'),
              path.join(running.root, 'home', 'jailed', 'dangling')
            )
          }
          const r = await runSteps({ port: running.port, user: 'jailed', password: PASSWORD }, [
            ['retr', '../other/secret.txt'],
            ['retr', '/../../top.txt'],
            ['retr', '/home/other/secret.txt'],
            ['send', 'CWD ../../..'],
            ['send', 'PWD'],
            ['nlst', '/'],
            ['nlst', '..'],
            ['retr', 'mine.txt'],
            ['retr', 'out/secret.txt'],
            ['stor', 'out/planted.txt', 'x'],
            ['list', 'etc'],
            ['stor', 'dangling', 'x'],
            ['send', 'MKD out/made'],
            ['send', 'RNFR mine.txt'],
            ['send', 'RNTO out/mine.txt']
          ])
          const [
            up,
            abs,
            real,
            cwd,
            pwd,
            root,
            parent,
            mine,
            viaLink,
            planted,
            etcList,
            danglingStor,
            mkdLink,
            rnfr,
            rnto
          ] = r.steps
          expect([up.code, abs.code, real.code]).to.deep.equal([550, 550, 550])
          expect([cwd.code, pwd.text]).to.deep.equal([250, '257 "/" is the current directory'])
          const expectedNames = links ? ['dangling', 'etc', 'mine.txt', 'out'] : ['mine.txt']
          // NLST prints the names as the client will use them (prefixed with the argument): compare the names.
          expect([...root.lines].map((n: string) => path.posix.basename(n)).sort()).to.deep.equal(expectedNames)
          expect([...parent.lines].map((n: string) => path.posix.basename(n)).sort()).to.deep.equal(expectedNames)
          expect(mine).to.include({ code: 226, text: 'mine' })
          if (links) {
            expect([viaLink.code, planted.code, etcList.code, danglingStor.code, mkdLink.code]).to.deep.equal([
              550, 550, 550, 550, 550
            ])
            expect([rnfr.code, rnto.code]).to.deep.equal([350, 550])
            expect(fs.existsSync(path.join(running.root, 'home', 'other', 'planted.txt'))).to.equal(false)
            expect(fs.existsSync(path.join(running.root, 'home', 'other', 'new.txt'))).to.equal(false)
            expect(fs.existsSync(path.join(running.root, 'home', 'other', 'made'))).to.equal(false)
            expect(fs.existsSync(path.join(running.root, 'home', 'other', 'mine.txt'))).to.equal(false)
          }
          expect((await running.read('/home/other/secret.txt'))?.toString()).to.equal('secret')
        }
      )
    })

    it('anonymous: read-only by default, refused with off, may write with write', async () => {
      const read = await startServer(backend)
      try {
        await put(read, '/pub/readme.txt', 'hello')
        const r = await runSteps({ port: read.port, user: 'anonymous', password: 'me@example.com' }, [
          ['nlst', 'pub'],
          ['retr', 'pub/readme.txt'],
          ['stor', 'pub/up.txt', 'x'],
          ['appe', 'pub/readme.txt', 'x'],
          ['send', 'MKD new'],
          ['send', 'DELE pub/readme.txt'],
          ['send', 'RNFR pub/readme.txt'],
          ['send', 'RNTO pub/moved.txt'],
          ['send', 'RMD pub'],
          ['stou', '', 'x']
        ])
        expect(r.login).to.equal(230)
        // RNFR without f is refused before the file is looked up, so RNTO has nothing to follow (503).
        expect(codes(r)).to.deep.equal([226, 226, 550, 550, 550, 550, 550, 503, 550, 550])
        expect((await read.read('/pub/readme.txt'))?.toString()).to.equal('hello')
        expect(await read.read('/pub/up.txt')).to.equal(undefined)
      } finally {
        await read.stop()
      }
      const off = await startServer(backend, { anonymous: 'off' })
      try {
        expect((await runSteps({ port: off.port, user: 'anonymous', password: 'x' }, [])).login).to.equal(530)
      } finally {
        await off.stop()
      }
      const write = await startServer(backend, { anonymous: 'write' })
      try {
        const r = await runSteps({ port: write.port, user: 'anonymous', password: 'x' }, [
          ['stor', 'up.txt', 'anon'],
          ['send', 'MKD d']
        ])
        expect(codes(r)).to.deep.equal([226, 257])
        expect((await write.read('/up.txt'))?.toString()).to.equal('anon')
      } finally {
        await write.stop()
      }
    })
  })
}

describe('FTP logins', function () {
  this.timeout(60_000)

  it('no user enumeration: a known and an unknown user get the same replies to USER and PASS', async () => {
    await withServer(
      'memory',
      { users: { bob: { password: HASH } }, anonymous: 'off', loginFailureDelay: 10 },
      async (running) => {
        const replies = async (user: string, password: string): Promise<ReadonlyArray<string | undefined>> => {
          const raw = await rawConnect(running.port)
          await raw.reply()
          raw.send(`USER ${user}\r\nPASS ${password}\r\n`)
          const got = [await raw.reply(), await raw.reply()]
          raw.socket.destroy()
          return got
        }
        const wrongPassword = await replies('bob', 'wrong')
        const unknownUser = await replies('mallory', 'wrong')
        expect(wrongPassword).to.deep.equal(['331 Password required\r\n', '530 Login incorrect\r\n'])
        expect(unknownUser).to.deep.equal(wrongPassword)
        expect(await replies('bob', PASSWORD)).to.deep.equal([
          '331 Password required\r\n',
          '230 User bob logged in\r\n'
        ])
      }
    )
  })

  it('each failed PASS is answered after the delay; the last allowed failure gets 421 and the connection is closed', async () => {
    await withServer('memory', { maxLoginAttempts: 3, loginFailureDelay: 300 }, async (running) => {
      const raw = await rawConnect(running.port)
      await raw.reply()
      for (let attempt = 1; attempt <= 2; attempt++) {
        raw.send('USER alice\r\nPASS nope\r\n')
        expect(await raw.reply()).to.match(/^331 /)
        const started = Date.now()
        expect(await raw.reply()).to.equal('530 Login incorrect\r\n')
        // A lower bound only: a loaded machine may be slower, never faster.
        expect(Date.now() - started).to.be.at.least(250)
      }
      raw.send('USER alice\r\nPASS nope\r\nUSER alice\r\n')
      expect(await raw.reply()).to.match(/^331 /)
      expect(await raw.reply()).to.match(/^421 /)
      await raw.closed
      // Another connection starts afresh.
      const r = await runSteps({ port: running.port }, [])
      expect(r.login).to.equal(230)
    })
  })

  it('a malformed user is a TypeError naming the user and the field', async () => {
    for (const [users, message] of [
      [{ eve: { password: 'plain text' } }, /user 'eve': field 'password'/],
      [{ eve: { password: HASH.slice(0, HASH.lastIndexOf('$') + 1) } }, /user 'eve': field 'password'/],
      [{ eve: { password: HASH, perm: 'elrx' } }, /user 'eve': field 'perm'/],
      [{ eve: { password: HASH, home: 'relative' } }, /user 'eve': field 'home'/],
      [{ eve: { password: HASH, paths: { '/x': 'q' } } }, /user 'eve': field 'paths\["\/x"\]'/]
    ] as const)
      await startServer('memory', { users: users as never }).then(
        // A server that started anyway is stopped, so that the failure is reported and the run still ends.
        async (running) => {
          await running.stop()
          expect.fail(`expected a TypeError matching ${message}, but the server started`)
        },
        (error: Error) => expect(error.message).to.match(message)
      )
  })
})

/** `hash` with its key cut to its first `bytes` bytes. */
const cutKey = (hash: string, bytes: number): string => {
  const parts = hash.split('$')
  parts[5] = Buffer.from(parts[5], 'base64').subarray(0, bytes).toString('base64')
  return parts.join('$')
}

describe('password hashes', function () {
  this.timeout(60_000)

  it('hashPassword uses scrypt with N = 16384, r = 8, p = 1, a 16-byte salt and a 32-byte key, and says so in the hash', () => {
    const hash = hashPassword(PASSWORD)
    const [scheme, n, r, p, salt, key] = hash.split('$')
    expect([scheme, n, r, p]).to.deep.equal(['scrypt', '16384', '8', '1'])
    const saltBytes = Buffer.from(salt, 'base64')
    expect(saltBytes.length).to.equal(16)
    // The key is what scrypt gives with those parameters, computed here independently.
    const expected = scryptSync(PASSWORD, saltBytes, 32, { N: 16384, r: 8, p: 1, maxmem: 64 << 20 })
    expect(Buffer.from(key, 'base64').equals(expected), 'the key is scrypt(N = 16384, r = 8, p = 1)').to.equal(true)
    expect(hashPassword(PASSWORD)).not.to.equal(hash) // a fresh salt each time
  })

  it("only the server's own cost is taken: a cheaper or a dearer hash is refused and matches nothing", async () => {
    const salt = randomBytes(16)
    const stored = (n: number, r: number, p: number): string =>
      [
        'scrypt',
        n,
        r,
        p,
        salt.toString('base64'),
        scryptSync('pw', salt, 32, { N: n, r, p, maxmem: 256 << 20 }).toString('base64')
      ].join('$')
    for (const [n, r, p] of [
      [1024, 8, 1],
      [16384, 4, 1],
      [16384, 8, 2],
      [32768, 8, 1]
    ]) {
      const hash = stored(n, r, p)
      expect(isPasswordHash(hash), `N = ${n}, r = ${r}, p = ${p}`).to.equal(false)
      expect(await verifyPassword(hash, 'pw'), `N = ${n}, r = ${r}, p = ${p}`).to.equal(false)
    }
    expect(await verifyPassword(stored(16384, 8, 1), 'pw')).to.equal(true)
  })

  it('an unknown user costs exactly the hash work of a wrong password (one hash each): timing tells them apart no better than replies', async () => {
    let hashes = 0
    const counting = (hash: string, password: string): Promise<boolean> => {
      hashes += 1
      return verifyPassword(hash, password)
    }
    const login = makeAuthenticate([{ name: 'alice', hash: HASH, home: '/', perm: 'elr' }], 'off', { verify: counting })
    const cost = async (user: string, password: string): Promise<number> => {
      const before = hashes
      await login(user, password)()
      return hashes - before
    }
    expect([await cost('alice', 'wrong'), await cost('mallory', 'wrong'), await cost('alice', PASSWORD)]).to.deep.equal(
      [1, 1, 1]
    )
  })

  it('a hash whose key is cut off (scrypt$16384$8$1$salt$) or shorter than 16 bytes is refused, and logs nobody in', async () => {
    const noKey = cutKey(HASH, 0)
    expect(noKey).to.match(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$$/)
    for (const [hash, what] of [
      [noKey, 'no key'],
      [cutKey(HASH, 4), 'a 4-byte key'],
      [cutKey(HASH, 15), 'a 15-byte key']
    ] as const) {
      expect(isPasswordHash(hash), what).to.equal(false)
      expect(checkUser('eve', { password: hash }), what).to.deep.equal(
        E.left("user 'eve': field 'password' must be a hash from 'npm run passwd' (scrypt$...), not a password")
      )
      const file = parseUsers(JSON.stringify({ bob: { password: HASH }, eve: { password: hash, home: '/eve' } }))
      expect(E.isLeft(file) && file.left, what).to.match(/^user 'eve': field 'password'/)
      // Even when such a hash gets past the users file (an embedder's own list), no password matches it.
      const login = makeAuthenticate([{ name: 'eve', hash, home: '/', perm: 'elradfmw' }], 'off')
      for (const password of ['', 'anything', PASSWORD]) {
        expect(await verifyPassword(hash, password), `${what}: verifyPassword '${password}'`).to.equal(false)
        expect(O.isNone(await login('eve', password)()), `${what}: login with '${password}'`).to.equal(true)
      }
    }
    // 16 bytes is the shortest key taken, and then only its own password matches.
    const sixteen = cutKey(HASH, 16)
    expect(isPasswordHash(sixteen)).to.equal(true)
    expect(await verifyPassword(sixteen, PASSWORD)).to.equal(true)
    expect(await verifyPassword(sixteen, 'anything')).to.equal(false)
  })
})
