import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table'
import { EPOCH_MS_DATE, SHARE, type BoardKit } from '../kit.js'

/** InfluxQL filters on the board's variables (multi-value variables expand to a regex group). */
export const inRegion = `region =~ /^$region$/`
export const inOutlet = `outlet =~ /^$outlet$/`

/** Open orders: what the planner and technicians still have to do. */
export const OPEN = `('proposed', 'scheduled', 'dispatched')`

/** Each component's last estimate from the planning pass, soonest end first. */
export function componentHealthTable(kit: BoardKit, title: string): void {
  const table = new TablePanel()
    .title(title)
    .span(12)
    .height(9)
    .unit('short')
    .overrideByName('used_share', SHARE)
    .overrideByName('due_ms', EPOCH_MS_DATE)
    .overrideByName('earliest_ms', EPOCH_MS_DATE)
  kit.panel(title, table, [
    kit.influx(
      'A',
      // due_ms / earliest_ms: epoch milliseconds (0: no end in sight), shown as dates
      `SELECT last(used_share) AS used_share, last(days_left) AS days_left, last(due_ms) AS due_ms, last(earliest_ms) AS earliest_ms FROM component_health WHERE device = '$device' GROUP BY part`,
      ['time', 'used_share', 'days_left', 'due_ms', 'earliest_ms', 'part'],
      'table'
    )
  ])
}

/** The device's orders on its charts: at their visit day, or when opened. */
export function orderAnnotationSql(): string {
  return `SELECT coalesce(visit_day::timestamptz, created_at) AS time, type || ' (' || status || '): ' || reason AS text, type AS tags
  FROM orders WHERE device_id = '$device' AND $__timeFilter(coalesce(visit_day::timestamptz, created_at))`
}
