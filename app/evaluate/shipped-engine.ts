import {
  DAY_MS,
  MemoryUsageReader,
  ServiceOrders,
  SqlOrderStore,
  SqlOutletStore,
  SqlComponentUsage,
  SqlServiceRecords,
  dayOfIso,
  defaultCatalogue,
  isoOfDay,
  orderMigrations,
  outletMigrations,
  runPlanningPass,
  type EngineOutputs,
  type Order,
  type PlannedDevice,
  type PlanningSummary
} from '../../maintenance/index.js'
import { registryMigrations } from '../../registry/index.js'
import { isAppError, silentLogger } from '../../shared/index.js'
import { migrate, openPglite, type SqlClient } from '../../stores/index.js'
import type { Policy, VisitBook } from './policies.js'
import { trueUse, type Unit } from './world.js'

export interface ShippedEngineOptions {
  capacityPerOutlet: number
  /** Days between planning passes (the product runs one every PLAN_EVERY_HOURS). */
  replanDays: number
  /**
   * How far ahead of its parts' lead time the planners schedule what the engine proposed (scheduling orders
   * the parts; then the order is theirs). Measured from the lead time: the engine never proposes a visit
   * sooner than the lead time allows, so a window shorter than the lead time would never reach it.
   */
  scheduleAheadDays: number
}

export const DEFAULT_SHIPPED_ENGINE: Omit<ShippedEngineOptions, 'capacityPerOutlet'> = {
  replanDays: 1,
  scheduleAheadDays: 7
}

/** What the shipped engine did over the run, beside the shared figures. */
export interface ShippedEngineStats {
  passes: number
  /** Orders the passes proposed, summed from their summaries (the pass, not a copy of it, made them). */
  ordersCreated: number
  ordersUpdated: number
  ordersCancelled: number
  /** Visits carried out that changed no part (inspections). */
  inspections: number
  /** Dispatches refused (no outlet with room that day); the order stays scheduled and is tried next day. */
  dispatchRefused: number
  /** Scheduled visits the planners brought forward because the engine flagged them at risk. */
  broughtForward: number
}

/**
 * aftercare's shipped engine in the closed loop: each simulated day the devices' reports go to a usage
 * reader (the in-memory one, held to InfluxDB's answers by its contract test), `runPlanningPass` runs over
 * real SQL stores (PGlite in memory, the product's migrations) on its schedule, and the service use cases
 * carry the orders through: planners schedule a proposed visit once it is within a week beyond its parts'
 * lead time, bring a scheduled one forward when the engine flags it at risk, dispatch it on its day, and the technician completes it with the parts it names — which reach
 * the next pass as part changes, the way they do in production. Outlet supervision is off (dispatch is not
 * what is measured).
 */
export async function shippedEngine(
  world: readonly Unit[],
  options: ShippedEngineOptions
): Promise<Policy & { stats: ShippedEngineStats }> {
  const sql = await openPglite(undefined)
  await migrate(sql, [...registryMigrations, ...orderMigrations, ...outletMigrations])
  await register(sql, world, options.capacityPerOutlet)

  let now = 0
  const clock = { now: () => now }
  const usage = new MemoryUsageReader()
  const orders = new SqlOrderStore(sql)
  const outlets = new SqlOutletStore(sql)
  const records = new SqlServiceRecords(sql)
  const devices: PlannedDevice[] = world.map((u) => ({
    id: u.spec.id,
    kind: u.spec.kind,
    model: u.spec.model,
    region: u.spec.region,
    outlet: u.spec.outlet,
    deliveredOn: isoOfDay(u.spec.deliveredDay)
  }))
  const byId = new Map(world.map((u, i) => [u.spec.id, i]))
  const leadTime = (o: Order) => {
    const u = world[byId.get(o.deviceId) as number]
    return Math.max(0, ...o.parts.map((p) => u?.components.find((c) => c.part === p.part)?.leadTimeDays ?? 0))
  }
  const infoOf = new Map(devices.map((d) => [d.id, d]))
  const service = new ServiceOrders({
    orders,
    outlets,
    records,
    catalogue: () => defaultCatalogue,
    device: async (id) => infoOf.get(id) as PlannedDevice,
    suspendedOutlets: async () => new Set(),
    // the product writes a part_replaced event to InfluxDB here; the reader learns it the same way
    recordPartChange: async (change) =>
      usage.recordPartChange(change.deviceId, change.part, change.changedAt.getTime()),
    clock,
    log: silentLogger
  })

  const stats: ShippedEngineStats = {
    passes: 0,
    ordersCreated: 0,
    ordersUpdated: 0,
    ordersCancelled: 0,
    inspections: 0,
    dispatchRefused: 0,
    broughtForward: 0
  }
  const heard = world.map(() => ({ reports: 0, changes: 0 }))
  const forecasts = new ForecastCheck()
  let lastPass = -Infinity

  const decide = async (w: readonly Unit[], today: number, book: VisitBook) => {
    forecasts.check(w, today)
    w.forEach((u, i) => {
      const seen = heard[i] as { reports: number; changes: number }
      for (; seen.reports < u.reports.length; seen.reports++)
        usage.record(u.spec, u.reports[seen.reports] as Unit['reports'][number])
      for (; seen.changes < u.reportedChanges.length; seen.changes++) {
        const c = u.reportedChanges[seen.changes] as Unit['reportedChanges'][number]
        usage.recordPartChange(u.spec.id, c.part, c.day * DAY_MS)
      }
    })
    now = today * DAY_MS + 6 * 3600000
    if (today - lastPass >= options.replanDays) {
      lastPass = today
      const summary: PlanningSummary = await runPlanningPass({
        devices: async () => devices,
        usage,
        orders,
        catalogue: defaultCatalogue,
        clock,
        capacityPerOutlet: options.capacityPerOutlet,
        runOuts: records,
        carriedUse: new SqlComponentUsage(sql),
        publish: async (outputs) => forecasts.note(outputs, byId)
      })
      stats.passes++
      stats.ordersCreated += summary.ordersCreated
      stats.ordersUpdated += summary.ordersUpdated
      stats.ordersCancelled += summary.ordersCancelled
    }
    await serviceDay(today, book)
  }

  /** The planners' and technicians' day, through the use cases. */
  const serviceDay = async (today: number, book: VisitBook) => {
    const list = (status: Order['status']) => orders.list({ status, limit: 1_000_000 })
    for (const o of await list('proposed'))
      if (o.visitDay && o.visitDay <= isoOfDay(today + 1 + leadTime(o) + options.scheduleAheadDays))
        await service.move(o.id, 'scheduled', 'planner')
    for (const o of await list('scheduled')) {
      // the engine now sees the part running out before the booked day: the planner brings the visit forward
      if (o.atRisk && o.expectedRunOut && o.visitDay) {
        const by = isoOfDay(Math.max(today, dayOfIso(o.expectedRunOut) - 1))
        if (by < o.visitDay) {
          await service.reschedule(o.id, by, 'planner', 'at risk')
          stats.broughtForward++
        }
      }
    }
    for (const o of await list('scheduled'))
      if (o.visitDay && o.visitDay <= isoOfDay(today))
        await service.dispatch(o.id, 'planner').catch((err: Error) => {
          if (!isAppError(err, 'ORDER_TRANSITION')) throw err
          stats.dispatchRefused++
        })
    for (const o of await list('dispatched')) {
      if (!o.visitDay || o.visitDay > isoOfDay(today)) continue
      const parts = o.parts.map((p) => p.part)
      await service.complete(o.id, { replacedParts: parts, firstVisitFix: true }, 'technician')
      const device = byId.get(o.deviceId) as number
      book.book(device, today, parts)
      if (parts.length === 0) stats.inspections++
    }
    await service.flushPartChanges()
  }

  return {
    name: "aftercare's engine (shipped pass)",
    stats,
    decide,
    mape: (from) => forecasts.mape(from),
    close: () => sql.close()
  }
}

/** The world's devices and outlets, as the registry and the outlets table would hold them. */
async function register(sql: SqlClient, world: readonly Unit[], capacity: number): Promise<void> {
  await sql.query(
    `INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash)
     SELECT id, kind, model, region, outlet, delivered_on, 'evaluation: never connects'
       FROM jsonb_to_recordset($1::jsonb) AS t(id text, kind text, model text, region text, outlet text, delivered_on date)`,
    [
      JSON.stringify(
        world.map((u) => ({
          id: u.spec.id,
          kind: u.spec.kind,
          model: u.spec.model,
          region: u.spec.region,
          outlet: u.spec.outlet,
          delivered_on: isoOfDay(u.spec.deliveredDay)
        }))
      )
    ]
  )
  const regions = new Map<string, Set<string>>()
  for (const u of world)
    regions.set(u.spec.outlet, (regions.get(u.spec.outlet) ?? new Set()).add(u.spec.region))
  const store = new SqlOutletStore(sql)
  for (const [code, covered] of regions)
    await store.upsert({ code, regions: [...covered], capacityPerDay: capacity })
}

/** The pass's 30-day forecasts of each device's main counter, checked against what it then used. */
export class ForecastCheck {
  private readonly open: { device: number; unit: string; from: number; predicted: number }[] = []
  private readonly errors: { from: number; error: number }[] = []

  note(outputs: EngineOutputs, byId: ReadonlyMap<string, number>): void {
    // one forecast a week per device is plenty to measure (and keeps the checks cheap)
    if (outputs.today % 7 !== 0) return
    const sums = new Map<string, { unit: string; predicted: number }>()
    for (const f of outputs.forecasts) {
      if (f.day < outputs.today || f.day >= outputs.today + 30) continue
      const s = sums.get(f.device.id) ?? { unit: f.unit, predicted: 0 }
      s.predicted += f.expected
      sums.set(f.device.id, s)
    }
    for (const [id, s] of sums)
      this.open.push({
        device: byId.get(id) as number,
        unit: s.unit,
        from: outputs.today,
        predicted: s.predicted
      })
  }

  check(world: readonly Unit[], today: number): void {
    for (let k = this.open.length - 1; k >= 0; k--) {
      const p = this.open[k] as (typeof this.open)[number]
      if (today < p.from + 30) continue
      const u = world[p.device]
      // what it really used (a counter reset or days offline do not change it)
      const actual = u ? trueUse(u, p.unit, p.from, p.from + 30) : 0
      if (actual > 0) this.errors.push({ from: p.from, error: Math.abs(p.predicted - actual) / actual })
      this.open.splice(k, 1)
    }
  }

  /** Over the forecasts made on `from` or later (the warm-up's, made on a young fleet, are not the measure). */
  mape(from = -Infinity): number | undefined {
    const errors = this.errors.filter((e) => e.from >= from)
    return errors.length ? errors.reduce((a, e) => a + e.error, 0) / errors.length : undefined
  }
}
