/**
 * The targets, and the Python seed's figures on this machine class
 * (quoted, not measured here: printed as reference rows).
 *
 * @since 0.1.0
 */
import type { Row, Target } from './results'

/** '8 KiB', '1 MiB'. */
export const blockLabel = (bytes: number): string =>
  bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 2 ** 10} KiB`

/** Workload names, shared by the runner, the targets and the chart. */
export const WORKLOADS = {
  metadata: (n: number): string => `metadata n=${n.toLocaleString('en-US')}`,
  /** CPU of the whole process per metadata op (every thread), beside its ops/s. */
  metadataCpu: (n: number): string => `metadata n=${n.toLocaleString('en-US')} CPU/op`,
  scaling: 'metadata scaling',
  streamingWrite: 'streaming write',
  streamingRead: 'streaming read',
  streamingHeld: 'streaming held/byte',
  /**
   * A streaming metric at a block size: 8 KiB blocks keep the plain names
   * above; other sizes say theirs ('streaming write 1 MiB').
   */
  streaming: (metric: 'write' | 'read' | 'write+read' | 'held/byte', block: number): string =>
    block === 8192 ? `streaming ${metric}` : `streaming ${metric} ${blockLabel(block)}`,
  concurrency: 'concurrency',
  concurrencyDelay: 'concurrency loop p99',
  concurrencyCpu: 'concurrency CPU/MiB',
  middleware: (n: number): string => `middleware n=${n.toLocaleString('en-US')}`,
  listing: (n: number): string => `listing n=${n.toLocaleString('en-US')}`
} as const

/** What the targets need from the run's configuration. */
export interface TargetContext {
  /** The metadata size of the memory-vs-memfs and middleware targets (10,000 in a full run). */
  readonly compareN: number
  /** The name of the middleware-stack contestant. */
  readonly stackName: string
  /** The size of the listing workload's directory (100,000 in a full run). */
  readonly listingN: number
}

/** `entries` against `scan` of the same directory on one backend: the listing targets. */
const listingTarget = (context: TargetContext, backend: string, threshold: number): Omit<Target, 'value' | 'met'> => ({
  description: `${backend} backend: entries (pages of 1,000) vs scan, entries/s, n = ${context.listingN.toLocaleString('en-US')}`,
  workload: WORKLOADS.listing(context.listingN),
  contestant: `${backend} entries`,
  field: 'ratio',
  comparison: '>=',
  threshold
})

/**
 * The target specifications (without their measured values).
 *
 * @category constants
 * @since 0.1.0
 */
export const targetSpecs = (context: TargetContext): ReadonlyArray<Omit<Target, 'value' | 'met'>> => [
  {
    description: `memory backend metadata ops/s vs memfs, n = ${context.compareN.toLocaleString('en-US')}`,
    workload: WORKLOADS.metadata(context.compareN),
    contestant: 'memory',
    field: 'ratio',
    comparison: '>=',
    threshold: 2
  },
  {
    description: `memory backend metadata ops/s vs memfs vol.promises, n = ${context.compareN.toLocaleString('en-US')}`,
    workload: WORKLOADS.metadata(context.compareN),
    contestant: 'memory',
    field: 'ratio',
    against: 'memfs.promises',
    comparison: '>=',
    threshold: 8
  },
  {
    description: 'memory backend scaling, ops/s at the largest n vs n = 1,000',
    workload: WORKLOADS.scaling,
    contestant: 'memory',
    field: 'median',
    comparison: '>=',
    threshold: 0.7
  },
  ...[8192, 2 ** 20].flatMap((block) => [
    {
      description: `memory backend held per byte of a file written in ${blockLabel(block)} blocks`,
      workload: WORKLOADS.streaming('held/byte', block),
      contestant: 'memory',
      field: 'median' as const,
      comparison: '<=' as const,
      threshold: 1.3
    },
    {
      description: `memory backend streaming write in ${blockLabel(block)} blocks vs raw sync loop`,
      workload: WORKLOADS.streaming('write', block),
      contestant: 'memory',
      field: 'ratio' as const,
      comparison: '>=' as const,
      threshold: 1
    }
  ]),
  {
    description: 'memory backend streaming write+read in 1 MiB blocks vs OpenDAL memory',
    workload: WORKLOADS.streaming('write+read', 2 ** 20),
    contestant: 'memory',
    field: 'ratio',
    against: 'opendal-memory',
    comparison: '>=',
    threshold: 1
  },
  {
    description: 'Node backend streaming write vs raw sync loop',
    workload: WORKLOADS.streamingWrite,
    contestant: 'node',
    field: 'ratio',
    comparison: '>=',
    threshold: 0.9
  },
  {
    description: 'Node backend streaming read vs raw sync loop',
    workload: WORKLOADS.streamingRead,
    contestant: 'node',
    field: 'ratio',
    comparison: '>=',
    threshold: 0.9
  },
  // The pool against fs.promises on every workload both run (disk contestants do metadata at 1,000 files).
  {
    description: 'pool metadata ops/s vs fs.promises, n = 1,000',
    workload: WORKLOADS.metadata(1000),
    contestant: 'pool',
    field: 'ratio',
    against: 'fs.promises',
    comparison: '>=',
    threshold: 1
  },
  ...[8192, 2 ** 20].flatMap((block) =>
    (['write', 'read'] as const).map((metric) => ({
      description: `pool streaming ${metric} in ${blockLabel(block)} blocks vs fs.promises`,
      workload: WORKLOADS.streaming(metric, block),
      contestant: 'pool',
      field: 'ratio' as const,
      against: 'fs.promises',
      comparison: '>=' as const,
      threshold: 1
    }))
  ),
  {
    description: 'pool concurrency MiB/s vs fs.promises',
    workload: WORKLOADS.concurrency,
    contestant: 'pool',
    field: 'ratio',
    against: 'fs.promises',
    comparison: '>=',
    threshold: 1
  },
  {
    description: "pool event-loop delay p99 during concurrency vs fs.promises' (lower is better)",
    workload: WORKLOADS.concurrencyDelay,
    contestant: 'pool',
    field: 'ratio',
    against: 'fs.promises',
    comparison: '<=',
    threshold: 1
  },
  {
    description: 'middleware stack vs bare memory backend (metadata ops/s)',
    workload: WORKLOADS.middleware(context.compareN),
    contestant: context.stackName,
    field: 'ratio',
    comparison: '>=',
    threshold: 0.85
  },
  listingTarget(context, 'memory', 0.8),
  listingTarget(context, 'node', 0.9),
  listingTarget(context, 'pool', 0.9)
]

const seed = (workload: string, contestant: string, unit: string, value: number): Row => ({
  workload,
  contestant: `python seed: ${contestant}`,
  unit,
  higherIsBetter: true,
  samples: [],
  median: value,
  measured: false,
  note: "the seed's Python implementation on this machine class (quoted, not measured)"
})

/**
 * The Python seed's figures, as reference rows.
 *
 * @category constants
 * @since 0.1.0
 */
export const SEED_ROWS: ReadonlyArray<Row> = [
  seed(WORKLOADS.metadata(1000), 'memory', 'ops/s', 89_000),
  seed(WORKLOADS.metadata(1000), 'blocking', 'ops/s', 37_000),
  seed(WORKLOADS.metadata(1000), 'executor', 'ops/s', 4_000),
  seed(WORKLOADS.metadata(4000), 'memory', 'ops/s', 35_000),
  { ...seed(WORKLOADS.scaling, 'memory', 'x', 35_000 / 89_000), note: 'the seed at n=4,000 / n=1,000 (quoted)' },
  seed(WORKLOADS.streamingWrite, 'memory', 'MiB/s', 509),
  seed(WORKLOADS.streamingWrite, 'blocking', 'MiB/s', 487),
  seed(WORKLOADS.streamingWrite, 'executor', 'MiB/s', 66),
  seed(WORKLOADS.streamingRead, 'memory', 'MiB/s', 4_853),
  seed(WORKLOADS.streamingRead, 'blocking', 'MiB/s', 2_593),
  seed(WORKLOADS.streamingRead, 'executor', 'MiB/s', 81)
]
