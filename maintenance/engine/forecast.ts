import { eachDay, type UsageDays } from './usage.js'

const DAY_MS = 86400000

export function dayOfYear(day: number): number {
  const known = day >= 0 && day < DAY_OF_YEAR.length ? (DAY_OF_YEAR[day] ?? -1) : -1
  if (known >= 0) return known
  const d = new Date(day * DAY_MS)
  const doy = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) // 0..365
  if (day >= 0 && day < DAY_OF_YEAR.length) DAY_OF_YEAR[day] = doy
  return doy
}

/** dayOfYear per epoch day up to 2189, filled as asked: the forecasts ask it millions of times a pass. */
const DAY_OF_YEAR = new Int16Array(80000).fill(-1)

/**
 * A region's (and kind's) seasonal shape learned from its fleet: a factor per
 * day of year (mean 1), the typical device's daily level, and how much
 * devices differ from each other.
 */
export interface SeasonalProfile {
  factors: number[]
  level: number
  /** Coefficient of variation of device levels around `level`. */
  spread: number
  devices: number
  /** Days of the year that had data; below ~60 the shape is flat. */
  coveredDays: number
  /**
   * Per day of year, the highest factor within half a smoothing window either side: what the day may
   * really be when the season steps rather than glides (a month's work calendar, a festival) and the
   * smoothing has spread the step over the weeks before and after it. The early end of a part's life
   * reads it. Absent: `factors`.
   */
  ceiling?: number[]
}

export const FLAT_PROFILE: SeasonalProfile = {
  factors: new Array(366).fill(1),
  level: 0,
  spread: 0.5,
  devices: 0,
  coveredDays: 0
}

/**
 * Learns the profile from many devices' daily usage: each device is scaled by
 * its own mean (so heavy users do not set the shape), days of year are
 * averaged over devices and years, smoothed over a month, and scaled to mean 1.
 */
export function learnProfile(
  fleet: readonly UsageDays[],
  smoothingDays = 31,
  /** Days from this one on are left out (today is not over: its use so far would pull its factor down). */
  until = Infinity
): SeasonalProfile {
  const seasonal = seasonalDays(fleet, until)
  const usable: UsageDays[] = []
  let levels: number[] = []
  for (const series of fleet) {
    const mean = levelOf(series, seasonal, until, () => 1)
    if (mean.days < 7 || mean.level <= 0) continue
    usable.push(series)
    levels.push(mean.level)
  }
  if (usable.length === 0) return FLAT_PROFILE
  // the shape and each device's level, in turn: a device seen over part of the year only (delivered in
  // the summer, say) has a plain mean that is mostly season, and scaling by it would flatten and shift the
  // shape; each round scales by levels taken out of the last round's shape
  let factors = new Array<number>(366).fill(1)
  let coveredDays = 0
  for (let round = 0; round < PROFILE_ROUNDS; round++) {
    const sum = new Array<number>(366).fill(0)
    const count = new Array<number>(366).fill(0)
    usable.forEach((series, k) => {
      const level = levels[k] ?? 0
      // a device whose every day fell where the last round's shape is 0 has no level to scale by
      if (!(level > 0 && Number.isFinite(level))) return
      eachDay(
        series,
        (day, u) => {
          if (!seasonal(day, u)) return
          const i = dayOfYear(day)
          sum[i] = (sum[i] ?? 0) + u / level
          count[i] = (count[i] ?? 0) + 1
        },
        -Infinity,
        until
      )
    })
    coveredDays = count.filter((c) => c > 0).length
    if (coveredDays < 60) break
    const raw = sum.map((x, i) => ((count[i] ?? 0) > 0 ? x / (count[i] ?? 1) : NaN))
    factors = normalise(smoothCircular(fillCircular(raw), smoothingDays))
    const shape = factors
    levels = usable.map(
      (series) => levelOf(series, seasonal, until, (day) => shape[dayOfYear(day)] ?? 1).level
    )
  }
  // devices' levels, deseasonalised by the shape learned
  const deseasonalised = levels.filter((l) => l > 0 && Number.isFinite(l))
  const level = deseasonalised.reduce((a, b) => a + b, 0) / Math.max(1, deseasonalised.length)
  const sd = Math.sqrt(
    deseasonalised.reduce((a, b) => a + (b - level) ** 2, 0) / Math.max(1, deseasonalised.length - 1)
  )
  return {
    factors,
    ceiling: ceilingOf(factors, Math.floor(smoothingDays / 2)),
    level,
    spread: level > 0 ? sd / level : 0.5,
    devices: deseasonalised.length,
    coveredDays
  }
}

/** The smallest factor a day's use is divided by to give a level. */
export const MIN_FACTOR = 0.05

/** Rounds of shape and levels (the first scales by plain means). */
const PROFILE_ROUNDS = 3

/**
 * A device's mean daily use over its seasonal days, each divided by the day's factor. A day whose factor
 * is (nearly) 0 — a month-long lull of a whole small group — says nothing of a level, and dividing by it
 * made every number of the profile NaN.
 */
function levelOf(
  series: UsageDays,
  seasonal: (day: number, usage: number) => boolean,
  until: number,
  factor: (day: number) => number
): { level: number; days: number } {
  let total = 0
  let days = 0
  eachDay(
    series,
    (day, u) => {
      const f = factor(day)
      if (!seasonal(day, u) || !(f >= MIN_FACTOR)) return
      total += u / f
      days++
    },
    -Infinity,
    until
  )
  return { level: total / Math.max(1, days), days }
}

/**
 * A group's day is a lull of its own (a festival, a holiday: the season) when this share of it is idle,
 * and at least this many of its devices: in a group of one or two, one machine parked for a month is
 * half the group or all of it, and its idle weeks taught a flat region a trough, and a peak beside it.
 */
const LULL_SHARE = 0.5
const LULL_DEVICES = 3

/**
 * Which of a device's days tell the season: a day it was in use, or a day on which most of its group was
 * idle too (the Spring Festival: that is the season). A device's own idle days — a household away, a
 * machine parked, a device offline with its counter flat — say nothing of the season, and averaged in as
 * zero use they bend it (a vacation in the peak moves the learned window by weeks).
 */
function seasonalDays(fleet: readonly UsageDays[], until: number): (day: number, usage: number) => boolean {
  const reporting = new Map<number, number>()
  const idle = new Map<number, number>()
  for (const series of fleet)
    eachDay(
      series,
      (day, u) => {
        reporting.set(day, (reporting.get(day) ?? 0) + 1)
        if (u <= 0) idle.set(day, (idle.get(day) ?? 0) + 1)
      },
      -Infinity,
      until
    )
  return (day, u) => {
    if (u > 0) return true
    const n = idle.get(day) ?? 0
    return n >= LULL_DEVICES && n >= LULL_SHARE * (reporting.get(day) ?? 1)
  }
}

function fillCircular(values: number[]): number[] {
  const n = values.length
  return values.map((v, i) => {
    if (!Number.isNaN(v)) return v
    for (let d = 1; d < n; d++) {
      const a = values[(i - d + n) % n] ?? NaN
      const b = values[(i + d) % n] ?? NaN
      if (!Number.isNaN(a) || !Number.isNaN(b)) return Number.isNaN(a) ? b : Number.isNaN(b) ? a : (a + b) / 2
    }
    return 1
  })
}

function smoothCircular(values: number[], window: number): number[] {
  const n = values.length
  const half = Math.floor(window / 2)
  return values.map((_, i) => {
    let s = 0
    for (let d = -half; d <= half; d++) s += values[(i + d + n) % n] ?? 0
    return s / (2 * half + 1)
  })
}

/** The highest value within `half` days either side of each day. */
function ceilingOf(values: readonly number[], half: number): number[] {
  const n = values.length
  return values.map((_, i) => {
    let top = -Infinity
    for (let d = -half; d <= half; d++) top = Math.max(top, values[(i + d + n) % n] ?? -Infinity)
    return top
  })
}

function normalise(values: number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return values.map((v) => (mean > 0 ? v / mean : 1))
}
