/**
 * `npm run bench [-- --quick] [--json FILE] [--svg FILE] [--only WORKLOAD] [--runs N]`
 *
 * The project's benchmark: the same workloads for every contestant, medians
 * of several runs after a warm-up, every claim a ratio against a contestant
 * measured in the same run. Prints the table on stdout, progress on stderr.
 *
 * @since 0.1.0
 */
// The pool's workers run from the TypeScript sources here, as in the tests.
import '../spec/support/poolWorker'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as nodePath from 'node:path'
import type { Contestant, Session } from './contestant'
import { allContestants, memory, memoryStack, stackHasNormaliseErrors } from './contestants'
import { gc, median } from './measure'
import { checkTarget, rowsOf, type Row, type Target } from './results'
import { field, progress, roundRobin, type Failure, type Repetitions } from './run'
import { barChart } from './svg'
import { resultsTable, targetsTable } from './table'
import { blockLabel, SEED_ROWS, targetSpecs, WORKLOADS } from './targets'
import { concurrency, listing, metadata, streaming } from './workloads'
import { makeMemoryPathIO } from '../lib/backends/memory'
import { makeNodePathIO } from '../lib/backends/node'
import { makePoolPathIO } from '../lib/backends/pool'
import type { PathIO } from '../lib/PathIO'

const MiB = 2 ** 20
const KiB = 2 ** 10

/** Sizes of one run of the benchmark. */
interface Config {
  readonly quick: boolean
  readonly repetitions: Repetitions
  /** Metadata sizes for every contestant. */
  readonly metadataNs: ReadonlyArray<number>
  /** Further metadata sizes for in-memory contestants only. */
  readonly memoryOnlyNs: ReadonlyArray<number>
  /** The size of the memory-vs-memfs comparison and of the middleware workload. */
  readonly compareN: number
  readonly streamBytes: number
  /** Streaming block sizes: 8 KiB (a server's socket reads) and 1 MiB (a bulk copy). */
  readonly streamBlocks: ReadonlyArray<number>
  readonly streams: number
  readonly streamBytesEach: number
  readonly concurrencyBlock: number
  /** Entries in the listing workload's directory. */
  readonly listingN: number
}

const FULL: Config = {
  quick: false,
  repetitions: { warmups: 1, warmupSeconds: 1, maxWarmups: 20, runs: 5, minSeconds: 2, maxRuns: 15 },
  metadataNs: [1000, 10_000],
  memoryOnlyNs: [100_000],
  compareN: 10_000,
  streamBytes: 64 * MiB,
  streamBlocks: [8 * KiB, MiB],
  streams: 32,
  streamBytesEach: 4 * MiB,
  concurrencyBlock: 64 * KiB,
  listingN: 100_000
}

/**
 * Under a minute: smaller sizes, fewer runs; the same workloads and targets.
 * Disk contestants do 1,000 files only (creating files on this disk is slow).
 */
const QUICK: Config = {
  quick: true,
  repetitions: { warmups: 1, warmupSeconds: 0.3, maxWarmups: 10, runs: 3, minSeconds: 0.5, maxRuns: 9 },
  metadataNs: [1000],
  memoryOnlyNs: [10_000],
  compareN: 10_000,
  streamBytes: 16 * MiB,
  streamBlocks: [8 * KiB, MiB],
  streams: 32,
  streamBytesEach: 1 * MiB,
  concurrencyBlock: 64 * KiB,
  listingN: 10_000
}

const WORKLOAD_NAMES = ['metadata', 'middleware', 'streaming', 'concurrency', 'listingLines'] as const
type WorkloadName = (typeof WORKLOAD_NAMES)[number]

interface Options {
  readonly config: Config
  readonly json: string | undefined
  readonly svg: string | undefined
  readonly only: ReadonlySet<WorkloadName>
  /** Re-render a saved `--json` document instead of measuring. */
  readonly from: string | undefined
  /** Print the tables as markdown (for README.md). */
  readonly markdown: boolean
}

const USAGE =
  `usage: npm run bench -- [--quick] [--json FILE] [--svg FILE] [--only ${WORKLOAD_NAMES.join(',')}] [--runs N] [--markdown]\n` +
  '       npm run bench -- --from FILE.json [--svg FILE]   (print and draw saved results, measure nothing)'

const parseArguments = (argv: ReadonlyArray<string>): Options => {
  let config = FULL
  let json: string | undefined
  let svg: string | undefined
  let only = new Set<WorkloadName>(WORKLOAD_NAMES)
  let runs: number | undefined
  let from: string | undefined
  let markdown = false
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new TypeError(`${argv[i - 1]} needs a value\n${USAGE}`)
      return next
    }
    switch (argv[i]) {
      case '--quick':
        config = QUICK
        break
      case '--json':
        json = value()
        break
      case '--svg':
        svg = value()
        break
      case '--from':
        from = value()
        break
      case '--markdown':
        markdown = true
        break
      case '--only': {
        const names = value().split(',')
        const unknown = names.filter((n) => !(WORKLOAD_NAMES as ReadonlyArray<string>).includes(n))
        if (unknown.length > 0) throw new TypeError(`unknown workload ${unknown.join(', ')}\n${USAGE}`)
        only = new Set(names as Array<WorkloadName>)
        break
      }
      case '--runs':
        runs = Number(value())
        if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`--runs must be a positive integer\n${USAGE}`)
        break
      case '--help':
        process.stdout.write(`${USAGE}\n`)
        process.exit(0)
      // eslint-disable-next-line no-fallthrough
      default:
        throw new TypeError(`unknown argument ${argv[i]}\n${USAGE}`)
    }
  }
  if (runs !== undefined) config = { ...config, repetitions: { ...config.repetitions, runs } }
  return { config, json, svg, only, from, markdown }
}

// -------------------------------------------------------------------------------------
// the workloads, as rows
// -------------------------------------------------------------------------------------

/** Small workloads run without a forced GC before each run (see `roundRobin`); big ones with. */
const NO_GC = false
const FULL_GC = true

const metadataRows = async (
  config: Config,
  contestants: ReadonlyArray<Contestant>,
  failures: Array<Failure>
): Promise<ReadonlyArray<Row>> => {
  const sizes = [...config.metadataNs, ...config.memoryOnlyNs]
  const opsPerSecond = new Map<number, ReadonlyMap<string, ReadonlyArray<number>>>()
  const rows: Array<Row> = []
  for (const n of sizes) {
    const who = config.metadataNs.includes(n) ? contestants : contestants.filter((c) => c.kind === 'memory')
    const workload = WORKLOADS.metadata(n)
    const run = (session: Session) => metadata(session, n)
    const results = await roundRobin(workload, who, config.repetitions, failures, run, NO_GC)
    const samples = field(results, 'opsPerSecond')
    opsPerSecond.set(n, samples)
    rows.push(...rowsOf(workload, 'ops/s', true, samples, 'memfs'))
    // What each op cost in CPU, every thread of the process counted (a pool's polling workers, libuv's threads).
    rows.push(
      ...rowsOf(
        WORKLOADS.metadataCpu(n),
        'µs',
        false,
        field(results, 'cpuMicrosPerOp'),
        'fs.promises',
        'CPU time per op, all threads'
      )
    )
  }
  // Scaling: each contestant's largest n against n = 1,000, from the medians above.
  const smallest = Math.min(...sizes)
  for (const contestant of contestants) {
    const measuredAt = sizes.filter((n) => opsPerSecond.get(n)?.has(contestant.name))
    const largest = Math.max(...measuredAt)
    if (measuredAt.length < 2 || !measuredAt.includes(smallest)) continue
    const at = (n: number) => median(opsPerSecond.get(n)?.get(contestant.name) ?? [])
    const scaling = at(largest) / at(smallest)
    rows.push({
      workload: WORKLOADS.scaling,
      contestant: contestant.name,
      unit: 'x',
      higherIsBetter: true,
      samples: [],
      median: scaling,
      measured: true,
      note: `ops/s at n=${largest.toLocaleString('en-US')} / at n=${smallest.toLocaleString('en-US')}`
    })
  }
  return rows
}

const middlewareRows = async (config: Config, failures: Array<Failure>): Promise<ReadonlyArray<Row>> => {
  const workload = WORKLOADS.middleware(config.compareN)
  const run = (session: Session) => metadata(session, config.compareN)
  const results = await roundRobin(workload, [memory, memoryStack], config.repetitions, failures, run, NO_GC)
  const note = stackHasNormaliseErrors ? undefined : 'normaliseErrors not exported yet: withTimeout only'
  return rowsOf(workload, 'ops/s', true, field(results, 'opsPerSecond'), memory.name, note)
}

const streamingRows = async (
  config: Config,
  contestants: ReadonlyArray<Contestant>,
  failures: Array<Failure>
): Promise<ReadonlyArray<Row>> => {
  const rows: Array<Row> = []
  for (const block of config.streamBlocks) {
    const size = `${config.streamBytes / MiB} MiB in ${blockLabel(block)} blocks`
    const run = (session: Session, c: Contestant) =>
      streaming(session, config.streamBytes, block, c.kind === 'memory' && c.heldVisible !== false && gc !== undefined)
    const results = await roundRobin(`streaming ${size}`, contestants, config.repetitions, failures, run, FULL_GC)
    rows.push(
      ...rowsOf(WORKLOADS.streaming('write', block), 'MiB/s', true, field(results, 'writeMiBps'), 'raw-sync', size),
      ...rowsOf(WORKLOADS.streaming('read', block), 'MiB/s', true, field(results, 'readMiBps'), 'raw-sync', size),
      ...rowsOf(
        WORKLOADS.streaming('write+read', block),
        'MiB/s',
        true,
        field(results, 'writeReadMiBps'),
        'raw-sync',
        `${size}; written then read`
      ),
      ...rowsOf(
        WORKLOADS.streaming('held/byte', block),
        'bytes/byte',
        false,
        new Map(Array.from(field(results, 'heldPerByte')).filter(([, samples]) => samples.length > 0)),
        undefined,
        `(external + heapUsed) delta after GC / ${config.streamBytes / MiB} MiB stored`
      )
    )
  }
  return rows
}

const concurrencyRows = async (
  config: Config,
  contestants: ReadonlyArray<Contestant>,
  failures: Array<Failure>
): Promise<ReadonlyArray<Row>> => {
  const size = `${config.streams} streams x ${config.streamBytesEach / MiB} MiB in ${config.concurrencyBlock / KiB} KiB blocks, each way`
  const run = (session: Session) =>
    concurrency(session, config.streams, config.streamBytesEach, config.concurrencyBlock)
  const results = await roundRobin(`concurrency ${size}`, contestants, config.repetitions, failures, run, FULL_GC)
  return [
    ...rowsOf(
      WORKLOADS.concurrency,
      'MiB/s',
      true,
      field(results, 'totalMiBps'),
      'fs.promises',
      `${size}; written + read`
    ),
    ...rowsOf(
      WORKLOADS.concurrencyDelay,
      'ms',
      false,
      field(results, 'loopDelayP99Ms'),
      'fs.promises',
      'event-loop delay p99'
    ),
    ...rowsOf(
      WORKLOADS.concurrencyCpu,
      'ms',
      false,
      field(results, 'cpuMsPerMiB'),
      'fs.promises',
      'CPU time per MiB moved, all threads'
    )
  ]
}

/** Entries per page in the listing workload. */
const LISTING_BATCH = 1000

/**
 * `entries` beside `scan` over one directory of `listingN` entries, on each
 * backend: the directory is made once (on disk, as hard links to one file:
 * creating files here is slow, and a listing only reads names and stats),
 * then scan and entries run in pairs, alternating which goes first; the ratio
 * is paired pair by pair.
 */
const listingRows = async (config: Config): Promise<ReadonlyArray<Row>> => {
  const n = config.listingN
  const workload = WORKLOADS.listing(n)
  const disk = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'fp-pathio-bench-listing-'))
  const memory = makeMemoryPathIO()
  const pool = makePoolPathIO({ cwd: disk })
  try {
    progress(`> ${workload}: making the directory (${n.toLocaleString('en-US')} entries, memory and disk) ...`)
    await memory.mkdir('/listing')()
    for (let i = 0; i < n; i++) {
      const file = await memory.open(`/listing/entry-${i}`, 'wb')()
      if (file._tag === 'Right') await memory.close(file.right)()
    }
    // A new file every 60,000 names: ext4 allows 65,000 links to one inode.
    for (let i = 0; i < n; i++) {
      const entry = nodePath.join(disk, `entry-${i}`)
      if (i % 60_000 === 0) fs.writeFileSync(entry, 'x')
      else fs.linkSync(nodePath.join(disk, `entry-${i - (i % 60_000)}`), entry)
    }
    const backends: ReadonlyArray<readonly [string, PathIO<unknown>, string]> = [
      ['memory', memory, '/listing'],
      ['node', makeNodePathIO({ cwd: disk }), disk],
      ['pool', pool, disk]
    ]
    const rows: Array<Row> = []
    for (const [name, io, dir] of backends) {
      const started = Date.now()
      for (let i = 0; i < config.repetitions.warmups; i++) await listing(io, dir, n, LISTING_BATCH, i % 2 === 0)
      const runs = []
      for (let i = 0; i < config.repetitions.runs; i++) runs.push(await listing(io, dir, n, LISTING_BATCH, i % 2 === 0))
      progress(`  ${name}: ${runs.length} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      const samples = new Map([
        [`${name} scan`, runs.map((r) => r.scanPerSecond)],
        [`${name} entries`, runs.map((r) => r.entriesPerSecond)]
      ])
      rows.push(...rowsOf(workload, 'entries/s', true, samples, `${name} scan`, `entries in pages of ${LISTING_BATCH}`))
    }
    return rows
  } finally {
    await pool.state.close()
    fs.rmSync(disk, { recursive: true, force: true })
  }
}

/** Seed rows go right after the measured rows of their workload (or after the first metadata group). */
const withSeedRows = (rows: ReadonlyArray<Row>): ReadonlyArray<Row> => {
  const out: Array<Row> = []
  const pending = [...SEED_ROWS]
  const workloads = Array.from(new Set(rows.map((r) => r.workload)))
  for (const workload of workloads) {
    out.push(...rows.filter((r) => r.workload === workload))
    const seeds = pending.filter((r) => r.workload === workload)
    out.push(...seeds)
    if (workload === WORKLOADS.metadata(1000)) out.push(...pending.filter((r) => !workloads.includes(r.workload)))
  }
  return out
}

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

const writeFile = (file: string, content: string): void => {
  fs.mkdirSync(nodePath.dirname(nodePath.resolve(file)), { recursive: true })
  fs.writeFileSync(file, content)
}

/** What `--json` writes and `--from` reads. */
interface Document {
  readonly environment: {
    readonly date: string
    readonly node: string
    readonly cores: number
    readonly cpu: string
    readonly platform: string
    readonly loadAverageAtStart: ReadonlyArray<number>
    readonly loadAverageAtEnd: ReadonlyArray<number>
    readonly seconds: number
  }
  readonly config: Config
  readonly contestants: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly description: string }>
  readonly rows: ReadonlyArray<Row>
  readonly targets: ReadonlyArray<Target>
  readonly notes: ReadonlyArray<string>
}

/** Prints the tables and writes the JSON and SVG files asked for. */
const report = (document: Document, json: string | undefined, svg: string | undefined, markdown = false): void => {
  const format = markdown ? 'markdown' : 'plain'
  const { environment, config, rows, targets, notes } = document
  process.stdout.write(`\n${resultsTable(rows, targets, format)}\n\n${targetsTable(targets, format)}\n`)
  if (notes.length > 0) process.stdout.write(`\nnotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n`)
  process.stdout.write(
    `\n${environment.date}, Node ${environment.node}, ${environment.cores} cores (${environment.cpu}), ` +
      `load ${environment.loadAverageAtStart.join(' ')} -> ${environment.loadAverageAtEnd.join(' ')}, ${environment.seconds.toFixed(0)} s\n`
  )
  if (json !== undefined) {
    writeFile(json, `${JSON.stringify(document, null, 2)}\n`)
    progress(`wrote ${json}`)
  }
  if (svg !== undefined) {
    const subtitle =
      `${environment.date.slice(0, 10)}, Node ${environment.node}, ${environment.cores} cores; ` +
      `median of ${config.repetitions.runs}+ runs after >= ${config.repetitions.warmupSeconds} s warm-up${config.quick ? ' (quick)' : ''}; ` +
      'ratios paired run by run; grey = Python seed (quoted)'
    writeFile(svg, barChart(rows, targets, 'fp-pathio benchmark', subtitle))
    progress(`wrote ${svg}`)
  }
}

const loadAverage = (): ReadonlyArray<number> => os.loadavg().map((l) => Number(l.toFixed(2)))

const main = async (): Promise<void> => {
  const { config, json, svg, only, from, markdown } = parseArguments(process.argv.slice(2))
  if (from !== undefined) {
    report(JSON.parse(fs.readFileSync(from, 'utf8')) as Document, json, svg, markdown)
    return
  }
  const { contestants, missing } = allContestants()
  const started = new Date()
  const loadAverageAtStart = loadAverage()
  progress(
    `fp-pathio bench (${config.quick ? 'quick' : 'full'}): ${started.toISOString()}, Node ${process.version}, ` +
      `${os.availableParallelism()} cores, load ${loadAverageAtStart.join(' ')}`
  )
  if (missing.length > 0) progress(`  not available yet, skipped: ${missing.join(', ')}`)
  if (gc === undefined) progress('  no gc available: memory per byte is not measured')
  const metadataContestants = contestants.filter((c) => c !== memoryStack)
  const failures: Array<Failure> = []
  const rows: Array<Row> = []
  if (only.has('metadata')) rows.push(...(await metadataRows(config, metadataContestants, failures)))
  if (only.has('middleware')) rows.push(...(await middlewareRows(config, failures)))
  if (only.has('streaming')) rows.push(...(await streamingRows(config, metadataContestants, failures)))
  if (only.has('concurrency')) rows.push(...(await concurrencyRows(config, metadataContestants, failures)))
  if (only.has('listingLines')) rows.push(...(await listingRows(config)))

  const targets = targetSpecs({
    compareN: config.compareN,
    stackName: memoryStack.name,
    listingN: config.listingN
  }).map((spec) => checkTarget(rows, spec))
  const notes = [
    ...(config.quick
      ? [
          '--quick: smaller sizes and fewer runs; disk contestants at n=1,000 only; scaling is n=10,000 vs 1,000, not 100,000'
        ]
      : []),
    ...missing.map((m) => `${m} not available yet: not measured`),
    ...(stackHasNormaliseErrors ? [] : ['normaliseErrors not exported yet: the middleware stack is withTimeout alone']),
    ...failures.map((f) => `${f.contestant} failed in ${f.workload}: ${f.error}`)
  ]
  const document: Document = {
    environment: {
      date: started.toISOString(),
      node: process.version,
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart,
      loadAverageAtEnd: loadAverage(),
      seconds: (Date.now() - started.getTime()) / 1000
    },
    config,
    contestants: contestants.map((c) => ({ name: c.name, kind: c.kind, description: c.description })),
    rows: withSeedRows(rows),
    targets,
    notes
  }
  report(document, json, svg, markdown)
}

let finished = false
process.on('exit', () => {
  if (!finished && process.exitCode === undefined) {
    process.stderr.write(
      'bench: the process ran out of work before the benchmark finished (a promise nothing keeps alive)\n'
    )
    process.exitCode = 1
  }
})

main()
  .then(() => {
    finished = true
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  })
