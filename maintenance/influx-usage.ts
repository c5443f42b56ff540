import { measurements, type DeviceKind } from '../shared/index.js'
import type { InfluxQueryClient } from '../stores/index.js'
import type { DailyRollups } from './rollups.js'
import type { DailyCounter } from './usage.js'

const DAY_MS = 86400000
type Unit = 'litres' | 'hours' | 'm3'

/** What the planner knows of a device from its telemetry: daily counters, daily condition readings, part changes. */
export interface DeviceHistory {
  counters: Partial<Record<Unit, DailyCounter[]>>
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

/** Per kind: the rollup query's fields, and how one row lands in a history. */
const KINDS: Record<
  DeviceKind,
  {
    fields: string
    units: Unit[]
    apply: (h: DeviceHistory, day: number, get: (c: string) => unknown) => void
  }
> = {
  purifier: {
    fields: 'lf, ll, tin, tout, p',
    units: ['litres'],
    apply: (h, day, get) => {
      push(h, 'litres', day, get('lf'), get('ll'))
      h.readings.push({ day, tdsIn: num(get('tin')), tdsOut: num(get('tout')), pressure: num(get('p')) })
    }
  },
  machine: {
    fields: 'hf, hl, mf, ml',
    units: ['hours', 'm3'],
    apply: (h, day, get) => {
      push(h, 'hours', day, get('hf'), get('hl'))
      push(h, 'm3', day, get('mf'), get('ml'))
    }
  }
}

/**
 * Reads the daily rollups (refreshed first for the days that changed) with
 * InfluxQL, grouped by device and paged (SLIMIT/SOFFSET) a thousand devices a
 * query. The first pass reads the whole window; the histories are then kept,
 * and each later pass reads only the days the rollup refresh rebuilt (today,
 * a late upload's days) and drops the days that left the window, so a pass in
 * steady state reads a few days per device instead of a year. Part changes
 * are read whole each pass (a few a device a year). Passes are serialised.
 * The histories are only as fresh as the rollups this reader refreshed: run the
 * planning pass on one node.
 */
export class InfluxUsageReader implements UsageReader {
  private cache: { sinceDay: number; histories: Map<string, DeviceHistory> } | undefined
  private running: Promise<unknown> = Promise.resolve()
  /** Histories that got rows this pass (only they can be out of day order). */
  private readonly touched = new Set<DeviceHistory>()

  constructor(
    private readonly influx: InfluxQueryClient,
    private readonly rollups: DailyRollups,
    /** Devices per query page: a year of daily points for this many devices is one answer. */
    private readonly pageDevices = 1000,
    /** Pages asked for at once. */
    private readonly concurrentPages = 2,
    private readonly timeoutMs = 300000
  ) {}

  read(
    sinceDay: number
  ): Promise<{ histories: Map<string, DeviceHistory>; queries: number; rolledDays: number }> {
    const next = this.running.then(() => this.readNow(sinceDay))
    this.running = next.catch(() => undefined)
    return next
  }

  /** Forgets the kept histories: the next pass reads the whole window again. */
  forget(): void {
    this.cache = undefined
  }

  private async readNow(sinceDay: number) {
    const rolled = await this.rollups.refresh(sinceDay)
    let queries = rolled.statements
    const cache = this.cache
    const histories = cache && cache.sinceDay <= sinceDay ? cache.histories : new Map<string, DeviceHistory>()
    const full = histories !== cache?.histories
    // until the pass succeeds, a half-updated cache must not be used again
    this.cache = undefined
    if (!full) trim(histories, sinceDay)
    for (const kind of Object.keys(KINDS) as DeviceKind[]) {
      const spans: [number, number][] = full ? [[sinceDay, Number.MAX_SAFE_INTEGER]] : rolled.spans[kind]
      // all spans are forgotten before any is read: the lists are sorted by day until then
      if (!full) for (const [from, to] of spans) forgetDays(histories, KINDS[kind].units, from, to)
      for (const [from, to] of spans) {
        const until = to === Number.MAX_SAFE_INTEGER ? '' : ` AND time < ${(to + 1) * DAY_MS}ms`
        queries += await this.paged(
          `SELECT ${KINDS[kind].fields} FROM ${measurements.daily(kind)} WHERE time >= ${from * DAY_MS}ms${until} GROUP BY device`,
          histories,
          KINDS[kind].apply
        )
      }
    }
    if (!full) for (const h of this.touched) sortByDay(h)
    this.touched.clear()
    const changes = await this.influx.rows(
      `SELECT detail FROM ${measurements.events} WHERE type = 'part_replaced' AND time >= ${sinceDay * DAY_MS}ms GROUP BY device, part`,
      { timeoutMs: this.timeoutMs }
    )
    for (const h of histories.values()) h.replacements = []
    for (const r of changes)
      historyOf(histories, r.device).replacements.push({
        part: String(r.part),
        day: Math.floor(Number(r.time) / DAY_MS)
      })
    this.cache = { sinceDay, histories }
    return { histories, queries: queries + 1, rolledDays: rolled.days }
  }

  /** Runs a `GROUP BY device` query a page of devices at a time (a few at once), so no answer outgrows memory. */
  private async paged(
    q: string,
    histories: Map<string, DeviceHistory>,
    each: (h: DeviceHistory, day: number, get: (column: string) => unknown) => void
  ): Promise<number> {
    let queries = 0
    const page = async (offset: number) => {
      const [series = []] = await this.influx.raw(`${q} SLIMIT ${this.pageDevices} SOFFSET ${offset}`, {
        timeoutMs: this.timeoutMs
      })
      queries++
      for (const s of series) {
        const h = historyOf(histories, s.tags?.device)
        this.touched.add(h)
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
      if (counts.some((n) => n < this.pageDevices)) return queries
    }
  }
}

function historyOf(histories: Map<string, DeviceHistory>, device: unknown): DeviceHistory {
  const id = String(device)
  let h = histories.get(id)
  if (!h) {
    h = { counters: {}, readings: [], replacements: [] }
    histories.set(id, h)
  }
  return h
}

function push(h: DeviceHistory, unit: Unit, day: number, first: unknown, last: unknown): void {
  if (typeof first !== 'number' || typeof last !== 'number') return
  ;(h.counters[unit] ??= []).push({ day, first, last })
}

/** Drops the days before the window; a device left with nothing is forgotten. */
function trim(histories: Map<string, DeviceHistory>, sinceDay: number): void {
  for (const [id, h] of histories) {
    // sorted by day: only a list that starts before the window has anything to drop
    for (const unit of Object.keys(h.counters) as Unit[]) {
      const list = h.counters[unit]
      if (list && (list[0]?.day ?? sinceDay) < sinceDay)
        h.counters[unit] = list.filter((c) => c.day >= sinceDay)
    }
    if ((h.readings[0]?.day ?? sinceDay) < sinceDay) h.readings = h.readings.filter((r) => r.day >= sinceDay)
    if (h.readings.length === 0 && Object.values(h.counters).every((c) => !c?.length)) histories.delete(id)
  }
}

/** Drops one kind's days in [from, to] before they are read again. */
function forgetDays(histories: Map<string, DeviceHistory>, units: Unit[], from: number, to: number): void {
  const outside = (x: { day: number }) => x.day < from || x.day > to
  for (const h of histories.values()) {
    for (const unit of units) {
      const list = h.counters[unit]
      // the usual case: only the newest days were rebuilt
      if (list && list.length > 0 && (list.at(-1)?.day ?? 0) >= from) h.counters[unit] = list.filter(outside)
    }
    if (units.includes('litres') && (h.readings.at(-1)?.day ?? -1) >= from)
      h.readings = h.readings.filter(outside)
  }
}

function sortByDay(h: DeviceHistory): void {
  const byDay = (a: { day: number }, b: { day: number }) => a.day - b.day
  for (const list of Object.values(h.counters)) if (list && !sorted(list)) list.sort(byDay)
  if (!sorted(h.readings)) h.readings.sort(byDay)
}

function sorted(list: readonly { day: number }[]): boolean {
  for (let i = 1; i < list.length; i++) if ((list[i - 1]?.day ?? 0) > (list[i]?.day ?? 0)) return false
  return true
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}
