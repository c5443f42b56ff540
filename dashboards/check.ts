import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import type { InfluxQueryClient, SqlClient } from '../stores/index.js'
import {
  expandInfluxQL,
  expandSql,
  panelInterval,
  relativeTime,
  type QueryContext,
  type VariableValue
} from './grafana-macros.js'
import { INFLUX, POSTGRES } from './kit.js'

/** One query of a board as Grafana would send it, and what the store answered. */
export interface QueryCheck {
  board: string
  /** `panel: <title>`, `variable: <name>` or `annotation: <name>`. */
  where: string
  refId: string
  datasource: 'influxdb' | 'postgres'
  query: string
  columns: string[]
  rows: number
  error?: string
  /** The rows themselves (tags merged in), when asked for with `keepRows`. */
  records?: Record<string, unknown>[]
}

interface RawTarget {
  refId?: string
  datasource?: { type?: string; uid?: string }
  query?: string
  rawSql?: string
}

/**
 * Runs every template-variable query, panel query and annotation query of a
 * board against the real stores, with Grafana's macros and variables expanded
 * (each variable set to what its own query returns: all values where the
 * variable allows several, else the first), over the board's own time range.
 */
export async function checkBoard(
  board: Dashboard,
  stores: { influx: InfluxQueryClient; sql: SqlClient },
  now = Date.now(),
  options: { keepRows?: boolean } = {}
): Promise<QueryCheck[]> {
  const from = relativeTime(board.time?.from ?? 'now-6h', now)
  const to = relativeTime(board.time?.to ?? 'now', now)
  const variables: Record<string, VariableValue> = {}
  const checks: QueryCheck[] = []
  const ctx = (intervalMs: number): QueryContext => ({ from, to, intervalMs, variables })
  const run = async (where: string, t: RawTarget, intervalMs: number): Promise<Ran> => {
    const sql = t.datasource?.uid === POSTGRES.uid
    const query = sql
      ? expandSql(t.rawSql ?? '', ctx(intervalMs))
      : expandInfluxQL(t.query ?? '', ctx(intervalMs))
    const check: Ran = {
      board: board.uid ?? '',
      where,
      refId: t.refId ?? 'A',
      datasource: sql ? 'postgres' : 'influxdb',
      query,
      columns: [],
      rows: 0,
      values: []
    }
    try {
      if (sql) {
        const { rows } = await stores.sql.query<Record<string, unknown>>(query)
        check.rows = rows.length
        check.columns = rows[0] ? Object.keys(rows[0]) : []
        check.values = rows.map((r) => Object.values(r)[0])
        if (options.keepRows) check.records = rows
      } else {
        const [series = []] = await stores.influx.raw(query)
        check.rows = series.reduce((a, s) => a + s.values.length, 0)
        check.columns = [...new Set(series.flatMap((s) => [...s.columns, ...Object.keys(s.tags ?? {})]))]
        // SHOW TAG VALUES answers key/value pairs: the variable takes the values
        const valueAt = series[0]?.columns.indexOf('value') ?? -1
        check.values = series.flatMap((s) => s.values.map((v) => v[valueAt >= 0 ? valueAt : 0]))
        if (options.keepRows)
          check.records = series.flatMap((s) =>
            s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) }))
          )
      }
    } catch (err) {
      check.error = (err as Error).message
    }
    return check
  }

  const defaultInterval = panelInterval(from, to)
  for (const v of board.templating?.list ?? []) {
    let values: string[] = []
    if (v.type === 'custom')
      values = String(v.query ?? '')
        .split(',')
        .map((s) => s.trim())
    else if (v.type === 'query') {
      const isSql = v.datasource?.uid === POSTGRES.uid
      const target: RawTarget = isSql
        ? { datasource: POSTGRES, rawSql: String(v.query) }
        : { datasource: INFLUX, query: String(v.query) }
      const check = await run(`variable: ${v.name}`, target, defaultInterval)
      checks.push(stripValues(check))
      values = [...new Set(check.values.filter((x) => x !== null && x !== undefined).map(String))]
    }
    const multi = v.multi ?? false
    const includeAll = v.includeAll ?? false
    variables[v.name] = { value: multi || includeAll ? values : (values[0] ?? ''), multi, includeAll }
  }
  for (const panel of board.panels ?? []) {
    if (!('targets' in panel)) continue
    const interval = panelInterval(from, to, panel.maxDataPoints ?? 1000)
    for (const t of (panel.targets ?? []) as RawTarget[])
      checks.push(stripValues(await run(`panel: ${panel.title}`, t, interval)))
  }
  for (const a of board.annotations?.list ?? []) {
    if (a.target)
      checks.push(stripValues(await run(`annotation: ${a.name}`, a.target as RawTarget, defaultInterval)))
  }
  return checks
}

/** A check with the first column's values (a variable takes its options from them). */
type Ran = QueryCheck & { values: unknown[] }

function stripValues(check: Ran): QueryCheck {
  const { values: _values, ...rest } = check
  return rest
}
