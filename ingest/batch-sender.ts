import { HttpError, InfluxDB, canRetryHttpCall } from '@influxdata/influxdb-client'
import { basicAuthHeader, type InfluxTarget } from '../stores/index.js'

/** Sends one request's body of line protocol (lines joined by newlines); rejects with the client's error. */
export interface BatchSender {
  send(body: string): Promise<void>
}

/**
 * What a failed write means: `retry` (the server is down, slow, busy or misconfigured: keep the data and try
 * again), `refused` (InfluxDB called the data bad: find the write and dead-letter it) or `fault` (a
 * programming error on this side, such as a TypeError: retrying cannot help, so the batch fails and its
 * devices resend).
 */
export function writeFailure(err: unknown): 'retry' | 'refused' | 'fault' {
  if (err instanceof HttpError) {
    // 1.x answers 404 for a missing database and 401/403 for auth: the store is misconfigured,
    // not the data bad, so keep the data and retry (loudly) instead of dead-lettering it
    const misconfigured = err.statusCode === 401 || err.statusCode === 403 || err.statusCode === 404
    return err.statusCode >= 429 || misconfigured ? 'retry' : 'refused'
  }
  // timeouts and the client's listed socket errors, and any other system error of the network (EAI_AGAIN,
  // ENETUNREACH…); Node's own argument errors are ERR_… codes, and are faults
  const code = (err as { code?: unknown } | null)?.code
  if (canRetryHttpCall(err) || (typeof code === 'string' && /^E(?!RR_)[A-Z_]+$/.test(code))) return 'retry'
  return 'fault'
}

/**
 * A BatchSender on the official client's transport (its HTTP requests, timeouts, gzip, token and error
 * types), posting the body InfluxWriter joined — at most a batch of lines, as InfluxDB refuses bodies over
 * 25 MB by default — to InfluxDB's write endpoint. Not through WriteApi: with its batching and retries off
 * (InfluxWriter owns those: WriteApi cannot tell which message a batch held, its `close()` does not wait for
 * batches in flight, it has no cap on concurrent requests), all it added was a per-line buffer that counts
 * each line's UTF-8 bytes in JavaScript — 11 % of aftercare's CPU in the points benchmark.
 */
export function createLineSender(target: InfluxTarget): BatchSender {
  const influx = new InfluxDB({ url: target.url, token: target.token, timeout: target.timeoutMs ?? 10000 })
  const bucket = target.retentionPolicy ? `${target.database}/${target.retentionPolicy}` : target.database
  // InfluxDB 1.x below 1.8 has no /api/v2/write; and it reads any precision but ns/u/ms/s as ns
  const query: Record<string, string> =
    target.writeApi === 'v1'
      ? { db: target.database, precision: 'ns' }
      : { org: target.org ?? '', bucket, precision: 'ns' }
  if (target.writeApi === 'v1' && target.retentionPolicy) query.rp = target.retentionPolicy
  const path = `${target.writeApi === 'v1' ? '/write' : '/api/v2/write'}?${new URLSearchParams(query).toString()}`
  const options = {
    method: 'POST',
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      ...(!target.token && target.basicAuth ? { authorization: basicAuthHeader(target.basicAuth) } : {})
    },
    // gzip runs on libuv's thread pool, which it shares with scrypt (device logins):
    // a reconnect storm then held writes for seconds (measured: p99 PUBACK 5.9 s vs
    // 43 ms without). Compress only when asked to, for a remote InfluxDB.
    gzipThreshold: target.gzip ? 1000 : Number.MAX_SAFE_INTEGER
  }
  return {
    async send(body) {
      await influx.transport.request(path, body, options)
    }
  }
}
