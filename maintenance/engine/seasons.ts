import { learnProfile, nextPeak, peakWindows, type SeasonalProfile } from './forecast.js'
import type { UsageDays } from './usage.js'

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
