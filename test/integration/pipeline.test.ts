import { execFile } from 'node:child_process'
import net from 'node:net'
import { promisify } from 'node:util'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { countPoints, eventually } from '../helpers/stores.js'

const run = promisify(execFile)

describe('telemetry pipeline (real broker, real InfluxDB, PGlite)', () => {
  let app: TestAftercare
  let secret: string
  const clients: MqttClient[] = []
  const connect = async (id: string, pass: string, opts = {}) => {
    const c = await connectDevice(app.mqttPort, id, pass, opts)
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    app = await startTestAftercare()
    ;({ secret } = await app.provision({ id: 'pur-1', outlet: 'sh-01', region: 'cn-east', model: 'RO-400' }))
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    await app?.close()
  })

  it('when a provisioned device publishes a sample with QoS 1, then at PUBACK the point is in InfluxDB with the registry tags', async () => {
    const client = await connect('pur-1', secret)
    const ts = Date.now()
    await publishAcked(client, 'devices/pur-1/telemetry', purifierSample(1, ts))
    const rows = await app.influx.rows(`SELECT * FROM purifier_telemetry WHERE device = 'pur-1' AND seq = 1`)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      device: 'pur-1',
      model: 'RO-400',
      region: 'cn-east',
      outlet: 'sh-01',
      tdsIn: 210,
      leak: false
    })
    expect(Math.floor(Number(rows[0]?.time))).toBe(ts)
  })

  it('when the same message is delivered twice, then InfluxDB holds one point', async () => {
    const client = await connect('pur-1', secret)
    const payload = purifierSample(50, Date.now())
    await publishAcked(client, 'devices/pur-1/telemetry', payload)
    await publishAcked(client, 'devices/pur-1/telemetry', payload)
    const rows = await app.influx.rows(
      `SELECT count(tdsIn) AS n FROM purifier_telemetry WHERE device = 'pur-1' AND seq = 50`
    )
    expect(rows[0]?.n).toBe(1)
  })

  it('when payloads are malformed, then each is dead-lettered with a reason, the connection keeps working and valid samples are stored', async () => {
    const client = await connect('pur-1', secret)
    const now = Date.now()
    const bad = [
      'not json',
      JSON.stringify({ ts: now, seq: 'seven' }),
      JSON.stringify({ seq: 101, tdsIn: 10 }),
      JSON.stringify({ samples: Array.from({ length: 1001 }, (_, i) => ({ ts: now - i, seq: 1000 + i })) }),
      '{"ts": 1, "seq": NaN}',
      JSON.stringify({ ts: now + 86400000, seq: 102 })
    ]
    for (const [i, payload] of bad.entries()) {
      await publishAcked(client, 'devices/pur-1/telemetry', payload)
      await publishAcked(client, 'devices/pur-1/telemetry', purifierSample(200 + i, now + i))
    }
    expect(client.connected).toBe(true)
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'pur-1')).toBeGreaterThanOrEqual(
      bad.length
    )
    const valid = await app.influx.rows(
      `SELECT count(tdsIn) AS n FROM purifier_telemetry WHERE seq >= 200 AND seq < 300`
    )
    expect(valid[0]?.n).toBe(bad.length)
    const letters = await app.sql.query<{ code: string; reason: string }>(
      `SELECT code, reason FROM dead_letters WHERE device_id = 'pur-1' ORDER BY id`
    )
    expect(letters.rows.map((r) => r.code)).toEqual([
      'bad_json',
      'schema',
      'schema',
      'too_many_samples',
      'bad_json',
      'ts_out_of_range'
    ])
    expect(letters.rows[1]?.reason).toMatch(/^seq: /)
    expect(letters.rows[2]?.reason).toMatch(/^ts: /)
    expect(letters.rows[3]?.reason).toContain('1001 samples')
    expect(letters.rows[5]?.reason).toContain('in the future')
  })

  it("when a device publishes under another device's topic, then it is disconnected without PUBACK and nothing is written", async () => {
    await app.provision({ id: 'pur-2' })
    const client = await connect('pur-1', secret)
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    client.publish('devices/pur-2/telemetry', purifierSample(1), { qos: 1 })
    await closed
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'pur-2')).toBe(0)
    expect(app.broker.stats.refusedPublishes).toBeGreaterThan(0)
  })

  it('when a device subscribes outside its own commands, then the SUBACK refuses it; its own commands are granted', async () => {
    const client = await connect('pur-1', secret)
    // MQTT.js turns any 0x80 in a SUBACK into an error that carries the packet
    const refused = await client
      .subscribeAsync([
        'devices/pur-1/commands/#',
        'devices/pur-2/commands/#',
        'devices/+/telemetry',
        '$SYS/#'
      ])
      .then(
        () => undefined,
        (err: { packet?: { granted: number[] } }) => err
      )
    expect(refused?.packet?.granted).toEqual([0, 128, 128, 128])
    const own = await client.subscribeAsync('devices/pur-1/commands/#', { qos: 1 })
    expect(own.map((g) => g.qos)).toEqual([1])
  })

  it('when credentials are wrong or the client id differs from the username, then CONNACK refuses with the right code', async () => {
    await expect(connectDevice(app.mqttPort, 'pur-1', 'wrong-secret')).rejects.toMatchObject({ code: 4 })
    await expect(connectDevice(app.mqttPort, 'nobody', secret)).rejects.toMatchObject({ code: 4 })
    await expect(connectDevice(app.mqttPort, 'pur-1', secret, { clientId: 'other' })).rejects.toMatchObject({
      code: 2
    })
    await expect(
      connectDevice(app.mqttPort, 'pur-1', secret, { clientId: '', clean: true })
    ).rejects.toMatchObject({ code: 2 })
  })

  it('when a secret is rotated, then the live session is closed, the old secret is refused and the new one works', async () => {
    const { secret: first } = await app.provision({ id: 'pur-rot' })
    const client = await connect('pur-rot', first)
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    const { secret: second } = await app.registry.rotateSecret('pur-rot')
    await closed
    await expect(connectDevice(app.mqttPort, 'pur-rot', first)).rejects.toMatchObject({ code: 4 })
    const again = await connect('pur-rot', second)
    await publishAcked(again, 'devices/pur-rot/telemetry', purifierSample(1))
  })

  it('when a device is disabled, then it is disconnected, refused with code 5, and writes nothing', async () => {
    const { secret: s } = await app.provision({ id: 'pur-off' })
    const client = await connect('pur-off', s)
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    await app.registry.setDisabled('pur-off', true)
    await closed
    await expect(connectDevice(app.mqttPort, 'pur-off', s)).rejects.toMatchObject({ code: 5 })
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'pur-off')).toBe(0)
  })

  it('when a packet declares more than the size limit, then the broker closes the connection, logs it, and the device can reconnect', async () => {
    const client = await connect('pur-1', secret)
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    client.publish('devices/pur-1/telemetry', Buffer.alloc(10 * 1024 * 1024, 'x'), { qos: 1 })
    await closed
    expect(app.broker.stats.oversizePackets).toBeGreaterThan(0)
    const again = await connect('pur-1', secret)
    await publishAcked(again, 'devices/pur-1/telemetry', purifierSample(300))
  })

  it('when a device connects and leaves, then its retained status goes online then offline', async () => {
    const { secret: s } = await app.provision({ id: 'pur-st' })
    const { token } = await app.registry.createAccount('watcher', ['mqtt-read'])
    const watcher = await connectDevice(app.mqttPort, 'svc:watcher', token, {
      username: 'svc:watcher',
      clientId: 'svc:watcher'
    })
    clients.push(watcher)
    const seen: string[] = []
    watcher.on('message', (_t, p) => seen.push(p.toString()))
    await watcher.subscribeAsync('devices/pur-st/status', { qos: 1 })
    const device = await connect('pur-st', s)
    await eventually(async () => seen.includes('online'), 'online status')
    device.end()
    await eventually(async () => seen.at(-1) === 'offline', 'offline status')
  })

  it('when a service account tries to use a device id as its client id, then it is refused', async () => {
    const { token } = await app.registry.createAccount('sneaky', ['mqtt-read'])
    await expect(
      connectDevice(app.mqttPort, 'pur-1', token, { username: 'svc:sneaky' })
    ).rejects.toMatchObject({ code: 2 })
  })

  it('when mosquitto_pub (a third-party client) publishes with QoS 1, then the sample is stored', async () => {
    const { secret: s } = await app.provision({ id: 'pur-mosq' })
    await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(app.mqttPort),
      '-i',
      'pur-mosq',
      '-u',
      'pur-mosq',
      '-P',
      s,
      '-q',
      '1',
      '-t',
      'devices/pur-mosq/telemetry',
      '-m',
      purifierSample(1)
    ])
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'pur-mosq')).toBe(1)
  })

  it('when raw bytes that are not MQTT arrive, then the broker drops that connection and keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(app.mqttPort, '127.0.0.1', () =>
        socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]))
      )
      socket.on('close', () => resolve())
      socket.on('error', () => undefined)
    })
    const client = await connect('pur-1', secret)
    await publishAcked(client, 'devices/pur-1/telemetry', purifierSample(400))
  })
})
