import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { MqttClient } from 'mqtt'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../app/api-client.js'
import { importFleetFile } from '../../app/device-import-command.js'
import { hashSecret } from '../../registry/secrets.js'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { tempDir } from '../helpers/stores.js'

const SITE = {
  name: 'Wang Fang',
  address: '88 Nanjing Road, Huangpu, Shanghai',
  phone: '+86 21 5555 0101',
  lat: 31.2304,
  lon: 121.4737
}

describe('devices with customer sites, and fleets imported in bulk', () => {
  let app: TestAftercare
  const logged: string[] = []
  const files = tempDir('aftercare-import-')
  const clients: MqttClient[] = []
  const tokens: Record<string, string> = {}
  const get = (url: string, who: string) =>
    app.api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` } })

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString())
        done()
      }
    })
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 }, pino({ level: 'trace' }, sink))
    await app.outlets.upsert({ code: 'gz-01', regions: ['cn-south'], capacityPerDay: 8 })
    for (const [name, roles, outlet] of [
      ['tech-sh', ['technician'], 'sh-01'],
      ['tech-gz', ['technician'], 'gz-01'],
      ['planner', ['planner'], null],
      ['factory', ['provisioner'], null]
    ] as const)
      tokens[name] = (await app.registry.createAccount(name, [...roles], outlet)).token
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    await app?.close()
    files.remove()
  })

  it("when site fields are set, then only the planner and the device's own outlet's technician read them, and they reach no InfluxDB point, log line or dead letter", async () => {
    const res = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: { authorization: `Bearer ${tokens.factory}` },
      payload: {
        id: 'site-1',
        kind: 'purifier',
        model: 'RO-400',
        region: 'cn-east',
        outlet: 'sh-01',
        site: SITE
      }
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json<{ device: { site?: unknown } }>().device.site).toBeUndefined()

    expect((await get('/devices/site-1', 'tech-sh')).json<{ site: unknown }>().site).toEqual(SITE)
    expect((await get('/devices/site-1', 'planner')).json<{ site: unknown }>().site).toEqual(SITE)
    expect((await get('/devices/site-1', 'tech-gz')).json<{ site?: unknown }>().site).toBeUndefined()
    expect((await get('/devices/site-1', 'factory')).json<{ site?: unknown }>().site).toBeUndefined()
    const listed = (await get('/devices?limit=1000', 'tech-gz')).json<{
      devices: { id: string; site?: unknown }[]
    }>()
    expect(listed.devices.find((d) => d.id === 'site-1')?.site).toBeUndefined()

    // the device reports good data, bad data, an event and a topic it may not use; a pass plans it
    const secret = res.json<{ secret: string }>().secret
    const c = await connectDevice(app.mqttPort, 'site-1', secret)
    clients.push(c)
    await publishAcked(c, 'devices/site-1/telemetry', purifierSample(1, Date.now() - 60000))
    await publishAcked(
      c,
      'devices/site-1/telemetry',
      JSON.stringify({ ts: Date.now(), seq: 2, tdsOut: 'high' })
    )
    await publishAcked(c, 'devices/site-1/events', JSON.stringify({ ts: Date.now(), type: 'leak' }))
    await publishAcked(c, 'devices/site-1/diagnostics', '{"x":1}')
    await app.api.inject({
      method: 'POST',
      url: '/plan/run',
      headers: { authorization: `Bearer ${tokens.planner}` }
    })

    const measurements = (await app.influx.rows('SHOW MEASUREMENTS')).map((r) => String(r.name))
    expect(measurements).toEqual(
      expect.arrayContaining(['purifier_telemetry', 'device_events', 'component_health'])
    )
    const influx = [
      ...(await Promise.all(measurements.map((m) => app.influx.rows(`SELECT * FROM "${m}"`)))),
      await app.influx.rows('SHOW TAG VALUES WITH KEY =~ /.*/')
    ]
    const letters = await app.api.inject({
      method: 'GET',
      url: '/dead-letters?device=site-1',
      headers: { authorization: `Bearer ${tokens.planner}` }
    })
    expect(letters.json<{ deadLetters: unknown[] }>().deadLetters.length).toBeGreaterThanOrEqual(2)
    expect(logged.length).toBeGreaterThan(0)
    const everywhere = [JSON.stringify(influx), letters.body, logged.join('')]
    for (const text of everywhere)
      for (const value of [SITE.name, SITE.address, SITE.phone, String(SITE.lat), 'Nanjing'])
        expect(text).not.toContain(value)
  })

  it('when 10,000 devices are imported from CSV with three bad rows, then nothing is imported and the three rows are named; fixed, all are imported, again nothing changes, and imported secrets log in', async () => {
    const fieldSecret = 'field-secret-of-imp-00001'
    const hashedSecret = 'another-field-secret-0002'
    const rows = Array.from({ length: 10000 }, (_, i) => {
      const id = `imp-${String(i).padStart(5, '0')}`
      const secret = i === 1 ? fieldSecret : ''
      return {
        id,
        kind: 'purifier',
        model: i % 2 ? 'RO-600' : 'RO-400',
        region: 'cn-east',
        outlet: 'sh-01',
        secret,
        site_phone: ''
      }
    })
    const hashOf2 = await hashSecret(hashedSecret)
    const csv = (bad: boolean) =>
      [
        'id,kind,model,region,outlet,delivered_on,site_name,site_phone,secret,secret_hash',
        ...rows.map((r, i) => {
          const model = bad && i === 10 ? 'RO5-Home' : r.model
          const region = bad && i === 500 ? 'cn-south' : r.region
          const phone = bad && i === 9999 ? 'call me' : '+86 21 5555 0000'
          const hash = i === 2 ? hashOf2 : ''
          return [
            r.id,
            r.kind,
            model,
            region,
            r.outlet,
            '2026-01-15',
            `Customer ${i}`,
            phone,
            r.secret,
            hash
          ].join(',')
        })
      ].join('\n')
    const file = path.join(files.dir, 'fleet.csv')
    const api = new ApiClient(app.endpoints.api, tokens.factory ?? '')
    const count = async () =>
      Number(
        (await app.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM devices WHERE id LIKE 'imp-%'`))
          .rows[0]?.n
      )

    writeFileSync(file, csv(true))
    const refused = await importFleetFile(api, file, { secrets: path.join(files.dir, 'never.csv') })
    expect(refused).toMatchObject({ rows: 10000, failed: 3, written: false })
    // file lines: the header is line 1, row i is line i + 2
    expect(refused.errors.map((e) => [e.row, e.column])).toEqual([
      [12, 'model'],
      [502, 'region'],
      [10001, 'site_phone']
    ])
    expect(refused.errors[0]?.message).toMatch(/unknown model RO5-Home/)
    expect(await count()).toBe(0)

    writeFileSync(file, csv(false))
    const secrets = path.join(files.dir, 'secrets.csv')
    const imported = await importFleetFile(api, file, { secrets })
    expect(imported).toMatchObject({
      rows: 10000,
      created: 10000,
      failed: 0,
      written: true,
      secretsFile: secrets
    })
    expect(await count()).toBe(10000)
    expect(statSync(secrets).mode & 0o777).toBe(0o600)
    const issued = readFileSync(secrets, 'utf8').trim().split('\n').slice(1)
    expect(issued).toHaveLength(9998)
    expect(issued.some((l) => l.startsWith('imp-00001,') || l.startsWith('imp-00002,'))).toBe(false)

    const again = await importFleetFile(api, file, { secrets: path.join(files.dir, 'again.csv') })
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 10000 })

    for (const [id, secret] of <[string, string][]>[
      ['imp-00001', fieldSecret],
      ['imp-00002', hashedSecret],
      ['imp-00003', issued.find((l) => l.startsWith('imp-00003,'))?.split(',')[1] ?? '']
    ]) {
      const c = await connectDevice(app.mqttPort, id, secret)
      clients.push(c)
      await publishAcked(c, `devices/${id}/telemetry`, purifierSample(1))
    }
    await expect(connectDevice(app.mqttPort, 'imp-00001', 'a-wrong-secret-entirely')).rejects.toThrow()
    const site = (await get('/devices/imp-00042', 'tech-sh')).json<{ site: { name: string } }>().site
    expect(site.name).toBe('Customer 42')
  }, 120000)
})
