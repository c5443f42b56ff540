import { HttpError, InfluxDB, canRetryHttpCall, setLogger, type WriteApi } from '@influxdata/influxdb-client'
import type { InfluxTarget } from '../stores/index.js'

/** Sends one batch of line protocol; rejects with the client library's error. */
export interface BatchSender {
  send(lines: readonly string[]): Promise<void>
}

/** Is this write failure worth retrying (server down, 5xx, 429, timeout) rather than the data's fault? */
export function isRetriable(err: unknown): boolean {
  if (err instanceof HttpError) {
    // 1.x answers 404 for a missing database and 401/403 for auth: the store is misconfigured,
    // not the data bad, so keep the data and retry (loudly) instead of dead-lettering it
    return err.statusCode >= 429 || err.statusCode === 401 || err.statusCode === 403 || err.statusCode === 404
  }
  return canRetryHttpCall(err) || !(err instanceof HttpError)
}

/**
 * A BatchSender on the official client's WriteApi, used for what it does
 * well (line protocol transport, gzip, error types) with its own batching
 * and retries off: WriteApi cannot tell which message a batch held, its
 * `close()` does not wait for batches in flight and drops pending retries, and
 * it has no cap on concurrent requests. InfluxWriter owns those instead.
 */
export function createWriteApiSender(target: InfluxTarget, maxLinesPerBatch: number): BatchSender {
  // the library logs every failed attempt to the console; InfluxWriter logs them once, with context
  setLogger({ error: () => undefined, warn: () => undefined })
  const influx = new InfluxDB({ url: target.url, token: target.token, timeout: target.timeoutMs ?? 10000 })
  const bucket = target.retentionPolicy ? `${target.database}/${target.retentionPolicy}` : target.database
  const api: WriteApi = influx.getWriteApi(target.org ?? '', bucket, 'ns', {
    batchSize: maxLinesPerBatch + 1,
    flushInterval: 0,
    maxRetries: 0,
    maxBufferLines: 1,
    // gzip runs on libuv's thread pool, which it shares with scrypt (device logins):
    // a reconnect storm then held writes for seconds (measured: p99 PUBACK 5.9 s vs
    // 43 ms without). Compress only when asked to, for a remote InfluxDB.
    gzipThreshold: target.gzip ? 1000 : Number.MAX_SAFE_INTEGER
  })
  if (target.writeApi === 'v1') {
    // InfluxDB 1.x below 1.8 has no /api/v2/write; and it reads any precision but ns/u/ms/s as ns
    const params = new URLSearchParams({ db: target.database, precision: 'ns' })
    if (target.retentionPolicy) params.set('rp', target.retentionPolicy)
    ;(api as unknown as { path: string }).path = `/write?${params.toString()}`
  }
  return {
    async send(lines) {
      // at most a batch per request: handed more, WriteApi would send the extra batches on its own and
      // drop them silently when they fail (its retries are off), while flush() reported success
      for (let i = 0; i < lines.length; i += maxLinesPerBatch) {
        // writeRecords and flush run in one tick, so this flush sends exactly these lines
        api.writeRecords(lines.slice(i, i + maxLinesPerBatch) as string[])
        await api.flush()
      }
    }
  }
}
