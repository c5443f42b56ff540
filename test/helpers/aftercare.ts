import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { inject } from 'vitest'
import { startAftercare, type Aftercare } from '../../app/index.js'
import { loadConfig, silentLogger, type Config, type Logger } from '../../shared/index.js'
import type { Device, NewDevice } from '../../registry/index.js'
import { freshInflux, tempDir } from './stores.js'

export interface TestAftercare extends Aftercare {
  config: Config
  mqttPort: number
  adminToken: string
  /** Provisions a device and returns it with its secret. */
  provision(input: Partial<NewDevice> & { id: string }): Promise<{ device: Device; secret: string }>
  close(): Promise<void>
}

/** The whole of aftercare in-process: real InfluxDB (own database), PGlite in a temp folder, broker and API on free ports. */
export async function startTestAftercare(
  overrides: Partial<Record<keyof Config, unknown>> = {},
  logger: Logger = silentLogger
): Promise<TestAftercare> {
  const { target } = await freshInflux(String(overrides.INFLUX_URL ?? inject('influxUrl')))
  const data = tempDir()
  const config = loadConfig(
    {},
    {
      AFTERCARE_DATA_DIR: data.dir,
      INFLUX_URL: target.url,
      INFLUX_DB: target.database,
      MQTT_PORT: 0,
      API_PORT: 0,
      LOG_LEVEL: 'silent',
      ...overrides
    }
  )
  const app = await startAftercare(config, logger)
  // the outlet the helper provisions devices to (provisioning checks that it exists and covers the region)
  await app.outlets.upsert({ code: 'sh-01', regions: ['cn-east'], capacityPerDay: 8 })
  return {
    ...app,
    config,
    mqttPort: Number(new URL(app.endpoints.mqtt).port),
    adminToken: app.createdAdminToken ?? '',
    provision: async (input) => {
      const device = {
        kind: 'purifier' as const,
        model: 'RO-400',
        region: 'cn-east',
        outlet: 'sh-01',
        ...input
      }
      // tests here are about other things: the outlet a device names is made to exist and cover its region
      if (device.outlet) {
        const known = (await app.outlets.list()).find((o) => o.code === device.outlet)
        if (!known?.regions.includes(device.region))
          await app.outlets.upsert({
            code: device.outlet,
            regions: [...(known?.regions ?? []), device.region],
            capacityPerDay: known?.capacityPerDay ?? 8
          })
      }
      return app.registry.provision(device)
    },
    close: async () => {
      await app.stop()
      data.remove()
    }
  }
}

/** A real MQTT.js client that resolves once connected (or rejects with the CONNACK error). */
export function connectDevice(
  port: number,
  id: string,
  secret: string,
  options: IClientOptions = {}
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const protocol = options.protocol ?? 'mqtt'
    const client = mqtt.connect(`${protocol}://127.0.0.1:${port}`, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options
    })
    client.once('connect', () => resolve(client))
    client.once('error', (err) => {
      client.end(true)
      reject(err)
    })
    client.once('close', () => reject(new Error('closed before CONNACK')))
  })
}

/** Publishes with QoS 1 and resolves when the PUBACK arrives. */
export function publishAcked(client: MqttClient, topic: string, payload: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve()))
  )
}

export function purifierSample(seq: number, ts = Date.now(), extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ts,
    seq,
    litersTotal: 100 + seq,
    tdsIn: 210,
    tdsOut: 14,
    tempC: 18.5,
    pressureKpa: 320,
    leak: false,
    ...extra
  })
}
