import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDevice } from '../helpers/aftercare.js'
import { aftercareEnv, asAdmin, provisionOverApi, processesInTempDir } from '../helpers/process.js'
import { eventually } from '../helpers/stores.js'

describe('wills of a node that crashed', () => {
  const data = processesInTempDir()
  afterAll(() => data.stopAll())

  it('when devices set wills on another device’s topics and the node is killed and restarted, then after the will sweep nothing is published or retained there', async () => {
    // a short heartbeat: the restarted node sweeps the dead node's wills within seconds
    const { env } = await aftercareEnv(data.dir, { MQTT_HEARTBEAT_MS: '300' })
    const first = await data.spawn(env)
    const victim = await provisionOverApi(data.dir, first.apiPort, 'will-b')
    const b = await connectDevice(first.mqttPort, 'will-b', victim, { clean: false })
    await b.subscribeAsync('devices/will-b/commands/#', { qos: 1 })
    await b.endAsync()
    const targets = ['devices/will-b/commands/unlock', 'devices/will-b/status', 'devices/will-b/telemetry']
    for (const [i, topic] of targets.entries()) {
      const id = `will-a${i}`
      const secret = await provisionOverApi(data.dir, first.apiPort, id)
      await connectDevice(first.mqttPort, id, secret, {
        will: { topic, payload: Buffer.from('forged'), qos: 1, retain: true }
      })
    }
    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))

    const second = await data.spawn(env)
    const stats = async () =>
      (
        (await (await asAdmin(data.dir, second.apiPort, 'GET', '/pipeline/stats')).json()) as {
          broker: { droppedWills: number }
        }
      ).broker
    // the sweep runs every 4 heartbeats once the dead node has been silent for 3
    await new Promise((r) => setTimeout(r, 5000))

    const received: string[] = []
    const again = mqtt.connect(`mqtt://127.0.0.1:${second.mqttPort}`, {
      clientId: 'will-b',
      username: 'will-b',
      password: victim,
      clean: false,
      reconnectPeriod: 0
    })
    again.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`))
    await new Promise((r) => again.once('connect', r))
    const token = (
      (await (
        await asAdmin(data.dir, second.apiPort, 'POST', '/accounts', { name: 'reader', roles: ['mqtt-read'] })
      ).json()) as { token: string }
    ).token
    const reader = await connectDevice(second.mqttPort, 'svc:reader', token, { username: 'svc:reader' })
    const retained: string[] = []
    reader.on('message', (topic, payload) => retained.push(`${topic} ${payload.toString()}`))
    await reader.subscribeAsync('devices/will-b/#', { qos: 1 })
    await new Promise((r) => setTimeout(r, 1500))
    expect(received.filter((m) => m.includes('forged'))).toEqual([])
    expect(retained.filter((m) => m.includes('forged'))).toEqual([])
    // the sweep did run: each forged will was taken out of the store and counted, none published
    await eventually(async () => (await stats()).droppedWills >= 3, 'the will sweep', 10000)
    await again.endAsync()
    await reader.endAsync()
  }, 120000)
})
