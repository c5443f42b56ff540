import { Point } from '@influxdata/influxdb-client'
import type { TelemetryWriter } from '../ingest/index.js'
import type { EngineOutputs, PlannedDevice } from '../maintenance/index.js'
import { measurements } from '../shared/index.js'

const DAY_MS = 86400000

function tagged(measurement: string, d: PlannedDevice): Point {
  const p = new Point(measurement)
    .tag('device', d.id)
    .tag('model', d.model)
    .tag('region', d.region)
    .tag('kind', d.kind)
  return d.outlet ? p.tag('outlet', d.outlet) : p
}

/**
 * Writes a planning pass's results to InfluxDB for the boards: one
 * `component_health` point per component (time = the pass's day, so a re-run
 * the same day overwrites it) and `usage_forecast` points for the next 30 days.
 */
export function engineOutputSink(writer: TelemetryWriter) {
  return async (outputs: EngineOutputs): Promise<void> => {
    const at = (day: number) => `${BigInt(day) * BigInt(DAY_MS) * 1_000_000n}`
    const finite = (day: number) => (Number.isFinite(day) ? day * DAY_MS : 0)
    const lines: string[] = []
    for (const h of outputs.health) {
      const p = tagged(measurements.componentHealth, h.device)
        .tag('part', h.part)
        .tag('by', h.life.by)
        .floatField('used_share', h.life.usedShare)
        .floatField('remaining', h.life.remaining)
        .intField('due_ms', finite(h.life.dueDay))
        .intField('earliest_ms', finite(h.life.earliestDay))
        .intField('latest_ms', finite(h.life.latestDay))
        .floatField('days_left', Number.isFinite(h.life.dueDay) ? h.life.dueDay - outputs.today : 9999)
      lines.push(p.timestamp(at(outputs.today)).toLineProtocol() ?? '')
    }
    for (const f of outputs.forecasts) {
      const p = tagged(measurements.usageForecast, f.device)
        .tag('unit', f.unit)
        .floatField('expected', f.expected)
        .floatField('low', f.low)
        .floatField('high', f.high)
      lines.push(p.timestamp(at(f.day)).toLineProtocol() ?? '')
    }
    await writer.write(lines.filter(Boolean))
  }
}
