/**
 * The text tables: every row with its ratio and target, then the targets on
 * their own. Plain text for the terminal, markdown for the README.
 *
 * @since 0.1.0
 */
import { spread, targetsOfRow, type Row, type Target } from './results'

/** A figure with as many digits as it deserves. */
export const formatNumber = (value: number | undefined): string => {
  if (value === undefined || Number.isNaN(value)) return '-'
  const magnitude = Math.abs(value)
  const digits = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

const formatRatio = (row: Row): string => (row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x ${row.reference}`)

const formatSpread = (row: Row): string => {
  const s = spread(row)
  return s === undefined ? '' : `±${(s * 100).toFixed(0)}%`
}

const verdict = (target: Target): string =>
  target.met === undefined ? 'n/a' : `${target.met ? 'met' : 'MISSED'} (${target.comparison} ${target.threshold})`

const formatTargets = (targets: ReadonlyArray<Target>, row: Row): string => {
  if (!row.measured) return 'reference'
  return targetsOfRow(targets, row).map(verdict).join('; ')
}

const HEADER = ['workload', 'contestant', 'median', 'unit', 'spread', 'ratio', 'target'] as const

const cells = (rows: ReadonlyArray<Row>, targets: ReadonlyArray<Target>): ReadonlyArray<ReadonlyArray<string>> =>
  rows.map((row) => [
    row.workload,
    row.contestant,
    formatNumber(row.median),
    row.unit,
    formatSpread(row),
    formatRatio(row),
    formatTargets(targets, row)
  ])

const TARGET_HEADER = ['target', 'measured', 'wanted', 'verdict'] as const

const targetCells = (targets: ReadonlyArray<Target>): ReadonlyArray<ReadonlyArray<string>> =>
  targets.map((t) => [
    t.description,
    t.value === undefined ? 'not measured' : t.field === 'ratio' ? `${t.value.toFixed(2)}x` : formatNumber(t.value),
    `${t.comparison} ${t.threshold}${t.field === 'ratio' ? 'x' : ''}`,
    t.met === undefined ? 'n/a' : t.met ? 'met' : 'MISSED'
  ])

/** Numbers right-aligned, words left-aligned. */
const isNumeric = (cell: string): boolean => /^[±-]?[\d,.]+(%|x)?$/.test(cell)

const plain = (header: ReadonlyArray<string>, body: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((c, i) => (isNumeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}

const markdown = (header: ReadonlyArray<string>, body: ReadonlyArray<ReadonlyArray<string>>): string => {
  const line = (r: ReadonlyArray<string>) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  const align = header.map((_, i) =>
    body.length > 0 && body.every((r) => r[i] === '' || isNumeric(r[i])) ? '---:' : '---'
  )
  return [line(header), `|${align.join('|')}|`, ...body.map(line)].join('\n')
}

/**
 * The results table (every row) as plain text.
 *
 * @category rendering
 * @since 0.1.0
 */
export const resultsTable = (
  rows: ReadonlyArray<Row>,
  targets: ReadonlyArray<Target>,
  format: 'plain' | 'markdown'
): string => (format === 'plain' ? plain : markdown)(HEADER, cells(rows, targets))

/**
 * The targets table.
 *
 * @category rendering
 * @since 0.1.0
 */
export const targetsTable = (targets: ReadonlyArray<Target>, format: 'plain' | 'markdown'): string =>
  (format === 'plain' ? plain : markdown)(TARGET_HEADER, targetCells(targets))
