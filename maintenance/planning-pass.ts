import type { Clock, DeviceInfo } from '../shared/index.js'
import { modelOf, usageUnit, type Catalogue, type Component } from './catalogue.js'
import { FLAT_PROFILE, forecastDevice, usageOn, type DeviceForecast } from './forecast.js'
import { learnSeasons, seasonKey } from './seasons.js'
import type { DeviceHistory, UsageReader } from './influx-usage.js'
import type { NewOrder, OrderStore } from './order-store.js'
import { DEFAULT_PLAN_OPTIONS, plan, type PlanDevice } from './planner.js'
import { remainingLife, type ComponentState, type LifeEstimate } from './remaining-life.js'
import type { LearnedPeak } from './peak-store.js'
import type { PartRunOut } from './service-records.js'
import { usageFromCounters, type DailyUsage } from './usage.js'

const DAY_MS = 86400000
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** A device as the planner needs it: its registry identity and tags, and when it was delivered. */
export type PlannedDevice = DeviceInfo & { deliveredOn: string | null }

export interface PlanningDeps {
  devices: () => Promise<PlannedDevice[]>
  usage: UsageReader
  orders: OrderStore
  catalogue: Catalogue
  clock: Clock
  /** Visits an outlet can make a day when the outlets table does not say. */
  capacityPerOutlet: number
  capacities?: () => Promise<Map<string, number>>
  /** Where the pass's forecasts and component health go for the boards (InfluxDB). */
  publish?: (outputs: EngineOutputs) => Promise<void>
  /** Where parts found past their limit are recorded (once per fitted part) for the omission KPI. */
  runOuts?: { recordRunOuts(list: readonly PartRunOut[]): Promise<number> }
  /** Where the learned peak windows go (PostgreSQL, for the planner's board). */
  peaks?: { replace(peaks: readonly LearnedPeak[]): Promise<void> }
}

/** What a pass computed, for the planners' boards: every component's life and each device's 30-day forecast. */
export interface EngineOutputs {
  today: number
  health: { device: PlannedDevice; part: string; life: LifeEstimate }[]
  forecasts: {
    device: PlannedDevice
    unit: string
    day: number
    expected: number
    low: number
    high: number
  }[]
}

export interface PlanningSummary {
  today: string
  devices: number
  planned: number
  ordersCreated: number
  ordersReplaced: number
  unassigned: number
  unknownModels: string[]
  peaks: { group: string; start: string; end: string }[]
  /** InfluxQL statements of the pass (rollup refresh included) and the days the rollups rebuilt first. */
  influxQueries: number
  rolledDays: number
  /** Parts found past their limit and not replaced, recorded for the first time by this pass. */
  newRunOuts: number
  seconds: number
}

/**
 * One planning pass: reads every device's daily usage in batch, learns each
 * region's seasonal profile and peak window, forecasts use and remaining life
 * of every component, plans visits, and writes them as proposed orders
 * (replacing the previous pass's proposals, so a pass is idempotent).
 */
export async function runPlanningPass(deps: PlanningDeps): Promise<PlanningSummary> {
  const started = performance.now()
  const today = Math.floor(deps.clock.now() / DAY_MS)
  const devices = await deps.devices()
  const { histories, queries, rolledDays } = await deps.usage.read(today - 400)
  const committed = await deps.orders.committedParts()

  const unitOf = (c: Component) => usageUnit(c) ?? 'litres'
  const series = new Map<string, Partial<Record<string, DailyUsage[]>>>()
  for (const [id, h] of histories) {
    series.set(
      id,
      Object.fromEntries(
        Object.entries(h.counters).map(([unit, list]) => [unit, usageFromCounters(list ?? []).days])
      )
    )
  }
  const { profiles, peaks } = learnSeasons(
    devices.flatMap((d) =>
      Object.entries(series.get(d.id) ?? {}).map(([unit, days]) => ({
        region: d.region,
        kind: d.kind,
        unit,
        days: days ?? []
      }))
    ),
    today
  )

  const outputs: EngineOutputs = { today, health: [], forecasts: [] }
  const runOuts: PartRunOut[] = []
  const unknownModels = new Set<string>()
  const planDevices: PlanDevice[] = []
  for (const d of devices) {
    const model = modelOf(deps.catalogue, d.model)
    if (!model) {
      unknownModels.add(d.model)
      continue
    }
    const h = histories.get(d.id) ?? { counters: {}, readings: [], replacements: [] }
    const delivered = d.deliveredOn
      ? Math.floor(Date.parse(`${d.deliveredOn}T00:00:00Z`) / DAY_MS)
      : undefined
    const forecasts = new Map<string, DeviceForecast>()
    const forecastFor = (unit: string) => {
      let f = forecasts.get(unit)
      if (!f) {
        const profile = profiles.get(seasonKey(d.region, d.kind, unit)) ?? FLAT_PROFILE
        f = forecastDevice(series.get(d.id)?.[unit] ?? [], profile, today)
        forecasts.set(unit, f)
      }
      return f
    }
    const skip = committed.get(d.id) ?? new Set<string>()
    const components = model.components.map((c) => {
      const state = componentState(c, unitOf(c), h, delivered)
      const life = remainingLife(c, state, forecastFor(unitOf(c)), today)
      if (life.remaining <= 0 || life.usedShare >= 1)
        runOuts.push({
          deviceId: d.id,
          part: c.part,
          fittedDay: iso(state.fittedDay),
          limitBy: life.by,
          detectedAt: new Date(deps.clock.now()).toISOString(),
          // charged to the outlet only when it held the order for this part when it ran out
          outlet: skip.has(c.part) ? d.outlet : null
        })
      return { part: c.part, partNumber: c.partNumber, leadTimeDays: c.leadTimeDays, life }
    })
    for (const c of components) outputs.health.push({ device: d, part: c.part, life: c.life })
    const main = d.kind === 'purifier' ? 'litres' : 'hours'
    for (let day = today; day < today + 30; day++)
      outputs.forecasts.push({ device: d, unit: main, day, ...usageOn(forecastFor(main), day) })
    planDevices.push({
      id: d.id,
      kind: d.kind,
      region: d.region,
      outlet: d.outlet,
      deliveredDay: delivered ?? h.counters.litres?.[0]?.day ?? h.counters.hours?.[0]?.day ?? today,
      components: components.filter((c) => !skip.has(c.part))
    })
  }

  const outlets = new Set(planDevices.map((d) => d.outlet).filter((o): o is string => o !== null))
  const known = (await deps.capacities?.()) ?? new Map<string, number>()
  const result = plan(planDevices, {
    ...DEFAULT_PLAN_OPTIONS,
    today,
    capacity: new Map([...outlets].map((o) => [o, known.get(o) ?? deps.capacityPerOutlet])),
    peaks
  })
  const orders: NewOrder[] = result.visits.map((v) => ({
    deviceId: v.deviceId,
    type: v.type,
    outlet: v.outlet,
    visitDay: iso(v.day),
    deadline: iso(v.deadline),
    parts: v.parts,
    inspection: v.inspection ?? null,
    reason: v.overrun ? `${v.reason} — outlet over capacity that day` : v.reason
  }))
  await deps.publish?.(outputs)
  const newRunOuts = (await deps.runOuts?.recordRunOuts(runOuts)) ?? 0
  await deps.peaks?.replace(
    [...peaks].map(([group, p]) => {
      const [region = '', kind = ''] = group.split('/')
      return { region, kind, start: iso(p.start), end: iso(p.end) }
    })
  )
  const written = await deps.orders.replaceProposed(
    planDevices.map((d) => d.id),
    orders
  )
  return {
    today: iso(today),
    devices: devices.length,
    planned: planDevices.length,
    ordersCreated: written.created,
    ordersReplaced: written.removed,
    unassigned: result.unassigned.length,
    unknownModels: [...unknownModels],
    peaks: [...peaks].map(([group, p]) => ({ group, start: iso(p.start), end: iso(p.end) })),
    influxQueries: queries,
    rolledDays: rolledDays ?? 0,
    newRunOuts,
    seconds: (performance.now() - started) / 1000
  }
}

/** Where a component stands, from the device's own reports: fitted at its last part change (or delivery). */
function componentState(
  c: Component,
  unit: string,
  h: DeviceHistory,
  delivered: number | undefined
): ComponentState {
  const counters = h.counters[unit as 'litres' | 'hours' | 'm3'] ?? []
  const changed = h.replacements.filter((r) => r.part === c.part).map((r) => r.day)
  const fittedDay = changed.length ? Math.max(...changed) : (delivered ?? counters[0]?.day ?? 0)
  const atFit = counters.find((x) => x.day >= fittedDay)?.first ?? 0
  const now = counters.at(-1)?.last ?? atFit
  let lastOn: Map<number, number> | undefined // built only for a component with a condition
  const since = (day: number) => {
    lastOn ??= new Map(counters.map((x) => [x.day, x.last]))
    const last = lastOn.get(day)
    return last === undefined ? undefined : last - atFit
  }
  let condition: ComponentState['condition']
  if (c.condition?.metric === 'salt_rejection') {
    condition = h.readings
      .filter((r) => r.day >= fittedDay && r.tdsIn && r.tdsOut !== undefined)
      .map((r) => ({ used: since(r.day) ?? 0, value: 1 - (r.tdsOut ?? 0) / (r.tdsIn ?? 1) }))
  } else if (c.condition?.metric === 'pressure_loss_kpa') {
    const readings = h.readings.filter((r) => r.day >= fittedDay && r.pressure !== undefined)
    const baseline = readings[0]?.pressure ?? 0
    condition = readings.map((r) => ({ used: since(r.day) ?? 0, value: baseline - (r.pressure ?? 0) }))
  }
  return { part: c.part, fittedDay, usedSinceFit: Math.max(0, now - atFit), condition }
}
