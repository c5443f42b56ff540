import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fleetPorts } from '../../app/fleet-ports.js'
import { startAftercare } from '../../app/index.js'
import type { Order, PlanningSummary } from '../../maintenance/index.js'
import { silentLogger } from '../../shared/index.js'
import { backfill } from '../../simulators/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('planning pass: from simulated telemetry to proposed orders', () => {
  let app: TestAftercare
  let planner: string
  const auth = () => ({ authorization: `Bearer ${planner}` })
  // the live rules also open orders from the backfilled history (bad water, faults); these are the planner's
  const plannedOrders = async () =>
    (await app.api.inject({ method: 'GET', url: '/orders?limit=1000', headers: auth() }))
      .json<{ orders: Order[] }>()
      .orders.filter((o) => ['health_care', 'replacement', 'inspection'].includes(o.type))

  beforeAll(async () => {
    app = await startTestAftercare({ OUTLET_CAPACITY_PER_DAY: 3 })
    planner = (await app.registry.createAccount('planning', ['planner'])).token
    // 24 devices with 200 days of history, uploaded through the broker
    const report = await backfill(fleetPorts(app.config), {
      seed: 31,
      devices: 24,
      days: 200,
      intervalMin: 360,
      batch: 500,
      concurrency: 6,
      prefix: 'pl'
    })
    expect(report.missing).toEqual([])
  }, 180000)
  afterAll(async () => app?.close())

  it('when the planner runs, then it rolls up the changed days, reads history in a few batch queries and proposes visits with parts, within outlet capacity', async () => {
    const res = await app.api.inject({ method: 'POST', url: '/plan/run', headers: auth() })
    expect(res.statusCode).toBe(200)
    const summary = res.json<PlanningSummary>()
    expect(summary).toMatchObject({ devices: 24, planned: 24, unknownModels: [] })
    // 200 days of both kinds rolled up first (one SELECT … INTO per 31 days and kind: the marks, the rebuilds, the
    // clean-up), then the reads: two pages at a time per kind (the second comes back empty) and the part changes
    expect(summary.rolledDays).toBeGreaterThan(200)
    expect(summary.influxQueries).toBeLessThanOrEqual(2 + 2 * Math.ceil(201 / 31) + 2 * 2 + 1)
    expect(summary.ordersCreated).toBeGreaterThan(0)

    const orders = await plannedOrders()
    expect(orders).toHaveLength(summary.ordersCreated)
    expect(orders.every((o) => o.status === 'proposed' && o.visitDay && o.outlet)).toBe(true)
    expect(orders.some((o) => o.parts.length > 0)).toBe(true)
    const perOutletDay = new Map<string, number>()
    for (const o of orders)
      perOutletDay.set(`${o.outlet}/${o.visitDay}`, (perOutletDay.get(`${o.outlet}/${o.visitDay}`) ?? 0) + 1)
    const overrun = orders.filter((o) => o.reason.includes('over capacity')).length
    expect(Math.max(...perOutletDay.values())).toBeLessThanOrEqual(3 + overrun)
    for (const o of orders)
      expect(
        o.visitDay! <= o.deadline! || o.reason.includes('over capacity') || o.type === 'inspection'
      ).toBe(true)
  })

  it('when the planner has run, then component health and 30-day forecasts are in InfluxDB for the boards', async () => {
    const [health] = await app.influx.rows(
      `SELECT count(used_share) AS n FROM component_health WHERE device =~ /^pl-/`
    )
    const [forecast] = await app.influx.rows(
      `SELECT count(expected) AS n FROM usage_forecast WHERE device =~ /^pl-/ AND time >= now() - 1d`
    )
    expect(Number(health?.n)).toBeGreaterThanOrEqual(24 * 4)
    expect(Number(forecast?.n)).toBe(24 * 30)
    const rows = await app.influx.rows(
      `SELECT last(days_left) AS days_left FROM component_health WHERE device =~ /^pl-/ GROUP BY device, part`
    )
    expect(rows.every((r) => typeof r.days_left === 'number')).toBe(true)
  })

  it("when a planner asks for the plan and a device's health, then visits per outlet and day come with capacity, and each component with its expected end", async () => {
    const res = await app.api.inject({
      method: 'GET',
      url: '/plan?from=2000-01-01&to=2100-01-01',
      headers: auth()
    })
    const plan = res.json<{
      days: { outlet: string; day: string; visits: number; capacity: number; over: boolean }[]
    }>()
    const open = (await app.api.inject({ method: 'GET', url: '/orders?limit=5000', headers: auth() }))
      .json<{ orders: Order[] }>()
      .orders.filter(
        (o) => o.outlet && o.visitDay && ['proposed', 'scheduled', 'dispatched'].includes(o.status)
      )
    expect(plan.days.reduce((a, d) => a + d.visits, 0)).toBe(open.length)
    expect(plan.days.every((d) => d.capacity === 3 && d.over === d.visits > 3)).toBe(true)

    const device = open[0]!.deviceId
    const health = (
      await app.api.inject({ method: 'GET', url: `/devices/${device}/health`, headers: auth() })
    ).json<{ components: { part: string; dueDay: string | null; usedShare: number; daysLeft: number }[] }>()
    expect(health.components.length).toBeGreaterThanOrEqual(3)
    expect(new Set(health.components.map((c) => c.part)).size).toBe(health.components.length)
    expect(
      health.components.every((c) => c.usedShare >= 0 && /^\d{4}-\d{2}-\d{2}$/.test(c.dueDay ?? ''))
    ).toBe(true)
    // soonest first
    const left = health.components.map((c) => c.daysLeft)
    expect(left).toEqual([...left].sort((a, b) => a - b))
  })

  it('when the planner runs again on the same data, then every proposed order keeps its id and nothing is rewritten, neither orders nor the outputs for the boards', async () => {
    const before = await plannedOrders()
    const history = async () =>
      (await app.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM order_history')).rows[0]?.n
    const historyBefore = await history()
    const again = (
      await app.api.inject({ method: 'POST', url: '/plan/run', headers: auth() })
    ).json<PlanningSummary>()
    expect(again).toMatchObject({
      ordersCreated: 0,
      ordersUpdated: 0,
      ordersCancelled: 0,
      ordersUnchanged: before.length,
      published: { devices: 0, lines: 0 }
    })
    expect(await plannedOrders()).toEqual(before)
    expect(await history()).toBe(historyBefore)
  })

  it('when parts are found past their limit, then each is recorded once, uncharged when no outlet held its order', async () => {
    const runOuts = async () =>
      (await app.api.inject({ method: 'GET', url: '/run-outs', headers: auth() })).json<{
        runOuts: { deviceId: string; outlet: string | null; limitBy: string }[]
      }>().runOuts
    const before = await runOuts()
    const again = (
      await app.api.inject({ method: 'POST', url: '/plan/run', headers: auth() })
    ).json<PlanningSummary>()
    expect(again.newRunOuts).toBe(0)
    expect(await runOuts()).toEqual(before)
    // 200 days without a single part change: the short-lived parts are past their limit
    expect(before.length).toBeGreaterThan(0)
    expect(before.every((r) => r.outlet === null && r.deviceId.startsWith('pl-'))).toBe(true)
  })

  it('when a technician without the planner role asks to plan, then it is refused', async () => {
    const tech = (await app.registry.createAccount('tech', ['technician'])).token
    expect(
      (
        await app.api.inject({
          method: 'POST',
          url: '/plan/run',
          headers: { authorization: `Bearer ${tech}` }
        })
      ).statusCode
    ).toBe(403)
    expect(
      (await app.api.inject({ method: 'GET', url: '/orders', headers: { authorization: `Bearer ${tech}` } }))
        .statusCode
    ).toBe(200)
  })

  it('when aftercare stops cleanly and starts again, then the first pass begins from the histories kept on disk and plans exactly as a pass that read everything', async () => {
    const run = async (api: TestAftercare['api']) =>
      (await api.inject({ method: 'POST', url: '/plan/run', headers: auth() })).json<PlanningSummary>()
    const strip = (orders: Order[]) => orders.map(({ id: _id, createdAt: _c, ...o }) => o)
    const before = await run(app.api)
    expect(before.historiesFromDisk).toBe(false)
    const planned = strip(await plannedOrders())
    await app.stop()
    expect(existsSync(path.join(app.config.AFTERCARE_DATA_DIR, 'planning', 'histories.bin'))).toBe(true)

    const restarted = await startAftercare(app.config, silentLogger)
    try {
      const after = await run(restarted.api)
      expect(after.historiesFromDisk).toBe(true)
      expect(after).toMatchObject({ devices: before.devices, planned: before.planned })
      // the read after the start asked InfluxDB for the changed days only, not for every device's history
      expect(after.influxQueries).toBeLessThan(before.influxQueries + 3)
      const orders = (
        await restarted.api.inject({ method: 'GET', url: '/orders?limit=1000', headers: auth() })
      ).json<{ orders: Order[] }>().orders
      expect(
        strip(orders.filter((o) => ['health_care', 'replacement', 'inspection'].includes(o.type)))
      ).toEqual(planned)
    } finally {
      await restarted.stop()
    }
  })
})
