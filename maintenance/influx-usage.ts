import { measurements } from '../shared/index.js'
import type { InfluxQueryClient } from '../stores/index.js'
import type { DailyRollups } from './rollups.js'
import type { DailyCounter } from './usage.js'

const DAY_MS = 86400000

/** What the planner knows of a device from its telemetry: daily counters, daily condition readings, part changes. */
export interface DeviceHistory {
  counters: Partial<Record<'litres' | 'hours' | 'm3', DailyCounter[]>>
  /** Per day: mean inlet/outlet TDS and outlet pressure (purifiers). */
  readings: { day: number; tdsIn?: number; tdsOut?: number; pressure?: number }[]
  replacements: { part: string; day: number }[]
}

export interface UsageReader {
  /** Histories of all devices since `sinceDay`, in a few batch queries (never one per device). */
  read(
    sinceDay: number
  ): Promise<{ histories: Map<string, DeviceHistory>; queries: number; rolledDays?: number }>
}

/**
 * Reads the daily rollups (refreshed first for the days that changed) with
 * InfluxQL, grouped by device and paged (SLIMIT/SOFFSET) a few thousand
 * devices a query, so a planning pass reads one point per device and day and
 * its queries grow with the fleet / page size, never one per device.
 */
export class InfluxUsageReader implements UsageReader {
  constructor(
    private readonly influx: InfluxQueryClient,
    private readonly rollups: DailyRollups,
    /** Devices per query page: a year of daily points for this many devices is one answer. */
    private readonly pageDevices = 1000,
    /** Pages asked for at once. */
    private readonly concurrentPages = 2,
    private readonly timeoutMs = 300000
  ) {}

  async read(
    sinceDay: number
  ): Promise<{ histories: Map<string, DeviceHistory>; queries: number; rolledDays: number }> {
    const rolled = await this.rollups.refresh(sinceDay)
    const since = `time >= ${sinceDay * DAY_MS}ms`
    const histories = new Map<string, DeviceHistory>()
    const of = (device: unknown) => {
      const id = String(device)
      let h = histories.get(id)
      if (!h) {
        h = { counters: {}, readings: [], replacements: [] }
        histories.set(id, h)
      }
      return h
    }
    const push = (
      h: DeviceHistory,
      unit: 'litres' | 'hours' | 'm3',
      day: number,
      first: unknown,
      last: unknown
    ) => {
      if (typeof first !== 'number' || typeof last !== 'number') return
      ;(h.counters[unit] ??= []).push({ day, first, last })
    }
    let queries = 0
    /** Runs a `GROUP BY device` query a page of devices at a time, so no answer outgrows memory. */
    const paged = async (
      q: string,
      each: (h: DeviceHistory, day: number, get: (column: string) => unknown) => void
    ) => {
      const page = async (offset: number) => {
        const [series = []] = await this.influx.raw(`${q} SLIMIT ${this.pageDevices} SOFFSET ${offset}`, {
          timeoutMs: this.timeoutMs
        })
        queries++
        for (const s of series) {
          const h = of(s.tags?.device)
          const index = new Map(s.columns.map((c, i) => [c, i]))
          for (const v of s.values) {
            const get = (column: string) => v[index.get(column) ?? -1]
            each(h, Math.floor(Number(get('time')) / DAY_MS), get)
          }
        }
        return series.length
      }
      // InfluxDB answers a raw select on one core: a few pages at once use the others
      for (let offset = 0; ; offset += this.pageDevices * this.concurrentPages) {
        const counts = await Promise.all(
          Array.from({ length: this.concurrentPages }, (_, i) => page(offset + i * this.pageDevices))
        )
        if (counts.some((n) => n < this.pageDevices)) return
      }
    }
    await paged(
      `SELECT lf, ll, tin, tout, p FROM ${measurements.daily('purifier')} WHERE ${since} GROUP BY device`,
      (h, day, get) => {
        push(h, 'litres', day, get('lf'), get('ll'))
        h.readings.push({ day, tdsIn: num(get('tin')), tdsOut: num(get('tout')), pressure: num(get('p')) })
      }
    )
    await paged(
      `SELECT hf, hl, mf, ml FROM ${measurements.daily('machine')} WHERE ${since} GROUP BY device`,
      (h, day, get) => {
        push(h, 'hours', day, get('hf'), get('hl'))
        push(h, 'm3', day, get('mf'), get('ml'))
      }
    )
    const changes = await this.influx.rows(
      `SELECT detail FROM ${measurements.events} WHERE type = 'part_replaced' AND ${since} GROUP BY device, part`,
      { timeoutMs: this.timeoutMs }
    )
    for (const r of changes)
      of(r.device).replacements.push({ part: String(r.part), day: Math.floor(Number(r.time) / DAY_MS) })
    return { histories, queries: queries + 1 + rolled.statements, rolledDays: rolled.days }
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}
