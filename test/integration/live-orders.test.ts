import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Order } from '../../maintenance/index.js'
import { connectDevice, publishAcked, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'

describe('live rules on stored data, through the broker', () => {
  let app: TestAftercare
  const clients: MqttClient[] = []
  const ordersOf = async (id: string) =>
    (
      await app.api.inject({
        method: 'GET',
        url: `/orders?device=${id}`,
        headers: { authorization: `Bearer ${app.adminToken}` }
      })
    ).json<{ orders: Order[] }>().orders

  beforeAll(async () => {
    app = await startTestAftercare()
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    await app?.close()
  })

  it('when a machine raises a grade-A fault twice, then one emergency order opens with a 24-hour promise; when the fault clears, it is cancelled', async () => {
    const { secret } = await app.provision({
      id: 'm-live',
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-north',
      outlet: 'bj-01'
    })
    const c = await connectDevice(app.mqttPort, 'm-live', secret)
    clients.push(c)
    const fault = (active: boolean, ts: number) => JSON.stringify({ ts, type: 'fault', code: 'E203', active })
    await publishAcked(c, 'devices/m-live/events', fault(true, Date.now() - 2000))
    await publishAcked(c, 'devices/m-live/events', fault(true, Date.now() - 1000))
    const open = await eventually(async () => {
      const o = await ordersOf('m-live')
      return o.length > 0 && o
    }, 'an emergency order')
    await new Promise((r) => setTimeout(r, 300))
    expect(await ordersOf('m-live')).toHaveLength(1)
    expect(open[0]).toMatchObject({ type: 'emergency', status: 'proposed', outlet: 'bj-01' })
    expect(open[0]!.reason).toContain('E203')
    await publishAcked(c, 'devices/m-live/events', fault(false, Date.now()))
    await eventually(async () => (await ordersOf('m-live'))[0]?.status === 'cancelled', 'the order cancelled')
  })

  it('when a purifier reports bad water three times in a row, then one urgent order opens; a single bad reading opens none', async () => {
    const { secret } = await app.provision({ id: 'p-live' })
    const c = await connectDevice(app.mqttPort, 'p-live', secret)
    clients.push(c)
    const now = Date.now() - 60000
    const sample = (seq: number, tdsOut: number) => JSON.stringify({ ts: now + seq, seq, tdsIn: 220, tdsOut })
    await publishAcked(c, 'devices/p-live/telemetry', sample(1, 180))
    await publishAcked(c, 'devices/p-live/telemetry', sample(2, 12))
    await new Promise((r) => setTimeout(r, 300))
    expect(await ordersOf('p-live')).toEqual([])
    await publishAcked(
      c,
      'devices/p-live/telemetry',
      JSON.stringify({
        samples: [3, 4, 5].map((s) => ({ ts: now + s, seq: s, tdsIn: 220, tdsOut: 150 + s }))
      })
    )
    const orders = await eventually(async () => {
      const o = await ordersOf('p-live')
      return o.length > 0 && o
    }, 'an urgent order')
    expect(orders).toHaveLength(1)
    expect(orders[0]).toMatchObject({ type: 'urgent', status: 'proposed' })
  })

  it('when a year of history is uploaded with old leaks and bad water, then no order opens for them; the same condition today opens one', async () => {
    const { secret } = await app.provision({ id: 'p-hist' })
    const c = await connectDevice(app.mqttPort, 'p-hist', secret)
    clients.push(c)
    const day = 86400000
    const old = Date.now() - 200 * day
    const samples = Array.from({ length: 10 }, (_, i) => ({
      ts: old + i * 3600000,
      seq: i + 1,
      tdsIn: 220,
      tdsOut: 180
    }))
    await publishAcked(c, 'devices/p-hist/telemetry', JSON.stringify({ samples }))
    await publishAcked(c, 'devices/p-hist/events', JSON.stringify({ ts: old, type: 'leak' }))
    // a day and a half old is history too
    await publishAcked(
      c,
      'devices/p-hist/events',
      JSON.stringify({ ts: Date.now() - 1.5 * day, type: 'leak' })
    )
    await new Promise((r) => setTimeout(r, 300))
    expect(await ordersOf('p-hist')).toEqual([])
    await publishAcked(c, 'devices/p-hist/events', JSON.stringify({ ts: Date.now() - 60000, type: 'leak' }))
    const opened = await eventually(async () => {
      const o = await ordersOf('p-hist')
      return o.length > 0 && o
    }, 'the urgent order for the leak today')
    expect(opened.map((o) => o.type)).toEqual(['urgent'])
  })
})
