import { readFileSync } from 'node:fs'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { Order, PlanningSummary } from '../../maintenance/index.js'
import { connectDevice, publishAcked, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'

const DAY = 86400000
const maker = () =>
  parse(readFileSync('test/fixtures/maker-catalogue.yaml', 'utf8')) as Record<string, unknown>

describe("a maker's own catalogue, imported and used by the planning pass", () => {
  let app: TestAftercare
  let planner: string
  let provisioner: string
  const clients: MqttClient[] = []
  const as = (token: string) => ({ authorization: `Bearer ${token}` })
  const call = (method: 'GET' | 'PUT' | 'POST', url: string, token: string, payload?: object) =>
    app.api.inject({ method, url, headers: as(token), ...(payload === undefined ? {} : { payload }) })
  const versions = async () =>
    (await call('GET', '/catalogue/versions', planner)).json<{ versions: { version: number }[] }>().versions
  const ordersOf = async (id: string) =>
    (await call('GET', `/orders?device=${id}&status=proposed`, planner))
      .json<{ orders: Order[] }>()
      .orders.filter((o) => o.type !== 'inspection')
  const healthOf = async (id: string) =>
    (await call('GET', `/devices/${id}/health`, planner)).json<{
      components: { part: string; usedShare: number; by: string }[]
    }>().components

  /** Sixty days of history, one sample a day, uploaded as the device would after an outage. */
  const report = async (id: string, secret: string, sample: (day: number) => Record<string, number>) => {
    const c = await connectDevice(app.mqttPort, id, secret)
    clients.push(c)
    const now = Date.now()
    const samples = Array.from({ length: 60 }, (_, i) => ({
      ts: now - (60 - i) * DAY,
      seq: i + 1,
      ...sample(i)
    }))
    await publishAcked(c, `devices/${id}/telemetry`, JSON.stringify({ samples }))
  }

  beforeAll(async () => {
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 })
    planner = (await app.registry.createAccount('maker-planner', ['planner'])).token
    provisioner = (await app.registry.createAccount('maker-prov', ['provisioner'])).token
    await app.outlets.upsert({ code: 'muc-01', regions: ['de-south'], capacityPerDay: 6 })
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    await app?.close()
  })

  it('when a catalogue with errors is imported, then 400 names each path and nothing is stored', async () => {
    const bad = maker()
    const models = bad.models as Record<string, unknown>[]
    ;(models[0]!.components as Record<string, unknown>[])[0]!.leadTimeDays = 'soon'
    models[3]!.kind = 'toaster'
    const before = await versions()
    const res = await call('PUT', '/catalogue', planner, bad)
    expect(res.statusCode).toBe(400)
    const body = res.json<{ code: string; details: { path: (string | number)[] }[] }>()
    expect(body.code).toBe('CATALOGUE_INVALID')
    expect(body.details.map((d) => d.path.join('.'))).toEqual(
      expect.arrayContaining(['models.0.components.0.leadTimeDays', 'models.3.kind'])
    )
    expect(await versions()).toEqual(before)
  })

  it("when a device names a model the catalogue does not have, then provisioning says so and lists the kind's models", async () => {
    const res = await call('POST', '/devices', provisioner, {
      id: 'ro5-early',
      kind: 'purifier',
      model: 'RO5-Home',
      region: 'de-south',
      outlet: 'muc-01'
    })
    expect(res.statusCode).toBe(400)
    expect(res.json<{ message: string }>().message).toMatch(
      /model: unknown model RO5-Home.*RO-400, RO-600, C1/
    )
  })

  it("when the maker's catalogue is imported and their devices report, then the pass plans them with their own parts and limits, and orders carry the version", async () => {
    const res = await call('PUT', '/catalogue', planner, maker())
    expect(res.statusCode).toBe(200)
    const imported = res.json<{ version: number; changes: { added: string[] } }>()
    expect(imported.version).toBe(2)
    expect(imported.changes.added).toEqual(['RO5-Home', 'RO5-Slim', 'EX-215', 'WL-50', 'CP-48M'])

    const delivered = new Date(Date.now() - 61 * DAY).toISOString().slice(0, 10)
    const add = async (id: string, kind: string, model: string) => {
      const r = await call('POST', '/devices', provisioner, {
        id,
        kind,
        model,
        region: 'de-south',
        outlet: 'muc-01',
        deliveredOn: delivered
      })
      expect(r.statusCode, r.body).toBe(201)
      return r.json<{ secret: string }>().secret
    }
    // 22 L a day: the 1,500 L sediment stage is spent in about 68 days; the pump runs 4 h and pumps 20 m³ a day
    await report('ro5-1', await add('ro5-1', 'purifier', 'RO5-Home'), (d) => ({
      litersTotal: 22 * d,
      tdsIn: 220,
      tdsOut: 12
    }))
    await report('cp48-1', await add('cp48-1', 'machine', 'CP-48M'), (d) => ({
      engineHours: 1000 + 4 * d,
      pumpedM3Total: 20 * d
    }))

    const pass = (await call('POST', '/plan/run', planner)).json<PlanningSummary>()
    expect(pass).toMatchObject({ unknownModels: [], catalogueVersion: 2 })

    expect((await healthOf('ro5-1')).map((c) => c.part).sort()).toEqual([
      'pp_sediment',
      'ro_membrane',
      'x_mineraliser'
    ])
    expect((await healthOf('cp48-1')).map((c) => c.part).sort()).toEqual(['engine_oil', 'wear_plate'])
    const sediment = (await healthOf('ro5-1')).find((c) => c.part === 'pp_sediment')
    expect(sediment?.usedShare).toBeGreaterThan(0.8)

    const orders = [...(await ordersOf('ro5-1')), ...(await ordersOf('cp48-1'))]
    expect(
      orders.some((o) => o.parts.some((p) => p.part === 'pp_sediment' && p.partNumber === 'RO5-PP'))
    ).toBe(true)
    const parts = orders.flatMap((o) => o.parts.map((p) => p.part))
    for (const phantom of [
      'carbon',
      'post_carbon',
      'coolant',
      'delivery_pipe',
      'hydraulic_oil',
      'cutting_ring'
    ])
      expect(parts).not.toContain(phantom)
    expect(orders.every((o) => o.catalogueVersion === 2)).toBe(true)
  })

  it("when a model's limits change, then the next pass re-plans its devices with the new version", async () => {
    const next = maker()
    const home = (next.models as { components: { part: string; litres: number }[] }[])[0]!
    home.components.find((c) => c.part === 'pp_sediment')!.litres = 6000
    const res = await call('PUT', '/catalogue', planner, next)
    expect(res.json<{ version: number; changes: { changed: string[] } }>()).toMatchObject({
      version: 3,
      changes: { changed: ['RO5-Home'] }
    })
    const pass = (await call('POST', '/plan/run', planner)).json<PlanningSummary>()
    expect(pass.catalogueVersion).toBe(3)
    const sediment = (await healthOf('ro5-1')).find((c) => c.part === 'pp_sediment')
    // 1,298 L of 6,000: its six months (61 days in) are now what ends it first
    expect(sediment).toMatchObject({ by: 'time' })
    expect(sediment?.usedShare).toBeLessThan(0.4)
    expect((await ordersOf('ro5-1')).every((o) => o.catalogueVersion === 3)).toBe(true)
  })

  it('when a model devices use would be removed or change kind, then the import is refused naming the devices, and nothing is stored', async () => {
    const without = maker()
    without.models = (without.models as { model: string }[]).filter((m) => m.model !== 'CP-48M')
    without.faults = [{ ...(without.faults as object[])[0], machineTypes: ['excavator'] }]
    const removed = await call('PUT', '/catalogue', planner, without)
    expect(removed.statusCode).toBe(409)
    expect(removed.json<{ message: string }>().message).toMatch(
      /model CP-48M would be removed, but 1 device uses it: cp48-1/
    )

    const swapped = maker()
    const home = (swapped.models as Record<string, unknown>[])[0]!
    Object.assign(home, {
      kind: 'machine',
      machineType: 'excavator',
      components: [{ part: 'engine_oil', partNumber: 'E', hours: 250, leadTimeDays: 1 }]
    })
    const kind = await call('PUT', '/catalogue', planner, swapped)
    expect(kind.statusCode).toBe(409)
    expect(kind.json<{ message: string }>().message).toMatch(/RO5-Home would no longer be a purifier.*ro5-1/)
    expect((await versions())[0]?.version).toBe(3)
  })

  it('when a catalogue names a version that is not newer, then it is refused; a newer one is stored as that version', async () => {
    expect((await call('PUT', '/catalogue', planner, { ...maker(), version: 3 })).statusCode).toBe(409)
    expect(
      (await call('PUT', '/catalogue', planner, { ...maker(), version: 10 })).json<{ version: number }>()
        .version
    ).toBe(10)
    const shown = (await call('GET', '/catalogue?version=2', provisioner)).json<{
      version: number
      importedBy: string
    }>()
    expect(shown).toMatchObject({ version: 2, importedBy: 'maker-planner' })
    expect((await call('PUT', '/catalogue', provisioner, maker())).statusCode).toBe(403)
  })

  it("when a machine reports a fault from the maker's fault catalogue, then the emergency order takes its promise and the event its grade", async () => {
    const { secret } = await app.provision({
      id: 'ex-1',
      kind: 'machine',
      model: 'EX-215',
      region: 'de-south',
      outlet: 'muc-01'
    })
    const c = await connectDevice(app.mqttPort, 'ex-1', secret)
    clients.push(c)
    await publishAcked(
      c,
      'devices/ex-1/events',
      JSON.stringify({ ts: Date.now(), type: 'fault', code: 'X-101', active: true })
    )
    const order = await eventually(async () => {
      const all = (await call('GET', '/orders?device=ex-1', planner)).json<{ orders: Order[] }>().orders
      return all.find((o) => o.type === 'emergency')
    }, 'the emergency order')
    expect(order.reason).toMatch(/grade A2 fault X-101: boom cylinder pressure loss/)
    const { rows } = await app.sql.query<{ promise_at: string | Date }>(
      'SELECT promise_at FROM orders WHERE id = $1',
      [order.id]
    )
    const hours = (new Date(rows[0]?.promise_at ?? 0).getTime() - Date.now()) / 3600000
    expect(hours).toBeGreaterThan(11.5)
    expect(hours).toBeLessThanOrEqual(12)
    const [event] = await app.influx.rows(`SELECT * FROM device_events WHERE device = 'ex-1'`)
    expect(event).toMatchObject({ grade: 'A2', category: 'hydraulic', code: 'X-101' })
  })
})
