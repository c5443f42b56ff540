import {
  DEFAULT_FORECAST,
  DEFAULT_PLAN_OPTIONS,
  FLAT_PROFILE,
  addMonths,
  defaultCatalogue,
  forecastDevice,
  learnSeasons,
  plan,
  seasonKey,
  remainingLife,
  usageFromCounters,
  usageLimit,
  usageOn,
  type DeviceForecast,
  type PlanDevice
} from '../../maintenance/index.js'
import { counterNow, unitOf, type Unit } from './world.js'

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

  /** The day a pending part is booked for. */
  bookedDay(device: number, part: string): number | undefined {
    for (const [day, visits] of this.byDay) if (visits.get(device)?.has(part)) return day
    return undefined
  }

  /** Moves a pending part to an earlier day (its use turned out faster than planned). */
  move(device: number, part: string, day: number): void {
    const from = this.bookedDay(device, part)
    if (from === undefined) return
    this.byDay.get(from)?.get(device)?.delete(part)
    this.book(device, day, [part])
  }
}

export interface Policy {
  name: string
  /** Called every morning before the day's visits are carried out. */
  decide(world: readonly Unit[], today: number, book: VisitBook): void
  /** 30-day usage forecasts made and later checked (engine only). */
  mape?(): number | undefined
}

/** Hours a machine typically runs a day, to turn an hours rating into a calendar interval. */
const TYPICAL_DAILY_HOURS = 5

/** The industry default: replace each part at its rated calendar interval, whatever the use. */
export const fixedInterval: Policy = {
  name: 'fixed interval (rated months)',
  decide(world, today, book) {
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

/** aftercare's engine: forecasts, remaining life with bands, and the peak-aware planner, re-run weekly. */
export function enginePolicy(capacityPerOutlet: number, replanDays = 7): Policy {
  const predictions: { device: number; unit: string; from: number; predicted: number }[] = []
  const errors: number[] = []
  let lastPlan = -Infinity
  return {
    name: "aftercare's engine",
    decide(world, today, book) {
      // check 30-day forecasts that have come due
      for (let k = predictions.length - 1; k >= 0; k--) {
        const p = predictions[k]!
        if (today < p.from + 30) continue
        const list = world[p.device]?.counters[p.unit] ?? []
        const actual = list
          .filter((c) => c.day >= p.from && c.day < p.from + 30)
          .reduce((a, c) => a + (c.last - c.first), 0)
        if (actual > 0) errors.push(Math.abs(p.predicted - actual) / actual)
        predictions.splice(k, 1)
      }
      if (today - lastPlan < replanDays) return
      lastPlan = today

      const usage = world.map((u) =>
        Object.fromEntries(
          Object.entries(u.counters).map(([unit, list]) => [unit, usageFromCounters(list.slice(-400)).days])
        )
      )
      const { profiles, peaks } = learnSeasons(
        world.flatMap((u, i) =>
          Object.entries(usage[i] ?? {}).map(([unit, days]) => ({
            region: u.spec.region,
            kind: u.spec.kind,
            unit,
            days: days ?? []
          }))
        ),
        today
      )

      const devices: PlanDevice[] = world.map((u, i) => {
        const forecasts = new Map<string, DeviceForecast>()
        const forecastFor = (unit: string) => {
          const known = forecasts.get(unit)
          if (known) return known
          const f = forecastDevice(
            usage[i]?.[unit] ?? [],
            profiles.get(seasonKey(u.spec.region, u.spec.kind, unit)) ?? FLAT_PROFILE,
            today,
            DEFAULT_FORECAST
          )
          forecasts.set(unit, f)
          return f
        }
        const main = u.spec.kind === 'purifier' ? 'litres' : 'hours'
        let predicted = 0
        for (let d = today; d < today + 30; d++) predicted += usageOn(forecastFor(main), d).expected
        predictions.push({ device: i, unit: main, from: today, predicted })
        return {
          id: String(i),
          kind: u.spec.kind,
          region: u.spec.region,
          outlet: u.spec.outlet,
          deliveredDay: u.spec.deliveredDay,
          inspectionsDone: DEFAULT_PLAN_OPTIONS.inspectionMonths,
          components: u.components
            .map((c) => {
              const f = u.fitted[c.part]!
              const unit = unitOf(c)
              const life = remainingLife(
                c,
                {
                  part: c.part,
                  fittedDay: f.day,
                  usedSinceFit: counterNow(u, unit) - f.counterAtFit,
                  condition: f.condition
                },
                forecastFor(unit),
                today
              )
              return { part: c.part, partNumber: c.partNumber, leadTimeDays: c.leadTimeDays, life }
            })
            .filter((c) => {
              if (!book.isPending(i, c.part)) return true
              // already ordered: bring the visit forward when the part now looks to end sooner
              const booked = book.bookedDay(i, c.part)
              if (booked !== undefined && booked > c.life.earliestDay - 1)
                book.move(i, c.part, Math.max(today, c.life.earliestDay - 1))
              return false
            })
        }
      })
      const outlets = new Set(world.map((u) => u.spec.outlet))
      const result = plan(devices, {
        ...DEFAULT_PLAN_OPTIONS,
        today,
        capacity: new Map([...outlets].map((o) => [o, capacityPerOutlet])),
        peaks
      })
      // a visit is committed (its parts ordered) when it falls before the next re-plan, or when waiting
      // for that re-plan would leave too little time for its parts' lead time
      for (const v of result.visits) {
        const u = world[Number(v.deviceId)]!
        const lead = Math.max(
          0,
          ...v.parts.map((p) => u.components.find((c) => c.part === p.part)?.leadTimeDays ?? 0)
        )
        const tooLateNextTime = today + replanDays + 1 + lead > v.deadline
        if (v.day < today + replanDays || tooLateNextTime)
          book.book(
            Number(v.deviceId),
            Math.max(today, v.day),
            v.parts.map((p) => p.part)
          )
      }
    },
    mape: () => (errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : undefined)
  }
}

export const catalogueVersion = defaultCatalogue.version
