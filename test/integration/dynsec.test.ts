import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { startMosquitto, type LocalMosquitto } from '../helpers/local-mosquitto.js'
import { countPoints, eventually } from '../helpers/stores.js'

const sample = (seq: number) => JSON.stringify({ ts: Date.now() - 60000 + seq, seq, tdsIn: 210, tdsOut: 12 })

describe('the device contract enforced by Mosquitto’s dynamic security, kept in step with the registry', () => {
  let mosquitto: LocalMosquitto
  let app: TestAftercare
  const clients: MqttClient[] = []
  const connect = async (id: string, password: string, options: IClientOptions = {}) => {
    const client = await mqtt.connectAsync(mosquitto.url, {
      clientId: id,
      username: id,
      password,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options
    })
    clients.push(client)
    return client
  }
  const refused = (id: string, password: string, options: IClientOptions = {}) =>
    connect(id, password, options).then(
      () => false,
      () => true
    )

  beforeAll(async () => {
    mosquitto = await startMosquitto({ dynsec: { admin: 'admin', password: 'admin-password' } })
    app = await startTestAftercare({
      BROKER_DYNSEC_URL: `mqtt://admin:admin-password@127.0.0.1:${mosquitto.port}`,
      INGEST_BROKER_URL: `mqtt://aftercare:consumer-password@127.0.0.1:${mosquitto.port}`,
      INGEST_BROKER_CLIENT_ID: 'dynsec-node',
      PLAN_EVERY_HOURS: 0
    })
  })
  afterAll(async () => {
    for (const c of clients) c.end(true)
    await app?.close()
    await mosquitto?.stop()
  })

  it('when a device is provisioned, then it connects to Mosquitto with its secret, its telemetry is stored, and it may publish and subscribe only under its own topics', async () => {
    const { secret } = await app.provision({ id: 'dyn-1' })
    await app.provision({ id: 'dyn-2' })
    const device = await connect('dyn-1', secret)
    await device.publishAsync('devices/dyn-1/telemetry', sample(1), { qos: 1 })
    await eventually(
      async () => (await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'dyn-1')) === 1,
      'the sample stored through the consumer'
    )
    const own = await device.subscribeAsync('devices/dyn-1/commands/#', { qos: 1 })
    expect(own[0]?.qos).toBe(1)
    // another device's topic: Mosquitto refuses the publish (PUBACK 0x87) and the subscription (SUBACK 0x87)
    await expect(device.publishAsync('devices/dyn-2/telemetry', sample(2), { qos: 1 })).rejects.toThrow(
      /not authori[sz]ed/i
    )
    const again = await connect('dyn-1', secret, { clientId: 'dyn-1' })
    await expect(again.subscribeAsync('devices/+/telemetry', { qos: 1 })).rejects.toThrow(
      /not authori[sz]ed/i
    )
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'dyn-2')).toBe(0)
    // a wrong secret, and a device id that is not its own username, are refused at CONNECT
    expect(await refused('dyn-1', 'not-the-secret-at-all')).toBe(true)
    expect(await refused('dyn-2', secret)).toBe(true)
  })

  it('when a device is disabled, then Mosquitto ends its connection and refuses it at once; enabled, it connects again', async () => {
    const { secret } = await app.provision({ id: 'dyn-3' })
    const device = await connect('dyn-3', secret)
    const closed = new Promise<void>((r) => device.once('close', () => r()))
    await app.registry.setDisabled('dyn-3', true)
    await closed
    expect(await refused('dyn-3', secret)).toBe(true)
    await app.registry.setDisabled('dyn-3', false)
    expect(await refused('dyn-3', secret)).toBe(false)
  })

  it('when a device’s secret is rotated, then the old secret is refused and its connection ends; the new one connects', async () => {
    const { secret: old } = await app.provision({ id: 'dyn-4' })
    const device = await connect('dyn-4', old)
    const closed = new Promise<void>((r) => device.once('close', () => r()))
    const { secret } = await app.registry.rotateSecret('dyn-4')
    await closed
    expect(await refused('dyn-4', old)).toBe(true)
    expect(await refused('dyn-4', secret)).toBe(false)
  })

  it('when a service account with mqtt-command publishes a QoS 1 command through Mosquitto, then the device gets it; a device cannot, and a read-only service cannot publish', async () => {
    const { secret } = await app.provision({ id: 'dyn-6' })
    const device = await connect('dyn-6', secret)
    await device.subscribeAsync('devices/dyn-6/commands/#', { qos: 1 })
    const got = new Promise<string>((resolve) => device.once('message', (topic) => resolve(topic)))
    const { token } = await app.registry.createAccount('ops-cmd', ['mqtt-command'])
    const service = await connect('ops-cmd-client', token, { username: 'svc:ops-cmd' })
    await service.publishAsync('devices/dyn-6/commands/flush', '{"minutes": 2}', { qos: 1 })
    expect(await got).toBe('devices/dyn-6/commands/flush')
    const reader = await app.registry.createAccount('ops-read', ['mqtt-read'])
    const readOnly = await connect('ops-read-client', reader.token, { username: 'svc:ops-read' })
    expect((await readOnly.subscribeAsync('devices/+/telemetry', { qos: 1 }))[0]?.qos).toBe(1)
    await expect(readOnly.publishAsync('devices/dyn-6/commands/flush', '{}', { qos: 1 })).rejects.toThrow(
      /not authori[sz]ed/i
    )
    await app.registry.setAccountDisabled('ops-cmd', true)
    expect(await refused('ops-cmd-client', token, { username: 'svc:ops-cmd' })).toBe(true)
    // a device cannot send commands, not even to itself
    await expect(device.publishAsync('devices/dyn-6/commands/flush', '{}', { qos: 1 })).rejects.toThrow(
      /not authori[sz]ed/i
    )
  })

  it('when another client than the consumer subscribes to every device, then Mosquitto refuses it', async () => {
    const { secret } = await app.provision({ id: 'dyn-5' })
    const device = await connect('dyn-5', secret)
    await expect(device.subscribeAsync('$share/aftercare/devices/+/telemetry', { qos: 1 })).rejects.toThrow(
      /not authori[sz]ed/i
    )
  })

  it('when Mosquitto cannot be reached, then provisioning is refused and leaves no device behind', async () => {
    await mosquitto.stop()
    await expect(app.provision({ id: 'dyn-gone' })).rejects.toThrow(/Mosquitto did not answer/)
    await expect(app.registry.getDevice('dyn-gone')).rejects.toThrow(/not registered/)
  }, 30000)
})
