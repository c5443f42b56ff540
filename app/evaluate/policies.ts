import { addMonths, defaultCatalogue, usageLimit } from '../../maintenance/index.js'
import { counterNow, trueEnd, unitOf, type Unit } from './world.js'

/** Visits a policy has booked: day → device index → parts. */
export class VisitBook {
  readonly byDay = new Map<number, Map<number, Set<string>>>()
  readonly pending = new Map<number, Set<string>>()

  book(device: number, day: number, parts: readonly string[]): void {
    const today = this.byDay.get(day) ?? new Map<number, Set<string>>()
    const set = today.get(device) ?? new Set<string>()
    const pending = this.pending.get(device) ?? new Set<string>()
    for (const p of parts) {
      set.add(p)
      pending.add(p)
    }
    today.set(device, set)
    this.byDay.set(day, today)
    this.pending.set(device, pending)
  }

  take(day: number): Map<number, Set<string>> {
    const visits = this.byDay.get(day) ?? new Map<number, Set<string>>()
    this.byDay.delete(day)
    for (const [device, parts] of visits) for (const p of parts) this.pending.get(device)?.delete(p)
    return visits
  }

  isPending(device: number, part: string): boolean {
    return this.pending.get(device)?.has(part) ?? false
  }
}

export interface Policy {
  name: string
  /** Called every morning before the day's visits are carried out. */
  decide(world: readonly Unit[], today: number, book: VisitBook): void | Promise<void>
  /** 30-day usage forecasts made on `from` or later and checked against what was really used (engine only). */
  mape?(from?: number): number | undefined
  /** Releases what the policy opened (the engine's stores). */
  close?(): Promise<void>
}

/**
 * The maker's routine inspections after delivery are every policy's work, not only the engine's: the
 * baselines make each on its due day (a part visit that day takes it along), so that their visits and
 * costs compare with the engine's. `dayOf` moves one (the oracle keeping out of the seasons: before one).
 */
function bookInspections(
  world: readonly Unit[],
  today: number,
  book: VisitBook,
  dayOf: (u: Unit, due: number) => number = (_, due) => due
): void {
  world.forEach((u, i) => {
    for (const months of defaultCatalogue.inspectionsAfterDeliveryMonths)
      if (dayOf(u, addMonths(u.spec.deliveredDay, months)) === today) book.book(i, today, [])
  })
}

/** Hours a machine typically runs a day, to turn an hours rating into a calendar interval. */
const TYPICAL_DAILY_HOURS = 5

/** The industry default: replace each part at its rated calendar interval, whatever the use. */
export const fixedInterval: Policy = {
  name: 'fixed interval (rated months)',
  decide(world, today, book) {
    bookInspections(world, today, book)
    world.forEach((u, i) => {
      const due = u.components.filter((c) => {
        const f = u.fitted[c.part]
        if (!f || book.isPending(i, c.part)) return false
        const interval =
          c.months !== undefined
            ? addMonths(f.day, c.months)
            : f.day +
              Math.round((usageLimit(c) ?? 0) / (c.m3 ? TYPICAL_DAILY_HOURS * 25 : TYPICAL_DAILY_HOURS))
        return interval <= today
      })
      if (due.length > 0)
        book.book(
          i,
          today,
          due.map((c) => c.part)
        )
    })
  }
}

/** What smart purifiers and telematics do today: order when the counter (or time, or the RO reading) reaches the limit. */
export const counterLimit: Policy = {
  name: 'counter reaches limit',
  decide(world, today, book) {
    bookInspections(world, today, book)
    world.forEach((u, i) => {
      const reached = u.components.filter((c) => {
        const f = u.fitted[c.part]
        if (!f || book.isPending(i, c.part)) return false
        const used = counterNow(u, unitOf(c)) - f.counterAtFit
        const limit = usageLimit(c)
        const lastCondition = f.condition.at(-1)?.value
        return (
          (limit !== undefined && used >= limit) ||
          (c.months !== undefined && today >= addMonths(f.day, c.months)) ||
          (c.condition !== undefined &&
            lastCondition !== undefined &&
            (c.condition.direction === 'below'
              ? lastCondition < c.condition.limit
              : lastCondition > c.condition.limit))
        )
      })
      // the part is ordered today and fitted when it arrives
      for (const c of reached) book.book(i, today + 1 + c.leadTimeDays, [c.part])
    })
  }
}

/**
 * The oracle: it knows from the ground truth the day each fitted part will be spent, and changes it on the
 * last day before — the fewest run-outs and the least life thrown away any engine can reach. It plans each
 * part alone and ignores capacity and peaks, so its visits and peak visits are no bound.
 */
export const oracle: Policy = {
  name: 'oracle (knows each true end)',
  decide(world, today, book) {
    bookInspections(world, today, book)
    world.forEach((u, i) => {
      for (const c of u.components) {
        if (book.isPending(i, c.part)) continue
        book.book(i, Math.max(today, trueEnd(u, c.part) - 1), [c.part])
      }
    })
  }
}

/**
 * The oracle that also keeps out of the busy seasons: a part whose true end falls inside a season is
 * changed the day before that season starts (once the season has begun, the day before its end, as the
 * oracle would). Its life thrown away is the least any policy can reach that makes no avoidable visit
 * in a season — the fair bound for an engine that keeps out of them.
 */
export function peakAwareOracle(seasons: ReadonlyMap<string, ReadonlySet<number>>): Policy {
  const seasonOf = (u: Unit) => seasons.get(`${u.spec.region}/${u.spec.kind}`)
  return {
    name: 'oracle keeping out of the seasons',
    decide(world, today, book) {
      // an inspection due inside a season is made the day before it (not before the delivery)
      bookInspections(world, today, book, (u, due) => {
        const before = dayBeforeSeason(seasonOf(u), due)
        return before !== undefined && before >= u.spec.deliveredDay ? before : due
      })
      world.forEach((u, i) => {
        for (const c of u.components) {
          if (book.isPending(i, c.part)) continue
          let day = trueEnd(u, c.part) - 1
          const before = dayBeforeSeason(seasonOf(u), day)
          if (before !== undefined && before >= today) day = before
          book.book(i, Math.max(today, day), [c.part])
        }
      })
    }
  }
}

/** The day before the season `day` falls in; undefined when it falls in none. */
function dayBeforeSeason(days: ReadonlySet<number> | undefined, day: number): number | undefined {
  if (!days?.has(day)) return undefined
  let start = day
  while (days.has(start - 1)) start--
  return start - 1
}
