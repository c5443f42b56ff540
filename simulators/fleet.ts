import {
  MACHINE_MODELS,
  PURIFIER_MODELS,
  RO_REJECTION_LIMIT,
  SEDIMENT_DROP_LIMIT_KPA,
  purifierModel,
  machineModel
} from './catalogue.js'
import { addMonths, isoDay, type DeviceSpec } from './fleet-spec.js'
import { MachineSim } from './machine-model.js'
import { PurifierSim, roRejection, sedimentDrop } from './purifier-model.js'
import { REGIONS, regionByCode } from './regions.js'
import { rngFor } from './rng.js'

export interface FleetOptions {
  seed: number
  devices: number
  /** Share of purifiers; the rest are construction machines. */
  purifierShare?: number
  /** Devices are delivered within the `deliverySpreadDays` days before `firstDay` (UTC day number). */
  firstDay: number
  deliverySpreadDays?: number
  /** Id prefix, so several fleets can share one aftercare. */
  prefix?: string
  regions?: readonly string[]
}

/** The same options give the same fleet, device for device. */
export function createFleet(options: FleetOptions): DeviceSpec[] {
  const share = options.purifierShare ?? 0.7
  const regions = options.regions ? options.regions.map(regionByCode) : REGIONS
  const prefix = options.prefix ?? 'sim'
  const spread = options.deliverySpreadDays ?? 90
  return Array.from({ length: options.devices }, (_, index) => {
    const rng = rngFor(options.seed, index, 0, 0)
    const region = rng.pick(regions)
    const purifier = rng.next() < share
    const common = {
      index,
      region: region.code,
      outlet: rng.pick(region.outlets),
      deliveredDay: options.firstDay - rng.int(0, spread)
    }
    if (purifier) {
      return {
        ...common,
        id: `${prefix}-p${String(index).padStart(5, '0')}`,
        kind: 'purifier' as const,
        model: rng.pick(PURIFIER_MODELS).model,
        persons: rng.pick([1, 2, 2, 3, 3, 3, 4, 4, 5]),
        useFactor: Math.exp(0.2 * rng.normal()),
        inletKpa: 300 + 20 * rng.normal()
      }
    }
    return {
      ...common,
      id: `${prefix}-m${String(index).padStart(5, '0')}`,
      kind: 'machine' as const,
      model: rng.pick(MACHINE_MODELS).model,
      utilisation: 0.6 + 0.6 * rng.next(),
      pumpRate: 18 + 14 * rng.next(),
      sitePeriod: rng.int(14, 42)
    }
  })
}

export type DeviceSim = PurifierSim | MachineSim

export function simulatorFor(seed: number, spec: DeviceSpec): DeviceSim {
  return spec.kind === 'purifier' ? new PurifierSim(seed, spec) : new MachineSim(seed, spec)
}

export type LimitKind = 'volume' | 'time' | 'condition' | 'hours' | 'm3'

export interface ComponentTruth {
  part: string
  /** The day its first limit is reached under the simulated use with no maintenance (null: not within the horizon). */
  dueDay: string | null
  by: LimitKind | null
  limits: Partial<Record<LimitKind, string | null>>
}

export interface DeviceTruth {
  id: string
  kind: string
  model: string
  region: string
  outlet: string
  deliveredOn: string
  horizonEnd: string
  components: ComponentTruth[]
  faults: { code: string; grade: string; ts: number; clearedTs: number }[]
}

/**
 * The ground truth of one device: for each component the day each of its
 * limits is (or would be) reached with no maintenance, from delivery up to
 * `horizonDay`; and, for machines, every fault raised until `faultsUntilDay`.
 */
export function groundTruth(
  seed: number,
  spec: DeviceSpec,
  horizonDay: number,
  faultsUntilDay = horizonDay
): DeviceTruth {
  const reached = new Map<string, Partial<Record<LimitKind, number>>>()
  const mark = (part: string, kind: LimitKind, day: number) => {
    const r = reached.get(part) ?? {}
    r[kind] ??= day
    reached.set(part, r)
  }
  let faults: DeviceTruth['faults'] = []
  if (spec.kind === 'purifier') {
    const sim = new PurifierSim(seed, spec)
    const model = purifierModel(spec.model)
    for (const stage of model.stages) {
      const due = addMonths(spec.deliveredDay, stage.months)
      if (due <= horizonDay) mark(stage.part, 'time', due)
    }
    while (sim.day <= horizonDay) {
      const day = sim.day
      sim.step()
      for (const stage of model.stages) {
        const { litres } = sim.stageState(stage.part)
        if (litres >= stage.litres) mark(stage.part, 'volume', day)
        if (stage.part === 'ro_membrane' && roRejection(litres, sim.region.tdsIn) < RO_REJECTION_LIMIT)
          mark(stage.part, 'condition', day)
        if (stage.part === 'pp_sediment' && sedimentDrop(litres, sim.region.tdsIn) >= SEDIMENT_DROP_LIMIT_KPA)
          mark(stage.part, 'condition', day)
      }
    }
  } else {
    const sim = new MachineSim(seed, spec)
    const model = machineModel(spec.model)
    for (const item of model.items) {
      if (item.months !== undefined) {
        const due = addMonths(spec.deliveredDay, item.months)
        if (due <= horizonDay) mark(item.part, 'time', due)
      }
    }
    while (sim.day <= horizonDay) {
      const day = sim.day
      sim.step()
      for (const item of model.items) {
        if (item.hours !== undefined && sim.engineHours >= item.hours) mark(item.part, 'hours', day)
        if (item.m3 !== undefined && sim.pumpedM3 >= item.m3) mark(item.part, 'm3', day)
      }
    }
    faults = sim.faults.filter((f) => f.ts < (faultsUntilDay + 1) * 86400000)
  }
  const parts =
    spec.kind === 'purifier'
      ? purifierModel(spec.model).stages.map((s) => s.part)
      : machineModel(spec.model).items.map((i) => i.part)
  return {
    id: spec.id,
    kind: spec.kind,
    model: spec.model,
    region: spec.region,
    outlet: spec.outlet,
    deliveredOn: isoDay(spec.deliveredDay),
    horizonEnd: isoDay(horizonDay),
    components: parts.map((part) => {
      const r = reached.get(part) ?? {}
      const first = (Object.entries(r) as [LimitKind, number][]).sort((a, b) => a[1] - b[1])[0]
      return {
        part,
        dueDay: first ? isoDay(first[1]) : null,
        by: first ? first[0] : null,
        limits: Object.fromEntries(Object.entries(r).map(([k, d]) => [k, isoDay(d)]))
      }
    }),
    faults
  }
}
