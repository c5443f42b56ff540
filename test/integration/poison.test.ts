import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { countPoints, eventually } from '../helpers/stores.js'

describe('nothing forged, nothing poisoned: what a device sends that is kept but passed on to no one', () => {
  let app: TestAftercare
  const clients: MqttClient[] = []
  const letters = async (device: string) =>
    (
      await app.api.inject({
        method: 'GET',
        url: `/dead-letters?device=${device}`,
        headers: { authorization: `Bearer ${app.adminToken}` }
      })
    ).json<{
      deadLetters: { code: string; reason: string; topic: string; payload: string; payloadLength: number }[]
    }>().deadLetters

  beforeAll(async () => {
    app = await startTestAftercare()
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    await app?.close()
  })

  it('when a 20,000-deep nested upload arrives, then it is acknowledged and dead-lettered with a reason, and the device’s next sample is stored', async () => {
    const { secret } = await app.provision({ id: 'poison-1' })
    const device = await connectDevice(app.mqttPort, 'poison-1', secret)
    clients.push(device)
    const poison = `{"samples":[${'['.repeat(20000)}${']'.repeat(20000)}]}`
    await publishAcked(device, 'devices/poison-1/telemetry', poison)
    await publishAcked(device, 'devices/poison-1/telemetry', purifierSample(2))
    const [letter] = await letters('poison-1')
    expect(letter).toMatchObject({ code: 'schema', reason: expect.stringMatching(/samples\[0\]/) })
    expect(letter?.payloadLength).toBeGreaterThanOrEqual(poison.length)
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'poison-1')).toBe(1)
    expect(device.connected).toBe(true)
  })

  it('when a device publishes to its own commands topic, an unknown subtopic or bad JSON, then it is dead-lettered and no subscriber receives it; its good telemetry still reaches readers', async () => {
    const { secret } = await app.provision({ id: 'forger-1' })
    const device = await connectDevice(app.mqttPort, 'forger-1', secret)
    clients.push(device)
    await device.subscribeAsync('devices/forger-1/commands/#', { qos: 1 })
    const own: string[] = []
    device.on('message', (topic) => own.push(topic))
    const reader = (await app.registry.createAccount('reader', ['mqtt-read'])).token
    const watcher = await connectDevice(app.mqttPort, 'svc:reader', reader, { username: 'svc:reader' })
    clients.push(watcher)
    await watcher.subscribeAsync('devices/#', { qos: 1 })
    const watched: string[] = []
    watcher.on('message', (topic, payload) => watched.push(`${topic} ${payload.toString()}`))

    await publishAcked(device, 'devices/forger-1/commands/unlock', '{"open":true}')
    await publishAcked(device, 'devices/forger-1/diagnostics', '{"x":1}')
    await publishAcked(device, 'devices/forger-1/telemetry', '{not json')
    await publishAcked(device, 'devices/forger-1/telemetry', purifierSample(7))
    await eventually(
      async () => watched.some((w) => w.startsWith('devices/forger-1/telemetry')),
      'the good sample'
    )
    await new Promise((r) => setTimeout(r, 300))

    expect(own).toEqual([])
    // what readers got from this device: its status and the one good sample
    const data = watched.filter(
      (w) => w.startsWith('devices/forger-1/') && !w.startsWith('devices/forger-1/status')
    )
    expect(data).toHaveLength(1)
    expect(data[0]).toMatch(/^devices\/forger-1\/telemetry \{"ts":\d+,"seq":7/)
    expect((await letters('forger-1')).map((l) => [l.topic, l.code]).sort()).toEqual([
      ['devices/forger-1/commands/unlock', 'unknown_topic'],
      ['devices/forger-1/diagnostics', 'unknown_topic'],
      ['devices/forger-1/telemetry', 'bad_json']
    ])
  })

  it("when a device reports a part change for a part its model does not have, then it is dead-lettered with the model's parts, not stored as a part change", async () => {
    const { secret } = await app.provision({ id: 'parts-1', model: 'RO-400' })
    const device = await connectDevice(app.mqttPort, 'parts-1', secret)
    clients.push(device)
    const change = (part: string) => JSON.stringify({ ts: Date.now(), type: 'part_replaced', part })
    await publishAcked(device, 'devices/parts-1/events', change('flux_capacitor'))
    await publishAcked(device, 'devices/parts-1/events', change('carbon'))
    const [letter] = await letters('parts-1')
    expect(letter).toMatchObject({
      code: 'unknown_part',
      reason:
        'part: flux_capacitor is not a part of RO-400 (its parts: pp_sediment, carbon, ro_membrane, post_carbon)'
    })
    const rows = await app.influx.rows(`SELECT * FROM device_events WHERE device = 'parts-1'`)
    expect(rows.map((r) => r.part)).toEqual(['carbon'])
  })

  it('when two samples share ts and their seq differs by 10^6, then both are stored; when an upload carries the same identity twice with other values, then the second is dead-lettered, and a true repeat is stored once', async () => {
    const { secret } = await app.provision({ id: 'seq-1' })
    const device = await connectDevice(app.mqttPort, 'seq-1', secret)
    clients.push(device)
    const ts = Date.now() - 5000
    const sample = (seq: number, tdsIn: number) => ({ ts, seq, litersTotal: 10, tdsIn, tdsOut: 9 })
    await publishAcked(device, 'devices/seq-1/telemetry', JSON.stringify(sample(7, 150)))
    await publishAcked(device, 'devices/seq-1/telemetry', JSON.stringify(sample(1_000_007, 151)))
    await publishAcked(device, 'devices/seq-1/telemetry', JSON.stringify(sample(3_000_000_007, 152)))
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'seq-1')).toBe(3)
    const seqs = await app.influx.rows(`SELECT seq FROM purifier_telemetry WHERE device = 'seq-1'`)
    expect(seqs.map((r) => Number(r.seq)).sort((a, b) => a - b)).toEqual([7, 1_000_007, 3_000_000_007])

    await publishAcked(
      device,
      'devices/seq-1/telemetry',
      JSON.stringify({ samples: [sample(9, 160), sample(9, 160), sample(9, 170)] })
    )
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'seq-1')).toBe(4)
    const [kept] = await app.influx.rows(
      `SELECT tdsIn FROM purifier_telemetry WHERE device = 'seq-1' AND seq = 9`
    )
    expect(kept?.tdsIn).toBe(160)
    const conflicts = (await letters('seq-1')).filter((l) => l.code === 'conflicting_duplicate')
    expect(conflicts).toHaveLength(1)
    expect(conflicts[0]?.reason).toBe(
      'samples[2]: the same ts and seq as samples[0] with other values (kept here, not overwriting it)'
    )
    expect(JSON.parse(conflicts[0]?.payload ?? '{}')).toMatchObject({ seq: 9, tdsIn: 170 })
  })

  it('when a later message resends a stored sample’s ts and seq with other values, then it is dead-lettered and the stored one kept; sent again the same, it changes nothing', async () => {
    const { secret } = await app.provision({ id: 'resend-1' })
    const device = await connectDevice(app.mqttPort, 'resend-1', secret)
    clients.push(device)
    const ts = Date.now() - 60000
    const sample = (seq: number, tdsIn: number, at = ts) => ({
      ts: at,
      seq,
      litersTotal: 10 + seq,
      tdsIn,
      tdsOut: 9
    })
    await publishAcked(device, 'devices/resend-1/telemetry', JSON.stringify(sample(1, 150)))
    await publishAcked(device, 'devices/resend-1/telemetry', JSON.stringify(sample(2, 151, ts + 1000)))
    // the first one again, the same: a true resend overwrites itself
    await publishAcked(device, 'devices/resend-1/telemetry', JSON.stringify(sample(1, 150)))
    // the first one again with another reading, alone and inside an upload with a new sample
    await publishAcked(device, 'devices/resend-1/telemetry', JSON.stringify(sample(1, 999)))
    await publishAcked(
      device,
      'devices/resend-1/telemetry',
      JSON.stringify({ samples: [sample(1, 998), sample(3, 152, ts + 2000)] })
    )
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'resend-1')).toBe(3)
    const [kept] = await app.influx.rows(
      `SELECT tdsIn FROM purifier_telemetry WHERE device = 'resend-1' AND seq = 1`
    )
    expect(kept?.tdsIn).toBe(150)
    const conflicts = (await letters('resend-1')).filter((l) => l.code === 'conflicting_duplicate')
    expect(conflicts.map((c) => JSON.parse(c.payload).tdsIn).sort()).toEqual([998, 999])
    expect(conflicts[0]?.reason).toBe(
      'the same ts and seq as a sample already stored, with another tdsIn (the stored one is kept)'
    )
  })

  it('when dead letters are listed, then they come a page at a time with a cursor and each payload cut short; one by id has it whole', async () => {
    const { secret } = await app.provision({ id: 'pages-1' })
    const device = await connectDevice(app.mqttPort, 'pages-1', secret)
    clients.push(device)
    const big = `{"junk":"${'x'.repeat(10000)}`
    for (let i = 0; i < 5; i++) await publishAcked(device, 'devices/pages-1/telemetry', `${big}${i}`)
    const page = async (query: string) =>
      (
        await app.api.inject({
          method: 'GET',
          url: `/dead-letters?device=pages-1&limit=2${query}`,
          headers: { authorization: `Bearer ${app.adminToken}` }
        })
      ).json<{ deadLetters: { id: number; payload: string; payloadLength: number }[]; next: number | null }>()
    const first = await page('')
    expect(first.deadLetters).toHaveLength(2)
    expect(
      first.deadLetters.every((l) => l.payload.length === 2000 && l.payloadLength === big.length + 1)
    ).toBe(true)
    const second = await page(`&before=${first.next}`)
    const third = await page(`&before=${second.next}`)
    expect(third.deadLetters).toHaveLength(1)
    expect(third.next).toBeNull()
    const ids = [...first.deadLetters, ...second.deadLetters, ...third.deadLetters].map((l) => l.id)
    expect(new Set(ids).size).toBe(5)
    const whole = await app.api.inject({
      method: 'GET',
      url: `/dead-letters/${ids[4]}`,
      headers: { authorization: `Bearer ${app.adminToken}` }
    })
    expect(whole.json<{ payload: string }>().payload).toBe(`${big}0`)
    const missing = await app.api.inject({
      method: 'GET',
      url: '/dead-letters/999999',
      headers: { authorization: `Bearer ${app.adminToken}` }
    })
    expect(missing.statusCode).toBe(404)
  })

  it('when a counter goes backwards, then the sample is kept, marked and counted; an older upload after it is not marked', async () => {
    const { secret } = await app.provision({ id: 'back-1' })
    const device = await connectDevice(app.mqttPort, 'back-1', secret)
    clients.push(device)
    const t = Date.now() - 60000
    const sample = (seq: number, ts: number, litersTotal: number) =>
      JSON.stringify({ ts, seq, litersTotal, tdsIn: 200 })
    await publishAcked(device, 'devices/back-1/telemetry', sample(1, t, 500))
    await publishAcked(device, 'devices/back-1/telemetry', sample(2, t + 1000, 3))
    await publishAcked(device, 'devices/back-1/telemetry', sample(3, t + 2000, 4))
    // an upload from before (an outage) is history, not a counter going backwards
    await publishAcked(device, 'devices/back-1/telemetry', sample(4, t - 5000, 480))
    const rows = await app.influx.rows(
      `SELECT litersTotal, counterBackwards FROM purifier_telemetry WHERE device = 'back-1'`
    )
    expect(rows.map((r) => [r.litersTotal, r.counterBackwards ?? null])).toEqual([
      [480, null],
      [500, null],
      [3, true],
      [4, null]
    ])
    const stats = await app.api.inject({
      method: 'GET',
      url: '/pipeline/stats',
      headers: { authorization: `Bearer ${app.adminToken}` }
    })
    expect(
      stats.json<{ ingest: { countersBackwards: number } }>().ingest.countersBackwards
    ).toBeGreaterThanOrEqual(1)
  })
})
