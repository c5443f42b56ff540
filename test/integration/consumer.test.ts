import { randomBytes } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { InfluxQueryClient, LocalInfluxd } from '../../stores/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { freshPostgresDatabase } from '../helpers/local-postgres.js'
import { selfSignedCert } from '../helpers/certs.js'
import { startMosquitto, type LocalMosquitto } from '../helpers/local-mosquitto.js'
import { aftercareEnv, asAdmin, processesInTempDir } from '../helpers/process.js'
import { countPoints, eventually, freshInflux, tempDir } from '../helpers/stores.js'

const sample = (seq: number, ts: number) =>
  JSON.stringify({ ts, seq, litersTotal: seq, tdsIn: 200, tdsOut: 10 })

/** A device publishing to Mosquitto: `count` QoS 1 samples, `inFlight` at a time; resolves with the sequence numbers Mosquitto acknowledged. */
async function publishStream(
  url: string,
  device: string,
  count: number,
  options: { inFlight?: number; pauseMs?: number; stop?: () => boolean } = {}
): Promise<Set<number>> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    clientId: device,
    protocolVersion: 5,
    reconnectPeriod: 0
  })
  const acked = new Set<number>()
  const start = Date.now() - 3600000
  const pending = new Set<Promise<void>>()
  try {
    for (let seq = 1; seq <= count && !options.stop?.(); seq++) {
      const p = client
        .publishAsync(`devices/${device}/telemetry`, sample(seq, start + seq), { qos: 1 })
        .then(() => {
          acked.add(seq)
        })
      pending.add(p)
      void p.finally(() => pending.delete(p))
      if (pending.size >= (options.inFlight ?? 50)) await Promise.race(pending)
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs))
    }
    await Promise.all(pending)
  } finally {
    await client.endAsync()
  }
  return acked
}

describe('consumer-mode ingest from a real Mosquitto', () => {
  let mosquitto: LocalMosquitto
  beforeAll(async () => {
    mosquitto = await startMosquitto()
  })
  afterAll(async () => mosquitto?.stop())

  describe('two aftercare nodes in one share group', () => {
    let a: TestAftercare
    let b: TestAftercare
    beforeAll(async () => {
      const databaseUrl = await freshPostgresDatabase(
        inject('postgresUrl'),
        `c_${randomBytes(6).toString('hex')}`
      )
      const { target } = await freshInflux(inject('influxUrl'))
      const shared = {
        DATABASE_URL: databaseUrl,
        INFLUX_DB: target.database,
        INGEST_BROKER_URL: mosquitto.url,
        PLAN_EVERY_HOURS: 0
      }
      a = await startTestAftercare({ ...shared, INGEST_BROKER_CLIENT_ID: 'node-a' })
      b = await startTestAftercare({ ...shared, INGEST_BROKER_CLIENT_ID: 'node-b' })
      for (const id of ['sh-1', 'sh-2', 'sh-3']) await a.provision({ id })
    })
    afterAll(async () => {
      await a?.close()
      // stopping twice does nothing more
      await b?.close()
    })

    it('when devices publish QoS 1 telemetry to Mosquitto, then every sample is stored once, split between the two consumers', async () => {
      const acked = await Promise.all(
        ['sh-1', 'sh-2', 'sh-3'].map((id) => publishStream(mosquitto.url, id, 400))
      )
      expect(acked.map((s) => s.size)).toEqual([400, 400, 400])
      for (const id of ['sh-1', 'sh-2', 'sh-3'])
        await eventually(
          async () => (await countPoints(a.influx, 'purifier_telemetry', 'tdsIn', id)) === 400,
          `400 samples of ${id}`,
          20000
        )
      const [sa, sb] = [a.consumer?.stats.stored ?? 0, b.consumer?.stats.stored ?? 0]
      expect(sa + sb).toBe(1200)
      expect(sa).toBeGreaterThan(0)
      expect(sb).toBeGreaterThan(0)
    })

    it('when one node stops, then it leaves the share group and the other stores everything that comes next', async () => {
      await b.close()
      const before = a.consumer?.stats.stored ?? 0
      expect((await publishStream(mosquitto.url, 'sh-1', 300)).size).toBe(300)
      await eventually(
        async () => (a.consumer?.stats.stored ?? 0) - before === 300,
        '300 more stored by node a',
        20000
      )
    })

    it('when a message comes for a device the registry does not know, then it is dead-lettered with its topic, never stored', async () => {
      await publishStream(mosquitto.url, 'ghost-9', 1)
      const letters = await eventually(async () => {
        const res = await a.api.inject({
          method: 'GET',
          url: '/dead-letters?code=unknown_device',
          headers: { authorization: `Bearer ${a.adminToken}` }
        })
        const list = res.json<{ deadLetters: { deviceId: string; topic: string; reason: string }[] }>()
          .deadLetters
        return list.length > 0 ? list : undefined
      }, 'the dead letter')
      expect(letters[0]).toMatchObject({ deviceId: 'ghost-9', topic: 'devices/ghost-9/telemetry' })
      expect(await countPoints(a.influx, 'purifier_telemetry', 'tdsIn', 'ghost-9')).toBe(0)
    })
  })

  describe('over TLS with a CA file, and from an MQTT 3.1.1 broker', () => {
    const certs = tempDir('aftercare-test-consumer-tls-')
    let secure: LocalMosquitto
    let cert = ''
    beforeAll(async () => {
      const made = await selfSignedCert(certs.dir)
      cert = made.cert
      secure = await startMosquitto({ tls: made })
    })
    afterAll(async () => {
      await secure?.stop()
      certs.remove()
    })

    it('when the consumer connects with mqtts:// and the broker’s CA, then it stores what devices publish', async () => {
      const app = await startTestAftercare({
        INGEST_BROKER_URL: secure.tlsUrl,
        INGEST_BROKER_CA: cert,
        INGEST_BROKER_CLIENT_ID: 'node-tls',
        PLAN_EVERY_HOURS: 0
      })
      try {
        await app.provision({ id: 'tls-9' })
        expect((await publishStream(secure.url, 'tls-9', 50)).size).toBe(50)
        await eventually(
          async () => (await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'tls-9')) === 50,
          '50 samples over TLS'
        )
      } finally {
        await app.close()
      }
    })

    it('when the broker is spoken to in MQTT 3.1.1 (no shared subscriptions), then one consumer stores everything', async () => {
      const app = await startTestAftercare({
        INGEST_BROKER_URL: secure.url,
        INGEST_BROKER_PROTOCOL: '3.1.1',
        INGEST_BROKER_CLIENT_ID: 'node-311',
        PLAN_EVERY_HOURS: 0
      })
      try {
        await app.provision({ id: 'old-1' })
        expect((await publishStream(secure.url, 'old-1', 50)).size).toBe(50)
        await eventually(
          async () => (await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'old-1')) === 50,
          '50 samples through a 3.1.1 session'
        )
      } finally {
        await app.close()
      }
    })
  })

  describe('a consumer whose InfluxDB stops', () => {
    let app: TestAftercare
    let influxd: LocalInfluxd
    const folder = tempDir('aftercare-test-consumer-influx-')
    beforeAll(async () => {
      influxd = new LocalInfluxd({ dir: folder.dir })
      await influxd.start()
      app = await startTestAftercare({
        INFLUX_URL: influxd.url,
        INFLUX_TIMEOUT_MS: 2000,
        INGEST_BROKER_URL: mosquitto.url,
        INGEST_BROKER_CLIENT_ID: 'node-down',
        INGEST_BROKER_RECEIVE_MAXIMUM: 100,
        PLAN_EVERY_HOURS: 0
      })
      await app.provision({ id: 'down-1' })
    })
    afterAll(async () => {
      await app?.close()
      await influxd?.stop()
      folder.remove()
    })

    it('when InfluxDB is stopped for 20 s, then the consumer stops acknowledging, Mosquitto holds the messages, and all are stored after it returns', async () => {
      let publishing = true
      const stream = publishStream(mosquitto.url, 'down-1', 3000, {
        inFlight: 20,
        pauseMs: 5,
        stop: () => !publishing
      })
      await new Promise((r) => setTimeout(r, 1500))
      await influxd.stop()
      await new Promise((r) => setTimeout(r, 500))
      const storedWhenStopped = app.consumer?.stats.stored ?? 0
      await new Promise((r) => setTimeout(r, 19500))
      // nothing stored, so nothing acknowledged: at most Receive Maximum messages wait at the consumer
      expect(app.consumer?.stats.stored).toBe(storedWhenStopped)
      expect(app.consumer?.inFlight ?? 0).toBeLessThanOrEqual(100)
      await influxd.start()
      await new Promise((r) => setTimeout(r, 1000))
      publishing = false
      const acked = await stream
      expect(acked.size).toBeGreaterThan(storedWhenStopped + 100)
      await eventually(
        async () => (await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'down-1')) === acked.size,
        `all ${acked.size} samples Mosquitto acknowledged`,
        30000
      )
    }, 90000)
  })

  describe('a consumer killed with SIGKILL', () => {
    const procs = processesInTempDir()
    afterAll(async () => procs.stopAll())

    it('when the consumer is killed mid-stream and restarted, then every message Mosquitto acknowledged to the devices is in InfluxDB', async () => {
      const { env, influx } = await aftercareEnv(procs.dir, {
        INGEST_BROKER_URL: mosquitto.url,
        INGEST_BROKER_CLIENT_ID: 'node-killed'
      })
      const first = await procs.spawn(env)
      await asAdmin(procs.dir, first.apiPort, 'PUT', '/outlets/sh-01', {
        regions: ['cn-east'],
        capacityPerDay: 8
      })
      for (const id of ['kill-1', 'kill-2'])
        await asAdmin(procs.dir, first.apiPort, 'POST', '/devices', {
          id,
          kind: 'purifier',
          model: 'RO-400',
          region: 'cn-east',
          outlet: 'sh-01'
        })
      const streams = ['kill-1', 'kill-2'].map((id) =>
        publishStream(mosquitto.url, id, 1500, { inFlight: 20, pauseMs: 2 })
      )
      await new Promise((r) => setTimeout(r, 1500))
      first.child.kill('SIGKILL')
      await new Promise((r) => first.child.once('exit', r))
      await new Promise((r) => setTimeout(r, 1000))
      await procs.spawn(env)
      const acked = await Promise.all(streams)
      const query = new InfluxQueryClient(influx)
      const stored = (id: string) => countPoints(query, 'purifier_telemetry', 'tdsIn', id)
      for (const [i, id] of ['kill-1', 'kill-2'].entries())
        await eventually(
          async () => (await stored(id)) === acked[i]?.size,
          `${acked[i]?.size} samples of ${id}`,
          30000
        )
      expect(acked.map((s) => s.size)).toEqual([1500, 1500])
    }, 120000)
  })
})
