import { FAULT_CATALOGUE, type DeviceEvent, type FaultCode, type MachineSample } from '../shared/index.js'
import { machineModel, type MachineModel, type ServiceItem } from './catalogue.js'
import { DAY_MS, addMonths, dayOfYear, type DeviceSpec } from './fleet-spec.js'
import { airTemp, regionByCode, seasonOn, type Region } from './regions.js'
import { isIdle, isOffline, lifeEvents } from './life-events.js'
import { rngFor, type Rng } from './rng.js'

/** Faults per operating hour on a new machine; wear and the busy season raise it. */
const FAULT_RATE = 0.0015

/** What one day of a machine's life is, drawn from (fleet seed, device, day) only. */
export interface MachineDay {
  hours: number
  startHour: number
  m3: number
}

export function machineDay(
  seed: number,
  spec: DeviceSpec,
  model: MachineModel,
  region: Region,
  day: number
): MachineDay {
  const rng = rngFor(seed, spec.index, day, 1)
  const date = new Date(day * DAY_MS)
  const monthly = seasonOn(region, 'machine', day)
  const sunday = date.getUTCDay() === 0
  // a day off now and then, and the weeks it stands parked (life-events.ts)
  const idle = rng.chance(0.08) || isIdle(lifeEvents(seed, spec), day)
  const hours = idle
    ? 0
    : Math.min(
        20,
        model.baseHours *
          (spec.utilisation ?? 1) *
          monthly *
          (sunday ? 0.5 : 1) *
          Math.exp(0.25 * rng.normal())
      )
  const m3 = model.type === 'concrete_pump' ? hours * (spec.pumpRate ?? 25) * Math.exp(0.2 * rng.normal()) : 0
  return { hours, startHour: 7 + rng.int(0, 2), m3 }
}

interface ItemState {
  item: ServiceItem
  hoursAtFit: number
  m3AtFit: number
  fittedDay: number
}

/**
 * A construction machine, stepped day by day: engine hours follow its
 * region's construction calendar; temperatures follow load and weather;
 * pumps count m³; faults come from the catalogue, more often on worn
 * machines and in the busy season; it moves between job sites.
 */
export class MachineSim {
  readonly region: Region
  readonly model: MachineModel
  private readonly items: ItemState[]
  engineHours = 0
  pumpedM3 = 0
  /** The true totals when the counters last restarted from 0 (a board swapped): what they show is the rest. */
  private hoursBase = 0
  private m3Base = 0
  seq = 0
  day: number
  /** Faults raised so far: code, when, and when they cleared. */
  readonly faults: { code: string; grade: string; ts: number; clearedTs: number }[] = []
  private readonly faultTypes: readonly FaultCode[]

  constructor(
    private readonly seed: number,
    readonly spec: DeviceSpec
  ) {
    this.region = regionByCode(spec.region)
    this.model = machineModel(spec.model)
    this.day = spec.deliveredDay
    this.items = this.model.items.map((item) => ({
      item,
      hoursAtFit: 0,
      m3AtFit: 0,
      fittedDay: spec.deliveredDay
    }))
    this.faultTypes = FAULT_CATALOGUE.filter((f) => f.machineTypes.includes(this.model.type))
  }

  step(intervalMin?: number): { samples: MachineSample[]; events: DeviceEvent[]; hours: number; m3: number } {
    const today = machineDay(this.seed, this.spec, this.model, this.region, this.day)
    const life = lifeEvents(this.seed, this.spec)
    if (life.resets.includes(this.day)) [this.hoursBase, this.m3Base] = [this.engineHours, this.pumpedM3]
    const rng = rngFor(this.seed, this.spec.index, this.day, 2)
    const start = this.day * DAY_MS
    const samples: MachineSample[] = []
    const events: DeviceEvent[] = []
    const air = airTemp(this.region, dayOfYear(this.day))
    const site = this.site()
    const busy = (this.region.machineMonthly[new Date(start).getUTCMonth()] ?? 1) >= 0.9
    const wear = this.engineHours / 10000

    // faults during today's operating hours
    const expected = today.hours * FAULT_RATE * (1 + 2 * wear) * (busy ? 1.3 : 1)
    if (today.hours > 0 && rng.chance(1 - Math.exp(-expected))) {
      const fault = pickWeighted(rng, this.faultTypes)
      const ts = start + (today.startHour + rng.next() * today.hours) * 3600000
      const clearedTs = ts + (1 + rng.int(0, 2)) * DAY_MS
      this.faults.push({
        code: fault.code,
        grade: fault.grade,
        ts: Math.round(ts),
        clearedTs: Math.round(clearedTs)
      })
      events.push({ ts: Math.round(ts), type: 'fault', code: fault.code, active: true })
    }
    for (const f of this.faults) {
      if (f.clearedTs >= start && f.clearedTs < start + DAY_MS)
        events.push({ ts: f.clearedTs, type: 'fault', code: f.code, active: false })
    }

    if (intervalMin) {
      const fuelUse = 100 / 14 // % per operating hour
      if (today.hours === 0) {
        samples.push(
          this.sample(
            start + 12 * 3600000,
            { rpm: 0, coolantC: air, hydOilC: air, hydBar: 0, fuelPct: 90 },
            site,
            rng
          )
        )
      }
      for (let minute = intervalMin; minute <= today.hours * 60; minute += intervalMin) {
        const h = minute / 60
        const load = 0.7 + 0.3 * rng.next()
        samples.push(
          this.sample(
            start + (today.startHour * 60 + minute) * 60000,
            {
              hoursToday: h,
              m3Today: (today.m3 * h) / today.hours,
              rpm: Math.round(1400 + 600 * load + 30 * rng.normal()),
              coolantC: air + 55 * load + 8 * wear + 2 * rng.normal(),
              hydOilC: air + 35 * load + 5 * wear + 2 * rng.normal(),
              hydBar: 150 + 130 * load + 10 * rng.normal(),
              fuelPct: Math.max(5, 100 - fuelUse * h)
            },
            site,
            rng
          )
        )
      }
    }
    this.engineHours += today.hours
    this.pumpedM3 += today.m3
    const offline = isOffline(life, this.day)
    this.day++
    // offline (parked without power): the day happened, nothing of it is reported
    return offline
      ? { samples: [], events: [], hours: today.hours, m3: today.m3 }
      : { samples, events, hours: today.hours, m3: today.m3 }
  }

  /** What the machine's counters show now, and whether it reported the day just lived. */
  shown(): { engineHours: number; pumpedM3Total: number; reported: boolean } {
    return {
      engineHours: this.engineHours - this.hoursBase,
      pumpedM3Total: this.pumpedM3 - this.m3Base,
      reported: !isOffline(lifeEvents(this.seed, this.spec), this.day - 1)
    }
  }

  replace(part: string, day: number): void {
    const s = this.items.find((x) => x.item.part === part)
    if (!s) throw new Error(`${this.spec.model} has no service item ${part}`)
    s.hoursAtFit = this.engineHours
    s.m3AtFit = this.pumpedM3
    s.fittedDay = day
  }

  spent(part: string, day = this.day): boolean {
    const s = this.items.find((x) => x.item.part === part)
    if (!s) throw new Error(`${this.spec.model} has no service item ${part}`)
    if (s.item.hours !== undefined && this.engineHours - s.hoursAtFit >= s.item.hours) return true
    if (s.item.m3 !== undefined && this.pumpedM3 - s.m3AtFit >= s.item.m3) return true
    return s.item.months !== undefined && day >= addMonths(s.fittedDay, s.item.months)
  }

  get parts(): string[] {
    return this.items.map((s) => s.item.part)
  }

  /** The job site: it changes every `sitePeriod` days, somewhere within ~50 km of the region's centre. */
  private site(): { lat: number; lon: number } {
    const period = this.spec.sitePeriod ?? 28
    const index = Math.floor((this.day - this.spec.deliveredDay) / period)
    const rng = rngFor(this.seed, this.spec.index, index, 3)
    return {
      lat: this.region.lat + 0.45 * (rng.next() * 2 - 1),
      lon: this.region.lon + 0.45 * (rng.next() * 2 - 1)
    }
  }

  private sample(
    ts: number,
    v: {
      hoursToday?: number
      m3Today?: number
      rpm: number
      coolantC: number
      hydOilC: number
      hydBar: number
      fuelPct: number
    },
    site: { lat: number; lon: number },
    rng: Rng
  ): MachineSample {
    const sample: MachineSample = {
      ts: Math.round(ts),
      seq: ++this.seq,
      engineHours: round(this.engineHours - this.hoursBase + (v.hoursToday ?? 0), 2),
      rpm: v.rpm,
      fuelPct: round(v.fuelPct, 1),
      coolantC: round(v.coolantC, 1),
      hydOilC: round(v.hydOilC, 1),
      hydBar: round(Math.max(0, v.hydBar), 1),
      lat: round(site.lat + 0.0005 * rng.normal(), 5),
      lon: round(site.lon + 0.0005 * rng.normal(), 5)
    }
    if (this.model.type === 'concrete_pump')
      sample.pumpedM3Total = round(this.pumpedM3 - this.m3Base + (v.m3Today ?? 0), 1)
    return sample
  }
}

function pickWeighted(rng: Rng, faults: readonly FaultCode[]): FaultCode {
  const total = faults.reduce((a, f) => a + f.weight, 0)
  let x = rng.next() * total
  for (const f of faults) {
    x -= f.weight
    if (x < 0) return f
  }
  return faults[faults.length - 1] as FaultCode
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
