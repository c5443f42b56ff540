import { learnProfile, nextPeak, peakWindows } from '../../maintenance/index.js'
import { regionByCode, seasonOn } from '../../simulators/index.js'
import type { Unit } from './world.js'

/**
 * The busy seasons as they really were (every one of them): the engine's rule for a busy season applied to
 * the seasons the simulators draw each region's use from — the truth, without the noise of estimating it
 * from a sample of devices (which moved an edge by weeks where a season rises slowly).
 */
export function trueSeasons(world: readonly Unit[], start: number, end: number): Map<string, Set<number>> {
  const peaks = new Map<string, Set<number>>()
  for (const u of world) {
    const key = `${u.spec.region}/${u.spec.kind}`
    if (peaks.has(key)) continue
    const region = regionByCode(u.spec.region)
    const season: { day: number; usage: number; estimated: boolean }[] = []
    for (let day = start - 365; day < end; day++)
      season.push({ day, usage: seasonOn(region, u.spec.kind, day), estimated: false })
    const days = new Set<number>()
    for (const window of peakWindows(learnProfile([season]))) {
      for (let d = start; d < end;) {
        const p = nextPeak(window, d)
        for (let x = p.start; x <= p.end; x++) days.add(x)
        d = p.end + 1
      }
    }
    peaks.set(key, days)
  }
  return peaks
}
