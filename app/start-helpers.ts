import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { HealthReport } from '../api/index.js'
import type { Broker, SessionStore } from '../broker/index.js'
import type { Ingest, InfluxWriter } from '../ingest/index.js'
import type { Registry } from '../registry/index.js'
import type { InfluxQueryClient, SqlClient } from '../stores/index.js'
import type { Config } from '../shared/index.js'
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
