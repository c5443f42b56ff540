import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { HealthReport } from '../api/index.js'
import type { Broker, SessionStore } from '../broker/index.js'
import type { Ingest, InfluxWriter } from '../ingest/index.js'
import type { Registry } from '../registry/index.js'
import {
  LocalInfluxd,
  influxString,
  type InfluxQueryClient,
  type InfluxTarget,
  type SqlClient
} from '../stores/index.js'
import { isAppError, type Config, type Logger } from '../shared/index.js'
import { adminTokenFile } from './data-dir.js'

/** On the very first start there is no account: create `admin` and keep its token in the data folder (0600). */
export async function ensureAdmin(registry: Registry, dataDir: string): Promise<string | undefined> {
  if ((await registry.countAccounts()) > 0) return undefined
  const { token } = await registry.createAccount('admin', ['admin'])
  writeFileSync(adminTokenFile(dataDir), token + '\n', { mode: 0o600 })
  return token
}

/** Every enabled device, page by page. */
export async function allDevices(registry: Registry) {
  const out = []
  for (let offset = 0; ; offset += 1000) {
    const page = await registry.listDevices({ limit: 1000, offset })
    out.push(...page.filter((d) => !d.disabled))
    if (page.length < 1000) return out
  }
}

export async function health(influx: InfluxQueryClient, sql: SqlClient): Promise<HealthReport> {
  const influxOk = await influx.ping()
  const sqlOk = await sql.query('SELECT 1').then(
    () => true,
    () => false
  )
  return {
    ok: influxOk && sqlOk,
    checks: {
      influxdb: { ok: influxOk, detail: influxOk ? undefined : 'InfluxDB does not answer /ping' },
      postgres: { ok: sqlOk, detail: sqlOk ? sql.flavour : 'PostgreSQL does not answer' }
    }
  }
}

export function pipelineFields(ingest: Ingest, writer: InfluxWriter, broker: Broker): Record<string, number> {
  const deadLetters = Object.values(ingest.stats.deadLetters).reduce((a, b) => a + (b ?? 0), 0)
  return {
    messages: ingest.stats.messages,
    samples_stored: ingest.stats.samplesStored,
    counters_backwards: ingest.counters.backwards,
    dead_letters: deadLetters,
    write_failed_attempts: writer.stats.failedAttempts,
    write_queued_lines: writer.stats.queuedLines,
    write_in_flight: writer.stats.inFlight,
    write_last_ms: writer.stats.lastWriteMs,
    connections: broker.connectedClients,
    refused_connects: broker.stats.refusedConnects,
    refused_publishes: broker.stats.refusedPublishes,
    throttled_publishes: broker.stats.throttledPublishes,
    throttled_logins: broker.stats.throttledLogins,
    oversize_packets: broker.stats.oversizePackets,
    dropped_deliveries: broker.stats.droppedDeliveries,
    dropped_wills: broker.stats.droppedWills
  }
}

/**
 * Where the broker keeps its sessions: Redis when REDIS_URL is set (cluster
 * mode, shared by every node), else LevelDB under the data dir (they survive a
 * restart), or memory when MQTT_SESSIONS=memory.
 */
export function sessionStore(config: Config): SessionStore {
  if (config.REDIS_URL) return { kind: 'redis', url: config.REDIS_URL }
  if (config.MQTT_SESSIONS === 'memory') return { kind: 'memory' }
  return { kind: 'disk', dir: path.join(config.AFTERCARE_DATA_DIR, 'broker-sessions') }
}

/** The InfluxDB to use: the configured server, or a local influxd in the data folder (stopped by `cleanups`). */
export async function openInflux(
  config: Config,
  dataDir: string,
  log: Logger,
  cleanups: (() => Promise<void> | void)[]
): Promise<InfluxTarget> {
  const common = {
    database: config.INFLUX_DB,
    retentionPolicy: config.INFLUX_RP,
    token: config.INFLUX_TOKEN,
    org: config.INFLUX_ORG,
    timeoutMs: config.INFLUX_TIMEOUT_MS,
    gzip: config.INFLUX_GZIP
  }
  if (config.INFLUX_URL)
    return { ...common, url: config.INFLUX_URL.replace(/\/$/, ''), writeApi: config.INFLUX_WRITE_API }
  const influxd = new LocalInfluxd({
    dir: path.join(dataDir, 'influxdb'),
    binary: config.INFLUXD_PATH,
    logger: log,
    auth: true
  })
  await influxd.start()
  cleanups.push(() => influxd.stop())
  return { ...common, url: influxd.url, writeApi: 'v1', basicAuth: influxd.basicAuth }
}

/** The planning pass every `hours`; a failed pass is logged and tried again next time. Returns the stop. */
export function schedulePlanning(runPlan: () => Promise<unknown>, hours: number, log: Logger): () => void {
  const timer = setInterval(() => {
    runPlan().then(
      (summary) => log.info({ summary }, 'planning pass done'),
      (err: Error) =>
        isAppError(err, 'PLAN_LEASE_HELD')
          ? log.info({ reason: err.message }, 'planning pass left to another node')
          : log.error({ err: err.message }, 'planning pass failed')
    )
  }, hours * 3600000)
  timer.unref()
  return () => clearInterval(timer)
}

/** Reads a device's stored samples between two point times, nanosecond-exact (ingest's resend check). */
export function storedSamplesReader(influx: InfluxQueryClient) {
  return (measurement: string, deviceId: string, fromNs: string, toNs: string) =>
    influx.rows(
      `SELECT * FROM "${measurement}" WHERE device = ${influxString(deviceId)} AND time >= ${fromNs} AND time <= ${toNs}`,
      { epoch: 'rfc3339' }
    )
}
