import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDevice, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'

describe('service accounts: disabled, rotated, and held to a number of connections', () => {
  let app: TestAftercare
  const clients: MqttClient[] = []
  const admin = () => ({ authorization: `Bearer ${app.adminToken}` })

  beforeAll(async () => {
    app = await startTestAftercare({ MQTT_SERVICE_CONNECTIONS: 2 })
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    await app?.close()
  })

  it('when a service account is disabled, then its token is refused by the API and the broker and its MQTT session ends; enabled, it works again', async () => {
    const { token } = await app.registry.createAccount('ops', ['planner', 'mqtt-read'])
    const asOps = () =>
      app.api.inject({ method: 'GET', url: '/outlets', headers: { authorization: `Bearer ${token}` } })
    expect((await asOps()).statusCode).toBe(200)
    const reader = await connectDevice(app.mqttPort, 'svc:ops', token, { username: 'svc:ops' })
    clients.push(reader)
    const off = await app.api.inject({ method: 'POST', url: '/accounts/ops/disable', headers: admin() })
    expect(off.json()).toMatchObject({ name: 'ops', disabled: true })
    expect((await asOps()).statusCode).toBe(401)
    await eventually(async () => !reader.connected, 'the session to end')
    await expect(connectDevice(app.mqttPort, 'svc:ops:2', token, { username: 'svc:ops' })).rejects.toThrow()
    await app.api.inject({ method: 'POST', url: '/accounts/ops/enable', headers: admin() })
    expect((await asOps()).statusCode).toBe(200)
  })

  it('when a token is rotated, then the old one stops working at once and the new one works', async () => {
    const { token: old } = await app.registry.createAccount('tools', ['planner', 'mqtt-read'])
    const session = await connectDevice(app.mqttPort, 'svc:tools', old, { username: 'svc:tools' })
    clients.push(session)
    const rotated = await app.api.inject({ method: 'POST', url: '/accounts/tools/token', headers: admin() })
    const fresh = rotated.json<{ token: string }>().token
    expect(fresh).not.toBe(old)
    const as = (t: string) =>
      app.api.inject({ method: 'GET', url: '/outlets', headers: { authorization: `Bearer ${t}` } })
    expect((await as(old)).statusCode).toBe(401)
    expect((await as(fresh)).statusCode).toBe(200)
    await eventually(async () => !session.connected, 'the old session to end')
    clients.push(await connectDevice(app.mqttPort, 'svc:tools', fresh, { username: 'svc:tools' }))
    const missing = await app.api.inject({ method: 'POST', url: '/accounts/nobody/token', headers: admin() })
    expect(missing.statusCode).toBe(404)
  })

  it('when a service account opens more connections than its cap, then the extra one is refused; a reconnect of a held one is not', async () => {
    const { token } = await app.registry.createAccount('many', ['mqtt-read'])
    const open = (id: string) => connectDevice(app.mqttPort, id, token, { username: 'svc:many' })
    clients.push(await open('svc:many:1'), await open('svc:many:2'))
    await expect(open('svc:many:3')).rejects.toThrow()
    clients.push(await open('svc:many:2'))
  })

  it('when two connections race for an account’s last place, then only one gets it', async () => {
    const { token } = await app.registry.createAccount('racing', ['mqtt-read'])
    const open = (id: string) => connectDevice(app.mqttPort, id, token, { username: 'svc:racing' })
    clients.push(await open('svc:racing:1'))
    const raced = await Promise.allSettled([open('svc:racing:2'), open('svc:racing:3')])
    for (const r of raced) if (r.status === 'fulfilled') clients.push(r.value)
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })
})
