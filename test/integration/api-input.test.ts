import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPacket, publishQos1RawTopic, rawConnect } from '../helpers/raw-mqtt.js'
import { purifierSample, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('bad input at the edge: a 4xx that names the field, never a 500', () => {
  let app: TestAftercare
  const long = 'x'.repeat(5000)
  const auth = () => ({ authorization: `Bearer ${app.adminToken}` })

  beforeAll(async () => {
    app = await startTestAftercare()
  })
  afterAll(async () => app?.close())

  const cases: {
    what: string
    method: 'GET' | 'POST' | 'PUT'
    url: string
    body?: object
    field: string
    status?: number
  }[] = [
    {
      what: 'GET /plan?from=2026-13-45',
      method: 'GET',
      url: '/plan?from=2026-13-45',
      field: 'querystring.from'
    },
    {
      what: 'GET /plan?from=2026-02-30',
      method: 'GET',
      url: '/plan?from=2026-02-30',
      field: 'querystring.from'
    },
    {
      what: 'GET /plan?from=9999-12-31',
      method: 'GET',
      url: '/plan?from=9999-12-31',
      field: 'querystring.from'
    },
    { what: 'GET /plan?to=%00', method: 'GET', url: '/plan?to=%00', field: 'querystring.to' },
    {
      what: 'GET /plan?outlet=<5,000 characters>',
      method: 'GET',
      url: `/plan?outlet=${long}`,
      field: 'querystring.outlet'
    },
    {
      what: 'GET /dead-letters?code=%00',
      method: 'GET',
      url: '/dead-letters?code=%00',
      field: 'querystring.code'
    },
    {
      what: 'GET /dead-letters?device=%00',
      method: 'GET',
      url: '/dead-letters?device=%00',
      field: 'querystring.device'
    },
    {
      what: 'GET /dead-letters?device=<5,000 characters>',
      method: 'GET',
      url: `/dead-letters?device=${long}`,
      field: 'querystring.device'
    },
    {
      what: 'GET /devices?region=%00',
      method: 'GET',
      url: '/devices?region=%00',
      field: 'querystring.region'
    },
    {
      what: 'GET /devices/<5,000 characters>',
      method: 'GET',
      url: `/devices/${long}`,
      field: 'params',
      status: 414
    },
    { what: 'GET /devices/a%00b/health', method: 'GET', url: '/devices/a%00b/health', field: 'params.id' },
    {
      what: 'GET /orders?outlet=%00',
      method: 'GET',
      url: '/orders?outlet=%00',
      field: 'querystring.outlet'
    },
    {
      what: 'GET /orders?status=lost',
      method: 'GET',
      url: '/orders?status=lost',
      field: 'querystring.status'
    },
    {
      what: 'GET /complaints?outlet=%00',
      method: 'GET',
      url: '/complaints?outlet=%00',
      field: 'querystring.outlet'
    },
    {
      what: 'GET /complaints?month=2026-00',
      method: 'GET',
      url: '/complaints?month=2026-00',
      field: 'querystring.month'
    },
    { what: 'GET /kpis?month=%00', method: 'GET', url: '/kpis?month=%00', field: 'querystring.month' },
    {
      what: 'GET /run-outs?month=9999-99',
      method: 'GET',
      url: '/run-outs?month=9999-99',
      field: 'querystring.month'
    },
    {
      what: 'GET /catalogue?version=one',
      method: 'GET',
      url: '/catalogue?version=one',
      field: 'querystring.version'
    },
    {
      what: 'POST /orders/1/reschedule { visitDay: ’2026-02-30’ }',
      method: 'POST',
      url: '/orders/1/reschedule',
      body: { visitDay: '2026-02-30' },
      field: 'body.visitDay'
    },
    {
      what: 'POST /orders/abc/transition { to: ’scheduled’ }',
      method: 'POST',
      url: '/orders/abc/transition',
      body: { to: 'scheduled' },
      field: 'params.id'
    },
    {
      what: 'POST /devices { id: ’in-2’, kind: ’purifier’, model: ’<5,000 characters>’, region: ’cn-east’ }',
      method: 'POST',
      url: '/devices',
      body: { id: 'in-2', kind: 'purifier', model: long, region: 'cn-east' },
      field: 'body.model'
    },
    {
      what: 'PUT /outlets/sh-01 { regions: [’a\\u0000’], capacityPerDay: 2 }',
      method: 'PUT',
      url: '/outlets/sh-01',
      body: { regions: ['a\u0000'], capacityPerDay: 2 },
      field: 'body.regions.0'
    },
    {
      what: 'POST /accounts { name: ’ok’, roles: [’admin’], outlet: ’<5,000 characters>’ }',
      method: 'POST',
      url: '/accounts',
      body: { name: 'ok', roles: ['admin'], outlet: long },
      field: 'body.outlet'
    }
  ]

  it.each(cases)('when $what, then a 4xx names $field', async ({ method, url, body, field, status }) => {
    const res = await app.api.inject({ method, url, headers: auth(), ...(body ? { payload: body } : {}) })
    expect(res.statusCode, res.body).toBe(status ?? 400)
    expect(res.json<{ message: string }>().message).toContain(field)
  })

  it('when a device is provisioned with a delivery date more than a day ahead, then 400 names deliveredOn', async () => {
    const res = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: auth(),
      payload: {
        id: 'late-1',
        kind: 'purifier',
        model: 'RO-400',
        region: 'cn-east',
        deliveredOn: '9999-12-31'
      }
    })
    expect(res.statusCode).toBe(400)
    expect(res.json<{ message: string }>().message).toMatch(/^deliveredOn: 9999-12-31 is in the future/)
    const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10)
    const ok = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: auth(),
      payload: { id: 'late-2', kind: 'purifier', model: 'RO-400', region: 'cn-east', deliveredOn: tomorrow }
    })
    expect(ok.statusCode).toBe(201)
  })

  it('when a route does not exist, then the 404 has the same shape as every other error', async () => {
    const res = await app.api.inject({ method: 'GET', url: '/nope?x=1', headers: auth() })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /nope' })
  })

  it('when a JSON body holds __proto__, then it is refused by name; an empty body says the body is required', async () => {
    const proto = await app.api.inject({
      method: 'POST',
      url: '/accounts',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"name":"p1","roles":["planner"],"__proto__":{"admin":true}}'
    })
    expect(proto.statusCode).toBe(400)
    expect(proto.json<{ message: string }>().message).toBe('body: the key __proto__ is refused')
    const empty = await app.api.inject({
      method: 'POST',
      url: '/accounts',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: ''
    })
    expect(empty.statusCode).toBe(400)
    expect(empty.json<{ message: string }>().message).toMatch(/^body: /)
  })

  it('when a role is missing, then the refusal lists each role once', async () => {
    const planner = (await app.registry.createAccount('only-planner', ['planner'])).token
    const res = await app.api.inject({
      method: 'POST',
      url: '/accounts',
      headers: { authorization: `Bearer ${planner}` },
      payload: { name: 'x', roles: ['planner'] }
    })
    expect(res.statusCode).toBe(403)
    expect(res.json<{ message: string }>().message).toBe('this needs one of the roles: admin')
  })

  it('when a device publishes to a topic holding NUL or invalid UTF-8, then its connection is closed without PUBACK [MQTT-1.5.3]', async () => {
    const { secret } = await app.provision({ id: 'utf-1' })
    for (const topic of [
      Buffer.from('devices/utf-1/tele\u0000metry'),
      Buffer.from([...Buffer.from('devices/utf-1/'), 0xc3, 0x28])
    ]) {
      const socket = await rawConnect(app.mqttPort, connectPacket('utf-1', 'utf-1', secret, 30))
      const received: Buffer[] = []
      socket.on('data', (d) => received.push(d))
      socket.write(publishQos1RawTopic(topic, 1, Buffer.from(purifierSample(1))))
      await new Promise((r) => socket.once('close', r))
      expect(received.some((d) => d[0] === 0x40)).toBe(false)
    }
  })

  it('when a device publishes to an unknown subtopic, then the dead letter names it', async () => {
    const { secret } = await app.provision({ id: 'sub-1' })
    const socket = await rawConnect(app.mqttPort, connectPacket('sub-1', 'sub-1', secret, 30))
    socket.write(publishQos1RawTopic(Buffer.from('devices/sub-1/diagnostics/x'), 1, Buffer.from('{}')))
    await new Promise((r) => socket.once('data', r))
    socket.destroy()
    const letters = await app.api.inject({
      method: 'GET',
      url: '/dead-letters?device=sub-1',
      headers: auth()
    })
    expect(letters.json<{ deadLetters: { reason: string }[] }>().deadLetters[0]?.reason).toBe(
      'devices publish to telemetry or events, not to diagnostics/x'
    )
  })
})
