/**
 * What a benchmark run produces: rows of medians with their ratio to the
 * workload's reference contestant, and the targets checked against them.
 * Plain data, so the table, the JSON and the chart all read the same thing.
 *
 * @since 0.1.0
 */
import { median } from './measure'

/**
 * One figure: a contestant's median on one workload metric.
 *
 * @category model
 * @since 0.1.0
 */
export interface Row {
  /** e.g. `metadata n=10,000`, `streaming write`. */
  readonly workload: string
  readonly contestant: string
  /** `ops/s`, `MiB/s`, `ms`, `bytes/byte`, `x`. */
  readonly unit: string
  /** Whether bigger is better (for the chart and for reading the ratio). */
  readonly higherIsBetter: boolean
  /** Every measured repetition (empty for reference rows from elsewhere). */
  readonly samples: ReadonlyArray<number>
  readonly median: number
  /** The contestant this row's `ratio` is against, measured in the same run (ratio paired run by run). */
  readonly reference?: string
  readonly ratio?: number
  /** False for the Python seed's figures, quoted for reference. */
  readonly measured: boolean
  readonly note?: string
}

/**
 * One target of the issue, checked against one row of this run.
 *
 * @category model
 * @since 0.1.0
 */
export interface Target {
  readonly description: string
  readonly workload: string
  readonly contestant: string
  /** Which number of the row is compared: its ratio to the reference, or its median. */
  readonly field: 'ratio' | 'median'
  /** For a ratio: the contestant it is against, when not the row's own reference (paired run by run too). */
  readonly against?: string
  readonly comparison: '>=' | '<='
  readonly threshold: number
  /** `undefined` when the row is missing (a contestant not available, a workload skipped). */
  readonly value: number | undefined
  readonly met: boolean | undefined
  readonly note?: string
}

/** The spread of the samples, as a fraction of the median: half the range. */
export const spread = (row: Row): number | undefined =>
  row.samples.length < 2 ? undefined : (Math.max(...row.samples) - Math.min(...row.samples)) / 2 / row.median

/**
 * The ratio of `samples` to `reference`, paired run by run: runs go
 * round-robin, so run i of each contestant happened moments apart under the
 * same load, and the median of the per-run ratios cancels load drift that a
 * ratio of medians would not.
 */
export const pairedRatio = (samples: ReadonlyArray<number>, reference: ReadonlyArray<number>): number => {
  const pairs = Math.min(samples.length, reference.length)
  return median(Array.from({ length: pairs }, (_, i) => samples[i] / reference[i]))
}

/**
 * Rows for one workload metric: one per contestant with samples, each with
 * its paired ratio to `reference` when that contestant was measured too.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rowsOf = (
  workload: string,
  unit: string,
  higherIsBetter: boolean,
  samples: ReadonlyMap<string, ReadonlyArray<number>>,
  reference: string | undefined,
  note?: string
): ReadonlyArray<Row> => {
  const base = reference === undefined ? undefined : samples.get(reference)
  return Array.from(samples, ([contestant, values]): Row => {
    return {
      workload,
      contestant,
      unit,
      higherIsBetter,
      samples: values,
      median: median(values),
      ...(base === undefined || reference === undefined ? {} : { reference, ratio: pairedRatio(values, base) }),
      measured: true,
      ...(note === undefined ? {} : { note })
    }
  })
}

/**
 * Checks one target against the rows: finds the row, compares the field.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkTarget = (rows: ReadonlyArray<Row>, spec: Omit<Target, 'value' | 'met'>): Target => {
  const find = (contestant: string) =>
    rows.find((r) => r.measured && r.workload === spec.workload && r.contestant === contestant)
  const row = find(spec.contestant)
  const other = spec.against === undefined ? undefined : find(spec.against)
  const ratio =
    spec.against === undefined
      ? row?.ratio
      : other === undefined
        ? undefined
        : row && pairedRatio(row.samples, other.samples)
  const value = row === undefined ? undefined : spec.field === 'ratio' ? ratio : row.median
  const met =
    value === undefined || Number.isNaN(value)
      ? undefined
      : spec.comparison === '>='
        ? value >= spec.threshold
        : value <= spec.threshold
  return { ...spec, value, met }
}

/** The targets a row is checked against (for the table's last column). */
export const targetsOfRow = (targets: ReadonlyArray<Target>, row: Row): ReadonlyArray<Target> =>
  row.measured ? targets.filter((t) => t.workload === row.workload && t.contestant === row.contestant) : []
