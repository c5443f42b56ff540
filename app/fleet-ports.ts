import { AppError, type Config } from '../shared/index.js'
import type { DeviceSpec, FleetPorts } from '../simulators/index.js'
import { isoDay } from '../simulators/index.js'
import { InfluxQueryClient } from '../stores/index.js'
import { ApiClient } from './api-client.js'
import { localInfluxAuth, readEndpoints } from './data-dir.js'

export interface FleetTarget {
  api?: string
  token?: string
  mqtt?: string
  influx?: string
  influxDb?: string
}

/**
 * The ports the simulators use, on a running aftercare: provisioning through
 * its HTTP API, MQTT at its broker, and the end-of-run count in its InfluxDB.
 * Addresses come from flags, settings, or the data folder's endpoints.json.
 */
export function fleetPorts(config: Config, target: FleetTarget = {}): FleetPorts & { api: ApiClient } {
  const endpoints = readEndpoints(config.AFTERCARE_DATA_DIR)
  const api = ApiClient.fromConfig(config, { api: target.api, token: target.token })
  const mqttUrl = target.mqtt ?? endpoints?.mqtt
  if (!mqttUrl) throw new AppError('NOT_RUNNING', 'no MQTT URL: start aftercare or pass --mqtt')
  const influxUrl = target.influx ?? config.INFLUX_URL ?? endpoints?.influx
  const influx = influxUrl
    ? new InfluxQueryClient({
        url: influxUrl,
        database: target.influxDb ?? endpoints?.influxDatabase ?? config.INFLUX_DB,
        token: config.INFLUX_TOKEN,
        // the local influxd of a running aftercare asks for the credentials it keeps in the data folder
        basicAuth:
          target.influx || config.INFLUX_URL ? undefined : localInfluxAuth(config.AFTERCARE_DATA_DIR),
        writeApi: 'v1'
      })
    : undefined
  const ensureOutlet = outletEnsurer(api, config.OUTLET_CAPACITY_PER_DAY)
  return {
    api,
    mqttUrl,
    async provision(spec: DeviceSpec): Promise<string> {
      await ensureOutlet(spec.outlet, spec.region)
      const body = {
        id: spec.id,
        kind: spec.kind,
        model: spec.model,
        region: spec.region,
        outlet: spec.outlet,
        deliveredOn: isoDay(spec.deliveredDay)
      }
      try {
        return (await api.request<{ secret: string }>('POST', '/devices', body)).secret
      } catch (err) {
        if (!String((err as Error).message).includes('(409)')) throw err
        // the device exists from an earlier run: issue it a new secret
        return (
          await api.request<{ secret: string }>('POST', `/devices/${encodeURIComponent(spec.id)}/secret`)
        ).secret
      }
    },
    countSamples: influx
      ? async (deviceIds, sinceMs) => {
          const wanted = new Set(deviceIds)
          const prefixes = [...new Set(deviceIds.map((id) => id.replace(/-[^-]*$/, '-')))]
          const pattern = prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')
          const rows = await influx.rows(
            `SELECT count(seq) AS n FROM purifier_telemetry, machine_telemetry WHERE time >= ${sinceMs}ms AND device =~ /^(${pattern})/ GROUP BY device`
          )
          const counts = new Map<string, number>()
          for (const row of rows) {
            const id = String(row.device)
            if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + Number(row.n))
          }
          return counts
        }
      : undefined
  }
}

/**
 * The simulated fleet's outlets, created (or extended to a spec's region) before their first device. Devices
 * are provisioned several at a time: one of an outlet being created waits until that outlet exists (a device
 * sent before it would be refused for an unknown outlet).
 */
export function outletEnsurer(
  api: Pick<ApiClient, 'request'>,
  capacityPerDay: number
): (code: string, region: string) => Promise<void> {
  let outlets: Promise<Map<string, string[]>> | undefined
  // per outlet, its last change: later devices of the outlet wait for it
  const changes = new Map<string, Promise<unknown>>()
  return async (code, region) => {
    outlets ??= api
      .request<{ outlets: { code: string; regions: string[] }[] }>('GET', '/outlets')
      .then(({ outlets: list }) => new Map(list.map((o) => [o.code, o.regions])))
    const known = await outlets
    const before = changes.get(code) ?? Promise.resolve()
    const regions = known.get(code)
    if (regions?.includes(region)) {
      await before
      return
    }
    const next = [...(regions ?? []), region]
    known.set(code, next)
    const change = before.then(() =>
      api.request('PUT', `/outlets/${encodeURIComponent(code)}`, { regions: next, capacityPerDay })
    )
    changes.set(code, change)
    await change
  }
}
