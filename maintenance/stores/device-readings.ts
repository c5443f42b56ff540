import { measurements, type DeviceKind } from '../../shared/index.js'
import { influxString, type InfluxQueryClient } from '../../stores/index.js'

const DAY_MS = 86400000

/** What a device page shows of one device besides its health: readings, forecast, faults. */
export interface DeviceReadings {
  /** Per hour with data: purifiers `tdsIn`, `tdsOut`, `rejection` (1 − out/in), `liters`; machines `engineHours`, `coolantC`, `hydOilC`. */
  hours: Record<string, string | number | null>[]
  /** The last planning pass's daily usage forecast from today on, per unit, with its band. */
  forecast: { day: string; unit: string; expected: number; low: number; high: number }[]
  /** Fault events, newest first. */
  faults: { time: string; code: string; active: boolean; grade: string | null }[]
}

const HOURLY: Record<DeviceKind, string> = {
  purifier: 'mean(tdsIn) AS tdsIn, mean(tdsOut) AS tdsOut, max(litersTotal) AS liters',
  machine: 'max(engineHours) AS engineHours, mean(coolantC) AS coolantC, mean(hydOilC) AS hydOilC'
}

/**
 * Reads a device's last `days` of telemetry by hour, the forecast the last planning pass wrote and
 * its faults of the last year, from InfluxDB. `now`: epoch ms.
 */
export async function deviceReadings(
  influx: InfluxQueryClient,
  device: { id: string; kind: DeviceKind },
  days: number,
  now: number
): Promise<DeviceReadings> {
  const id = influxString(device.id)
  const since = (ms: number) => `'${new Date(ms).toISOString()}'`
  const today = Math.floor(now / DAY_MS) * DAY_MS
  const [hours, forecast, faults] = await Promise.all([
    influx.rows(
      `SELECT ${HOURLY[device.kind]} FROM ${measurements.telemetry(device.kind)} WHERE device = ${id} AND time >= ${since(now - days * DAY_MS)} AND time <= ${since(now)} GROUP BY time(1h) fill(none)`
    ),
    influx.rows(
      `SELECT expected, low, high FROM ${measurements.usageForecast} WHERE device = ${id} AND time >= ${since(today)} GROUP BY unit`
    ),
    influx.rows(
      `SELECT code, active, grade FROM ${measurements.events} WHERE device = ${id} AND type = 'fault' AND time >= ${since(now - 365 * DAY_MS)} ORDER BY time DESC LIMIT 100`
    )
  ])
  const iso = (ms: unknown) => new Date(Number(ms)).toISOString()
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  return {
    hours: hours.map((r) => {
      const row: Record<string, string | number | null> = { time: iso(r.time) }
      for (const [k, v] of Object.entries(r)) if (k !== 'time') row[k] = num(v)
      if (device.kind === 'purifier') {
        const tdsIn = num(r.tdsIn)
        const tdsOut = num(r.tdsOut)
        row.rejection = tdsIn && tdsOut !== null ? Math.max(0, 1 - tdsOut / tdsIn) : null
      }
      return row
    }),
    forecast: forecast.map((r) => ({
      day: iso(r.time).slice(0, 10),
      unit: String(r.unit),
      expected: Number(r.expected),
      low: Number(r.low),
      high: Number(r.high)
    })),
    faults: faults.map((r) => ({
      time: iso(r.time),
      code: String(r.code),
      active: r.active === true,
      grade: typeof r.grade === 'string' && r.grade !== '' ? r.grade : null
    }))
  }
}
