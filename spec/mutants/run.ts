/**
 * `npm run mutants`: plants each bug of ./mutants.ts, one at a time, in a
 * scratch copy of the checkout, runs the specs that should catch it, and
 * prints which were killed (a spec failed) and which survived, with the kill
 * rate. The checkout itself is never written: the scratch copy (everything but
 * node_modules, .git and dist, with node_modules linked in) is removed at the
 * end, on Ctrl-C and on a crash.
 *
 *   npm run mutants                       each mutant against its own specs
 *   npm run mutants -- --all              each mutant against the whole suite
 *   npm run mutants -- --only a,b         only these mutants
 *   npm run mutants -- --bail             stop a mutant's run at its first failing test
 *   npm run mutants -- --list             list the mutants and their specs, run nothing
 *   npm run mutants -- --no-baseline      skip the run of the unmutated specs first
 *   npm run mutants -- --timeout 600      seconds a mutant's run may take (then: killed by timeout)
 *
 * Each run is mocha with `--exit` (a mutant that leaves a server open must
 * not hang its run) and a JSON report, from which the failing tests and
 * their messages are printed. A mutant is killed when its run fails or times
 * out, and survives when every spec passes.
 *
 * Exit status: 0 when every mutant was killed, 1 when one survived, 2 when the
 * mutants cannot be applied (a `find` snippet not found exactly once, a
 * missing spec) or the unmutated specs fail.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { MUTANTS, type Mutant } from './mutants'

const CHECKOUT = path.resolve(__dirname, '..', '..')
const WHOLE_SUITE = 'spec/**/*.spec.ts'
/** Not copied: node_modules is linked in, the rest is not needed to run the specs. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist'])

interface Options {
  readonly all: boolean
  readonly bail: boolean
  readonly list: boolean
  readonly baseline: boolean
  readonly only: ReadonlyArray<string> | undefined
  readonly timeoutMs: number
}

const usage = (): never => {
  process.stderr.write(
    'usage: npm run mutants -- [--all] [--bail] [--list] [--no-baseline] [--only id,id] [--timeout seconds]\n'
  )
  process.exit(2)
}

const parseOptions = (argv: ReadonlyArray<string>): Options => {
  let all = false
  let bail = false
  let list = false
  let baseline = true
  let only: ReadonlyArray<string> | undefined
  let timeoutMs: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--all') all = true
    else if (arg === '--bail') bail = true
    else if (arg === '--list') list = true
    else if (arg === '--no-baseline') baseline = false
    else if (arg === '--only' && i + 1 < argv.length) only = argv[++i].split(',').filter((id) => id !== '')
    else if (arg === '--timeout' && i + 1 < argv.length && Number(argv[i + 1]) > 0) timeoutMs = Number(argv[++i]) * 1000
    else usage()
  }
  return { all, bail, list, baseline, only, timeoutMs: timeoutMs ?? (all ? 30 : 10) * 60_000 }
}

const occurrences = (text: string, snippet: string): number => {
  let count = 0
  for (let at = text.indexOf(snippet); at !== -1; at = text.indexOf(snippet, at + 1)) count++
  return count
}

/** Every reason the mutants cannot be applied to the checkout as it is now. */
const problemsOf = (mutants: ReadonlyArray<Mutant>): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const ids = new Set<string>()
  for (const mutant of mutants) {
    if (ids.has(mutant.id)) problems.push(`${mutant.id}: the id is used twice`)
    ids.add(mutant.id)
    const file = path.join(CHECKOUT, mutant.file)
    if (!fs.existsSync(file)) {
      problems.push(`${mutant.id}: ${mutant.file} does not exist`)
      continue
    }
    const found = occurrences(fs.readFileSync(file, 'utf8'), mutant.find)
    if (found !== 1)
      problems.push(
        `${mutant.id}: the snippet ${JSON.stringify(mutant.find)} is found ${found} times in ${mutant.file}, not once: update it in spec/mutants/mutants.ts`
      )
    if (mutant.find === mutant.replace) problems.push(`${mutant.id}: find and replace are the same`)
    if (mutant.specs.length === 0) problems.push(`${mutant.id}: no specs`)
    for (const spec of mutant.specs)
      if (!fs.existsSync(path.join(CHECKOUT, spec))) problems.push(`${mutant.id}: spec ${spec} does not exist`)
  }
  return problems
}

/** The scratch copy, and the child running in it (both cleaned up however the runner ends). */
let scratch: string | undefined
let running: ChildProcess | undefined

const cleanUp = (): void => {
  if (running?.pid !== undefined) {
    try {
      process.kill(-running.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true })
  scratch = undefined
}

const makeScratch = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-pathio-mutants-'))
  scratch = dir
  for (const name of fs.readdirSync(CHECKOUT)) {
    if (NOT_COPIED.has(name)) continue
    fs.cpSync(path.join(CHECKOUT, name), path.join(dir, name), { recursive: true })
  }
  fs.symlinkSync(path.join(CHECKOUT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  return dir
}

interface Run {
  readonly status: 'passed' | 'failed' | 'timeout'
  /** The failing tests (title and message), as mocha's JSON report gives them (empty when it wrote none: a crash). */
  readonly failures: ReadonlyArray<{ readonly title: string; readonly message: string }>
  readonly ms: number
  readonly stderr: string
}

/** Runs mocha on `specs` in `dir`, in a process group of its own (killed whole on a timeout). */
const runMocha = (dir: string, specs: ReadonlyArray<string>, options: Options): Promise<Run> =>
  new Promise((resolve) => {
    const report = path.join(dir, '.mutant-report.json')
    fs.rmSync(report, { force: true })
    const args = [
      path.join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      ...specs,
      '--reporter',
      'json',
      '--reporter-option',
      `output=${report}`,
      // A mutant may leave a server or a handle open: the run ends once the tests have, as a verdict needs.
      '--exit',
      ...(options.bail ? ['--bail'] : [])
    ]
    const started = Date.now()
    const child = spawn(process.execPath, args, {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }
    })
    running = child
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    }, options.timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      running = undefined
      let failures: ReadonlyArray<{ fullTitle: string; err?: { message?: string } }> = []
      try {
        failures = (JSON.parse(fs.readFileSync(report, 'utf8')) as { failures: typeof failures }).failures
      } catch {
        // no report: mocha crashed or was killed
      }
      resolve({
        status: timedOut ? 'timeout' : code === 0 ? 'passed' : 'failed',
        failures: failures.map((failure) => ({ title: failure.fullTitle, message: failure.err?.message ?? '' })),
        ms: Date.now() - started,
        stderr
      })
    })
  })

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const oneLine = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

const main = async (): Promise<number> => {
  const options = parseOptions(process.argv.slice(2))
  const unknown = (options.only ?? []).filter((id) => !MUTANTS.some((mutant) => mutant.id === id))
  if (unknown.length > 0) {
    process.stderr.write(`mutants: no mutant named ${unknown.join(', ')}\n`)
    return 2
  }
  const chosen = options.only === undefined ? MUTANTS : MUTANTS.filter((mutant) => options.only?.includes(mutant.id))
  const problems = problemsOf(MUTANTS)
  if (problems.length > 0) {
    process.stderr.write(
      `mutants: cannot apply the mutants to this checkout:\n${problems.map((p) => `  - ${p}\n`).join('')}`
    )
    return 2
  }
  if (options.list) {
    for (const mutant of chosen)
      process.stdout.write(`${mutant.id}\n  ${mutant.bug}\n  ${mutant.file}\n  specs: ${mutant.specs.join(' ')}\n`)
    return 0
  }

  const dir = makeScratch()
  process.stdout.write(`scratch copy: ${dir}\n`)
  const specsOf = (mutant: Mutant): ReadonlyArray<string> => (options.all ? [WHOLE_SUITE] : mutant.specs)

  if (options.baseline) {
    const union = options.all ? [WHOLE_SUITE] : [...new Set(chosen.flatMap((mutant) => mutant.specs))]
    process.stdout.write(`baseline: the unmutated code against ${options.all ? 'the whole suite' : union.join(' ')}\n`)
    const baseline = await runMocha(dir, union, options)
    if (baseline.status !== 'passed') {
      process.stderr.write(
        `mutants: the unmutated specs do not pass (${baseline.status}), so no kill would mean anything:\n` +
          `${baseline.failures.map(({ title, message }) => `  - ${title}\n      ${oneLine(message, 240)}\n`).join('')}${baseline.stderr}\n`
      )
      return 2
    }
    process.stdout.write(`baseline: passed in ${seconds(baseline.ms)}\n`)
  }

  const rows: Array<{ readonly mutant: Mutant; readonly verdict: string; readonly run: Run }> = []
  for (const mutant of chosen) {
    const file = path.join(dir, mutant.file)
    const original = fs.readFileSync(file, 'utf8')
    if (occurrences(original, mutant.find) !== 1)
      throw new Error(`${mutant.id}: the snippet is not found exactly once in the scratch copy`)
    let run: Run
    try {
      fs.writeFileSync(
        file,
        original.replace(mutant.find, () => mutant.replace)
      )
      process.stdout.write(`${mutant.id}: ${mutant.bug}\n`)
      run = await runMocha(dir, specsOf(mutant), options)
    } finally {
      fs.writeFileSync(file, original)
    }
    const verdict =
      run.status === 'passed'
        ? 'SURVIVED'
        : run.status === 'timeout'
          ? 'killed (timeout)'
          : run.failures.length === 0
            ? 'killed (crashed, no report)'
            : `killed (${run.failures.length} failing)`
    process.stdout.write(`  ${verdict} in ${seconds(run.ms)}\n`)
    for (const { title, message } of run.failures.slice(0, 12))
      process.stdout.write(`    - ${title}\n        ${oneLine(message, 240)}\n`)
    if (run.failures.length > 12) process.stdout.write(`    - and ${run.failures.length - 12} more\n`)
    if (run.failures.length === 0 && run.status === 'failed') process.stdout.write(`  ${oneLine(run.stderr, 300)}\n`)
    rows.push({ mutant, verdict, run })
  }

  const idWidth = Math.max(2, ...rows.map(({ mutant }) => mutant.id.length))
  const verdictWidth = Math.max(7, ...rows.map(({ verdict }) => verdict.length))
  process.stdout.write(
    `\n${'mutant'.padEnd(idWidth)}  ${'verdict'.padEnd(verdictWidth)}  ${'time'.padStart(8)}  first failing test\n`
  )
  for (const { mutant, verdict, run } of rows)
    process.stdout.write(
      `${mutant.id.padEnd(idWidth)}  ${verdict.padEnd(verdictWidth)}  ${seconds(run.ms).padStart(8)}  ${oneLine(run.failures[0]?.title ?? '', 110)}\n`
    )
  const killed = rows.filter(({ run }) => run.status !== 'passed').length
  const rate = rows.length === 0 ? 0 : (100 * killed) / rows.length
  process.stdout.write(
    `\nkill rate: ${killed}/${rows.length} (${rate.toFixed(0)}%)${options.all ? ', each against the whole suite' : ', each against its own specs'}\n`
  )
  const survivors = rows.filter(({ run }) => run.status === 'passed').map(({ mutant }) => mutant.id)
  if (survivors.length > 0) process.stdout.write(`survived: ${survivors.join(', ')}\n`)
  return survivors.length === 0 ? 0 : 1
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => {
    cleanUp()
    process.exit(130)
  })
process.on('exit', cleanUp)

main().then(
  (status) => {
    cleanUp()
    process.exit(status)
  },
  (error: unknown) => {
    process.stderr.write(`mutants: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    cleanUp()
    process.exit(2)
  }
)
