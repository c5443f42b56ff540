import type { Clock } from '../../shared/index.js'
import { modelOf, usageUnit, type Catalogue, type Component } from '../engine/catalogue.js'
import { FLAT_PROFILE, forecastDevice, usageOn, type DeviceForecast } from '../engine/forecast.js'
import { learnSeasons, seasonKey } from '../engine/seasons.js'
import { dailyUse, emptyHistory } from '../engine/device-history.js'
import type { EngineOutputs, PlannedDevice } from '../engine/outputs.js'
import type { UsageReader } from '../stores/influx-usage.js'
import type { NewOrder } from '../engine/order.js'
import type { ComponentUsageStore, CarriedUse } from '../stores/component-usage.js'
import type { CommittedWork, OrderStore } from '../stores/order-store.js'
import { DEFAULT_PLAN_OPTIONS, plan, type PlanDevice } from '../engine/planner.js'
import { bundlingSummary, type BundlingSummary } from '../engine/bundling.js'
import { remainingLife } from '../engine/remaining-life.js'
import { componentState, firstReport } from '../engine/component-state.js'
import { lateOrders } from '../engine/late-orders.js'
import { bookFromStock } from '../engine/stock-booking.js'
import type { LearnedPeak } from '../stores/peak-store.js'
import type { PartRunOut } from '../stores/service-records.js'

const DAY_MS = 86400000
/**
 * Days read before the window so that the use of a part fitted before it is summed on from where the
 * last pass carried it: passes further apart than this lose the days between (a node down for a week).
 */
const CARRY_MARGIN_DAYS = 7
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

export interface PlanningDeps {
  devices: () => Promise<PlannedDevice[]>
  usage: UsageReader
  orders: OrderStore
  catalogue: Catalogue
  /** The stored version of `catalogue`, recorded on the orders the pass proposes. */
  catalogueVersion?: number
  clock: Clock
  /** Visits an outlet can make a day when the outlets table does not say. */
  capacityPerOutlet: number
  capacities?: () => Promise<Map<string, number>>
  /** What a visit costs each outlet that says (else the catalogue's `visitCost` for the device's kind). */
  visitCosts?: () => Promise<Map<string, number>>
  /** Free spare parts per outlet and part number: a part that cannot be on hand in time is booked from them. */
  stock?: () => Promise<Map<string, Map<string, number>>>
  /** Where the pass's forecasts and component health go for the boards (InfluxDB). */
  publish?: (outputs: EngineOutputs) => Promise<{ devices: number; lines: number } | void>
  /** Where parts found past their limit are recorded (once per fitted part) for the omission KPI. */
  runOuts?: { recordRunOuts(list: readonly PartRunOut[]): Promise<number> }
  /**
   * Days of history the pass reads (seasons, forecasts, use since a fit); at least the oldest a sample may
   * be stored (INGEST_MAX_AGE_DAYS), so a day leaving the window can no longer change. Default 400.
   */
  windowDays?: number
  /** Where the use of parts fitted before the window is carried from pass to pass (PostgreSQL). */
  carriedUse?: ComponentUsageStore
  /** Where the learned peak windows go (PostgreSQL, for the planner's board). */
  peaks?: { replace(peaks: readonly LearnedPeak[]): Promise<void> }
}

export interface PlanningSummary {
  today: string
  devices: number
  planned: number
  /** What the pass did to its proposed orders: new work, the same work moved (same id), the same work as it was, work dropped. */
  ordersCreated: number
  ordersUpdated: number
  ordersUnchanged: number
  ordersCancelled: number
  /** Scheduled or dispatched orders now expected to come after their part runs out (flagged `atRisk`). */
  atRisk: number
  /** Proposed visits that cannot come before a part runs out (lead time, capacity): ordered now, flagged `atRisk`. */
  late: number
  /** Devices with no delivery date that have not reported yet: not planned until their first report. */
  notReporting: number
  unassigned: number
  /** What bundling parts into earlier visits threw away and saved (`bundlingSummary`). */
  bundling: BundlingSummary
  /** Models of devices that the catalogue does not describe (those devices are not planned). */
  unknownModels: string[]
  /** The catalogue version the pass planned with. */
  catalogueVersion: number | null
  peaks: { group: string; start: string; end: string }[]
  /** InfluxQL statements of the pass (rollup refresh included) and the days the rollups rebuilt first. */
  influxQueries: number
  rolledDays: number
  /** The pass began from histories kept on disk by a clean stop (the first pass after a start). */
  historiesFromDisk: boolean
  /** Parts found past their limit and not replaced, recorded for the first time by this pass. */
  newRunOuts: number
  seconds: number
  /** Devices and lines the pass wrote for the boards (only what changed since the last pass). */
  published?: { devices: number; lines: number }
  /** Where the seconds went: reading, usage, seasons, engine (forecasts and lives), plan, outputs, orders. */
  stages: Record<string, number>
}

/**
 * One planning pass: reads every device's daily usage in batch, learns each
 * region's seasonal profile and peak window, forecasts use and remaining life
 * of every component, plans visits, and brings the proposed orders in line
 * with the plan: the same work keeps its order id (a pass with no new data
 * changes nothing), what people scheduled is never rewritten (only flagged
 * when it now looks too late), and scheduled or done inspections are not
 * proposed again. A device without a delivery date counts as delivered at its
 * first report and is not planned before it.
 */
export async function runPlanningPass(deps: PlanningDeps): Promise<PlanningSummary> {
  const started = performance.now()
  const stages: Record<string, number> = {}
  let mark = started
  const stage = (name: string) => {
    const now = performance.now()
    stages[name] = Math.round(now - mark) / 1000
    mark = now
  }
  const today = Math.floor(deps.clock.now() / DAY_MS)
  const devices = await deps.devices()
  const windowStart = today - (deps.windowDays ?? 400)
  const readFrom = windowStart - CARRY_MARGIN_DAYS
  // a few days more than the window: the use a part fitted before it had since the last pass carried it
  const { histories, queries, rolledDays, restored } = await deps.usage.read(readFrom)
  const carried = (await deps.carriedUse?.load()) ?? new Map<string, Map<string, CarriedUse>>()
  const carry: ({ deviceId: string; part: string } & CarriedUse)[] = []
  const committed = await deps.orders.committedWork()
  const outletVisitCost = (await deps.visitCosts?.()) ?? new Map<string, number>()
  const partChanges = await deps.orders.lastPartChanges()
  stage('read')

  const unitOf = (c: Component) => usageUnit(c) ?? 'litres'
  const series = dailyUse(
    histories,
    new Map(devices.flatMap((d) => (d.deliveredOn ? [[d.id, dayOf(d.deliveredOn)]] : []))),
    readFrom
  )
  stage('usage')
  const { profiles, peaks } = learnSeasons(
    devices.flatMap((d) =>
      Object.entries(series.get(d.id) ?? {}).map(([unit, days]) => ({
        region: d.region,
        kind: d.kind,
        unit,
        days: days ?? { start: 0, usage: new Float64Array(0) }
      }))
    ),
    today
  )

  stage('seasons')
  const outputs: EngineOutputs = { today, health: [], forecasts: [] }
  const runOuts: PartRunOut[] = []
  const unknownModels = new Set<string>()
  const planDevices: PlanDevice[] = []
  const risks: { id: number; expectedRunOut: string }[] = []
  let notReporting = 0
  for (const d of devices) {
    const model = modelOf(deps.catalogue, d.model)
    if (!model) {
      unknownModels.add(d.model)
      continue
    }
    const h = histories.get(d.id) ?? emptyHistory()
    const delivered = d.deliveredOn ? dayOf(d.deliveredOn) : firstReport(h)
    if (delivered === undefined) {
      notReporting++
      continue
    }
    // part changes the device reported and those completions recorded (the latter also reach InfluxDB,
    // but the pass does not wait for that)
    const replacements = [...h.replacements, ...(partChanges.get(d.id) ?? [])]
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
    const work: CommittedWork = committed.get(d.id) ?? {
      parts: new Set(),
      inspections: new Set(),
      orders: []
    }
    const skip = work.parts
    const components = model.components.map((c) => {
      const state = componentState(
        c,
        series.get(d.id)?.[unitOf(c)],
        h,
        replacements,
        delivered,
        carried.get(d.id)?.get(c.part),
        deps.carriedUse ? windowStart : undefined
      )
      if (state.carried) carry.push({ deviceId: d.id, part: c.part, ...state.carried })
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
      return {
        part: c.part,
        partNumber: c.partNumber,
        leadTimeDays: c.leadTimeDays,
        life,
        fittedDay: state.fittedDay,
        price: c.price
      }
    })
    for (const c of components) outputs.health.push({ device: d, part: c.part, life: c.life })
    risks.push(...lateOrders(work, components))
    const main = d.kind === 'purifier' ? 'litres' : 'hours'
    for (let day = today; day < today + 30; day++)
      outputs.forecasts.push({ device: d, unit: main, day, ...usageOn(forecastFor(main), day) })
    planDevices.push({
      id: d.id,
      kind: d.kind,
      region: d.region,
      outlet: d.outlet,
      deliveredDay: delivered,
      inspectionsDone: [...work.inspections],
      components: components.filter((c) => !skip.has(c.part)),
      visitCost: (d.outlet ? outletVisitCost.get(d.outlet) : undefined) ?? deps.catalogue.visitCost[d.kind]
    })
  }

  bookFromStock(planDevices, (await deps.stock?.()) ?? new Map(), today)
  stage('engine')
  const outlets = new Set(planDevices.map((d) => d.outlet).filter((o): o is string => o !== null))
  const known = (await deps.capacities?.()) ?? new Map<string, number>()
  const result = plan(planDevices, {
    ...DEFAULT_PLAN_OPTIONS,
    inspectionMonths: deps.catalogue.inspectionsAfterDeliveryMonths,
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
    reason: [
      v.late
        ? `late: ${v.late.runsOut < today ? 'ran' : 'runs'} out ${iso(v.late.runsOut)}, the earliest visit is ${iso(v.day)}`
        : '',
      v.reason,
      v.overrun ? 'outlet over capacity that day' : '',
      v.inPeak ?? ''
    ]
      .filter(Boolean)
      .join(' — '),
    atRisk: v.late !== undefined,
    expectedRunOut: v.late ? iso(v.late.runsOut) : null,
    catalogueVersion: deps.catalogueVersion ?? null
  }))
  stage('plan')
  const published = (await deps.publish?.(outputs)) ?? undefined
  const newRunOuts = (await deps.runOuts?.recordRunOuts(runOuts)) ?? 0
  await deps.carriedUse?.save(carry)
  await deps.peaks?.replace(
    [...peaks].flatMap(([group, windows]) => {
      const [region = '', kind = ''] = group.split('/')
      return windows.map((p) => ({ region, kind, start: iso(p.start), end: iso(p.end) }))
    })
  )
  stage('outputs')
  const written = await deps.orders.reconcileProposed(
    planDevices.map((d) => d.id),
    orders,
    new Date(deps.clock.now()).toISOString().slice(0, 16) + 'Z'
  )
  await deps.orders.markAtRisk(risks)
  stage('orders')
  return {
    today: iso(today),
    devices: devices.length,
    planned: planDevices.length,
    ordersCreated: written.created,
    ordersUpdated: written.updated,
    ordersUnchanged: written.unchanged,
    ordersCancelled: written.cancelled,
    atRisk: risks.length,
    late: orders.filter((o) => o.atRisk).length,
    notReporting,
    unassigned: result.unassigned.length,
    bundling: bundlingSummary(result.visits),
    unknownModels: [...unknownModels],
    catalogueVersion: deps.catalogueVersion ?? null,
    peaks: [...peaks].flatMap(([group, windows]) =>
      windows.map((p) => ({ group, start: iso(p.start), end: iso(p.end) }))
    ),
    influxQueries: queries,
    rolledDays: rolledDays ?? 0,
    historiesFromDisk: restored ?? false,
    newRunOuts,
    seconds: (performance.now() - started) / 1000,
    published,
    stages
  }
}

function dayOf(isoDay: string): number {
  return Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS)
}
