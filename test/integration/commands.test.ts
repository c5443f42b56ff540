import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDevice, startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'

interface Persistence {
  outgoingEnqueueCombi(subs: unknown[], packet: { topic: string }): Promise<void>
}

describe('service commands through the broker', () => {
  let app: TestAftercare
  let token: string
  const clients: MqttClient[] = []
  beforeAll(async () => {
    app = await startTestAftercare()
    token = (await app.registry.createAccount('ops', ['mqtt-command'])).token
  })
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true)
    await app.close()
  })

  const connect = async (id: string, secret: string, options = {}) => {
    const client = await connectDevice(app.mqttPort, id, secret, options)
    clients.push(client)
    return client
  }

  it('when a service publishes a QoS 1 command for an offline device, then the command is queued in its session before the PUBACK reaches the service', async () => {
    const { secret } = await app.provision({ id: 'cmd-offline' })
    const device = await connect('cmd-offline', secret, { clean: false })
    await device.subscribeAsync('devices/cmd-offline/commands', { qos: 1 })
    await device.endAsync()

    // the real session store, made slow: a node dying inside this window must not lose an acknowledged command
    const persistence = (app.broker.aedes as unknown as { persistence: Persistence }).persistence
    const enqueue = persistence.outgoingEnqueueCombi.bind(persistence)
    const queued: string[] = []
    persistence.outgoingEnqueueCombi = async (subs, packet) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      await enqueue(subs, packet)
      if (subs.length > 0) queued.push(packet.topic)
    }
    try {
      const ops = await connect('svc:ops', token, { username: 'svc:ops' })
      await ops.publishAsync('devices/cmd-offline/commands', '{"do":"flush"}', { qos: 1 })
      expect(queued).toEqual(['devices/cmd-offline/commands'])
    } finally {
      persistence.outgoingEnqueueCombi = enqueue
    }

    // and it is delivered once when the device is back
    const received: string[] = []
    const again = await connect('cmd-offline', secret, { clean: false })
    again.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`))
    await eventually(async () => received.length > 0, 'the queued command', 10000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(received).toEqual(['devices/cmd-offline/commands {"do":"flush"}'])
  })

  it('when a device is online, then it receives each QoS 1 command of a service exactly once', async () => {
    const { secret } = await app.provision({ id: 'cmd-online' })
    const device = await connect('cmd-online', secret, { clean: false })
    await device.subscribeAsync('devices/cmd-online/commands/#', { qos: 1 })
    const received: string[] = []
    device.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`))
    // a reading service subscribed to everything under devices/ sees each command once too
    const reader = (await app.registry.createAccount('watch', ['mqtt-read'])).token
    const watcher = await connect('svc:watch', reader, { username: 'svc:watch' })
    await watcher.subscribeAsync('devices/#', { qos: 1 })
    const watched: string[] = []
    watcher.on('message', (topic) => watched.push(topic))
    const ops = await connect('svc:ops:2', token, { username: 'svc:ops' })
    for (let i = 0; i < 5; i++)
      await ops.publishAsync(`devices/cmd-online/commands/${i % 2 ? 'a' : 'b'}`, `{"n":${i}}`, { qos: 1 })
    await eventually(async () => received.length >= 5, 'five commands', 10000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(received).toEqual(
      [0, 1, 2, 3, 4].map((i) => `devices/cmd-online/commands/${i % 2 ? 'a' : 'b'} {"n":${i}}`)
    )
    expect(watched.filter((t) => t.startsWith('devices/cmd-online/commands'))).toHaveLength(5)
  })
})
