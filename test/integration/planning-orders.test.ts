import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MemoryUsageReader,
  SqlComponentUsage,
  SqlOrderStore,
  SqlServiceRecords,
  defaultCatalogue,
  orderMigrations,
  outletMigrations,
  runPlanningPass,
  type EngineOutputs,
  type Order,
  type PlannedDevice
} from '../../maintenance/index.js'
import { registryMigrations } from '../../registry/index.js'
import { migrate, openPglite, type SqlClient } from '../../stores/index.js'

const DAY_MS = 86400000
const T = Math.floor(Date.UTC(2026, 9, 1) / DAY_MS)
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** The shipped pass over PGlite and the in-memory usage reader, on a clock the test moves. */
describe('planning pass and its orders (PGlite)', () => {
  let sql: SqlClient
  let orders: SqlOrderStore
  let records: SqlServiceRecords
  const usage = new MemoryUsageReader()
  let today = T
  let outputs: EngineOutputs | undefined
  const devices: PlannedDevice[] = []
  const add = async (id: string, deliveredOn: string | null) => {
    const d = {
      id,
      kind: 'purifier' as const,
      model: 'RO-400',
      region: 'cn-east',
      outlet: 'sh-01',
      deliveredOn
    }
    await sql.query(
      `INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash) VALUES ($1, $2, $3, $4, $5, $6, 'x')`,
      [d.id, d.kind, d.model, d.region, d.outlet, d.deliveredOn]
    )
    devices.push(d)
  }
  /** Daily reports from `from` to `to` (exclusive) at `litresPerDay`, continuing the device's counter. */
  const totals = new Map<string, number>()
  const report = (id: string, from: number, to: number, litresPerDay: number) => {
    for (let day = from; day < to; day++) {
      const total = (totals.get(id) ?? 0) + litresPerDay
      totals.set(id, total)
      usage.record(
        { id, kind: 'purifier' },
        { ts: day * DAY_MS + 20 * 3600000, litersTotal: total, tdsIn: 250, tdsOut: 10 }
      )
    }
  }
  let windowDays: number | undefined
  const pass = () =>
    runPlanningPass({
      windowDays,
      carriedUse: new SqlComponentUsage(sql),
      devices: async () => devices,
      usage,
      orders,
      catalogue: defaultCatalogue,
      clock: { now: () => today * DAY_MS + 6 * 3600000 },
      capacityPerOutlet: 8,
      runOuts: records,
      publish: async (o) => {
        outputs = o
      }
    })
  const ordersOf = async (id: string): Promise<Order[]> => orders.list({ deviceId: id, limit: 1000 })

  beforeAll(async () => {
    sql = await openPglite(undefined)
    await migrate(sql, [...registryMigrations, ...orderMigrations, ...outletMigrations])
    orders = new SqlOrderStore(sql)
    records = new SqlServiceRecords(sql)
  })
  afterAll(async () => sql?.close())

  it('when a device with no delivery date has not reported, then it has no orders and no run-outs; after its first report, its parts are fitted that day', async () => {
    await add('nd-1', null)
    const first = await pass()
    expect(first.notReporting).toBe(1)
    expect(await ordersOf('nd-1')).toEqual([])
    expect(await records.runOuts()).toEqual([])
    expect(outputs?.health.filter((h) => h.device.id === 'nd-1')).toEqual([])

    report('nd-1', T, T + 1, 12)
    today = T + 1
    const second = await pass()
    expect(second.notReporting).toBe(0)
    const own = await ordersOf('nd-1')
    // delivered at its first report: the first-month inspection falls a month after it, and nothing is dated before
    expect(own.find((o) => o.inspection === 1)?.reason).toContain(`(${iso(T + 31)})`)
    expect(own.every((o) => (o.visitDay ?? '') >= iso(today))).toBe(true)
    const health = outputs?.health.filter((h) => h.device.id === 'nd-1') ?? []
    expect(health).toHaveLength(4)
    // the sediment cartridge's time limit is six months from the first report, not from 1970
    const sediment = health.find((h) => h.part === 'pp_sediment')?.life
    expect(sediment?.usedShare).toBeLessThan(0.05)
    expect(iso(sediment?.dueDay ?? 0) <= iso(T + 184) && iso(sediment?.dueDay ?? 0) > iso(T + 150)).toBe(true)
    expect(await records.runOuts()).toEqual([])
  })

  it('when an inspection is scheduled or done, then the next passes do not propose it again', async () => {
    await add('in-1', iso(T - 20))
    report('in-1', T - 20, today, 8)
    await pass()
    const inspection = (await ordersOf('in-1')).find((o) => o.inspection === 1 && o.status === 'proposed')
    expect(inspection).toBeDefined()
    await orders.transition(inspection!.id, 'scheduled', 'by the planner')

    await pass()
    const monthOne = async () =>
      (await ordersOf('in-1')).filter((o) => o.inspection === 1 && o.status !== 'cancelled')
    expect((await monthOne()).map((o) => [o.id, o.status])).toEqual([[inspection!.id, 'scheduled']])

    await orders.transition(inspection!.id, 'dispatched', 'to sh-01')
    await orders.complete(
      inspection!.id,
      { replacedParts: [], firstVisitFix: true },
      'tech',
      new Date(today * DAY_MS)
    )
    await pass()
    expect((await monthOne()).map((o) => [o.id, o.status])).toEqual([[inspection!.id, 'done']])
  })

  it('when a pass runs again with no new data, then every proposed order keeps its id; when new data moves a part end, then the same order carries the new day and its history says so', async () => {
    await add('mv-1', iso(T - 150))
    report('mv-1', T - 150, today, 10)
    await pass()
    const before = await ordersOf('mv-1')
    const again = await pass()
    expect(await ordersOf('mv-1')).toEqual(before)
    expect(again.ordersCreated + again.ordersUpdated + again.ordersCancelled).toBe(0)

    const sediment = before.find((o) => o.parts.some((p) => p.part === 'pp_sediment'))
    expect(sediment).toBeDefined()
    // the household starts drawing four times the water: the cartridge's volume limit now comes first
    report('mv-1', today, today + 3, 120)
    today += 3
    await pass()
    const moved = (await ordersOf('mv-1')).find((o) => o.id === sediment!.id)
    expect(moved?.status).toBe('proposed')
    expect(moved!.visitDay! < sediment!.visitDay!).toBe(true)
    const { rows } = await sql.query<{ status: string; note: string }>(
      'SELECT status, note FROM order_history WHERE order_id = $1 ORDER BY id',
      [sediment!.id]
    )
    expect(rows.at(-1)?.status).toBe('proposed')
    expect(rows.at(-1)?.note).toContain(`visit day ${sediment!.visitDay} → ${moved!.visitDay}`)
  })

  it('when a part ends within its lead time at the first pass (right after an import), then it is ordered at once and flagged late with the day it runs out', async () => {
    // delivered six months less two days ago: the sediment cartridge's time limit comes before its lead time
    const sixMonthsAgo = new Date(today * DAY_MS)
    sixMonthsAgo.setUTCMonth(sixMonthsAgo.getUTCMonth() - 6)
    const delivered = Math.floor(sixMonthsAgo.getTime() / DAY_MS) + 2
    await add('lt-1', iso(delivered))
    report('lt-1', delivered, today, 6)
    const summary = await pass()
    const order = (await ordersOf('lt-1')).find((o) => o.parts.some((p) => p.part === 'pp_sediment'))
    expect(order).toMatchObject({ status: 'proposed', atRisk: true })
    expect(order!.expectedRunOut! <= order!.visitDay!).toBe(true)
    expect(order!.reason).toMatch(/^late: runs out \d{4}-\d{2}-\d{2}, the earliest visit is /)
    expect(summary.late).toBeGreaterThanOrEqual(1)
  })

  it('when a part is already past its limit at the first pass, then its order says it ran out, not that it runs out', async () => {
    // delivered seven months ago: the sediment cartridge's six months ended a month ago
    const sevenMonthsAgo = new Date(today * DAY_MS)
    sevenMonthsAgo.setUTCMonth(sevenMonthsAgo.getUTCMonth() - 7)
    const delivered = Math.floor(sevenMonthsAgo.getTime() / DAY_MS)
    await add('po-1', iso(delivered))
    report('po-1', delivered, today, 6)
    await pass()
    const order = (await ordersOf('po-1')).find((o) => o.parts.some((p) => p.part === 'pp_sediment'))
    expect(order).toMatchObject({ atRisk: true })
    expect(order!.expectedRunOut! < iso(today)).toBe(true)
    expect(order!.reason).toMatch(/^late: ran out \d{4}-\d{2}-\d{2}, the earliest visit is /)
  })

  it('when a scheduled order now comes after its part is expected to run out, then it is left as booked and flagged at risk', async () => {
    await add('rk-1', iso(T - 150))
    report('rk-1', T - 150, today, 10)
    await pass()
    const order = (await ordersOf('rk-1')).find((o) => o.parts.some((p) => p.part === 'pp_sediment'))!
    await orders.transition(order.id, 'scheduled', 'by the planner')
    report('rk-1', today, today + 3, 300)
    today += 3
    await pass()
    const after = await orders.get(order.id)
    expect(after).toMatchObject({
      status: 'scheduled',
      visitDay: order.visitDay,
      deadline: order.deadline,
      atRisk: true
    })
    expect(after.expectedRunOut! <= order.visitDay!).toBe(true)
  })

  it('when a part was fitted before the days a pass reads, then its use before them still counts (carried from pass to pass)', async () => {
    windowDays = 30
    const start = today
    await add('old-1', iso(start - 20))
    report('old-1', start - 20, start, 50)
    // a pass a day for 60 days: the carbon filter's fit day leaves the 30-day window after ten of them
    for (let d = start; d < start + 60; d++) {
      today = d
      await pass()
      report('old-1', d, d + 1, 50)
    }
    today = start + 60
    await pass()
    const carbon = outputs?.health.find((h) => h.device.id === 'old-1' && h.part === 'carbon')?.life
    // 80 days of 50 L from a new counter (4,000 L, the first day's in its first reading) of a 4,000 L
    // filter; counted from the window alone: under half
    expect(carbon?.usedShare).toBeCloseTo(4000 / 4000, 3)
    windowDays = undefined
  }, 60000)
})
