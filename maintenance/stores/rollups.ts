import { DEVICE_KINDS, measurements, type Clock, type DeviceKind } from '../../shared/index.js'
import type { InfluxQueryClient } from '../../stores/index.js'

const DAY_MS = 86400000

/** Per kind, the daily aggregates the engine and the boards read (field names of `<kind>_daily`). */
const AGGREGATES: Record<DeviceKind, string> = {
  purifier:
    'first(litersTotal) AS lf, last(litersTotal) AS ll, mean(tdsIn) AS tin, mean(tdsOut) AS tout, mean(pressureKpa) AS p',
  machine:
    'first(engineHours) AS hf, last(engineHours) AS hl, first(pumpedM3Total) AS mf, last(pumpedM3Total) AS ml, max(coolantC) AS coolant, max(hydOilC) AS hyd_oil'
}

/** The longest run of days one SELECT … INTO rebuilds. */
const MAX_RANGE_DAYS = 31

export interface RollupResult {
  /** Marked (kind, day) pairs rebuilt. */
  days: number
  /** InfluxQL statements it took. */
  statements: number
  /** The days rebuilt, per kind, as [first, last] spans: what readers of the rollups must read again. */
  spans: Record<DeviceKind, [number, number][]>
  /** Today by the refresh's clock (days since the epoch, UTC). */
  today: number
}

/**
 * Daily rollups kept in InfluxDB: each refresh rebuilds, with `SELECT … INTO`,
 * only the days the ingest marked as changed (today's stream, a late upload,
 * a year of backfill), so a planning pass reads one point per device and day
 * instead of rescanning raw history. Rebuilding a day is idempotent.
 */
export class DailyRollups {
  constructor(
    private readonly influx: InfluxQueryClient,
    private readonly clock: Clock,
    /**
     * Marks younger than this are kept and their days rebuilt again next time, so data stored while a
     * refresh ran (under a mark made up to a minute earlier) is never left out.
     */
    private readonly settleMs = 15 * 60000,
    private readonly timeoutMs = 300000
  ) {}

  /** Rebuilds every marked day since `sinceDay`. */
  async refresh(sinceDay: number): Promise<RollupResult> {
    const started = this.clock.now()
    const today = Math.floor(started / DAY_MS)
    const days = new Map<DeviceKind, Set<number>>(DEVICE_KINDS.map((k) => [k, new Set<number>()]))
    let statements = 1
    const marks = await this.influx.rows(
      `SELECT last(marked) FROM ${measurements.telemetryChanged} GROUP BY kind, day`,
      { timeoutMs: this.timeoutMs }
    )
    for (const m of marks) days.get(m.kind as DeviceKind)?.add(Number(m.day))

    let rebuilt = 0
    const spans = Object.fromEntries(DEVICE_KINDS.map((k) => [k, []])) as unknown as RollupResult['spans']
    for (const [kind, set] of days) {
      const marked = [...set].filter((d) => d >= sinceDay && d <= today + 1)
      rebuilt += marked.length
      spans[kind] = ranges(marked)
      for (const [from, to] of spans[kind]) {
        await this.influx.rows(
          `SELECT ${AGGREGATES[kind]} INTO ${measurements.daily(kind)} FROM ${measurements.telemetry(kind)} WHERE time >= ${from * DAY_MS}ms AND time < ${(to + 1) * DAY_MS}ms GROUP BY time(1d), device, region, model, outlet fill(none)`,
          { timeoutMs: this.timeoutMs }
        )
        statements++
      }
    }
    if (marks.length > 0) {
      await this.influx.raw(
        `DELETE FROM ${measurements.telemetryChanged} WHERE time < ${started - this.settleMs}ms`,
        { timeoutMs: this.timeoutMs }
      )
      statements++
    }
    return { days: rebuilt, statements, spans, today }
  }
}

/**
 * The marked days as few spans as possible, each at most MAX_RANGE_DAYS long ([first, last] inclusive);
 * a span may cover unmarked days in between, whose rebuild changes nothing.
 */
export function ranges(days: readonly number[]): [number, number][] {
  const sorted = [...new Set(days)].sort((a, b) => a - b)
  const out: [number, number][] = []
  for (const d of sorted) {
    const last = out.at(-1)
    if (last && d - last[0] < MAX_RANGE_DAYS) last[1] = d
    else out.push([d, d])
  }
  return out
}
