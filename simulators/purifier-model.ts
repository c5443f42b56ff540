import type { DeviceEvent, PurifierSample } from '../shared/index.js'
import {
  purifierModel,
  RO_REJECTION_LIMIT,
  SEDIMENT_DROP_LIMIT_KPA,
  type PurifierStage
} from './catalogue.js'
import { DAY_MS, addMonths, dayOfYear, type DeviceSpec } from './fleet-spec.js'
import { airTemp, regionByCode, seasonOn, type Region } from './regions.js'
import { isIdle, isOffline, lifeEvents } from './life-events.js'
import { rngFor } from './rng.js'

/** Share of a day's water drawn in each hour: a morning and an evening peak. */
const HOURLY = [
  0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 2.2, 1.6, 0.9, 0.8, 1.0, 1.4, 0.9, 0.7, 0.7, 0.9, 1.4, 2.2, 2.0, 1.5,
  1.0, 0.6, 0.3
]
const HOURLY_SUM = HOURLY.reduce((a, b) => a + b, 0)
const LEAK_PER_DAY = 0.0008

/** What one day of a purifier's life is, drawn from (fleet seed, device, day) only. */
export interface PurifierDay {
  litres: number
  tdsIn: number
  leakHour: number | null
}

export function purifierDay(seed: number, spec: DeviceSpec, region: Region, day: number): PurifierDay {
  const rng = rngFor(seed, spec.index, day, 1)
  const weekday = new Date(day * DAY_MS).getUTCDay()
  // a day out now and then, and the household's trips (life-events.ts)
  const away = rng.chance(0.03) || isIdle(lifeEvents(seed, spec), day)
  const base = 3.2 * (spec.persons ?? 3) * (spec.useFactor ?? 1)
  const litres = away
    ? 0
    : base *
      seasonOn(region, 'purifier', day) *
      (weekday === 0 || weekday === 6 ? 1.2 : 1) *
      Math.exp(0.15 * rng.normal())
  return {
    litres: Math.max(0, litres),
    tdsIn: Math.max(20, region.tdsIn * (1 + 0.05 * rng.normal())),
    leakHour: rng.chance(LEAK_PER_DAY) ? rng.int(0, 23) : null
  }
}

/** RO salt rejection after `litres` through the membrane: falls with use, faster in hard water. */
export function roRejection(litres: number, regionTds: number): number {
  return 0.975 - 0.2 * (litres / 10000) * (regionTds / 250)
}

/** Pressure drop over the sediment stage after `litres`, kPa: grows as it clogs, sooner with dirtier water. */
export function sedimentDrop(litres: number, regionTds: number): number {
  const clogLitres = 2600 * Math.sqrt(250 / regionTds)
  return 15 + (SEDIMENT_DROP_LIMIT_KPA - 15) * Math.pow(litres / clogLitres, 1.5)
}

interface StageState {
  stage: PurifierStage
  litres: number
  installedDay: number
}

/**
 * A purifier, stepped day by day: emits samples at a fixed interval and
 * events (leaks), keeps its counters, and can have stages replaced.
 */
export class PurifierSim {
  readonly region: Region
  private readonly stages: StageState[]
  litersTotal = 0
  /** The true total when the counter last restarted from 0 (a board swapped): what it shows is the rest. */
  counterBase = 0
  seq = 0
  day: number

  constructor(
    private readonly seed: number,
    readonly spec: DeviceSpec
  ) {
    this.region = regionByCode(spec.region)
    this.day = spec.deliveredDay
    this.stages = purifierModel(spec.model).stages.map((stage) => ({
      stage,
      litres: 0,
      installedDay: spec.deliveredDay
    }))
  }

  /** Simulates the current day and moves to the next. With `intervalMin`, returns that day's samples. */
  step(intervalMin?: number): { samples: PurifierSample[]; events: DeviceEvent[]; litres: number } {
    const today = purifierDay(this.seed, this.spec, this.region, this.day)
    const start = this.day * DAY_MS
    const samples: PurifierSample[] = []
    const events: DeviceEvent[] = []
    const rng = rngFor(this.seed, this.spec.index, this.day, 2)
    const life = lifeEvents(this.seed, this.spec)
    if (life.resets.includes(this.day)) this.counterBase = this.litersTotal
    const dayStartTotal = this.litersTotal - this.counterBase
    if (today.leakHour !== null) events.push({ ts: start + today.leakHour * 3600000 + 60000, type: 'leak' })
    if (intervalMin) {
      const slots = Math.round(1440 / intervalMin)
      for (let i = 1; i <= slots; i++) {
        const minute = i * intervalMin
        const drawn = today.litres * cumulativeShare(minute)
        const ro = this.stage('ro_membrane')
        const rejection = roRejection(ro.litres + drawn, this.region.tdsIn) + 0.003 * rng.normal()
        const pp = this.stage('pp_sediment')
        const temp = airTemp(this.region, dayOfYear(this.day)) * 0.6 + 6 + 0.5 * rng.normal()
        samples.push({
          ts: start + minute * 60000 - 1000,
          seq: ++this.seq,
          litersTotal: round(dayStartTotal + drawn, 2),
          tdsIn: round(today.tdsIn + 3 * rng.normal(), 1),
          // a spent membrane passes at most what comes in
          tdsOut: round(Math.max(1, today.tdsIn * (1 - Math.min(0.995, Math.max(0, rejection)))), 1),
          tempC: round(temp, 1),
          // a clogged cartridge lets the outlet pressure fall towards zero, never below
          pressureKpa: round(
            Math.max(
              0,
              (this.spec.inletKpa ?? 300) -
                sedimentDrop(pp.litres + drawn, this.region.tdsIn) +
                4 * rng.normal()
            ),
            1
          ),
          leak: today.leakHour !== null && minute / 60 > today.leakHour
        })
      }
    }
    this.litersTotal += today.litres
    for (const s of this.stages) s.litres += today.litres
    const offline = isOffline(life, this.day)
    this.day++
    // offline (away, unplugged): the day happened, nothing of it is reported
    return offline
      ? { samples: [], events: [], litres: today.litres }
      : { samples, events, litres: today.litres }
  }

  /** A technician fits a new stage at the start of `day`. */
  replace(part: string, day: number): void {
    const s = this.stages.find((x) => x.stage.part === part)
    if (!s) throw new Error(`${this.spec.model} has no stage ${part}`)
    s.litres = 0
    s.installedDay = day
  }

  stageState(part: string): { litres: number; installedDay: number } {
    const s = this.stage(part)
    return { litres: s.litres, installedDay: s.installedDay }
  }

  /** Is this stage spent by any of its limits (volume, time, condition)? */
  spent(part: string, day = this.day): boolean {
    const s = this.stage(part)
    if (s.litres >= s.stage.litres) return true
    if (day >= addMonths(s.installedDay, s.stage.months)) return true
    if (part === 'ro_membrane') return roRejection(s.litres, this.region.tdsIn) < RO_REJECTION_LIMIT
    if (part === 'pp_sediment') return sedimentDrop(s.litres, this.region.tdsIn) >= SEDIMENT_DROP_LIMIT_KPA
    return false
  }

  get parts(): string[] {
    return this.stages.map((s) => s.stage.part)
  }

  private stage(part: string): StageState {
    const s = this.stages.find((x) => x.stage.part === part)
    if (!s) throw new Error(`${this.spec.model} has no stage ${part}`)
    return s
  }
}

/** Share of the day's water drawn by `minute` after midnight. */
function cumulativeShare(minute: number): number {
  const hours = minute / 60
  const whole = Math.floor(hours)
  const partial = hours - whole
  let acc = 0
  for (let h = 0; h < whole; h++) acc += HOURLY[h] ?? 0
  if (whole < 24) acc += (HOURLY[whole] ?? 0) * partial
  return Math.min(1, acc / HOURLY_SUM)
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
