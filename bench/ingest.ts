/**
 * Ingest throughput: 100 publishers (one load process) against
 *   (a) a bare Aedes broker (QoS 1 PUBACK at once, nothing stored) with one subscriber to every device's
 *       telemetry in its own process (bench/consumer.mjs, QoS 0 by default: the cheapest delivery, so the
 *       fastest baseline) — the baseline the issue names; the same bare broker with no subscriber at all is
 *       measured too and its ratio printed as a stricter reference, and
 *   (b) aftercare (PUBACK after the sample is in InfluxDB; its own consumer is the ingest gate),
 * in the same run, on a local influxd, in alternating rounds (the shared cores' speed drifts between
 * runs: the ratio is the median of the rounds'). Then aftercare again at half its median rate, paced,
 * for the PUBACK latency a fleet sees at that load. Prints msgs/s, latencies and ratios, and checks
 * that InfluxDB holds every acknowledged sample and the subscriber received every message the bare broker
 * acknowledged, and where the CPU went per message (the broker's process, the load generator, influxd,
 * the subscriber). Also times aftercare's start. `--profile FILE` writes a CPU profile of aftercare over
 * its last full-rate round (the earlier ones warm it up).
 *   npm run bench -- ingest [--devices 100] [--count 300] [--window 10] [--rounds 3] [--consumer-qos 0|1]
 *                           [--profile FILE]
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import { Aedes } from 'aedes'
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
    devices: { type: 'string', default: '100' },
    count: { type: 'string', default: '300' },
    window: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'consumer-qos': { type: 'string', default: '0' },
    profile: { type: 'string' }
  },
  allowPositionals: true
})
const devices = Number(values.devices)
const count = Number(values.count)
const window = Number(values.window)
const rounds = Number(values.rounds)
const consumerQos = Number(values['consumer-qos'])
if (consumerQos !== 0 && consumerQos !== 1 && consumerQos !== 2) {
  console.error(`--consumer-qos is 0, 1 or 2, not ${values['consumer-qos']}`)
  process.exit(2)
}

/** CPU µs per acknowledged message: the broker's process (this one), the load generator, influxd, the consumer. */
interface CpuPerMessage {
  broker: number
  load: number
  influxd: number
  consumer?: number
}

interface LoadResult {
  acked: number
  errors: number
  connectSeconds: number
  seconds: number
  rate: number
  p50: number
  p95: number
  p99: number
  max: number
  cpu?: CpuPerMessage
  /** messages the bare broker's subscriber received (the bare broker with a consumer only) */
  received?: number
}

/**
 * The bare broker's one subscriber (bench/consumer.mjs) in its own process, subscribed before the load starts;
 * `finish` tells it how many messages were acknowledged and resolves once it has them (or its time is up).
 */
async function startConsumer(url: string) {
  const child = spawn(
    'node',
    [benchScript('consumer.mjs'), JSON.stringify({ url, qos: consumerQos, timeLimitMs: 30000 })],
    { stdio: ['pipe', 'pipe', 'inherit'] }
  )
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const first = await lines.next()
  if (first.value !== 'ready') throw new Error(`the consumer did not subscribe: ${String(first.value)}`)
  return {
    finish: async (acked: number) => {
      child.stdin.end(String(acked))
      const { value } = await lines.next()
      await once(child, 'exit')
      return JSON.parse(String(value)) as { received: number; cpuMicros: number }
    }
  }
}

async function load(
  url: string,
  creds: { id: string; secret: string }[],
  { rate, withConsumer = false }: { rate?: number; withConsumer?: boolean } = {}
): Promise<LoadResult> {
  const consumer = withConsumer ? await startConsumer(url) : undefined
  const cfg = {
    url,
    devices: creds,
    count,
    window,
    kind: 'purifier',
    timeLimitMs: 120000,
    // a round a few seconds after the last: its samples are new points, not overwrites
    baseTs: Date.now() - 3600000,
    rate
  }
  const [self0, influxd0] = [cpuSeconds(), cpuSeconds(influxPid)]
  const { stdout } = await run('node', [benchScript('publishers.mjs'), JSON.stringify(cfg)], {
    maxBuffer: 1 << 24
  })
  const [self1, influxd1] = [cpuSeconds(), cpuSeconds(influxPid)]
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as LoadResult
  const per = (seconds: number) => (seconds / Math.max(1, result.acked)) * 1e6
  result.cpu = {
    broker: per(self1.own - self0.own),
    load: per(self1.children - self0.children),
    influxd: per(influxd1.own - influxd0.own)
  }
  if (consumer) {
    const { received, cpuMicros } = await consumer.finish(result.acked)
    result.received = received
    result.cpu.consumer = cpuMicros / Math.max(1, result.acked)
  }
  return result
}

const { dir, influxd, cleanUp } = await benchInfluxd('ingest')
const influxPid = influxd.pid
try {
  // (a) bare Aedes, same load
  const bare = new Aedes({ maxClientsIdLength: 64 })
  await bare.listen()
  const server = net.createServer(bare.handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const barePort = (server.address() as net.AddressInfo).port
  const ids = Array.from({ length: devices }, (_, i) => ({ id: `bench-${i}`, secret: 'x' }))

  // (b) aftercare, durable PUBACK
  const t0 = performance.now()
  const app = await startBenchAftercare(path.join(dir, 'data'), influxd.url)
  const startSeconds = (performance.now() - t0) / 1000
  const creds = await provisionPurifiers(app, devices)

  const pairs: { alone: LoadResult; baseline: LoadResult; durable: LoadResult }[] = []
  for (let r = 0; r < rounds; r++) {
    const alone = await load(`mqtt://127.0.0.1:${barePort}`, ids)
    const baseline = await load(`mqtt://127.0.0.1:${barePort}`, ids, { withConsumer: true })
    const profiler = values.profile && r === rounds - 1 ? await startProfile() : undefined
    const durable = await load(app.endpoints.mqtt, creds)
    if (profiler && values.profile) writeFileSync(values.profile, JSON.stringify(await profiler.stop()))
    pairs.push({ alone, baseline, durable })
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  const halfRate = median(pairs.map((p) => p.durable.rate)) / 2
  const paced = await load(app.endpoints.mqtt, creds, { rate: halfRate })
  await new Promise<void>((r) => server.close(() => r()))
  await new Promise<void>((r) => bare.close(() => r()))
  const [row] = await app.influx.rows('SELECT count(tdsIn) AS n FROM purifier_telemetry')
  const stored = Number(row?.n ?? 0)
  const acked = pairs.reduce((a, p) => a + p.durable.acked, 0) + paced.acked
  const writer = app.writer.stats
  const resendReads = app.ingest.resendReads
  await app.stop()

  const fmt = (r: LoadResult) =>
    `${r.rate.toFixed(0).padStart(8)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p95.toFixed(1).padStart(6)} | ${r.p99.toFixed(1).padStart(6)} | ${r.max.toFixed(1).padStart(7)} | ${String(r.acked).padStart(6)} | ${r.errors}`
  console.log(
    `\ningest benchmark: ${devices} publishers × ${count} QoS 1 samples, window ${window}, ${os.cpus().length} cores, node ${process.version}`
  )
  console.log(
    'round | system                      | msgs/s   | p50 ms | p95 ms | p99 ms | max ms  | acked  | errors | ratio'
  )
  for (const [i, { alone, baseline, durable }] of pairs.entries()) {
    console.log(
      `${String(i + 1).padStart(5)} | bare Aedes, no subscriber   | ${fmt(alone)} | ${(durable.rate / alone.rate).toFixed(2)}`
    )
    console.log(`${String(i + 1).padStart(5)} | bare Aedes + 1 subscriber   | ${fmt(baseline)} |`)
    console.log(
      `${String(i + 1).padStart(5)} | aftercare (durable PUBACK)  | ${fmt(durable)} | ${(durable.rate / baseline.rate).toFixed(2)}`
    )
  }
  console.log(`paced | aftercare at ${halfRate.toFixed(0).padStart(5)} msgs/s   | ${fmt(paced)} |`)
  const last = pairs.at(-1)
  console.log(
    `connecting ${devices} devices: bare ${last?.baseline.connectSeconds.toFixed(2)} s, aftercare ${last?.durable.connectSeconds.toFixed(2)} s (a registry lookup and a salted hash per login)`
  )
  console.log(
    `ratio aftercare / bare Aedes with one subscriber (QoS ${consumerQos}), median of ${rounds} rounds: ${median(pairs.map((p) => p.durable.rate / p.baseline.rate)).toFixed(2)}`
  )
  console.log(
    `ratio aftercare / bare Aedes with no subscriber at all (stricter), median: ${median(pairs.map((p) => p.durable.rate / p.alone.rate)).toFixed(2)}`
  )
  const delivered = pairs.every((p) => p.baseline.received === p.baseline.acked)
  console.log(
    `the subscriber received ${pairs.map((p) => `${p.baseline.received}/${p.baseline.acked}`).join(', ')} of the bare broker's acknowledged messages${delivered ? '' : ' — SHORT'}`
  )
  console.log(
    `p99 publish→PUBACK at half aftercare's median rate (${halfRate.toFixed(0)} msgs/s, latency from the scheduled send): ${paced.p99.toFixed(1)} ms`
  )
  console.log(
    `InfluxDB holds ${stored} of ${acked} acknowledged samples${stored === acked ? ' (all)' : ' — LOSS'}`
  )
  console.log(
    `writer: ${writer.batchesWritten} requests, ${(writer.linesWritten / Math.max(1, writer.batchesWritten)).toFixed(0)} lines/request, ${writer.failedAttempts} failed attempts; ${resendReads} reads for resent samples`
  )
  const cpu = (r: LoadResult) =>
    `${r.cpu?.broker.toFixed(0)} broker + ${r.cpu?.load.toFixed(0)} load + ${r.cpu?.influxd.toFixed(0)} influxd`
  console.log(`CPU µs per acknowledged message (from /proc), per round:`)
  for (const [i, { alone, baseline, durable }] of pairs.entries())
    console.log(
      `  ${i + 1}: bare alone ${cpu(alone)}; bare ${cpu(baseline)} + ${baseline.cpu?.consumer?.toFixed(0)} subscriber; aftercare ${cpu(durable)}`
    )
  console.log(`  paced: aftercare ${cpu(paced)}`)
  console.log(
    `aftercare start (local PGlite, migrations, broker, API; influxd already running): ${startSeconds.toFixed(2)} s`
  )
  if (stored !== acked || !delivered) process.exitCode = 1
} finally {
  await cleanUp()
}
