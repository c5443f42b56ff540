import { modelOf, usageUnit, type Component } from '../engine/catalogue.js'
import { FLAT_PROFILE } from '../engine/forecast.js'
import { forecastDevice, usageOn, type DeviceForecast } from '../engine/device-forecast.js'
import { learnSeasons, seasonKey } from '../engine/seasons.js'
import { dailyUse, emptyHistory } from '../engine/device-history.js'
import type { EngineOutputs } from '../engine/outputs.js'
import type { NewOrder } from '../engine/order.js'
import type { CarriedUse } from '../stores/component-usage.js'
import type { CommittedWork } from '../stores/order-store.js'
import { DEFAULT_PLAN_OPTIONS, plan, type PlanDevice } from '../engine/planner.js'
import { bundlingSummary } from '../engine/bundling.js'
import { outlasts, remainingLife } from '../engine/remaining-life.js'
import { componentState, firstReport } from '../engine/component-state.js'
import { lateOrders } from '../engine/late-orders.js'
import { bookFromStock } from '../engine/stock-booking.js'
import { DAY_MS, dayOfIso, isoOfDay } from '../engine/days.js'
import type { PartRunOut } from '../stores/service-records.js'
import type { PlanningDeps, PlanningSummary } from './planning-types.js'

/**
 * Days read before the window so that the use of a part fitted before it is summed on from where the
 * last pass carried it: passes further apart than this lose the days between (a node down for a week).
 */
const CARRY_MARGIN_DAYS = 7

export type { PlanningDeps, PlanningSummary } from './planning-types.js'

/**
 * One planning pass: reads every device's daily usage in batch, learns each
 * region's seasonal profile and peak window, forecasts use and remaining life
 * of every component, plans visits, and brings the proposed orders in line
 * with the plan: the same work keeps its order id (a pass with no new data
 * changes nothing), what people scheduled is never rewritten (only flagged
 * when it now looks too late), and scheduled or done inspections are not
 * proposed again. A device without a delivery date counts as delivered at its
 * first report; no device is serviced before it is delivered.
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
    new Map(devices.flatMap((d) => (d.deliveredOn ? [[d.id, dayOfIso(d.deliveredOn)]] : []))),
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
  const horizonEnd = today + DEFAULT_PLAN_OPTIONS.horizonDays
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
    const delivered = d.deliveredOn ? dayOfIso(d.deliveredOn) : firstReport(h)
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
    const peak = peaks.get(`${d.region}/${d.kind}`)?.find((p) => p.start > today && p.start <= horizonEnd)
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
          fittedDay: isoOfDay(state.fittedDay),
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
        price: c.price,
        ...(peak && life.earliestDay - 1 <= peak.end
          ? { outlastsPeak: outlasts(c, forecastFor(unitOf(c)), peak) }
          : {})
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
    visitDay: isoOfDay(v.day),
    deadline: isoOfDay(v.deadline),
    parts: v.parts,
    inspection: v.inspection ?? null,
    reason: [
      v.late
        ? `late: ${v.late.runsOut < today ? 'ran' : 'runs'} out ${isoOfDay(v.late.runsOut)}, the earliest visit is ${isoOfDay(v.day)}`
        : '',
      v.reason,
      v.overrun ? 'outlet over capacity that day' : '',
      v.inPeak ?? ''
    ]
      .filter(Boolean)
      .join(' — '),
    atRisk: v.late !== undefined,
    expectedRunOut: v.late ? isoOfDay(v.late.runsOut) : null,
    catalogueVersion: deps.catalogueVersion ?? null
  }))
  stage('plan')
  const published = (await deps.publish?.(outputs)) ?? undefined
  const newRunOuts = (await deps.runOuts?.recordRunOuts(runOuts)) ?? 0
  await deps.carriedUse?.save(carry)
  await deps.peaks?.replace(
    [...peaks].flatMap(([group, windows]) => {
      const [region = '', kind = ''] = group.split('/')
      return windows.map((p) => ({ region, kind, start: isoOfDay(p.start), end: isoOfDay(p.end) }))
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
    today: isoOfDay(today),
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
      windows.map((p) => ({ group, start: isoOfDay(p.start), end: isoOfDay(p.end) }))
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
