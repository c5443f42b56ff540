import {
  modelOf,
  defaultCatalogue,
  type Component,
  type DailyCounter,
  type ReportedSample
} from '../../maintenance/index.js'
import {
  createFleet,
  simulatorFor,
  PurifierSim,
  type DeviceSim,
  type DeviceSpec
} from '../../simulators/index.js'

/**
 * The simulated world of an evaluation: devices that really use water and
 * hours (the ground truth), and what they report — daily counter readings and
 * RO salt rejection — which is all a policy may look at.
 */
export interface Unit {
  spec: DeviceSpec
  sim: DeviceSim
  components: readonly Component[]
  /** What the device reported: daily counters per unit (litres | hours | m3). */
  counters: Record<string, DailyCounter[]>
  /**
   * What it really used, per unit: the true total at the end of each day from delivery on (index: day −
   * delivery day) — resets and offline days do not touch it. What forecasts are checked against.
   */
  used: Record<string, number[]>
  /** The same reports as telemetry samples (the day's last), for the shipped engine's usage reader. */
  reports: ReportedSample[]
  /** Part changes made outside the service loop (before the evaluated period), as the device reported them. */
  reportedChanges: { part: string; day: number }[]
  /** Per component: when it was fitted and the counter reading then; RO rejection readings since. */
  fitted: Record<
    string,
    {
      day: number
      counterAtFit: number
      condition: { used: number; value: number }[]
      ranOut: boolean
      pressureAtFit?: number
    }
  >
}

const DAY_MS = 86400000

export function unitOf(c: Component): 'litres' | 'hours' | 'm3' {
  return c.litres !== undefined ? 'litres' : c.m3 !== undefined ? 'm3' : 'hours'
}

/** What a device really used of `unit` over the days [from, to). */
export function trueUse(u: Unit, unit: string, from: number, to: number): number {
  const list = u.used[unit] ?? []
  const at = (day: number) =>
    day <= u.spec.deliveredDay ? 0 : (list[Math.min(day, u.sim.day) - u.spec.deliveredDay - 1] ?? 0)
  return at(to) - at(from)
}

export function counterNow(u: Unit, unit: string): number {
  return u.counters[unit]?.at(-1)?.last ?? 0
}

export function buildWorld(seed: number, devices: number, startDay: number, purifierShare: number): Unit[] {
  const fleet = createFleet({
    seed,
    devices,
    firstDay: startDay,
    deliverySpreadDays: 365,
    purifierShare,
    prefix: 'eval'
  })
  return fleet.map((spec) => {
    const model = modelOf(defaultCatalogue, spec.model)
    if (!model) throw new Error(`the catalogue has no model ${spec.model}`)
    const u: Unit = {
      spec,
      sim: simulatorFor(seed, spec),
      components: model.components,
      counters: {},
      used: {},
      reports: [],
      reportedChanges: [],
      fitted: {}
    }
    for (const c of model.components)
      u.fitted[c.part] = { day: spec.deliveredDay, counterAtFit: 0, condition: [], ranOut: false }
    return u
  })
}

/**
 * One day of a device's life: it runs, reports, and the truth notes any part
 * that has just run out (counted once until it is replaced).
 */
export function liveOneDay(u: Unit): { ranOut: string[] } {
  const day = u.sim.day
  const report = (unit: string, value: number) => {
    const list = (u.counters[unit] ??= [])
    const prev = list.at(-1)?.last ?? 0
    list.push({ day, first: prev, last: value })
  }
  const use = (unit: string, amount: number) => {
    const list = (u.used[unit] ??= [])
    list.push((list.at(-1) ?? 0) + amount)
  }
  if (u.sim instanceof PurifierSim) {
    const { samples, litres } = u.sim.step(1440) // the day's last report
    use('litres', litres)
    // what the device reported: nothing on a day it was offline
    const s = samples.at(-1)
    if (s) {
      report('litres', s.litersTotal ?? 0)
      u.reports.push(s)
    }
    const ro = u.fitted.ro_membrane
    if (s && ro && s.tdsIn && s.tdsOut !== undefined)
      ro.condition.push({ used: (s.litersTotal ?? 0) - ro.counterAtFit, value: 1 - s.tdsOut / s.tdsIn })
    const pp = u.fitted.pp_sediment
    if (s && pp && s.pressureKpa !== undefined) {
      pp.pressureAtFit ??= s.pressureKpa
      pp.condition.push({
        used: (s.litersTotal ?? 0) - pp.counterAtFit,
        value: pp.pressureAtFit - s.pressureKpa
      })
    }
  } else {
    const { hours, m3 } = u.sim.step()
    use('hours', hours)
    use('m3', m3)
    const shown = u.sim.shown()
    if (shown.reported) {
      report('hours', shown.engineHours)
      report('m3', shown.pumpedM3Total)
      u.reports.push({
        ts: (day + 1) * DAY_MS - 1000,
        engineHours: shown.engineHours,
        pumpedM3Total: shown.pumpedM3Total
      })
    }
  }
  const ranOut: string[] = []
  for (const c of u.components) {
    const f = u.fitted[c.part]
    if (f && !f.ranOut && u.sim.spent(c.part)) {
      f.ranOut = true
      ranOut.push(c.part)
    }
  }
  return { ranOut }
}

/**
 * A technician replaces parts today; returns, for each, the share of its true life it still had (thrown
 * away): days until the ground truth says it would have been spent, over the days it could have lasted
 * from its fit (0 for a part that had run out). The same measure for every policy, whatever limit — volume,
 * hours, months, a falling RO rejection or a clogging cartridge — would have ended the part.
 * `reported`: the change is made outside the service loop and reaches the device's history as an event.
 */
export function replaceParts(u: Unit, parts: readonly string[], day: number, reported = false): number[] {
  const thrown: number[] = []
  for (const part of parts) {
    const c = u.components.find((x) => x.part === part)
    const f = u.fitted[part]
    if (!c || !f) continue
    const end = f.ranOut ? day : trueEnd(u, part)
    thrown.push(end > f.day ? Math.max(0, (end - day) / (end - f.day)) : 0)
    u.sim.replace(part, day)
    if (reported) u.reportedChanges.push({ part, day })
    u.fitted[part] = { day, counterAtFit: counterNow(u, unitOf(c)), condition: [], ranOut: false }
  }
  return thrown
}

/**
 * The ground truth of a fitted part: the first day on which it will be spent, found by living a copy of the
 * device forward (a day's use depends only on the fleet seed, the device and the day). The last day it can
 * still be changed in time is the day before.
 */
export function trueEnd(u: Unit, part: string, horizonDays = 3 * 365): number {
  const copy = copySim(u.sim)
  const limit = copy.day + horizonDays
  while (!copy.spent(part) && copy.day < limit) copy.step()
  return copy.day
}

/** A copy of a device's simulator that can be lived forward without touching the original. */
export function copySim(sim: DeviceSim): DeviceSim {
  return Object.assign(
    Object.create(Object.getPrototypeOf(sim) as object) as DeviceSim,
    structuredClone({ ...sim })
  )
}
