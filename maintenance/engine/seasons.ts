import { learnProfile, type SeasonalProfile } from './forecast.js'
import type { UsageDays } from './usage.js'

const DAY_MS = 86400000

/** One device's daily use of one counter, with where it is. */
export interface UsageOfDevice {
  region: string
  kind: string
  unit: string
  days: UsageDays
}

/** Profiles per `region/kind/unit`, and the next occurrence of each region and kind's busy seasons, soonest first (from litres or hours, not m³). */
export interface Seasons {
  profiles: Map<string, SeasonalProfile>
  peaks: Map<string, { start: number; end: number }[]>
}

export const seasonKey = (region: string, kind: string, unit: string) => `${region}/${kind}/${unit}`

/** Learns every group's seasonal profile from its devices, and the peak windows that follow, pure. */
export function learnSeasons(usage: readonly UsageOfDevice[], today: number): Seasons {
  const groups = new Map<string, UsageDays[]>()
  for (const u of usage) {
    const key = seasonKey(u.region, u.kind, u.unit)
    const list = groups.get(key)
    if (list) list.push(u.days)
    else groups.set(key, [u.days])
  }
  // today is not over: only whole days shape the seasons
  const profiles = new Map<string, SeasonalProfile>(
    [...groups].map(([k, v]) => [k, learnProfile(v, undefined, today)])
  )
  const peaks = new Map<string, { start: number; end: number }[]>()
  for (const [key, profile] of profiles) {
    const [region, kind, unit] = key.split('/')
    if (unit === 'm3') continue
    const windows = peakWindows(profile).map((w) => nextPeak(w, today))
    if (windows.length > 0)
      peaks.set(
        `${region}/${kind}`,
        windows.sort((a, b) => a.start - b.start)
      )
  }
  return { profiles, peaks }
}

export interface PeakWindow {
  /** Days of year (0-based); a window may wrap past the new year (start > end). */
  startDoy: number
  endDoy: number
  height: number
}

/**
 * The busy season of a profile: the run of days around its highest point
 * where the factor stays above 60 % of the way from the mean to the peak.
 * None when the year is flat (peak under +15 %).
 */
export function peakWindow(profile: SeasonalProfile, minHeight = 1.15): PeakWindow | undefined {
  const f = profile.factors
  let top = 0
  for (let i = 1; i < f.length; i++) if ((f[i] ?? 0) > (f[top] ?? 0)) top = i
  return peakWindows(profile, minHeight).find((w) => inWindow(top, w))
}

/**
 * Every busy season of a profile: each run of days above the threshold of its height (60 % of the way
 * from the mean to the factor the top 3 % of days reach), runs less than a month apart taken as one — the
 * run around the top, and any other of at least `minDays` days (a region may build in spring and again
 * in autumn; a run of a few days is noise, not a season). Ordered
 * by the day of year they start on. None when the year is flat (peak under +15 %).
 */
export function peakWindows(profile: SeasonalProfile, minHeight = 1.15, minDays = 14): PeakWindow[] {
  const f = profile.factors
  const n = f.length
  let top = 0
  for (let i = 1; i < n; i++) if ((f[i] ?? 0) > (f[top] ?? 0)) top = i
  // the height a season holds, not its single highest day: noise lifts the highest day, and a threshold
  // taken from it narrows every season (its start learned late, its end early)
  const height = [...f].sort((a, b) => a - b)[Math.floor(n * SEASON_HEIGHT_QUANTILE)] ?? 1
  if (height < minHeight) return []
  const threshold = 1 + 0.6 * (height - 1)
  const above = (i: number) => (f[((i % n) + n) % n] ?? 0) >= threshold
  // start the walk on a quiet day (the factors average 1, so there is one) so no run is cut in two
  let quiet = 0
  while (above(quiet)) quiet++
  // runs of days above the threshold, as unwrapped day indices from the quiet day on
  const runs: { start: number; end: number; top: number }[] = []
  for (let i = quiet + 1; i <= quiet + n; i++) {
    if (!above(i) || above(i - 1)) continue
    let end = i
    let runTop = i
    while (above(end + 1)) {
      end++
      if ((f[end % n] ?? 0) > (f[runTop % n] ?? 0)) runTop = end
    }
    const last = runs.at(-1)
    // a dip of less than a month inside a season (thin data, a holiday) does not end it: visits would be
    // squeezed into the dip, in the busiest weeks of the year
    if (last && i - last.end - 1 < SEASON_GAP_DAYS) {
      last.end = end
      if ((f[runTop % n] ?? 0) > (f[last.top % n] ?? 0)) last.top = runTop
    } else runs.push({ start: i, end, top: runTop })
  }
  const [first, final] = [runs[0], runs.at(-1)]
  if (first && final && first !== final && first.start + n - final.end - 1 < SEASON_GAP_DAYS) {
    final.end = first.end + n
    if ((f[first.top % n] ?? 0) > (f[final.top % n] ?? 0)) final.top = first.top
    runs.shift()
  }
  const windows: PeakWindow[] = []
  for (const r of runs) {
    const window = { startDoy: r.start % n, endDoy: r.end % n, height: f[r.top % n] ?? 1 }
    if (r.end - r.start + 1 >= minDays || inWindow(top, window)) windows.push(window)
  }
  return windows.sort((a, b) => a.startDoy - b.startDoy)
}

/** Two runs above the threshold closer than this are one season. */
const SEASON_GAP_DAYS = 31

/** The share of the year's days a season's height stands above (its top 3 %: eleven days). */
const SEASON_HEIGHT_QUANTILE = 0.97

function inWindow(doy: number, w: PeakWindow): boolean {
  return w.startDoy <= w.endDoy ? doy >= w.startDoy && doy <= w.endDoy : doy >= w.startDoy || doy <= w.endDoy
}

/** The next occurrence of a peak window as UTC day numbers, the one in progress included. */
export function nextPeak(window: PeakWindow, today: number): { start: number; end: number } {
  const year = new Date(today * DAY_MS).getUTCFullYear()
  for (const y of [year - 1, year, year + 1]) {
    const start = Math.floor(Date.UTC(y, 0, 1) / DAY_MS) + window.startDoy
    const length = (window.endDoy - window.startDoy + 366) % 366
    const end = start + length
    if (end >= today) return { start, end }
  }
  const start = Math.floor(Date.UTC(year + 1, 0, 1) / DAY_MS) + window.startDoy
  return { start, end: start + ((window.endDoy - window.startDoy + 366) % 366) }
}
