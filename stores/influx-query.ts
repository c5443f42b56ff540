import { AppError } from '../shared/index.js'

/** Where an InfluxDB is and how to talk to it (1.x, 2.x through DBRP, 3.x, Cloud). */
export interface InfluxTarget {
  url: string
  database: string
  retentionPolicy?: string
  /** A 2.x/3.x token, or `user:password` for 1.x with auth. */
  token?: string
  org?: string
  /** `v1` posts to /write (InfluxDB 1.x, 3.x); `v2` to /api/v2/write (2.x, Cloud, 1.8+). */
  writeApi: 'v1' | 'v2'
  timeoutMs?: number
  /** Gzip write bodies (worth it for a remote server, not on loopback). */
  gzip?: boolean
}

export interface InfluxSeries {
  name: string
  tags?: Record<string, string>
  columns: string[]
  values: unknown[][]
}

/** One row of a query result: the columns by name, plus the series' tags. */
export type InfluxRow = Record<string, unknown>

/**
 * InfluxQL over `/query`: the one read path that works on InfluxDB 1.x, 2.x
 * (DBRP mapping) and 3.x. No Flux anywhere.
 */
export class InfluxQueryClient {
  constructor(private readonly target: InfluxTarget) {}

  /** Runs one or more statements; returns the series of each statement in order. */
  async raw(
    q: string,
    options: { database?: boolean; epoch?: 'ms' | 's' | 'ns'; timeoutMs?: number } = {}
  ): Promise<InfluxSeries[][]> {
    const params = new URLSearchParams({ q, epoch: options.epoch ?? 'ms' })
    if (options.database !== false) params.set('db', this.target.database)
    if (this.target.retentionPolicy) params.set('rp', this.target.retentionPolicy)
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (this.target.token) headers.authorization = `Token ${this.target.token}`
    let res: Response
    try {
      res = await fetch(`${this.target.url}/query`, {
        method: 'POST',
        headers,
        body: params,
        signal: AbortSignal.timeout(options.timeoutMs ?? this.target.timeoutMs ?? 30000)
      })
    } catch (err) {
      throw new AppError(
        'INFLUX_UNAVAILABLE',
        `InfluxDB at ${this.target.url} did not answer: ${(err as Error).message}`,
        {
          cause: err
        }
      )
    }
    const text = await res.text()
    if (!res.ok)
      throw new AppError('INFLUX_QUERY_FAILED', `InfluxQL failed (${res.status}): ${text.slice(0, 500)}`)
    const body = JSON.parse(text) as {
      results?: { series?: InfluxSeries[]; error?: string }[]
      error?: string
    }
    if (body.error) throw new AppError('INFLUX_QUERY_FAILED', `InfluxQL failed: ${body.error}`)
    return (body.results ?? []).map((r) => {
      if (r.error)
        throw new AppError('INFLUX_QUERY_FAILED', `InfluxQL failed: ${r.error} (in: ${q.slice(0, 200)})`)
      return r.series ?? []
    })
  }

  /** Runs one statement and flattens its series into rows (tags merged into each row). */
  async rows(q: string, options: { timeoutMs?: number } = {}): Promise<InfluxRow[]> {
    const [series = []] = await this.raw(q, options)
    return series.flatMap((s) =>
      s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) }))
    )
  }

  /** Creates the database when it is missing (1.x; a no-op error on servers that manage buckets elsewhere). */
  async ensureDatabase(): Promise<void> {
    await this.raw(`CREATE DATABASE "${this.target.database}"`, { database: false })
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(`${this.target.url}/ping`, { signal: AbortSignal.timeout(2000) })
      return res.status === 204 || res.ok
    } catch {
      return false
    }
  }
}
