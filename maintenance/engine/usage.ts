/**
 * Daily usage from a cumulative counter (litersTotal, engineHours,
 * pumpedM3Total), read as daily rollups: the first and last reading of each
 * day. Pure. Handles gaps (spread over the missing days, marked estimated), a
 * counter reset (device replaced, firmware reset: counting restarts near 0),
 * and a meter that goes backwards a little (ignored until it passes its old
 * high again).
 */
export interface DailyCounter {
  /** UTC day number. */
  day: number
  first: number
  last: number
}

export interface DailyUsage {
  day: number
  usage: number
  /** True when the day had no reading of its own and got a share of a gap. */
  estimated: boolean
}

export interface UsageSeries {
  days: DailyUsage[]
  /** Days on which a counter reset was seen. */
  resets: number[]
}

/**
 * Daily usage packed for keeping a fleet's worth in memory: day `start + i` used `usage[i]` (NaN: no
 * value). Forecasts and seasons read it as they read a `DailyUsage[]`.
 */
export interface PackedUsage {
  start: number
  usage: Float64Array
  /** 1 on the days of a long gap between readings (`LONG_GAP_DAYS`), which `eachDay` does not read. */
  unread?: Uint8Array
}

/**
 * A gap between readings this long is a device away or switched off: its days got equal shares of the
 * little the counter moved across it, and read one by one they look like weeks of light use (a household
 * back from a trip forecast at two thirds of its use for two months, a summer trip bending the season).
 * Their sum still counts towards what a part has done; a forecast or a season does not read them.
 */
export const LONG_GAP_DAYS = 7

/** Daily usage either way: a list (tests, the evaluation) or packed (the planning pass). */
export type UsageDays = readonly DailyUsage[] | PackedUsage

export function packUsage(days: readonly DailyUsage[]): PackedUsage {
  if (days.length === 0) return { start: 0, usage: new Float64Array(0) }
  let start = Infinity
  let end = -Infinity
  for (const d of days) {
    start = Math.min(start, d.day)
    end = Math.max(end, d.day)
  }
  const usage = new Float64Array(end - start + 1).fill(NaN)
  for (const d of days) usage[d.day - start] = d.usage
  const gaps = longGapDays(days)
  if (gaps.size === 0) return { start, usage }
  const unread = new Uint8Array(usage.length)
  for (const day of gaps) unread[day - start] = 1
  return { start, usage, unread }
}

/** The days of `days` that lie in a run of at least LONG_GAP_DAYS estimated days in a row. */
function longGapDays(days: readonly DailyUsage[]): Set<number> {
  const gaps = new Set<number>()
  let run: number[] = []
  const close = () => {
    if (run.length >= LONG_GAP_DAYS) for (const day of run) gaps.add(day)
    run = []
  }
  for (const d of days) {
    if (!d.estimated || (run.length > 0 && d.day !== (run.at(-1) as number) + 1)) close()
    if (d.estimated) run.push(d.day)
  }
  close()
  return gaps
}

/**
 * Calls `each` for every day with a value in [from, to), in order — but not the days of a long gap
 * between readings (`LONG_GAP_DAYS`): forecasts and seasons read days a reading tells of.
 */
export function eachDay(
  series: UsageDays,
  each: (day: number, usage: number) => void,
  from = -Infinity,
  to = Infinity
): void {
  if ('start' in series) {
    const first = Math.max(0, from - series.start)
    const end = Math.min(series.usage.length, to - series.start)
    for (let i = first; i < end; i++) {
      const u = series.usage[i] ?? NaN
      if (!Number.isNaN(u) && !series.unread?.[i]) each(series.start + i, u)
    }
    return
  }
  const gaps = series.some((d) => d.estimated) ? longGapDays(series) : undefined
  for (const d of series) if (d.day >= from && d.day < to && !gaps?.has(d.day)) each(d.day, d.usage)
}

/** The most use a reset may claim: three times the device's median day so far, per day since the last reading. */
function plausible(days: readonly DailyUsage[], gap: number): number {
  if (days.length < 7) return Infinity
  const sorted = days.map((d) => d.usage).sort((a, b) => a - b)
  return 3 * (sorted[Math.floor(sorted.length / 2)] ?? 0) * Math.max(1, gap)
}

/** A drop below this share of the last high is a reset; a smaller drop is a meter glitch. */
const RESET_RATIO = 0.5

/**
 * `zeroDay`: the day the counter stood at 0 — a new device's delivery — when the readings go back to it.
 * The first reading's value was then used since, spread over the days from `zeroDay` to it (a device
 * reporting once a day, or first coming online weeks after delivery, would lose that use otherwise).
 */
export function usageFromCounters(points: readonly DailyCounter[], zeroDay?: number): UsageSeries {
  const sorted = [...points].sort((a, b) => a.day - b.day)
  const days: DailyUsage[] = []
  const resets: number[] = []
  const fromZero = zeroDay !== undefined && sorted.length > 0 && zeroDay <= (sorted[0] as DailyCounter).day
  let high: number | undefined = fromZero ? 0 : undefined // the highest reading of the current counter
  let lastDay: number | undefined = fromZero ? zeroDay - 1 : undefined
  for (const p of sorted) {
    let between = 0
    let within: number
    if (high === undefined || lastDay === undefined) {
      within = Math.max(0, p.last - p.first)
      high = Math.max(p.first, p.last)
    } else {
      if (p.first < high * RESET_RATIO) {
        // counting restarted since the last reading: what it shows now was used since — unless that
        // is far more than this device uses in a few days (another counter), then it is unknown
        resets.push(p.day)
        between = p.first <= plausible(days, p.day - lastDay) ? p.first : 0
        high = p.first
      } else {
        between = Math.max(0, p.first - high)
        high = Math.max(high, p.first)
      }
      if (p.last < high * RESET_RATIO && p.last < p.first) {
        resets.push(p.day)
        within = p.last
        high = p.last
      } else {
        within = Math.max(0, p.last - high)
        high = Math.max(high, p.last)
      }
    }
    const gap = lastDay === undefined ? 1 : p.day - lastDay
    const share = between / gap
    for (let d = (lastDay ?? p.day - 1) + 1; d < p.day; d++)
      days.push({ day: d, usage: share, estimated: true })
    days.push({ day: p.day, usage: share + within, estimated: false })
    lastDay = p.day
  }
  return { days, resets }
}
