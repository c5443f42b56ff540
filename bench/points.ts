/**
 * Points per second against the database's ceiling, in one run on a local influxd:
 *   (a) the ceiling: a raw writer posting the very line protocol aftercare would write (made by the same
 *       normaliser from the same uploads) straight to InfluxDB /write, 5,000 lines a request, 4 in flight
 *       (aftercare's writer defaults);
 *   (b) aftercare: devices publishing {"samples":[…]} uploads of `batch` samples over MQTT (QoS 1, PUBACK
 *       after InfluxDB holds them), every point counted in InfluxDB afterwards.
 * `--profile FILE` writes a CPU profile of this process (aftercare) over the load only (DevTools format).
 *   npm run bench -- points [--devices 50] [--uploads 40] [--batch 100] [--window 4] [--profile FILE]
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { normalise } from '../ingest/index.js'
import type { DeviceInfo } from '../shared/index.js'
import { InfluxQueryClient } from '../stores/index.js'
import {
  benchInfluxd,
  benchScript,
  cpuSeconds,
  provisionPurifiers,
  startBenchAftercare,
  startProfile
} from './common.js'

const run = promisify(execFile)
const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '50' },
    uploads: { type: 'string', default: '40' },
    batch: { type: 'string', default: '100' },
    window: { type: 'string', default: '4' },
    profile: { type: 'string' }
  },
  allowPositionals: true
})
const devices = Number(values.devices)
const uploads = Number(values.uploads)
const batch = Number(values.batch)
const window = Number(values.window)
const baseTs = Date.now() - 3 * 3600000
const points = devices * uploads * batch

/** The upload publishers.mjs sends as message `seq` (1-based), so the raw writer posts the same samples. */
function upload(seq: number): string {
  const samples = Array.from({ length: batch }, (_, i) => {
    const s = (seq - 1) * batch + i + 1
    return {
      ts: baseTs + s,
      seq: s,
      litersTotal: 100 + s / 10,
      tdsIn: 210,
      tdsOut: 14,
      tempC: 18.5,
      pressureKpa: 320,
      leak: false
    }
  })
  return JSON.stringify({ samples })
}

const { dir, influxd, cleanUp } = await benchInfluxd('points')
try {
  // (a) the ceiling
  const rawDb = new InfluxQueryClient({ url: influxd.url, database: 'raw', writeApi: 'v1' })
  await rawDb.ensureDatabase()
  const lines: string[] = []
  for (let d = 0; d < devices; d++) {
    const device: DeviceInfo = {
      id: `bench-${d}`,
      kind: 'purifier',
      model: 'RO-400',
      region: 'cn-east',
      outlet: 'sh-01'
    }
    for (let u = 1; u <= uploads; u++)
      lines.push(
        ...normalise(device, 'telemetry', Buffer.from(upload(u)), {
          now: Date.now(),
          maxAgeMs: 400 * 86400000,
          maxFutureMs: 300000
        }).lines
      )
  }
  const rawCpu0 = cpuSeconds(influxd.pid)
  const r0 = performance.now()
  const inFlight = new Set<Promise<void>>()
  for (let i = 0; i < lines.length; i += 5000) {
    const p = fetch(`${influxd.url}/write?db=raw&precision=ns`, {
      method: 'POST',
      body: lines.slice(i, i + 5000).join('\n')
    }).then(async (res) => {
      if (res.status !== 204) throw new Error(`raw write ${res.status}: ${await res.text()}`)
    })
    inFlight.add(p)
    void p.then(
      () => inFlight.delete(p),
      () => inFlight.delete(p)
    )
    if (inFlight.size >= 4) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  const rawSeconds = (performance.now() - r0) / 1000
  const rawInfluxdCpu = cpuSeconds(influxd.pid).own - rawCpu0.own
  const [rawRow] = await rawDb.rows('SELECT count(tdsIn) AS n FROM purifier_telemetry')

  // (b) aftercare
  const app = await startBenchAftercare(path.join(dir, 'data'), influxd.url)
  const creds = await provisionPurifiers(app, devices)
  const cfg = {
    url: app.endpoints.mqtt,
    devices: creds,
    count: uploads,
    window,
    kind: 'purifier',
    batch,
    timeLimitMs: 300000,
    baseTs
  }
  const profiler = values.profile ? await startProfile() : undefined
  const [influxd0, self0] = [cpuSeconds(influxd.pid), cpuSeconds()]
  const { stdout } = await run('node', [benchScript('publishers.mjs'), JSON.stringify(cfg)], {
    maxBuffer: 1 << 24
  })
  const load = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    acked: number
    errors: number
    seconds: number
    p50: number
    p99: number
  }
  const [influxd1, self1] = [cpuSeconds(influxd.pid), cpuSeconds()]
  if (profiler && values.profile) writeFileSync(values.profile, JSON.stringify(await profiler.stop()))
  const [row] = await app.influx.rows('SELECT count(tdsIn) AS n FROM purifier_telemetry')
  const stored = Number(row?.n ?? 0)
  const writer = app.writer.stats
  await app.stop()

  const rawRate = points / rawSeconds
  const durableRate = (load.acked * batch) / load.seconds
  console.log(
    `\npoints benchmark: ${devices} devices × ${uploads} uploads × ${batch} samples (window ${window}), ${os.cpus().length} cores, node ${process.version}`
  )
  console.log('writer                                   | points/s | seconds | points stored')
  console.log(
    `raw line protocol → /write (ceiling)     | ${rawRate.toFixed(0).padStart(8)} | ${rawSeconds.toFixed(2).padStart(7)} | ${rawRow?.n}`
  )
  console.log(
    `aftercare: MQTT uploads, durable PUBACK  | ${durableRate.toFixed(0).padStart(8)} | ${load.seconds.toFixed(2).padStart(7)} | ${stored}`
  )
  console.log(`ratio aftercare / ceiling: ${(durableRate / rawRate).toFixed(2)}`)
  console.log(
    `upload publish→PUBACK: p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms; errors ${load.errors}`
  )
  console.log(
    `writer: ${writer.batchesWritten} requests, ${(writer.linesWritten / Math.max(1, writer.batchesWritten)).toFixed(0)} lines/request`
  )
  console.log(
    `InfluxDB holds ${stored} of ${load.acked * batch} acknowledged samples${stored === load.acked * batch ? ' (all)' : ' — LOSS'}`
  )
  // where the two cores went: CPU seconds per million points stored, per process
  const perM = (cpu: number, n: number) => ((cpu / n) * 1e6).toFixed(1)
  const viaPoints = load.acked * batch
  console.log(
    `CPU s per million points — ceiling run: influxd ${perM(rawInfluxdCpu, points)}; aftercare run: influxd ${perM(influxd1.own - influxd0.own, viaPoints)}, aftercare ${perM(self1.own - self0.own, viaPoints)}, load generator ${perM(self1.children - self0.children, viaPoints)}`
  )
  if (stored !== load.acked * batch) process.exitCode = 1
} finally {
  await cleanUp()
}
