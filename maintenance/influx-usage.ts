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
 * InfluxQL: one query per measurement, grouped by device, so a planning pass
 * reads one point per device and day whatever the fleet (the rollups keep the region, model and outlet tags for the boards).
 */
export class InfluxUsageReader implements UsageReader {
  constructor(
    private readonly influx: InfluxQueryClient,
    private readonly rollups: DailyRollups,
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
    const purifiers = await this.influx.rows(
      `SELECT lf, ll, tin, tout, p FROM ${measurements.daily('purifier')} WHERE ${since} GROUP BY device`,
      { timeoutMs: this.timeoutMs }
    )
    for (const r of purifiers) {
      const h = of(r.device)
      const day = Math.floor(Number(r.time) / DAY_MS)
      push(h, 'litres', day, r.lf, r.ll)
      h.readings.push({ day, tdsIn: num(r.tin), tdsOut: num(r.tout), pressure: num(r.p) })
    }
    const machines = await this.influx.rows(
      `SELECT hf, hl, mf, ml FROM ${measurements.daily('machine')} WHERE ${since} GROUP BY device`,
      { timeoutMs: this.timeoutMs }
    )
    for (const r of machines) {
      const h = of(r.device)
      const day = Math.floor(Number(r.time) / DAY_MS)
      push(h, 'hours', day, r.hf, r.hl)
      push(h, 'm3', day, r.mf, r.ml)
    }
    const changes = await this.influx.rows(
      `SELECT detail FROM ${measurements.events} WHERE type = 'part_replaced' AND ${since} GROUP BY device, part`,
      { timeoutMs: this.timeoutMs }
    )
    for (const r of changes)
      of(r.device).replacements.push({ part: String(r.part), day: Math.floor(Number(r.time) / DAY_MS) })
    return { histories, queries: 3 + rolled.statements, rolledDays: rolled.days }
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}
