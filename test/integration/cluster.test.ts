import { randomBytes } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { connectDevice, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { freshPostgresDatabase } from '../helpers/local-postgres.js'
import { eventually } from '../helpers/stores.js'

/** Resolves with the next message a client receives on a topic. */
function nextMessage(client: MqttClient, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return
      client.off('message', onMessage)
      resolve(payload.toString())
    }
    client.on('message', onMessage)
  })
}

describe('cluster mode: two nodes sharing Redis, PostgreSQL and InfluxDB', () => {
  const nodes: Record<'a' | 'b', TestAftercare | undefined> = { a: undefined, b: undefined }
  let shared: Record<string, string> = {}
  let secret = ''
  let opsToken = ''
  const startNode = async (name: 'a' | 'b') => {
    nodes[name] = await startTestAftercare(shared)
    return nodes[name]
  }
  const node = (name: 'a' | 'b') => nodes[name] as TestAftercare

  beforeAll(async () => {
    const databaseUrl = await freshPostgresDatabase(
      inject('postgresUrl'),
      `t_${randomBytes(6).toString('hex')}`
    )
    shared = { DATABASE_URL: databaseUrl, REDIS_URL: `${inject('redisUrl')}/1` }
    const a = await startNode('a')
    // node b writes to the same InfluxDB database as node a
    shared = { ...shared, INFLUX_DB: a.config.INFLUX_DB }
    await startNode('b')
    secret = (await a.provision({ id: 'cl-1' })).secret
    opsToken = (await a.registry.createAccount('ops', ['mqtt-command'])).token
  })
  afterAll(async () => {
    await nodes.a?.close()
    await nodes.b?.close()
  })

  it('when a device is connected to node A and a service publishes a command through node B, then the device receives it', async () => {
    const device = await connectDevice(node('a').mqttPort, 'cl-1', secret)
    await device.subscribeAsync('devices/cl-1/commands', { qos: 1 })
    const ops = await connectDevice(node('b').mqttPort, 'svc:ops', opsToken, { username: 'svc:ops' })
    const received = nextMessage(device, 'devices/cl-1/commands')
    await ops.publishAsync('devices/cl-1/commands', '{"do":"flush"}', { qos: 1 })
    expect(await received).toBe('{"do":"flush"}')
    device.end(true)
    ops.end(true)
  })

  it('when node A restarts while a device with a persistent session is offline and a command is queued through node B, then the device gets its session and the command back on node A', async () => {
    const options = { clean: false }
    const first = await connectDevice(node('a').mqttPort, 'cl-1', secret, options)
    await first.subscribeAsync('devices/cl-1/commands', { qos: 1 })
    await first.endAsync()
    await node('a').close()
    nodes.a = undefined

    const ops = await connectDevice(node('b').mqttPort, 'svc:ops', opsToken, { username: 'svc:ops' })
    await ops.publishAsync('devices/cl-1/commands', '{"do":"replace-filter"}', { qos: 1 })
    ops.end(true)

    await startNode('a')
    // the queued command follows CONNACK at once: listen before connecting
    const received: string[] = []
    let sessionPresent = false
    const again = mqtt.connect(`mqtt://127.0.0.1:${node('a').mqttPort}`, {
      clientId: 'cl-1',
      username: 'cl-1',
      password: secret,
      reconnectPeriod: 0,
      ...options
    })
    again.on('connect', (connack) => (sessionPresent = connack.sessionPresent))
    again.on('message', (_t, payload) => received.push(payload.toString()))
    await eventually(async () => received.includes('{"do":"replace-filter"}'), 'the queued command', 10000)
    expect(sessionPresent).toBe(true)
    again.end(true)
  })

  it('when a device connected to node A is disabled through node B, then node A drops it and refuses its cached login', async () => {
    const device = await connectDevice(node('a').mqttPort, 'cl-1', secret)
    const closed = new Promise((r) => device.once('close', () => r(undefined)))
    await node('b').registry.setDisabled('cl-1', true)
    await closed
    await expect(connectDevice(node('a').mqttPort, 'cl-1', secret)).rejects.toThrow()
    await node('b').registry.setDisabled('cl-1', false)
  })

  it('when node A runs the planning pass, then node B is refused with node A named while A holds the lease, and A runs it again', async () => {
    // both nodes read their accounts from the shared PostgreSQL: one planner's token works on either
    const { token } = await node('a').registry.createAccount('cluster-planner', ['planner'])
    const run = (name: 'a' | 'b') =>
      fetch(`${node(name).endpoints.api}/plan/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` }
      })
    expect((await run('a')).status).toBe(200)
    const refused = await run('b')
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({
      code: 'PLAN_LEASE_HELD',
      message: expect.stringContaining(node('a').config.AFTERCARE_DATA_DIR)
    })
    expect((await run('a')).status).toBe(200)
  })
})
