import { Point } from '@influxdata/influxdb-client'
import { measurements, type DeviceKind } from '../shared/index.js'

const DAY_MS = 86400000
const dayOf = (ts: number) => Math.floor(ts / DAY_MS)

/**
 * Marks which UTC days of telemetry received data, so daily rollups are rebuilt
 * for exactly those days (a backfill of last March included) instead of
 * rescanning raw history. The mark is one extra line in the same InfluxDB write
 * as the samples, so it is as durable as they are before the PUBACK. A
 * (kind, day) marked in the last `refreshMs` is not marked again; the rollup
 * job keeps marks younger than its settle window, which must exceed that.
 */
export class DayMarks {
  private readonly recent = new Map<string, number>()

  constructor(private readonly refreshMs = 60000) {}

  /** Lines to add to a write of samples with these timestamps; call `written` once the write succeeded. */
  linesFor(
    kind: DeviceKind,
    timestamps: readonly number[],
    now: number
  ): { lines: string[]; keys: string[] } {
    const lines: string[] = []
    const keys: string[] = []
    const days = timestamps.length === 1 ? timestamps.map(dayOf) : new Set(timestamps.map(dayOf))
    for (const day of days) {
      const key = `${kind}:${day}`
      const at = this.recent.get(key)
      if (at !== undefined && now - at < this.refreshMs) continue
      keys.push(key)
      lines.push(
        new Point(measurements.telemetryChanged)
          .tag('kind', kind)
          .tag('day', String(day))
          .intField('marked', 1)
          .timestamp(`${BigInt(now) * 1_000_000n}`)
          .toLineProtocol() ?? ''
      )
    }
    return { lines, keys }
  }

  /** The marks made at `now` are stored: skip these days for a while. */
  written(keys: readonly string[], now: number): void {
    for (const key of keys) this.recent.set(key, now)
    if (this.recent.size > 10000) {
      for (const [key, at] of this.recent) if (now - at >= this.refreshMs) this.recent.delete(key)
    }
  }
}
