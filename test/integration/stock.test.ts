import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Order } from '../../maintenance/index.js'
import { connectDevice, publishAcked, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

const DAY = 86400000

describe('spare parts at the outlet: a part too late for its lead time is booked from the shelf', () => {
  let app: TestAftercare
  let device: MqttClient
  const as = () => ({ authorization: `Bearer ${app.adminToken}` })
  const call = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    (await app.api.inject({ method, url, headers: as(), ...(payload ? { payload } : {}) })).json<T>()
  const sedimentOrder = async () =>
    (
      await call<{ orders: Order[] }>('GET', '/orders?device=stk-1&status=proposed,scheduled,dispatched,done')
    ).orders.find((o) => o.parts.some((p) => p.part === 'pp_sediment'))
  const shelf = async () =>
    (
      await call<{ stock: { partNumber: string; quantity: number; reserved: number; available: number }[] }>(
        'GET',
        '/outlets/sh-01/stock'
      )
    ).stock.find((s) => s.partNumber === 'PP-400-05')

  beforeAll(async () => {
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 })
    const delivered = new Date(Date.now() - 61 * DAY).toISOString().slice(0, 10)
    const { secret } = await app.provision({ id: 'stk-1', model: 'RO-400', deliveredOn: delivered })
    device = await connectDevice(app.mqttPort, 'stk-1', secret)
    // 32 L a day for 59 days: the 2,000 L sediment stage has about three days left, its lead time is three
    const now = Date.now()
    const samples = Array.from({ length: 60 }, (_, i) => ({
      ts: now - (60 - i) * DAY,
      seq: i + 1,
      litersTotal: 32 * i,
      tdsIn: 220,
      tdsOut: 12
    }))
    await publishAcked(device, 'devices/stk-1/telemetry', JSON.stringify({ samples }))
  })
  afterAll(async () => {
    device?.end(true)
    await app?.close()
  })

  it('when the outlet holds the part, then the pass books it in time from the shelf; scheduling sets a unit aside and completion takes it off the shelf', async () => {
    await call('POST', '/plan/run')
    const late = await sedimentOrder()
    // without stock the part cannot be on hand before it runs out: ordered at once, flagged late
    expect(late).toMatchObject({ atRisk: true, status: 'proposed' })

    expect(
      (await call<{ stock: unknown[] }>('PUT', '/outlets/sh-01/stock', { parts: { 'PP-400-05': 2 } })).stock
    ).toHaveLength(1)
    await call('POST', '/plan/run')
    const booked = await sedimentOrder()
    expect(booked?.id).toBe(late?.id)
    expect(booked).toMatchObject({ atRisk: false, expectedRunOut: null })
    expect(booked?.reason).toContain('from the outlet’s stock')
    expect(booked?.visitDay && booked.deadline && booked.visitDay <= booked.deadline).toBe(true)

    await call('POST', `/orders/${booked?.id}/transition`, { to: 'scheduled' })
    expect(await shelf()).toMatchObject({ quantity: 2, reserved: 1, available: 1 })
    await call('POST', `/orders/${booked?.id}/transition`, { to: 'dispatched' })
    expect(await shelf()).toMatchObject({ quantity: 2, reserved: 1, available: 1 })
    const done = await call<Order>('POST', `/orders/${booked?.id}/complete`, {
      replacedParts: ['pp_sediment'],
      firstVisitFix: true
    })
    expect(done.status).toBe('done')
    expect(await shelf()).toMatchObject({ quantity: 1, reserved: 0, available: 1 })
  })

  it('when an order is cancelled, then what it set aside is free again; stock for an unknown outlet is refused', async () => {
    const { rows } = await app.sql.query<{ id: string }>(
      `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, parts, reason)
       VALUES ('stk-1', 'replacement', 'sh-01', current_date + 5, current_date + 9,
               '[{"part":"pp_sediment","partNumber":"PP-400-05"}]', 'test') RETURNING id`
    )
    const id = rows[0]?.id
    await call('POST', `/orders/${id}/transition`, { to: 'scheduled' })
    expect(await shelf()).toMatchObject({ quantity: 1, reserved: 1, available: 0 })
    await call('POST', `/orders/${id}/transition`, { to: 'cancelled', note: 'customer away' })
    expect(await shelf()).toMatchObject({ quantity: 1, reserved: 0, available: 1 })
    // an outlet's own visit cost (the planner weighs bundling with it) is kept and shown
    await call('PUT', '/outlets/sh-02', { regions: ['cn-east'], capacityPerDay: 4, visitCost: 95 })
    const { outlets } = await call<{ outlets: { code: string; visitCost?: number | null }[] }>(
      'GET',
      '/outlets'
    )
    expect(outlets.find((o) => o.code === 'sh-02')?.visitCost).toBe(95)
    expect(outlets.find((o) => o.code === 'sh-01')?.visitCost).toBeNull()
    const unknown = await app.api.inject({
      method: 'PUT',
      url: '/outlets/zz-99/stock',
      headers: as(),
      payload: { parts: { 'PP-400-05': 1 } }
    })
    expect(unknown.statusCode).toBe(404)
  })

  it("when the outlet's open orders need more of a part than it holds, then the demand per ISO week says how many to order", async () => {
    for (const days of [14, 15, 16, 21])
      await app.sql.query(
        `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, parts, reason)
         VALUES ('stk-1', 'replacement', 'sh-01', date_trunc('week', current_date)::date + $1::int,
                 date_trunc('week', current_date)::date + $1::int + 3,
                 '[{"part":"pp_sediment","partNumber":"PP-400-05"}]', 'test')`,
        [days]
      )
    const { demand } = await call<{
      demand: { week: string; partNumber: string; quantity: number; stock: number; reorder: number }[]
    }>('GET', '/outlets/sh-01/demand')
    const pp = demand.filter((d) => d.partNumber === 'PP-400-05')
    // the weeks of the orders above: three, then one (other open orders of the device count too)
    expect(pp.slice(-2).map((d) => d.quantity)).toEqual([3, 1])
    // what is ordered week by week is what all of them need beyond the one on the shelf
    const total = pp.reduce((n, d) => n + d.quantity, 0)
    expect(pp.reduce((n, d) => n + d.reorder, 0)).toBe(Math.max(0, total - 1))
    expect(pp.every((d) => d.stock === 1)).toBe(true)
    expect(pp.at(-1)?.week).toMatch(/^\d{4}-W\d{2}$/)
  })
})
