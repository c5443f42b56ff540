import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDevice } from '../helpers/aftercare.js'
import { aftercareEnv, asAdmin, provisionOverApi, processesInTempDir } from '../helpers/process.js'
import { eventually } from '../helpers/stores.js'

describe('embedded broker sessions on disk', () => {
  const data = processesInTempDir()
  afterAll(() => data.stopAll())

  it('when aftercare is killed with SIGKILL and started again, then a persistent session keeps its subscription and the QoS 1 command queued while the device was offline', async () => {
    const { env } = await aftercareEnv(data.dir)
    const first = await data.spawn(env)
    const secret = await provisionOverApi(data.dir, first.apiPort, 'sess-1')
    const device = await connectDevice(first.mqttPort, 'sess-1', secret, { clean: false })
    await device.subscribeAsync('devices/sess-1/commands', { qos: 1 })
    await device.endAsync()

    // a command for the offline device, through the broker, from a service account
    const token = (
      (await (
        await asAdmin(data.dir, first.apiPort, 'POST', '/accounts', { name: 'ops', roles: ['mqtt-command'] })
      ).json()) as { token: string }
    ).token
    const ops = await connectDevice(first.mqttPort, 'svc:ops', token, { username: 'svc:ops' })
    // killed right after the PUBACK: the broker acknowledges a command once it is queued
    await ops.publishAsync('devices/sess-1/commands', '{"do":"flush"}', { qos: 1 })

    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    const second = await data.spawn(env)

    const received: string[] = []
    let sessionPresent = false
    const again = mqtt.connect(`mqtt://127.0.0.1:${second.mqttPort}`, {
      clientId: 'sess-1',
      username: 'sess-1',
      password: secret,
      clean: false,
      reconnectPeriod: 0
    })
    again.on('connect', (connack) => (sessionPresent = connack.sessionPresent))
    again.on('message', (_t, payload) => received.push(payload.toString()))
    await eventually(
      async () => received.includes('{"do":"flush"}'),
      'the queued command after the restart',
      15000
    )
    expect(sessionPresent).toBe(true)
    // the subscription itself survived too: a new command arrives without subscribing again
    const ops2 = await connectDevice(second.mqttPort, 'svc:ops', token, { username: 'svc:ops' })
    await ops2.publishAsync('devices/sess-1/commands', '{"do":"reboot"}', { qos: 1 })
    await ops2.endAsync()
    await eventually(
      async () => received.includes('{"do":"reboot"}'),
      'a new command on the old subscription',
      10000
    )
    await again.endAsync()
  }, 120000)
})
