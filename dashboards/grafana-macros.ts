/**
 * Grafana's query interpolation, as its InfluxDB (InfluxQL) and PostgreSQL
 * datasources do it, so the proof runs exactly what a panel would send.
 * Covers what these boards use: `$var`, `${var}`, `[[var]]`, `$timeFilter`,
 * `$__interval`, `$__interval_ms`, `$__timeFilter(col)`, `$__timeFrom()`,
 * `$__timeTo()`, `$__timeGroup(col, interval)`; multi-value variables become
 * `(a|b)` in InfluxQL regexes and `'a','b'` in SQL.
 */

export interface VariableValue {
  /** One value, or several (a multi-value variable, or "All"). */
  value: string | string[]
  multi: boolean
  includeAll: boolean
}

export interface QueryContext {
  from: number
  to: number
  /** Grafana's `$__interval` for the panel: the range over its data points, rounded to a friendly step. */
  intervalMs: number
  variables: Record<string, VariableValue>
}

const STEPS_MS = [
  10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 20000, 30000, 60000, 120000, 300000, 600000,
  900000, 1200000, 1800000, 3600000, 7200000, 10800000, 21600000, 43200000, 86400000, 604800000, 2592000000
]

/** The interval Grafana gives a panel of `maxDataPoints` over [from, to] (its rounding, approximately). */
export function panelInterval(from: number, to: number, maxDataPoints = 1000): number {
  const raw = (to - from) / maxDataPoints
  return STEPS_MS.find((s) => raw < s * 1.5) ?? STEPS_MS[STEPS_MS.length - 1]!
}

/** `1h`, `30s`, `500ms`: the way Grafana writes an interval into a query. */
export function intervalText(ms: number): string {
  const units: [string, number][] = [
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000]
  ]
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

function replaceVariables(
  query: string,
  variables: Record<string, VariableValue>,
  format: (v: VariableValue) => string
): string {
  return query.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (whole, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c) as string
      const v = variables[name]
      return v ? format(v) : whole
    }
  )
}

const regexEscape = (s: string) => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&')

/** An InfluxQL panel query as Grafana's InfluxDB datasource sends it. */
export function expandInfluxQL(query: string, ctx: QueryContext): string {
  const builtIns = query
    .replaceAll('$timeFilter', `time >= ${ctx.from}ms and time <= ${ctx.to}ms`)
    .replaceAll('$__interval_ms', String(ctx.intervalMs))
    .replaceAll('$__interval', intervalText(ctx.intervalMs))
    .replaceAll('$interval', intervalText(ctx.intervalMs))
  return replaceVariables(builtIns, ctx.variables, (v) => {
    if (!v.multi && !v.includeAll) {
      const one = Array.isArray(v.value) ? (v.value[0] ?? '') : v.value
      return one.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
    }
    const values = (Array.isArray(v.value) ? v.value : [v.value]).map(regexEscape)
    return values.length === 1 ? (values[0] ?? '') : `(${values.join('|')})`
  })
}

/** A SQL panel query as Grafana's PostgreSQL datasource sends it (macros, then variables). */
export function expandSql(query: string, ctx: QueryContext): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const macros = query
    .replace(/\$__timeFilter\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g, (_, col: string) => {
      return `${col.trim()} BETWEEN '${iso(ctx.from)}' AND '${iso(ctx.to)}'`
    })
    .replaceAll('$__timeFrom()', `'${iso(ctx.from)}'`)
    .replaceAll('$__timeTo()', `'${iso(ctx.to)}'`)
    .replace(/\$__timeGroup\(([^,]+),\s*'?([^')]+)'?\)/g, (_, col: string, interval: string) => {
      const seconds = interval === '$__interval' ? ctx.intervalMs / 1000 : parseDuration(interval) / 1000
      return `floor(extract(epoch from ${col.trim()})/${seconds})*${seconds}`
    })
    .replaceAll('$__interval_ms', String(ctx.intervalMs))
    .replaceAll('$__interval', intervalText(ctx.intervalMs))
  return replaceVariables(macros, ctx.variables, (v) => {
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`
    if (Array.isArray(v.value)) return v.value.map(quote).join(',')
    return v.multi || v.includeAll ? quote(v.value) : v.value.replace(/'/g, "''")
  })
}

/** `5m`, `1h`, `1d`, `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|M|y)$/.exec(text.trim())
  if (!m) throw new Error(`not a duration: ${text}`)
  const size = {
    ms: 1,
    s: 1000,
    m: 60000,
    h: 3600000,
    d: 86400000,
    w: 604800000,
    M: 2592000000,
    y: 31536000000
  }
  return Number(m[1]) * size[m[2] as keyof typeof size]
}

/** Grafana's relative time (`now`, `now-7d`, `now+84d`, `now-6M`) against `now`. */
export function relativeTime(text: string, now: number): number {
  if (text === 'now') return now
  const m = /^now([+-])(\d+\w+)$/.exec(text)
  if (!m) throw new Error(`not a relative time: ${text}`)
  return now + (m[1] === '-' ? -1 : 1) * parseDuration(m[2] as string)
}
