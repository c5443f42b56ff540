import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  connectDevice,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'
import type { MqttClient } from 'mqtt'

/**
 * A proxy in front of the run's real InfluxDB that can answer every write with HTTP 500, or hold each
 * write back before passing it on — what a failing or overloaded database looks like to aftercare.
 */
function faultyInflux(target: string) {
  let mode: 'pass' | 'error' | 'slow' = 'pass'
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const isWrite = req.url?.startsWith('/write') || req.url?.startsWith('/api/v2/write')
      if (isWrite && mode === 'error') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"engine: cache full"}')
        return
      }
      const forward = () => {
        const upstream = http.request(
          `${target}${req.url}`,
          { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers)
            up.pipe(res)
          }
        )
        upstream.on('error', () => res.writeHead(502).end())
        upstream.end(Buffer.concat(chunks))
      }
      if (isWrite && mode === 'slow') setTimeout(forward, 1500)
      else forward()
    })
  })
  return {
    server,
    set: (m: typeof mode) => (mode = m),
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
      )
  }
}

describe('InfluxDB failing and slow', () => {
  const proxy = faultyInflux(inject('influxUrl'))
  let app: TestAftercare
  let device: MqttClient
  const acked = new Set<number>()
  let publishing = true
  let streaming: Promise<void>

  beforeAll(async () => {
    app = await startTestAftercare({ INFLUX_URL: await proxy.listen(), PIPELINE_METRICS_SECONDS: 1 })
    const { secret } = await app.provision({ id: 'flaky-1', model: 'RO-400' })
    device = await connectDevice(app.mqttPort, 'flaky-1', secret)
    const ts0 = Date.now() - 3600000
    // one device streaming with 5 in flight; each sample counts once its PUBACK came
    streaming = (async () => {
      let seq = 0
      const inflight = new Set<Promise<void>>()
      while (publishing) {
        const s = ++seq
        const p = device
          .publishAsync('devices/flaky-1/telemetry', purifierSample(s, ts0 + s * 1000), { qos: 1 })
          .then(
            () => void acked.add(s),
            () => undefined
          )
        inflight.add(p)
        void p.then(() => inflight.delete(p))
        if (inflight.size >= 5) await Promise.race(inflight)
      }
      await Promise.all(inflight)
    })()
  }, 60000)
  afterAll(async () => {
    publishing = false
    device?.end(true)
    await app?.close()
    proxy.server.close()
  })

  it('when every write gets HTTP 500 for 30 s and then each is slowed for 30 s, then the device is slowed, nothing acknowledged is lost, it recovers by itself, and the pipeline measurements show it', async () => {
    await eventually(async () => acked.size >= 100, 'the stream to flow')
    proxy.set('error')
    await new Promise((r) => setTimeout(r, 2000))
    const duringErrorStart = acked.size
    await new Promise((r) => setTimeout(r, 28000))
    // no PUBACK while InfluxDB refuses: the device waits with its window full
    expect(acked.size - duringErrorStart).toBe(0)
    expect(app.writer.stats.failedAttempts).toBeGreaterThan(3)

    proxy.set('slow')
    const slowStart = acked.size
    await new Promise((r) => setTimeout(r, 30000))
    // the backlog drains and the stream goes on, at the database's pace
    expect(acked.size).toBeGreaterThan(slowStart + 5)

    proxy.set('pass')
    const fastStart = acked.size
    await eventually(async () => acked.size > fastStart + 200, 'the stream back at full speed', 20000)
    publishing = false
    await streaming

    const rows = await app.influx.rows(`SELECT seq FROM purifier_telemetry WHERE device = 'flaky-1'`)
    const stored = new Set(rows.map((r) => Number(r.seq)))
    expect([...acked].filter((s) => !stored.has(s))).toEqual([])
    // the pipeline board's measurement tells the story: failed attempts counted, latency of the last write
    const [metrics] = await app.influx.rows(
      'SELECT max(write_failed_attempts) AS failed, max(write_last_ms) AS slowest FROM aftercare_pipeline'
    )
    expect(Number(metrics?.failed)).toBeGreaterThan(3)
    expect(Number(metrics?.slowest)).toBeGreaterThanOrEqual(1500)
  }, 150000)
})
