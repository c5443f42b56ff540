import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalInfluxd } from '../../stores/index.js'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { countPoints, tempDir } from '../helpers/stores.js'

/**
 * These tests freeze and stop InfluxDB, so they run their own influxd rather
 * than the run's shared one.
 */
describe('durability: PUBACK means stored', () => {
  let influxd: LocalInfluxd
  let app: TestAftercare
  let secret: string
  const folder = tempDir('aftercare-durability-')
  const clients: MqttClient[] = []

  beforeAll(async () => {
    influxd = new LocalInfluxd({ dir: folder.dir })
    await influxd.start()
    app = await startTestAftercare({ INFLUX_URL: influxd.url, INFLUX_TIMEOUT_MS: 2000 })
    ;({ secret } = await app.provision({ id: 'dur-1' }))
  })
  afterAll(async () => {
    clients.forEach((c) => c.end(true))
    influxd.resume()
    await app?.close()
    await influxd?.stop()
    folder.remove()
  })

  it('when InfluxDB is frozen, then no PUBACK arrives until it answers, and at PUBACK the point is queryable', async () => {
    const client = await connectDevice(app.mqttPort, 'dur-1', secret, { keepalive: 60 })
    clients.push(client)
    influxd.pause()
    let acked = false
    const publish = publishAcked(client, 'devices/dur-1/telemetry', purifierSample(1)).then(
      () => (acked = true)
    )
    await new Promise((r) => setTimeout(r, 1500))
    expect(acked).toBe(false)
    influxd.resume()
    await publish
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'dur-1')).toBe(1)
  })

  it('when InfluxDB is stopped for 20 s during a stream and restarted, then every acknowledged sample is in InfluxDB', async () => {
    const { secret: s } = await app.provision({ id: 'dur-2' })
    const client = await connectDevice(app.mqttPort, 'dur-2', s, { keepalive: 60 })
    clients.push(client)
    const acked = new Set<number>()
    const start = Date.now() - 60000
    let seq = 0
    let streaming = true
    // a device publishing every 20 ms, with up to 20 messages in flight; bounded by count and time
    const stream = (async () => {
      const inflight = new Set<Promise<void>>()
      while (streaming && seq < 5000) {
        const n = ++seq
        const p = publishAcked(client, 'devices/dur-2/telemetry', purifierSample(n, start + n)).then(() => {
          acked.add(n)
        })
        inflight.add(p)
        void p.finally(() => inflight.delete(p))
        if (inflight.size >= 20) await Promise.race(inflight)
        await new Promise((r) => setTimeout(r, 20))
      }
      await Promise.all(inflight)
    })()
    await new Promise((r) => setTimeout(r, 2000))
    await influxd.stop()
    // PUBACKs for writes that finished just before the stop may still be on the wire
    await new Promise((r) => setTimeout(r, 300))
    const ackedWhenStopped = acked.size
    await new Promise((r) => setTimeout(r, 19700))
    const ackedWhileDown = acked.size - ackedWhenStopped
    await influxd.start()
    await new Promise((r) => setTimeout(r, 2000))
    streaming = false
    await stream
    expect(seq).toBeGreaterThan(50)
    expect(ackedWhileDown).toBe(0)
    expect(acked.size).toBe(seq)
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'dur-2')).toBe(acked.size)
  }, 60000)
})
