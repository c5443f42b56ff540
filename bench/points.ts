/**
 * Points per second against the database's ceiling, in one run on a local influxd, in alternating rounds
 * (the shared cores' speed drifts between runs: the ratio is the median of the rounds'):
 *   (a) the ceiling: a raw writer posting the very line protocol aftercare would write (made by the same
 *       normaliser from the same uploads, request bodies ready before the clock starts) straight to
 *       InfluxDB /write, 5,000 lines a request, 4 in flight (aftercare's writer defaults);
 *   (b) aftercare: devices publishing {"samples":[…]} uploads of `batch` samples over MQTT (QoS 1, PUBACK
 *       after InfluxDB holds them), every point counted in InfluxDB afterwards.
 * Each round writes its own hour of samples (new points, not overwrites). Prints where the CPU went per
 * point (influxd, aftercare, the load generator). `--profile FILE` writes a CPU profile of this process
 * (aftercare) over the last round's load (DevTools format).
 *   npm run bench -- points [--devices 50] [--uploads 240] [--batch 100] [--window 4] [--rounds 3] [--profile FILE]
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import http from 'node:http'
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
    uploads: { type: 'string', default: '240' },
    batch: { type: 'string', default: '100' },
    window: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    profile: { type: 'string' }
  },
  allowPositionals: true
})
const devices = Number(values.devices)
const uploads = Number(values.uploads)
const batch = Number(values.batch)
const window = Number(values.window)
const rounds = Number(values.rounds)
const points = devices * uploads * batch

/** The upload publishers.mjs sends as message `seq` (1-based), so the raw writer posts the same samples. */
function upload(baseTs: number, seq: number): string {
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

/** CPU seconds per million points, per process. */
interface CpuPerMillion {
  influxd: number
  aftercare?: number
  load?: number
}

interface Round {
  rate: number
  seconds: number
  stored: number
  cpu: CpuPerMillion
}

/** One request to /write with a ready body; resolves on 204. */
function post(agent: http.Agent, url: URL, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-length': body.length } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`raw write ${res.statusCode}: ${text}`))
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * The ceiling: the round's lines posted straight to /write, 5,000 a request, 4 in flight. The request
 * bodies are made before the clock starts and posted with node:http on kept-alive connections, so the
 * writer's own work is as small as it can be and what is measured is InfluxDB's.
 */
async function ceiling(influxUrl: string, influxPid: number | undefined, baseTs: number): Promise<Round> {
  const bodies: Buffer[] = []
  let lines: string[] = []
  const flush = () => {
    bodies.push(Buffer.from(lines.join('\n')))
    lines = []
  }
  for (let d = 0; d < devices; d++) {
    const device: DeviceInfo = {
      id: `bench-${d}`,
      kind: 'purifier',
      model: 'RO-400',
      region: 'cn-east',
      outlet: 'sh-01'
    }
    for (let u = 1; u <= uploads; u++) {
      for (const line of normalise(device, 'telemetry', Buffer.from(upload(baseTs, u)), {
        now: Date.now(),
        maxAgeMs: 400 * 86400000,
        maxFutureMs: 300000
      }).lines) {
        lines.push(line)
        if (lines.length === 5000) flush()
      }
    }
  }
  if (lines.length > 0) flush()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const url = new URL(`${influxUrl}/write?db=raw&precision=ns`)
  const [influxd0, self0] = [cpuSeconds(influxPid), cpuSeconds()]
  const t0 = performance.now()
  let next = 0
  const worker = async () => {
    while (next < bodies.length) await post(agent, url, bodies[next++] as Buffer)
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  const seconds = (performance.now() - t0) / 1000
  const [influxd1, self1] = [cpuSeconds(influxPid), cpuSeconds()]
  agent.destroy()
  const perM = (cpu: number) => (cpu / points) * 1e6
  return {
    rate: points / seconds,
    seconds,
    stored: 0,
    cpu: { influxd: perM(influxd1.own - influxd0.own), load: perM(self1.own - self0.own) }
  }
}

/** aftercare: the devices upload the round's samples over MQTT, each PUBACK after InfluxDB holds them. */
async function durable(
  url: string,
  creds: { id: string; secret: string }[],
  influxPid: number | undefined,
  baseTs: number
): Promise<Round & { acked: number; errors: number; p50: number; p99: number }> {
  const cfg = {
    url,
    devices: creds,
    count: uploads,
    window,
    kind: 'purifier',
    batch,
    timeLimitMs: 300000,
    baseTs
  }
  const [influxd0, self0] = [cpuSeconds(influxPid), cpuSeconds()]
  const { stdout } = await run('node', [benchScript('publishers.mjs'), JSON.stringify(cfg)], {
    maxBuffer: 1 << 24
  })
  const [influxd1, self1] = [cpuSeconds(influxPid), cpuSeconds()]
  const load = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    acked: number
    errors: number
    seconds: number
    p50: number
    p99: number
  }
  const n = load.acked * batch
  const perM = (cpu: number) => (cpu / Math.max(1, n)) * 1e6
  return {
    ...load,
    rate: n / load.seconds,
    stored: 0,
    cpu: {
      influxd: perM(influxd1.own - influxd0.own),
      aftercare: perM(self1.own - self0.own),
      load: perM(self1.children - self0.children)
    }
  }
}

const { dir, influxd, cleanUp } = await benchInfluxd('points')
try {
  const rawDb = new InfluxQueryClient({ url: influxd.url, database: 'raw', writeApi: 'v1' })
  await rawDb.ensureDatabase()
  const app = await startBenchAftercare(path.join(dir, 'data'), influxd.url)
  const creds = await provisionPurifiers(app, devices)
  const count = async (db: InfluxQueryClient, baseTs: number) => {
    const [row] = await db.rows(
      `SELECT count(tdsIn) AS n FROM purifier_telemetry WHERE time >= ${baseTs}ms AND time < ${baseTs + 3600000}ms`
    )
    return Number(row?.n ?? 0)
  }
  const pairs: { raw: Round; app: Awaited<ReturnType<typeof durable>> }[] = []
  for (let r = 0; r < rounds; r++) {
    // each round its own hour of samples, hours before now (inside the accepted window)
    const baseTs = Date.now() - (rounds + 2 - r) * 3600000
    const raw = await ceiling(influxd.url, influxd.pid, baseTs)
    raw.stored = await count(rawDb, baseTs)
    const profiler = values.profile && r === rounds - 1 ? await startProfile() : undefined
    const viaApp = await durable(app.endpoints.mqtt, creds, influxd.pid, baseTs)
    if (profiler && values.profile) writeFileSync(values.profile, JSON.stringify(await profiler.stop()))
    viaApp.stored = await count(app.influx, baseTs)
    pairs.push({ raw, app: viaApp })
  }
  const writer = app.writer.stats
  await app.stop()

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  console.log(
    `\npoints benchmark: ${devices} devices × ${uploads} uploads × ${batch} samples a round (window ${window}), ${rounds} rounds, ${os.cpus().length} cores, node ${process.version}`
  )
  console.log('round | writer                                  | points/s | seconds | points stored | ratio')
  let lost = 0
  for (const [i, { raw, app: a }] of pairs.entries()) {
    const n = String(i + 1).padStart(5)
    console.log(
      `${n} | raw line protocol → /write (ceiling)    | ${raw.rate.toFixed(0).padStart(8)} | ${raw.seconds.toFixed(2).padStart(7)} | ${String(raw.stored).padStart(13)} |`
    )
    console.log(
      `${n} | aftercare: MQTT uploads, durable PUBACK | ${a.rate.toFixed(0).padStart(8)} | ${a.seconds.toFixed(2).padStart(7)} | ${String(a.stored).padStart(13)} | ${(a.rate / raw.rate).toFixed(2)}`
    )
    if (a.stored !== a.acked * batch) lost += a.acked * batch - a.stored
  }
  console.log(
    `ratio aftercare / ceiling, median of ${rounds} rounds: ${median(pairs.map((p) => p.app.rate / p.raw.rate)).toFixed(2)}`
  )
  console.log(
    `upload publish→PUBACK per round, p50 / p99 ms: ${pairs.map((p) => `${p.app.p50.toFixed(0)} / ${p.app.p99.toFixed(0)}`).join('; ')}; errors ${pairs.reduce((e, p) => e + p.app.errors, 0)}`
  )
  console.log(
    `writer: ${writer.batchesWritten} requests, ${(writer.linesWritten / Math.max(1, writer.batchesWritten)).toFixed(0)} lines/request`
  )
  const acked = pairs.reduce((s, p) => s + p.app.acked * batch, 0)
  console.log(
    `InfluxDB holds ${acked - lost} of ${acked} acknowledged samples${lost === 0 ? ' (all)' : ' — LOSS'}`
  )
  // where the two cores went: CPU seconds per million points stored, per process
  console.log('CPU s per million points (from /proc), per round:')
  for (const [i, { raw, app: a }] of pairs.entries())
    console.log(
      `  ${i + 1}: ceiling influxd ${raw.cpu.influxd.toFixed(1)} + raw writer ${raw.cpu.load?.toFixed(1)}; aftercare run influxd ${a.cpu.influxd.toFixed(1)} + aftercare ${a.cpu.aftercare?.toFixed(1)} + load generator ${a.cpu.load?.toFixed(1)}`
    )
  if (lost !== 0) process.exitCode = 1
} finally {
  await cleanUp()
}
