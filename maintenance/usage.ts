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

/** The most use a reset may claim: three times the device's median day so far, per day since the last reading. */
function plausible(days: readonly DailyUsage[], gap: number): number {
  if (days.length < 7) return Infinity
  const sorted = days.map((d) => d.usage).sort((a, b) => a - b)
  return 3 * (sorted[Math.floor(sorted.length / 2)] ?? 0) * Math.max(1, gap)
}

/** A drop below this share of the last high is a reset; a smaller drop is a meter glitch. */
const RESET_RATIO = 0.5

export function usageFromCounters(points: readonly DailyCounter[]): UsageSeries {
  const sorted = [...points].sort((a, b) => a.day - b.day)
  const days: DailyUsage[] = []
  const resets: number[] = []
  let high: number | undefined // the highest reading of the current counter
  let lastDay: number | undefined
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
