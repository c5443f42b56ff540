import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('HTTP API', () => {
  let app: TestAftercare
  let provisioner: string
  let planner: string
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })

  beforeAll(async () => {
    app = await startTestAftercare()
    provisioner = (await app.registry.createAccount('factory', ['provisioner'])).token
    planner = (await app.registry.createAccount('planning', ['planner'])).token
    await app.outlets.upsert({ code: 'bj-02', regions: ['cn-north'], capacityPerDay: 8 })
  })
  afterAll(async () => app?.close())

  it('when a provisioner posts a device, then it gets the secret once and the store keeps only a salted hash', async () => {
    const res = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: auth(provisioner),
      payload: {
        id: 'api-1',
        kind: 'machine',
        model: 'PUMP-52',
        region: 'cn-north',
        outlet: 'bj-02',
        deliveredOn: '2026-03-01'
      }
    })
    expect(res.statusCode).toBe(201)
    const body = res.json<{ secret: string; device: Record<string, unknown> }>()
    expect(body.device).toMatchObject({
      id: 'api-1',
      kind: 'machine',
      deliveredOn: '2026-03-01',
      disabled: false
    })
    expect(body.secret.length).toBeGreaterThanOrEqual(24)
    const stored = await app.sql.query<{ secret_hash: string }>(
      `SELECT secret_hash FROM devices WHERE id = 'api-1'`
    )
    expect(stored.rows[0]?.secret_hash).toMatch(/^sha256\$/)
    expect(stored.rows[0]?.secret_hash).not.toContain(body.secret)
    const read = await app.api.inject({ method: 'GET', url: '/devices/api-1', headers: auth(planner) })
    expect(read.statusCode).toBe(200)
    expect(read.body).not.toContain(body.secret)
    expect(read.json()).not.toHaveProperty('secret')
  })

  it('when there is no token or a wrong one, then writes are refused with 401', async () => {
    const payload = { id: 'api-2', kind: 'purifier', model: 'RO-400', region: 'cn-east' }
    expect((await app.api.inject({ method: 'POST', url: '/devices', payload })).statusCode).toBe(401)
    const wrong = await app.api.inject({
      method: 'POST',
      url: '/devices',
      payload,
      headers: auth('factory.not-the-secret')
    })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json()).toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  it('when a planner tries to provision, then the role check answers 403', async () => {
    const res = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: auth(planner),
      payload: { id: 'api-3', kind: 'purifier', model: 'RO-400', region: 'cn-east' }
    })
    expect(res.statusCode).toBe(403)
  })

  it('when a device body is invalid, then 400 names the field', async () => {
    const res = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: auth(provisioner),
      payload: { id: 'bad id!', kind: 'toaster', model: 'RO-400', region: 'cn-east' }
    })
    expect(res.statusCode).toBe(400)
    expect(res.json<{ message: string }>().message).toMatch(/id/)
    expect(res.json<{ message: string }>().message).toMatch(/kind/)
  })

  it('when a device id is taken, then 409', async () => {
    const payload = { id: 'api-dup', kind: 'purifier', model: 'RO-400', region: 'cn-east' }
    expect(
      (await app.api.inject({ method: 'POST', url: '/devices', headers: auth(provisioner), payload }))
        .statusCode
    ).toBe(201)
    const again = await app.api.inject({
      method: 'POST',
      url: '/devices',
      headers: auth(provisioner),
      payload
    })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'DEVICE_EXISTS' })
  })

  it('when a secret is rotated and a device disabled over HTTP, then the registry reflects both', async () => {
    await app.provision({ id: 'api-rot' })
    const rotated = await app.api.inject({
      method: 'POST',
      url: '/devices/api-rot/secret',
      headers: auth(provisioner)
    })
    expect(rotated.statusCode).toBe(200)
    expect(
      await app.registry.authenticateDevice('api-rot', rotated.json<{ secret: string }>().secret)
    ).toMatchObject({ id: 'api-rot' })
    const disabled = await app.api.inject({
      method: 'POST',
      url: '/devices/api-rot/disable',
      headers: auth(provisioner)
    })
    expect(disabled.json()).toMatchObject({ disabled: true })
    const missing = await app.api.inject({
      method: 'POST',
      url: '/devices/nope/disable',
      headers: auth(provisioner)
    })
    expect(missing.statusCode).toBe(404)
  })

  it('when the stores are up, then /health says so per store without a token', async () => {
    const res = await app.api.inject({ method: 'GET', url: '/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      ok: true,
      checks: { influxdb: { ok: true }, postgres: { ok: true, detail: 'pglite' } }
    })
  })

  it('when OpenAPI is requested, then /docs/json lists the device routes', async () => {
    const res = await app.api.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    expect(Object.keys(res.json<{ paths: object }>().paths)).toEqual(
      expect.arrayContaining(['/devices', '/devices/{id}', '/health'])
    )
  })

  it('when dead letters exist, then a planner can list them with counts by code', async () => {
    await app.ingest.handle(
      { id: 'api-1', kind: 'machine', model: 'PUMP-52', region: 'cn-north', outlet: null },
      'devices/api-1/telemetry',
      Buffer.from('{oops')
    )
    const res = await app.api.inject({
      method: 'GET',
      url: '/dead-letters?device=api-1',
      headers: auth(planner)
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      counts: { bad_json: 1 },
      deadLetters: [{ deviceId: 'api-1', code: 'bad_json', payload: '{oops' }]
    })
  })

  it('when an admin creates a service account, then its token authenticates with the given roles', async () => {
    const res = await app.api.inject({
      method: 'POST',
      url: '/accounts',
      headers: auth(app.adminToken),
      payload: { name: 'tech', roles: ['technician'] }
    })
    expect(res.statusCode).toBe(201)
    const { token } = res.json<{ token: string }>()
    expect(await app.registry.authenticateToken(token)).toMatchObject({ name: 'tech', roles: ['technician'] })
    const notAdmin = await app.api.inject({
      method: 'POST',
      url: '/accounts',
      headers: auth(token),
      payload: { name: 'x', roles: ['admin'] }
    })
    expect(notAdmin.statusCode).toBe(403)
  })
})
