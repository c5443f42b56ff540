import {
  modelOf,
  defaultCatalogue,
  usageLimit,
  type Component,
  type DailyCounter
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

export function unitOf(c: Component): 'litres' | 'hours' | 'm3' {
  return c.litres !== undefined ? 'litres' : c.m3 !== undefined ? 'm3' : 'hours'
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
  if (u.sim instanceof PurifierSim) {
    const { samples } = u.sim.step(1440) // the day's last report
    const s = samples.at(-1)
    report('litres', s?.litersTotal ?? u.sim.litersTotal)
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
    u.sim.step()
    report('hours', u.sim.engineHours)
    report('m3', u.sim.pumpedM3)
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

/** A technician replaces parts today; returns the share of rated life each still had (thrown away). */
export function replaceParts(u: Unit, parts: readonly string[], day: number): number[] {
  const thrown: number[] = []
  for (const part of parts) {
    const c = u.components.find((x) => x.part === part)
    const f = u.fitted[part]
    if (!c || !f) continue
    const unit = unitOf(c)
    const used = counterNow(u, unit) - f.counterAtFit
    const limit = usageLimit(c)
    const byUse = limit ? used / limit : 0
    const byTime = c.months ? (day - f.day) / (c.months * 30.44) : 0
    const byCondition =
      part === 'ro_membrane' && u.sim instanceof PurifierSim && u.sim.spent(part, day) ? 1 : 0
    thrown.push(Math.max(0, 1 - Math.max(byUse, byTime, byCondition)))
    u.sim.replace(part, day)
    u.fitted[part] = { day, counterAtFit: counterNow(u, unit), condition: [], ranOut: false }
  }
  return thrown
}
