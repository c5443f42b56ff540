import type { DeviceSim } from '../../simulators/index.js'
import { copySim, type Unit } from './world.js'

/** Why a visit inside a season was unavoidable, or that it could have come before. */
export type SeasonVisitClass = 'avoidable' | 'delivered' | 'fitted' | 'short-life'

export const UNAVOIDABLE_REASONS: Record<Exclude<SeasonVisitClass, 'avoidable'>, string> = {
  delivered: 'device delivered within four weeks before the season or in it',
  fitted: 'a part fitted within four weeks before the season or in it',
  'short-life': 'a part that, changed the day before the season, would not have lasted through it'
}

/** A visit carried out inside a season: the device, the parts it changed, and the latest fit among them. */
export interface SeasonVisit {
  day: number
  device: number
  unit: Unit
  parts: readonly string[]
  /** The day the most recently fitted of its parts went in (for an inspection, the device's delivery). */
  lastFit: number
}

/**
 * The ground truth of visits inside the busy seasons: a visit could have come before its season unless the
 * device or one of its parts went in shortly before the season or in it, or one of its parts, changed the
 * day before the season instead, would still have been spent inside it (an oil change every six weeks in
 * a ten-week season: some visit in the season cannot be helped). Copies of each device as it stood the
 * day before a season are kept to live that alternative forward (a day's use depends only on the fleet
 * seed, the device and the day).
 */
export class SeasonVisits {
  private readonly before = new Map<string, DeviceSim>()

  constructor(private readonly seasons: ReadonlyMap<string, ReadonlySet<number>>) {}

  /** Called each day after its visits and before the devices live it: keeps the devices whose season starts tomorrow. */
  note(world: readonly Unit[], today: number): void {
    world.forEach((u, i) => {
      const season = this.seasons.get(groupOf(u))
      if (season?.has(today + 1) && !season.has(today) && u.sim.day === today)
        this.before.set(`${i}/${today + 1}`, copySim(u.sim))
    })
  }

  classify(visit: SeasonVisit): SeasonVisitClass | undefined {
    const season = this.seasons.get(groupOf(visit.unit))
    if (!season?.has(visit.day)) return undefined
    let start = visit.day
    while (season.has(start - 1)) start--
    let end = visit.day
    while (season.has(end + 1)) end++
    if (visit.unit.spec.deliveredDay >= start - PRE_PEAK_DAYS) return 'delivered'
    if (visit.lastFit >= start - PRE_PEAK_DAYS) return 'fitted'
    const before = this.before.get(`${visit.device}/${start}`)
    if (before && visit.parts.some((part) => spentBy(before, part, start - 1, end))) return 'short-life'
    return 'avoidable'
  }
}

/** A part fitted this close before a peak (or in it) may need changing again inside it: that visit was unavoidable. */
const PRE_PEAK_DAYS = 28

/** Would `part`, fitted new on `day` on a copy of the device as it stood then, be spent by day `until`? */
function spentBy(sim: DeviceSim, part: string, day: number, until: number): boolean {
  const copy = copySim(sim)
  copy.replace(part, day)
  while (copy.day <= until) {
    if (copy.spent(part)) return true
    copy.step()
  }
  return false
}

const groupOf = (u: Unit) => `${u.spec.region}/${u.spec.kind}`
