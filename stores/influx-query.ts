import { AppError } from '../shared/index.js'

/** Where an InfluxDB is and how to talk to it (1.x, 2.x through DBRP, 3.x, Cloud). */
export interface InfluxTarget {
  url: string
  database: string
  retentionPolicy?: string
  /** A 2.x/3.x token, or `user:password` for 1.8+ with auth. */
  token?: string
  /** `user:password` sent as HTTP Basic auth (InfluxDB 1.x with auth, 1.6 included: the local influxd). */
  basicAuth?: string
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

/** How times come back: epoch numbers, or `rfc3339` strings (nanosecond-exact). */
export type Epoch = 'ms' | 's' | 'ns' | 'rfc3339'

/**
 * InfluxQL over `/query`: the one read path that works on InfluxDB 1.x, 2.x
 * (DBRP mapping) and 3.x. No Flux anywhere.
 */
export class InfluxQueryClient {
  constructor(private readonly target: InfluxTarget) {}

  /** Runs one or more statements; returns the series of each statement in order. */
  async raw(
    q: string,
    options: { database?: boolean; epoch?: Epoch; timeoutMs?: number } = {}
  ): Promise<InfluxSeries[][]> {
    const res = await this.post(q, options)
    const text = await res.text()
    if (!res.ok)
      throw new AppError('INFLUX_QUERY_FAILED', `InfluxQL failed (${res.status}): ${text.slice(0, 500)}`)
    return seriesOf(JSON.parse(text) as QueryBody, q)
  }

  /**
   * Runs one statement with a chunked answer — InfluxDB streams it as one JSON object a line, at most
   * `chunkSize` points each, a big series over several — and hands over each piece of a series as it
   * arrives, so no answer is held whole, however long. Resolves with the number of pieces once the
   * answer is complete; an error inside the answer, a broken-off answer or an error thrown by `onSeries`
   * rejects (and drops the rest of the answer).
   */
  async stream(
    q: string,
    onSeries: (series: InfluxSeries) => void,
    options: { timeoutMs?: number; chunkSize?: number } = {}
  ): Promise<number> {
    const res = await this.post(q, { ...options, chunkSize: options.chunkSize ?? 10000 })
    if (!res.ok || !res.body)
      throw new AppError(
        'INFLUX_QUERY_FAILED',
        `InfluxQL failed (${res.status}): ${(await res.text()).slice(0, 500)}`
      )
    let pieces = 0
    let pending = ''
    const take = (line: string) => {
      if (line.trim() === '') return
      let body: QueryBody
      try {
        body = JSON.parse(line) as QueryBody
      } catch {
        throw new AppError(
          'INFLUX_QUERY_FAILED',
          `InfluxDB sent an answer that is not JSON: ${line.slice(0, 200)}`
        )
      }
      for (const series of seriesOf(body, q).flat()) {
        pieces++
        onSeries(series)
      }
    }
    const decoder = new TextDecoder()
    const reader = res.body.getReader()
    try {
      for (;;) {
        const chunk = await reader.read().catch((err: Error) => {
          throw new AppError(
            'INFLUX_UNAVAILABLE',
            `InfluxDB at ${this.target.url} broke off an answer: ${err.message}`,
            {
              cause: err
            }
          )
        })
        if (chunk.done) break
        const lines = (pending + decoder.decode(chunk.value, { stream: true })).split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) take(line)
      }
    } catch (err) {
      // an error in the answer, or in onSeries: the rest of the answer is not wanted
      await reader.cancel().catch(() => undefined)
      throw err
    }
    take(pending + decoder.decode())
    return pieces
  }

  private async post(
    q: string,
    options: { database?: boolean; epoch?: Epoch; timeoutMs?: number; chunkSize?: number }
  ): Promise<Response> {
    const params = new URLSearchParams({ q })
    // without an epoch InfluxDB answers RFC 3339 times, exact to the nanosecond (a JSON number is not)
    if (options.epoch !== 'rfc3339') params.set('epoch', options.epoch ?? 'ms')
    if (options.database !== false) params.set('db', this.target.database)
    if (this.target.retentionPolicy) params.set('rp', this.target.retentionPolicy)
    if (options.chunkSize) {
      params.set('chunked', 'true')
      params.set('chunk_size', String(options.chunkSize))
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (this.target.token) headers.authorization = `Token ${this.target.token}`
    else if (this.target.basicAuth) headers.authorization = basicAuthHeader(this.target.basicAuth)
    try {
      return await fetch(`${this.target.url}/query`, {
        method: 'POST',
        headers,
        body: params,
        signal: AbortSignal.timeout(options.timeoutMs ?? this.target.timeoutMs ?? 30000)
      })
    } catch (err) {
      throw new AppError(
        'INFLUX_UNAVAILABLE',
        `InfluxDB at ${this.target.url} did not answer: ${(err as Error).message}`,
        { cause: err }
      )
    }
  }

  /** Runs one statement and flattens its series into rows (tags merged into each row). */
  async rows(q: string, options: { timeoutMs?: number; epoch?: Epoch } = {}): Promise<InfluxRow[]> {
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

type QueryBody = { results?: { series?: InfluxSeries[]; error?: string }[]; error?: string }

/** Each statement's series of an answer (or of one chunk of a streamed answer); errors throw. */
function seriesOf(body: QueryBody, q: string): InfluxSeries[][] {
  if (body.error) throw new AppError('INFLUX_QUERY_FAILED', `InfluxQL failed: ${body.error}`)
  return (body.results ?? []).map((r) => {
    if (r.error)
      throw new AppError('INFLUX_QUERY_FAILED', `InfluxQL failed: ${r.error} (in: ${q.slice(0, 200)})`)
    return r.series ?? []
  })
}

/** A value as an InfluxQL string literal (quotes and backslashes escaped). */
export function influxString(value: string): string {
  return `'${value.replace(/['\\]/g, '\\$&')}'`
}

/** An HTTP Basic `authorization` header for `user:password`. */
export function basicAuthHeader(userPassword: string): string {
  return `Basic ${Buffer.from(userPassword, 'utf8').toString('base64')}`
}
