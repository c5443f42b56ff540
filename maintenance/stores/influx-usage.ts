import { measurements, type DeviceKind } from '../../shared/index.js'
import { influxString, type InfluxQueryClient } from '../../stores/index.js'
import {
  counterDays,
  forgetDays,
  historyOf,
  push,
  sortByDay,
  trim,
  type DeviceHistory,
  type Unit
} from '../engine/device-history.js'
import type { HistorySnapshots } from './history-snapshot.js'
import type { DailyRollups } from './rollups.js'

const DAY_MS = 86400000
/**
 * A span of fewer days is read for the whole fleet in one query: InfluxDB holds a cursor per series and
 * shard (a week), which is little for a few days (0.8 GB for 40,000 devices' last day) and too much for a
 * year (23 GB at 100,000), while naming devices costs it time square in the names (1,000 a query: 0.4 s).
 */
const SHORT_SPAN_DAYS = 7

export interface UsageReader {
  /** Histories of all devices since `sinceDay`, in a few batch queries (never one per device). */
  read(sinceDay: number): Promise<{
    histories: Map<string, DeviceHistory>
    queries: number
    rolledDays?: number
    /** The histories kept before came from a snapshot on disk (a restarted node's first pass). */
    restored?: boolean
  }>
}

/** Per kind: the rollup query's fields, and how one row lands in a history. */
const KINDS: Record<
  DeviceKind,
  {
    fields: string
    units: Unit[]
    apply: (h: DeviceHistory, day: number, get: (c: string) => unknown) => void
    /** Room for `rows` more days in every table the kind fills. */
    reserve: (h: DeviceHistory, rows: number) => void
  }
> = {
  purifier: {
    fields: 'lf, ll, tin, tout, p',
    units: ['litres'],
    apply: (h, day, get) => {
      push(h, 'litres', day, get('lf'), get('ll'))
      h.readings.push(day, num(get('tin')), num(get('tout')), num(get('p')))
    },
    reserve: (h, rows) => {
      counterDays(h, 'litres').reserve(rows)
      h.readings.reserve(rows)
    }
  },
  machine: {
    fields: 'hf, hl, mf, ml',
    units: ['hours', 'm3'],
    apply: (h, day, get) => {
      push(h, 'hours', day, get('hf'), get('hl'))
      push(h, 'm3', day, get('mf'), get('ml'))
    },
    reserve: (h, rows) => {
      counterDays(h, 'hours').reserve(rows)
      counterDays(h, 'm3').reserve(rows)
    }
  }
}

/**
 * Reads the daily rollups (refreshed first for the days that changed) with
 * InfluxQL, each answer streamed (chunked). A span of weeks or more goes a page
 * of devices a query — named in the query (`device = '…' OR …`, from `SHOW TAG
 * VALUES`), so InfluxDB's index opens only their series — two pages at once;
 * paging with SLIMIT/SOFFSET made InfluxDB 1.x open every series for each page
 * (the cost per device grew with the fleet), and one query for the whole fleet
 * and year held a cursor per series and week: 23 GB at 100,000 devices. A span
 * of a few days (a later pass's) is one query for the fleet. The first pass
 * reads the whole window; the histories are then kept, and each later pass
 * reads only the days the rollup refresh rebuilt (today, a late upload's days)
 * and drops the days that left the window, so a pass in steady state reads a
 * few days per device instead of a year. Part changes are read whole each pass
 * (a few a device a year). Passes are serialised. The histories are only as
 * fresh as the rollups this reader refreshed: run the planning pass on one node.
 * Given `snapshots`, they are kept on disk after each pass and at a clean stop
 * (`save`), and the first pass after a start — after a crash too — begins from
 * them while no refresh ran since (history-snapshot.ts).
 */
export class InfluxUsageReader implements UsageReader {
  private cache: { sinceDay: number; histories: Map<string, DeviceHistory>; epoch?: string } | undefined
  /** The pass's histories last written to the snapshot (each pass makes a new `cache`). */
  private onDisk?: object
  private running: Promise<unknown> = Promise.resolve()
  /** Histories that got rows this pass (only they can be out of day order). */
  private readonly touched = new Set<DeviceHistory>()

  constructor(
    private readonly influx: InfluxQueryClient,
    private readonly rollups: DailyRollups,
    /** Devices a query names: a year of daily points for this many devices is one (streamed) answer. */
    private readonly pageDevices = 1000,
    /** Pages asked for at once (InfluxDB answers a raw select on one core). */
    private readonly concurrentPages = 2,
    private readonly timeoutMs = 300000,
    /** Where the kept histories go at shutdown (`save`) and come back from on the first pass. */
    private readonly snapshots?: HistorySnapshots
  ) {}

  read(sinceDay: number): Promise<Required<Awaited<ReturnType<UsageReader['read']>>>> {
    const next = this.running.then(() => this.readNow(sinceDay))
    this.running = next.catch(() => undefined)
    return next
  }

  /** Forgets the kept histories: the next pass reads the whole window again. */
  forget(): void {
    this.cache = undefined
  }

  /**
   * Writes the kept histories to the snapshot after the pass under way (after each pass, and at a clean stop
   * when no pass ran since); true: they are on disk, false: none kept.
   */
  save(): Promise<boolean> {
    const saved = this.running.then(async () => {
      const { cache, snapshots } = this
      if (!cache?.epoch || !snapshots) return false
      if (cache === this.onDisk) return true
      await snapshots.save({ sinceDay: cache.sinceDay, epoch: cache.epoch, histories: cache.histories })
      this.onDisk = cache
      return true
    })
    this.running = saved.catch(() => undefined)
    return saved
  }

  private async readNow(sinceDay: number) {
    let queries = 0
    let restored = false
    if (!this.cache && this.snapshots) {
      const loaded = await this.snapshots.load()
      this.cache = loaded.kept
      restored = loaded.kept !== undefined
      if (loaded.queried) queries++
    }
    // before the refresh deletes the marks it rebuilds: any snapshot taken earlier is stale from here on
    const epoch = await this.snapshots?.beginRefresh(Date.now())
    const rolled = await this.rollups.refresh(sinceDay)
    queries += rolled.statements
    const cache = this.cache
    const histories = cache && cache.sinceDay <= sinceDay ? cache.histories : new Map<string, DeviceHistory>()
    const full = histories !== cache?.histories
    // until the pass succeeds, a half-updated cache must not be used again
    this.cache = undefined
    if (!full) trim(histories, sinceDay)
    for (const kind of Object.keys(KINDS) as DeviceKind[]) {
      // a full read goes to tomorrow: a device's clock a little ahead still lands in today's rollup
      const spans: [number, number][] = full ? [[sinceDay, rolled.today + 1]] : rolled.spans[kind]
      // all spans are forgotten before any is read: the lists are sorted by day until then
      if (!full) for (const [from, to] of spans) forgetDays(histories, KINDS[kind].units, from, to)
      let devices: string[] | undefined
      for (const [from, to] of spans) {
        if (to - from < SHORT_SPAN_DAYS) {
          queries += await this.span(histories, kind, undefined, from, to)
          continue
        }
        if (!devices) {
          devices = await this.devicesOf(kind)
          queries++
        }
        queries += await this.paged(histories, kind, devices, from, to)
      }
    }
    for (const h of this.touched) sortByDay(h)
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
    this.cache = { sinceDay, histories, epoch }
    return { histories, queries: queries + 1, rolledDays: rolled.days, restored: restored && !full }
  }

  /** Every device that has a daily rollup of this kind (InfluxDB's index answers it). */
  private async devicesOf(kind: DeviceKind): Promise<string[]> {
    const [series = []] = await this.influx.raw(
      `SHOW TAG VALUES FROM ${measurements.daily(kind)} WITH KEY = "device"`,
      { timeoutMs: this.timeoutMs }
    )
    return series.flatMap((s) => s.values.map((v) => String(v[1])))
  }

  /** Reads one kind's days [from, to] a page of devices at a time, a few pages at once. */
  private async paged(
    histories: Map<string, DeviceHistory>,
    kind: DeviceKind,
    devices: string[],
    from: number,
    to: number
  ): Promise<number> {
    const pages: string[][] = []
    for (let i = 0; i < devices.length; i += this.pageDevices)
      pages.push(devices.slice(i, i + this.pageDevices))
    for (let i = 0; i < pages.length; i += this.concurrentPages)
      await Promise.all(
        pages.slice(i, i + this.concurrentPages).map((ids) => this.span(histories, kind, ids, from, to))
      )
    return pages.length
  }

  /**
   * One `GROUP BY device` query over days [from, to] — of the devices named, or of all — streamed into
   * the histories. Returns 1 (the query).
   */
  private async span(
    histories: Map<string, DeviceHistory>,
    kind: DeviceKind,
    ids: string[] | undefined,
    from: number,
    to: number
  ): Promise<number> {
    const { fields, reserve, apply } = KINDS[kind]
    const named = ids ? `(${ids.map((id) => `device = ${influxString(id)}`).join(' OR ')}) AND ` : ''
    await this.influx.stream(
      `SELECT ${fields} FROM ${measurements.daily(kind)} WHERE ${named}time >= ${from * DAY_MS}ms AND time < ${(to + 1) * DAY_MS}ms GROUP BY device`,
      (s) => {
        const h = historyOf(histories, s.tags?.device)
        this.touched.add(h)
        reserve(h, s.values.length)
        const index = new Map(s.columns.map((c, i) => [c, i]))
        for (const v of s.values) {
          const get = (column: string) => v[index.get(column) ?? -1]
          apply(h, Math.floor(Number(get('time')) / DAY_MS), get)
        }
      },
      { timeoutMs: this.timeoutMs }
    )
    return 1
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN
}
