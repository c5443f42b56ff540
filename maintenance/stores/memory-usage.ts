import type { DeviceKind } from '../../shared/index.js'
import { counterDays, emptyHistory, type DeviceHistory, type Unit } from '../engine/device-history.js'
import type { UsageReader } from './influx-usage.js'

const DAY_MS = 86400000

/** The telemetry fields the planner reads, as a device reports them. */
export interface ReportedSample {
  ts: number
  litersTotal?: number
  tdsIn?: number
  tdsOut?: number
  pressureKpa?: number
  engineHours?: number
  pumpedM3Total?: number
}

const COUNTER_FIELDS: Record<DeviceKind, [Unit, keyof ReportedSample][]> = {
  purifier: [['litres', 'litersTotal']],
  machine: [
    ['hours', 'engineHours'],
    ['m3', 'pumpedM3Total']
  ]
}
const READINGS = ['tdsIn', 'tdsOut', 'pressureKpa'] as const

interface Day {
  /** Per counter: the reading at the day's first and last sample time. */
  counters: Partial<Record<Unit, { firstTs: number; first: number; lastTs: number; last: number }>>
  sums: number[]
  counts: number[]
}

/**
 * A UsageReader over telemetry held in memory, for the closed-loop evaluation (a simulated year without an
 * InfluxDB). It answers as InfluxUsageReader does over the same samples — per day the first and last counter
 * reading and the mean inlet/outlet TDS and pressure, part changes by day — and the contract test holds the
 * two to the same histories.
 */
export class MemoryUsageReader implements UsageReader {
  private readonly devices = new Map<string, { kind: DeviceKind; days: Map<number, Day> }>()
  private readonly changes = new Map<string, { part: string; day: number }[]>()

  /** A telemetry sample as it would be stored. */
  record(device: { id: string; kind: DeviceKind }, s: ReportedSample): void {
    let d = this.devices.get(device.id)
    if (!d) this.devices.set(device.id, (d = { kind: device.kind, days: new Map() }))
    const dayNumber = Math.floor(s.ts / DAY_MS)
    let day = d.days.get(dayNumber)
    if (!day) d.days.set(dayNumber, (day = { counters: {}, sums: [0, 0, 0], counts: [0, 0, 0] }))
    for (const [unit, field] of COUNTER_FIELDS[device.kind]) {
      const value = s[field]
      if (typeof value !== 'number') continue
      const c = day.counters[unit]
      if (!c) day.counters[unit] = { firstTs: s.ts, first: value, lastTs: s.ts, last: value }
      else {
        if (s.ts < c.firstTs) [c.firstTs, c.first] = [s.ts, value]
        if (s.ts >= c.lastTs) [c.lastTs, c.last] = [s.ts, value]
      }
    }
    if (device.kind === 'purifier')
      READINGS.forEach((field, i) => {
        const value = s[field]
        if (typeof value !== 'number') return
        day.sums[i] = (day.sums[i] ?? 0) + value
        day.counts[i] = (day.counts[i] ?? 0) + 1
      })
  }

  /** A `part_replaced` event of the device. */
  recordPartChange(deviceId: string, part: string, ts: number): void {
    const list = this.changes.get(deviceId) ?? []
    list.push({ part, day: Math.floor(ts / DAY_MS) })
    this.changes.set(deviceId, list)
  }

  async read(sinceDay: number): Promise<{ histories: Map<string, DeviceHistory>; queries: number }> {
    const histories = new Map<string, DeviceHistory>()
    for (const [id, d] of this.devices) {
      const days = [...d.days.keys()].filter((day) => day >= sinceDay).sort((a, b) => a - b)
      if (days.length === 0) continue
      const h = emptyHistory()
      for (const dayNumber of days) {
        const day = d.days.get(dayNumber) as Day
        for (const [unit] of COUNTER_FIELDS[d.kind]) {
          const c = day.counters[unit]
          if (c) counterDays(h, unit).push(dayNumber, c.first, c.last)
        }
        if (d.kind === 'purifier') {
          const mean = (i: number) =>
            (day.counts[i] ?? 0) > 0 ? (day.sums[i] ?? 0) / (day.counts[i] ?? 1) : NaN
          h.readings.push(dayNumber, mean(0), mean(1), mean(2))
        }
      }
      histories.set(id, h)
    }
    for (const [id, list] of this.changes) {
      const inWindow = list.filter((c) => c.day >= sinceDay)
      if (inWindow.length === 0) continue
      let h = histories.get(id)
      if (!h) histories.set(id, (h = emptyHistory()))
      h.replacements = inWindow
    }
    return { histories, queries: 0 }
  }
}
