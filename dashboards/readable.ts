import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import type { QueryCheck } from './check.js'

/** Epoch milliseconds between 2000 and 2100: a number in this range in a table is a time. */
const EPOCH_MS = [946684800000, 4102444800000] as const

interface FieldConfigLike {
  defaults?: { unit?: string }
  overrides?: {
    matcher?: { id?: string; options?: unknown }
    properties?: { id?: string; value?: unknown }[]
  }[]
}

/**
 * What a planner could not read in a board's tables, found from the rows the real stores answered
 * (`checkBoard` with `keepRows`): a time that arrives as epoch milliseconds but is shown as a plain
 * number, and a share (0..1) not shown as a percentage. Grafana itself turns InfluxDB's `time` and SQL
 * dates into times; every other time column needs a date unit (`dateTime…`, or `time:<format>`).
 */
export function unreadableColumns(board: Dashboard, checks: readonly QueryCheck[]): string[] {
  const issues: string[] = []
  for (const panel of board.panels ?? []) {
    if (!('type' in panel) || panel.type !== 'table') continue
    const config = (panel as { fieldConfig?: FieldConfigLike }).fieldConfig ?? {}
    const unitOf = (column: string) =>
      (config.overrides ?? [])
        .filter((o) => o.matcher?.id === 'byName' && o.matcher.options === column)
        .flatMap((o) => o.properties ?? [])
        .find((p) => p.id === 'unit')?.value ?? config.defaults?.unit
    const answered = checks.filter((c) => c.board === board.uid && c.where === `panel: ${panel.title}`)
    for (const check of answered)
      for (const column of check.columns) {
        if (column === 'time') continue
        const values = (check.records ?? [])
          .map((r) => r[column])
          .filter((v) => typeof v === 'number' && v !== 0)
        const unit = String(unitOf(column) ?? '')
        if (
          values.length > 0 &&
          values.every((v) => (v as number) >= EPOCH_MS[0] && (v as number) <= EPOCH_MS[1]) &&
          !unit.startsWith('dateTime') &&
          !unit.startsWith('time:')
        )
          issues.push(`${board.uid} / ${panel.title}: ${column} is a time shown as a number (unit '${unit}')`)
        if (/share/.test(column) && unit !== 'percentunit')
          issues.push(`${board.uid} / ${panel.title}: ${column} is a share not shown as a percentage`)
      }
  }
  return issues
}
