/**
 * The results as a hand-written SVG bar chart: one panel per workload metric,
 * one horizontal bar per contestant, its own linear scale per panel.
 *
 * @since 0.1.0
 */
import type { Row, Target } from './results'
import { targetsOfRow } from './results'
import { formatNumber } from './table'

const WIDTH = 960
const LABEL_WIDTH = 230
const BAR_WIDTH = 470
const BAR_HEIGHT = 16
const BAR_GAP = 5
const PANEL_TITLE = 26
const PANEL_GAP = 18
const MARGIN = 16

/** Colour-blind-friendly (Okabe-Ito), one per contestant in order of appearance. */
const PALETTE = ['#0072B2', '#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#F0E442', '#000000']
const SEED_COLOUR = '#c8c8c8'

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const text = (x: number, y: number, content: string, attributes = ''): string =>
  `<text x="${x}" y="${y}" ${attributes}>${escapeXml(content)}</text>`

/** Rows grouped by workload, in the order the workloads first appear. */
const panelsOf = (rows: ReadonlyArray<Row>): ReadonlyArray<ReadonlyArray<Row>> => {
  const panels = new Map<string, Array<Row>>()
  for (const row of rows) {
    const panel = panels.get(row.workload) ?? []
    panel.push(row)
    panels.set(row.workload, panel)
  }
  return Array.from(panels.values())
}

const mark = (targets: ReadonlyArray<Target>): string => {
  const checked = targets.filter((t) => t.met !== undefined)
  if (checked.length === 0) return ''
  return checked.every((t) => t.met) ? ' ✓ target met' : ' ✗ target missed'
}

/**
 * Draws the chart. `subtitle` says when and where it was measured.
 *
 * @category rendering
 * @since 0.1.0
 */
export const barChart = (
  rows: ReadonlyArray<Row>,
  targets: ReadonlyArray<Target>,
  title: string,
  subtitle: string
): string => {
  const colours = new Map<string, string>()
  for (const row of rows)
    if (row.measured && !colours.has(row.contestant))
      colours.set(row.contestant, PALETTE[colours.size % PALETTE.length])
  const parts: Array<string> = []
  let y = MARGIN
  parts.push(text(MARGIN, y + 16, title, 'font-size="18" font-weight="bold"'))
  parts.push(text(MARGIN, y + 36, subtitle, 'font-size="12" fill="#555"'))
  y += 52
  for (const panel of panelsOf(rows)) {
    const first = panel[0]
    const scale = Math.max(...panel.map((r) => r.median)) || 1
    const better = first.higherIsBetter ? 'higher is better' : 'lower is better'
    parts.push(
      text(MARGIN, y + 16, `${first.workload} (${first.unit}, ${better})`, 'font-size="14" font-weight="bold"')
    )
    y += PANEL_TITLE
    for (const row of panel) {
      const length = Math.max(1, (row.median / scale) * BAR_WIDTH)
      const colour = row.measured ? (colours.get(row.contestant) as string) : SEED_COLOUR
      const ratio = row.ratio === undefined ? '' : `  (${row.ratio.toFixed(2)}x ${row.reference})`
      const targetMark = mark(targetsOfRow(targets, row))
      parts.push(text(LABEL_WIDTH - 8, y + BAR_HEIGHT - 3, row.contestant, 'font-size="12" text-anchor="end"'))
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${length.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour}"` +
          `${row.measured ? '' : ' stroke="#888" stroke-dasharray="3 2"'}/>`
      )
      const fill = targetMark.includes('✗') ? '#b00020' : targetMark.includes('✓') ? '#006b3c' : '#222'
      parts.push(
        text(
          Math.round(LABEL_WIDTH + length + 6),
          y + BAR_HEIGHT - 3,
          `${formatNumber(row.median)}${ratio}${targetMark}`,
          `font-size="11" fill="${fill}"`
        )
      )
      y += BAR_HEIGHT + BAR_GAP
    }
    y += PANEL_GAP
  }
  const height = y + MARGIN
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    ''
  ].join('\n')
}
