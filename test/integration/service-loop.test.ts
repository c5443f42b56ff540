import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { SqlServiceRecords, type Order, type OutletKpis } from '../../maintenance/index.js'
import { connectDevice, publishAcked, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { freshPostgresDatabase } from '../helpers/local-postgres.js'
import { eventually } from '../helpers/stores.js'

describe.each([
  ['PGlite', async () => ({})],
  [
    'a PostgreSQL server',
    async () => ({
      DATABASE_URL: await freshPostgresDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`)
    })
  ]
])('service loop through the HTTP API on %s', (_name, settings) => {
  let app: TestAftercare
  let tech: string
  let planner: string
  const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await app.api.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } })
    return { status: res.statusCode, body: res.json<Order & { orders: Order[]; message: string }>() }
  }

  beforeAll(async () => {
    app = await startTestAftercare(await settings())
    tech = (await app.registry.createAccount('tech', ['technician'])).token
    planner = (await app.registry.createAccount('planner', ['planner'])).token
  })
  afterAll(async () => app?.close())

  it('when an emergency order is scheduled, dispatched and completed with parts and scores, then each step is kept and the part change reaches the device history', async () => {
    const { secret } = await app.provision({
      id: 'svc-m1',
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-east',
      outlet: 'sh-01'
    })
    const device = await connectDevice(app.mqttPort, 'svc-m1', secret)
    await publishAcked(
      device,
      'devices/svc-m1/events',
      JSON.stringify({ ts: Date.now(), type: 'fault', code: 'E203', active: true })
    )
    device.end(true)
    const order = await eventually(
      async () => (await call(planner, 'GET', '/orders?device=svc-m1')).body.orders[0],
      'the emergency order'
    )

    const outlet = await app.api.inject({
      method: 'PUT',
      url: '/outlets/sh-01',
      payload: { regions: ['cn-east'], capacityPerDay: 5 },
      headers: { authorization: `Bearer ${planner}` }
    })
    expect(outlet.statusCode).toBe(200)
    expect(
      (await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'scheduled' })).body.status
    ).toBe('scheduled')
    expect(
      (await call(tech, 'POST', `/orders/${order.id}/transition`, { to: 'dispatched' })).body.status
    ).toBe('dispatched')
    const done = await call(tech, 'POST', `/orders/${order.id}/complete`, {
      replacedParts: ['wear_plate', 'cutting_ring'],
      firstVisitFix: true,
      scores: { timeliness: 'A', quality: 'B', attitude: 'A' }
    })
    expect(done).toMatchObject({ status: 200, body: { status: 'done' } })

    const history = await app.sql.query<{ status: string; note: string }>(
      'SELECT status, note FROM order_history WHERE order_id = $1 ORDER BY id',
      [order.id]
    )
    expect(history.rows.map((h) => h.status)).toEqual(['scheduled', 'dispatched', 'done'])
    expect(history.rows[1]?.note).toBe('dispatched to sh-01')
    const stored = await app.sql.query<{ score_quality: number; first_visit_fix: boolean }>(
      'SELECT score_quality, first_visit_fix FROM orders WHERE id = $1',
      [order.id]
    )
    expect(stored.rows[0]).toEqual({ score_quality: 1, first_visit_fix: true })
    const kpis = await app.api.inject({
      method: 'GET',
      url: '/kpis',
      headers: { authorization: `Bearer ${planner}` }
    })
    expect(kpis.json()).toMatchObject({
      outlets: [
        {
          outlet: 'sh-01',
          jobs: 1,
          firstVisitFixRate: 1,
          scores: { quality: { average: 1 } },
          supervision: 'ok'
        }
      ]
    })
    // the part changes commit with the completion; the device's InfluxDB history learns them right after
    const parts = await eventually(async () => {
      const rows = await app.influx.rows(
        `SELECT detail FROM device_events WHERE device = 'svc-m1' AND type = 'part_replaced'`
      )
      return rows.length === 2 ? rows : undefined
    }, 'the part changes in InfluxDB')
    expect(parts.map((r) => r.detail).sort()).toEqual(['cutting_ring', 'wear_plate'])
  })

  it('when a move breaks the lifecycle or comes from the wrong role, then it is refused with a reason', async () => {
    const { secret } = await app.provision({
      id: 'svc-m2',
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-east',
      outlet: 'sh-01'
    })
    const device = await connectDevice(app.mqttPort, 'svc-m2', secret)
    await publishAcked(
      device,
      'devices/svc-m2/events',
      JSON.stringify({ ts: Date.now(), type: 'fault', code: 'E102', active: true })
    )
    device.end(true)
    const order = await eventually(
      async () => (await call(planner, 'GET', '/orders?device=svc-m2')).body.orders[0],
      'the order'
    )
    const early = await call(tech, 'POST', `/orders/${order.id}/complete`, {
      replacedParts: [],
      firstVisitFix: false
    })
    expect(early.status).toBe(409)
    expect(early.body.message).toContain('is proposed; it can go to scheduled, cancelled, not done')
    expect(
      (
        await call(planner, 'POST', `/orders/${order.id}/complete`, {
          replacedParts: [],
          firstVisitFix: false
        })
      ).status
    ).toBe(403)
    expect((await call(planner, 'POST', '/orders/999999/transition', { to: 'scheduled' })).status).toBe(404)
    expect(
      (await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'cancelled' })).body.status
    ).toBe('cancelled')
    expect((await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'scheduled' })).status).toBe(
      409
    )
  })

  it("when the device's own outlet is full on the visit day, then dispatch picks another outlet of the region; when none has room, it is refused", async () => {
    const headers = { authorization: `Bearer ${planner}` }
    await app.api.inject({
      method: 'PUT',
      url: '/outlets/gz-01',
      payload: { regions: ['cn-south'], capacityPerDay: 1 },
      headers
    })
    await app.api.inject({
      method: 'PUT',
      url: '/outlets/sz-01',
      payload: { regions: ['cn-south'], capacityPerDay: 1 },
      headers
    })
    const ids: number[] = []
    for (const n of [1, 2, 3]) {
      const { secret } = await app.provision({
        id: `svc-s${n}`,
        kind: 'machine',
        model: 'PUMP-52',
        region: 'cn-south',
        outlet: 'gz-01'
      })
      const device = await connectDevice(app.mqttPort, `svc-s${n}`, secret)
      await publishAcked(
        device,
        `devices/svc-s${n}/events`,
        JSON.stringify({ ts: Date.now(), type: 'fault', code: 'E203', active: true })
      )
      device.end(true)
      const order = await eventually(
        async () => (await call(planner, 'GET', `/orders?device=svc-s${n}`)).body.orders[0],
        'the order'
      )
      await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'scheduled' })
      ids.push(order.id)
    }
    const first = await call(planner, 'POST', `/orders/${ids[0]}/transition`, { to: 'dispatched' })
    const second = await call(planner, 'POST', `/orders/${ids[1]}/transition`, { to: 'dispatched' })
    const third = await call(planner, 'POST', `/orders/${ids[2]}/transition`, { to: 'dispatched' })
    expect([first.body.outlet, second.body.outlet]).toEqual(['gz-01', 'sz-01'])
    expect(third.status).toBe(409)
    expect(third.body.message).toContain('no outlet covering cn-south has room')
  })
  it('when the customer complains at the visit and again later, and a part ran out while the outlet held its order, then each is a record of its own and the KPIs count them', async () => {
    const { secret } = await app.provision({
      id: 'svc-m9',
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-south',
      outlet: 'xm-01'
    })
    await app.api.inject({
      method: 'PUT',
      url: '/outlets/xm-01',
      payload: { regions: ['cn-south'], capacityPerDay: 5 },
      headers: { authorization: `Bearer ${planner}` }
    })
    const device = await connectDevice(app.mqttPort, 'svc-m9', secret)
    await publishAcked(
      device,
      'devices/svc-m9/events',
      JSON.stringify({ ts: Date.now(), type: 'fault', code: 'E203', active: true })
    )
    device.end(true)
    const order = await eventually(
      async () => (await call(planner, 'GET', '/orders?device=svc-m9')).body.orders[0],
      'the emergency order'
    )
    await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'scheduled' })
    await call(tech, 'POST', `/orders/${order.id}/transition`, { to: 'dispatched' })
    const done = await call(tech, 'POST', `/orders/${order.id}/complete`, {
      replacedParts: ['wear_plate'],
      firstVisitFix: true,
      complaint: { category: 'timeliness', text: 'came three hours late' }
    })
    expect(done.status).toBe(200)
    const later = await app.api.inject({
      method: 'POST',
      url: `/orders/${order.id}/complaints`,
      payload: { category: 'quality', text: 'the pump leaks again a week later' },
      headers: { authorization: `Bearer ${planner}` }
    })
    expect(later.statusCode).toBe(201)
    expect(later.json()).toMatchObject({ orderId: order.id, deviceId: 'svc-m9', outlet: 'xm-01' })
    const missing = await app.api.inject({
      method: 'POST',
      url: '/orders/999999/complaints',
      payload: { category: 'other', text: 'x' },
      headers: { authorization: `Bearer ${planner}` }
    })
    expect(missing.statusCode).toBe(404)

    const listed = await app.api.inject({
      method: 'GET',
      url: '/complaints?outlet=xm-01',
      headers: { authorization: `Bearer ${planner}` }
    })
    expect(listed.json<{ complaints: { category: string }[] }>().complaints.map((c) => c.category)).toEqual([
      'timeliness',
      'quality'
    ])

    const records = new SqlServiceRecords(app.sql)
    const runOut = {
      deviceId: 'svc-m9',
      part: 'engine_oil',
      fittedDay: '2026-01-10',
      limitBy: 'usage',
      detectedAt: new Date().toISOString(),
      outlet: 'xm-01'
    }
    expect(await records.recordRunOuts([runOut])).toBe(1)
    expect(await records.recordRunOuts([runOut])).toBe(0)

    const kpis = await app.api.inject({
      method: 'GET',
      url: '/kpis',
      headers: { authorization: `Bearer ${planner}` }
    })
    const xm = kpis.json<{ outlets: OutletKpis[] }>().outlets.find((k) => k.outlet === 'xm-01')
    expect(xm).toMatchObject({
      jobs: 1,
      complaints: 2,
      complaintPpm: 2e6,
      omissionPpm: 1e6,
      supervision: 'warning'
    })
  })

  /** A machine with a dispatched emergency order (a grade-A fault), as the service loop has it. */
  const dispatchedOrder = async (
    id: string,
    upTo: 'proposed' | 'scheduled' | 'dispatched' = 'dispatched'
  ) => {
    const { secret } = await app.provision({
      id,
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-east',
      outlet: 'sh-01'
    })
    const device = await connectDevice(app.mqttPort, id, secret)
    await publishAcked(
      device,
      `devices/${id}/events`,
      JSON.stringify({ ts: Date.now(), type: 'fault', code: 'E203', active: true })
    )
    device.end(true)
    const order = await eventually(
      async () => (await call(planner, 'GET', `/orders?device=${id}`)).body.orders[0],
      'the emergency order'
    )
    await app.api.inject({
      method: 'PUT',
      url: '/outlets/sh-01',
      payload: { regions: ['cn-east'], capacityPerDay: 50 },
      headers: { authorization: `Bearer ${planner}` }
    })
    if (upTo === 'proposed') return order
    expect((await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'scheduled' })).status).toBe(
      200
    )
    if (upTo === 'dispatched')
      expect((await call(tech, 'POST', `/orders/${order.id}/transition`, { to: 'dispatched' })).status).toBe(
        200
      )
    return order
  }
  const partChanges = async (orderId: number) =>
    (
      await app.sql.query<{ part: string }>(
        'SELECT part FROM part_changes WHERE order_id = $1 ORDER BY part',
        [orderId]
      )
    ).rows.map((r) => r.part)
  const replacedInInflux = async (id: string) =>
    (
      await app.influx.rows(
        `SELECT detail FROM device_events WHERE device = '${id}' AND type = 'part_replaced'`
      )
    ).map((r) => r.detail)

  it("when an order is completed with a part its device's model does not have, then 400 names the part and the model's parts, and nothing is written", async () => {
    const order = await dispatchedOrder('svc-v1')
    const res = await call(tech, 'POST', `/orders/${order.id}/complete`, {
      replacedParts: ['wear_plate', 'carbon'],
      firstVisitFix: true
    })
    expect(res.status).toBe(400)
    expect(res.body.message).toContain('"carbon" is not a part of PUMP-52')
    expect(res.body.message).toContain('wear_plate')
    expect((await call(planner, 'GET', `/orders?device=svc-v1`)).body.orders[0]?.status).toBe('dispatched')
    expect(await partChanges(order.id)).toEqual([])
    const history = await app.sql.query('SELECT 1 FROM order_history WHERE order_id = $1 AND status = $2', [
      order.id,
      'done'
    ])
    expect(history.rows).toEqual([])
    // a correct completion afterwards writes only its own part: the refused one left nothing behind
    expect(
      (
        await call(tech, 'POST', `/orders/${order.id}/complete`, {
          replacedParts: ['wear_plate'],
          firstVisitFix: true
        })
      ).status
    ).toBe(200)
    expect(
      await eventually(
        async () => (await replacedInInflux('svc-v1')).length > 0 && replacedInInflux('svc-v1'),
        'the part change'
      )
    ).toEqual(['wear_plate'])
  })

  it('when a completion is refused by the lifecycle, then no part change is written; when the same completion is retried, then it is done once; a different one is refused', async () => {
    const early = await dispatchedOrder('svc-v2', 'scheduled')
    const refused = await call(tech, 'POST', `/orders/${early.id}/complete`, {
      replacedParts: ['cutting_ring'],
      firstVisitFix: true
    })
    expect(refused.status).toBe(409)
    expect(refused.body.message).toContain('is scheduled; it can go to dispatched, cancelled, not done')
    expect(await partChanges(early.id)).toEqual([])

    const order = await dispatchedOrder('svc-v3')
    const body = { replacedParts: ['cutting_ring', 'wear_plate'], firstVisitFix: false, note: 'plate scored' }
    const first = await call(tech, 'POST', `/orders/${order.id}/complete`, body)
    const retried = await call(tech, 'POST', `/orders/${order.id}/complete`, {
      ...body,
      replacedParts: ['wear_plate', 'cutting_ring']
    })
    expect(first.status).toBe(200)
    expect(retried).toEqual(first)
    expect(first.body.completion).toMatchObject({
      replacedParts: ['cutting_ring', 'wear_plate'],
      firstVisitFix: false,
      note: 'plate scored',
      by: 'tech'
    })
    const done = await app.sql.query('SELECT 1 FROM order_history WHERE order_id = $1 AND status = $2', [
      order.id,
      'done'
    ])
    expect(done.rows).toHaveLength(1)
    expect(await partChanges(order.id)).toEqual(['cutting_ring', 'wear_plate'])
    const different = await call(tech, 'POST', `/orders/${order.id}/complete`, {
      ...body,
      firstVisitFix: true
    })
    expect(different.status).toBe(409)
    expect(different.body.message).toContain('already done, with a different completion')
    await eventually(
      async () => (await replacedInInflux('svc-v3')).length === 2,
      'both part changes in InfluxDB'
    )
  })

  it('when a complaint is made about an order that is not done, then it is refused; about a done order, it is recorded', async () => {
    const order = await dispatchedOrder('svc-v4')
    const complaint = { category: 'timeliness', text: 'nobody came yet' }
    const early = await call(planner, 'POST', `/orders/${order.id}/complaints`, complaint)
    expect(early.status).toBe(409)
    expect(early.body.message).toContain('is dispatched; a complaint is taken on a done order')
    await call(tech, 'POST', `/orders/${order.id}/complete`, { replacedParts: [], firstVisitFix: true })
    expect((await call(planner, 'POST', `/orders/${order.id}/complaints`, complaint)).status).toBe(201)
  })

  it('when a planner moves a scheduled visit, then its day changes with a history row; a day past its deadline or before today, or a visit not yet scheduled, is refused with why', async () => {
    const order = await dispatchedOrder('svc-r1', 'proposed')
    const today = new Date().toISOString().slice(0, 10)
    const early = await call(planner, 'POST', `/orders/${order.id}/reschedule`, { visitDay: today })
    expect(early.status).toBe(409)
    expect(early.body.message).toContain('only a scheduled visit moves to another day (schedule it first)')
    await call(planner, 'POST', `/orders/${order.id}/transition`, { to: 'scheduled' })
    const moved = await call(planner, 'POST', `/orders/${order.id}/reschedule`, {
      visitDay: today,
      note: 'customer asked'
    })
    expect(moved).toMatchObject({ status: 200, body: { status: 'scheduled', visitDay: today } })
    const after = new Date(Date.parse(order.deadline!) + 86400000).toISOString().slice(0, 10)
    const late = await call(planner, 'POST', `/orders/${order.id}/reschedule`, { visitDay: after })
    expect(late.status).toBe(400)
    expect(late.body.message).toContain(`is after its deadline ${order.deadline}`)
    const past = await call(planner, 'POST', `/orders/${order.id}/reschedule`, { visitDay: '2020-01-01' })
    expect(past.status).toBe(400)
    expect(past.body.message).toContain('is before today')
    const history = await app.sql.query<{ note: string }>(
      'SELECT note FROM order_history WHERE order_id = $1 ORDER BY id',
      [order.id]
    )
    expect(history.rows.at(-1)?.note).toBe(`visit day ${order.visitDay} → ${today}: customer asked`)
  })
})
