import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startAftercare, adminTokenFile } from '../../app/index.js'
import { isAppError, loadConfig, silentLogger } from '../../shared/index.js'
import { connectDevice, publishAcked, purifierSample } from '../helpers/aftercare.js'
import { countPoints, freshInflux, tempDir } from '../helpers/stores.js'
import { selfSignedCert } from '../helpers/certs.js'

describe('aftercare start options', () => {
  const folders: (() => void)[] = []
  afterAll(() => folders.forEach((remove) => remove()))

  async function configFor(extra: Record<string, unknown> = {}) {
    const { target } = await freshInflux()
    const data = tempDir()
    folders.push(data.remove)
    return loadConfig(
      {},
      {
        AFTERCARE_DATA_DIR: data.dir,
        INFLUX_URL: target.url,
        INFLUX_DB: target.database,
        MQTT_PORT: 0,
        API_PORT: 0,
        ...extra
      }
    )
  }

  it('when aftercare restarts on the same data folder, then devices and the admin token survive and a second process is refused meanwhile', async () => {
    const config = await configFor()
    const first = await startAftercare(config, silentLogger)
    const { secret } = await first.registry.provision({
      id: 'keep-1',
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-north'
    })
    const token = readFileSync(adminTokenFile(config.AFTERCARE_DATA_DIR), 'utf8').trim()
    expect(token).toBe(first.createdAdminToken)
    await expect(startAftercare(config, silentLogger)).rejects.toSatisfy((err) =>
      isAppError(err, 'DATA_DIR_LOCKED')
    )
    await first.stop()

    const second = await startAftercare(config, silentLogger)
    try {
      expect(second.createdAdminToken).toBeUndefined()
      expect(await second.registry.authenticateToken(token)).toMatchObject({ name: 'admin' })
      const client = await connectDevice(Number(new URL(second.endpoints.mqtt).port), 'keep-1', secret)
      await publishAcked(
        client,
        'devices/keep-1/telemetry',
        JSON.stringify({ ts: Date.now(), seq: 1, engineHours: 12.5 })
      )
      client.end(true)
      expect(await countPoints(second.influx, 'machine_telemetry', 'engineHours', 'keep-1')).toBe(1)
    } finally {
      await second.stop()
    }
  })

  it('when a TLS certificate and key are configured, then devices can publish over MQTTS', async () => {
    const certs = tempDir()
    folders.push(certs.remove)
    const { cert, key } = await selfSignedCert(certs.dir)
    const config = await configFor({ MQTT_TLS_CERT: cert, MQTT_TLS_KEY: key, MQTTS_PORT: 0 })
    const app = await startAftercare(config, silentLogger)
    try {
      expect(app.endpoints.mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/)
      const { secret } = await app.registry.provision({
        id: 'tls-1',
        kind: 'purifier',
        model: 'RO-400',
        region: 'cn-east'
      })
      const port = Number(new URL(app.endpoints.mqtts ?? '').port)
      const client = await connectDevice(port, 'tls-1', secret, { protocol: 'mqtts', ca: readFileSync(cert) })
      await publishAcked(client, 'devices/tls-1/telemetry', purifierSample(1))
      client.end(true)
      expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'tls-1')).toBe(1)
    } finally {
      await app.stop()
    }

    // TLS only: the plain listener is closed
    const tlsOnly = await startAftercare(
      await configFor({ MQTT_TLS_CERT: cert, MQTT_TLS_KEY: key, MQTTS_PORT: 0, MQTT_PLAIN: 'false' }),
      silentLogger
    )
    try {
      expect(tlsOnly.endpoints.mqtt).toMatch(/^mqtts:/)
      expect(tlsOnly.endpoints.mqtt).toBe(tlsOnly.endpoints.mqtts)
    } finally {
      await tlsOnly.stop()
    }
  })

  it('when a TLS certificate is set without its key (or plain MQTT is closed without TLS), then start-up is refused naming the missing setting', async () => {
    const wrong = (extra: Record<string, unknown>) => () => loadConfig({}, { MQTT_PORT: 0, ...extra })
    expect(wrong({ MQTT_TLS_CERT: '/etc/cert.pem' })).toThrow(
      /MQTT_TLS_KEY: MQTT_TLS_CERT is set but its private key is not/
    )
    expect(wrong({ MQTT_TLS_KEY: '/etc/key.pem' })).toThrow(
      /MQTT_TLS_CERT: MQTT_TLS_KEY is set but its certificate is not/
    )
    expect(wrong({ MQTT_PLAIN: 'false' })).toThrow(/MQTT_PLAIN: false closes the plain listener/)
  })

  it('when aftercare stops with devices connected, then the stop ends (it does not wait for the devices to leave)', async () => {
    const app = await startAftercare(await configFor(), silentLogger)
    await app.outlets.upsert({ code: 'sh-01', regions: ['cn-east'], capacityPerDay: 8 })
    const port = Number(new URL(app.endpoints.mqtt).port)
    const clients = []
    for (const id of ['stay-1', 'stay-2']) {
      const { secret } = await app.registry.provision({
        id,
        kind: 'purifier',
        model: 'RO-400',
        region: 'cn-east'
      })
      // devices that reconnect at once if dropped: a stop must not wait for them to leave
      clients.push(await connectDevice(port, id, secret, { reconnectPeriod: 100 }))
    }
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 30000)))
    const stopped = await Promise.race([app.stop().then(() => 'stopped' as const), bound])
    clearTimeout(timer)
    clients.forEach((c) => c.end(true))
    expect(stopped).toBe('stopped')
  }, 60000)

  it('when aftercare starts on a fresh data folder with its own influxd, then the folder is 0700, nothing in it is open to others, and influxd refuses a write without credentials', async () => {
    const data = tempDir()
    folders.push(data.remove)
    const config = loadConfig(
      {},
      { AFTERCARE_DATA_DIR: data.dir, MQTT_PORT: 0, API_PORT: 0, LOG_LEVEL: 'silent' }
    )
    const app = await startAftercare(config, silentLogger)
    try {
      await app.outlets.upsert({ code: 'sh-01', regions: ['cn-east'], capacityPerDay: 8 })
      const { secret } = await app.registry.provision({
        id: 'own-1',
        kind: 'purifier',
        model: 'RO-400',
        region: 'cn-east'
      })
      const client = await connectDevice(Number(new URL(app.endpoints.mqtt).port), 'own-1', secret)
      await publishAcked(client, 'devices/own-1/telemetry', purifierSample(1))
      client.end(true)
      // aftercare's own clients hold the credentials
      expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'own-1')).toBe(1)
      const anonymous = await fetch(`${app.endpoints.influx}/write?db=aftercare`, {
        method: 'POST',
        body: 'purifier_telemetry,device=own-1 tdsIn=999 1'
      })
      expect(anonymous.status).toBe(401)
      const read = await fetch(`${app.endpoints.influx}/query?db=aftercare&q=SHOW%20MEASUREMENTS`)
      expect(read.status).toBe(401)

      expect(statSync(data.dir).mode & 0o777).toBe(0o700)
      const open = readdirSync(data.dir, { recursive: true, withFileTypes: true })
        .filter((e) => !e.isSymbolicLink())
        .map((e) => path.join(e.parentPath, e.name))
        .filter((file) => statSync(file).mode & 0o077)
      expect(open).toEqual([])
      expect(statSync(path.join(data.dir, 'influxdb', 'admin-password')).mode & 0o777).toBe(0o600)
    } finally {
      await app.stop()
    }
  })

  it('when influxd is not installed, then start-up stops with the install line', async () => {
    const data = tempDir()
    folders.push(data.remove)
    const config = loadConfig(
      {},
      { AFTERCARE_DATA_DIR: data.dir, INFLUXD_PATH: '/nonexistent/influxd', MQTT_PORT: 0, API_PORT: 0 }
    )
    await expect(startAftercare(config, silentLogger)).rejects.toThrow(
      /'\/nonexistent\/influxd' was not found\. Install it with:\n {2}.*influxdb/
    )
  })
})
