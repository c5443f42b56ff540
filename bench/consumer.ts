/**
 * Consumer-mode ingest: the same publishers (one load process, `--devices` MQTT.js clients, QoS 1) against
 * a real Mosquitto 2, with
 *   (a) one plain QoS 1 subscriber to every device's telemetry that stores nothing (bench/consumer.mjs in
 *       its own process) — the baseline, and
 *   (b) aftercare started with INGEST_BROKER_URL (the shipped consumer: shared subscription, persistent
 *       session, PUBACK to Mosquitto after each message is in InfluxDB), on a local influxd,
 * in alternating rounds. A round's rate is the messages stored (b) or received (a) over the time from the
 * first publish to the last one stored or received. Prints msgs/s, the ratio of the medians, the
 * consumer's receive → stored latency (p50/p99, aftercare's own reservoir), the publishers' PUBACK
 * latency from Mosquitto, and CPU µs per message of each process; checks InfluxDB holds every message.
 *   npm run bench -- consumer [--devices 50] [--count 400] [--window 10] [--rounds 3]
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { parseArgs, promisify } from 'node:util'
import { loadConfig, silentLogger } from '../shared/index.js'
import { startAftercare, type Aftercare } from '../app/index.js'
import { benchInfluxd, benchScript, cpuSeconds } from './common.js'
import { startMosquitto } from './mosquitto.js'

const run = promisify(execFile)
const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '50' },
    count: { type: 'string', default: '400' },
    window: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' }
  }
})
const [devices, count, window, rounds] = [values.devices, values.count, values.window, values.rounds].map(
  Number
) as [number, number, number, number]
const creds = Array.from({ length: devices }, (_, i) => ({
  id: `cons-${i}`,
  secret: 'unused-by-anonymous-broker'
}))

interface Round {
  msgsPerSecond: number
  acked: number
  pubackP99: number
  cpu: Record<string, number>
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const { influxd, cleanUp } = await benchInfluxd('consumer')
const mosquitto = await startMosquitto()
const data = mkdtempSync(path.join(os.tmpdir(), 'aftercare-bench-consumer-data-'))
const config = loadConfig(undefined, {
  AFTERCARE_DATA_DIR: data,
  INFLUX_URL: influxd.url,
  API_PORT: 0,
  LOG_LEVEL: 'silent',
  PLAN_EVERY_HOURS: 0,
  INGEST_BROKER_URL: mosquitto.url,
  INGEST_BROKER_CLIENT_ID: 'bench-consumer-node'
})
try {
  // the devices, registered once (a stopped node leaves the share group: no messages wait for it)
  const setup = await startAftercare(config, silentLogger)
  await setup.outlets.upsert({ code: 'sh-01', regions: ['cn-east'], capacityPerDay: 8 })
  for (const c of creds)
    await setup.registry.provision({
      id: c.id,
      kind: 'purifier',
      model: 'RO-400',
      region: 'cn-east',
      outlet: 'sh-01'
    })
  await setup.stop()

  const publish = async (baseTs: number) => {
    const { stdout } = await run(
      'node',
      [
        benchScript('publishers.mjs'),
        JSON.stringify({
          url: mosquitto.url,
          devices: creds,
          count,
          window,
          kind: 'purifier',
          timeLimitMs: 120000,
          baseTs
        })
      ],
      { maxBuffer: 1 << 24 }
    )
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      acked: number
      p99: number
    }
  }

  const bare = async (): Promise<Round> => {
    const child = spawn(
      'node',
      [benchScript('consumer.mjs'), JSON.stringify({ url: mosquitto.url, qos: 1, timeLimitMs: 60000 })],
      {
        stdio: ['pipe', 'pipe', 'inherit']
      }
    )
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    if ((await lines.next()).value !== 'ready') throw new Error('the bare subscriber did not subscribe')
    const m0 = cpuSeconds(mosquitto.pid)
    const t0 = performance.now()
    const result = await publish(Date.now() - 3600000)
    child.stdin.end(String(result.acked))
    const { value } = await lines.next()
    const seconds = (performance.now() - t0) / 1000
    await once(child, 'exit')
    const { received, cpuMicros } = JSON.parse(String(value)) as { received: number; cpuMicros: number }
    if (received < result.acked) throw new Error(`the bare subscriber got ${received} of ${result.acked}`)
    const m1 = cpuSeconds(mosquitto.pid)
    return {
      msgsPerSecond: result.acked / seconds,
      acked: result.acked,
      pubackP99: result.p99,
      cpu: { mosquitto: ((m1.own - m0.own) / result.acked) * 1e6, subscriber: cpuMicros / result.acked }
    }
  }

  // the shipped node, as `aftercare start --ingest-from` builds it, started for each round
  const consumer = async (round: number): Promise<{ round: Round; storeP50: number; storeP99: number }> => {
    const node: Aftercare = await startAftercare(config, silentLogger)
    try {
      const live = node.consumer
      if (!live) throw new Error('no consumer started')
      const [m0, i0, s0] = [cpuSeconds(mosquitto.pid), cpuSeconds(influxd.pid), cpuSeconds()]
      const t0 = performance.now()
      // each round's samples are new points (a later hour), not overwrites of the last round's
      const result = await publish(Date.now() - 3600000 + round * 600000)
      while (live.stats.stored < result.acked && performance.now() - t0 < 120000)
        await new Promise((r) => setTimeout(r, 5))
      const seconds = (performance.now() - t0) / 1000
      const [m1, i1, s1] = [cpuSeconds(mosquitto.pid), cpuSeconds(influxd.pid), cpuSeconds()]
      if (live.stats.stored < result.acked)
        throw new Error(`aftercare stored ${live.stats.stored} of ${result.acked}`)
      const latency = live.storeLatency()
      const per = (s: number) => (s / result.acked) * 1e6
      return {
        round: {
          msgsPerSecond: result.acked / seconds,
          acked: result.acked,
          pubackP99: result.p99,
          cpu: {
            mosquitto: per(m1.own - m0.own),
            aftercare: per(s1.own - s0.own),
            influxd: per(i1.own - i0.own)
          }
        },
        storeP50: latency.p50,
        storeP99: latency.p99
      }
    } finally {
      await node.stop()
    }
  }

  const bareRounds: Round[] = []
  const ours: Awaited<ReturnType<typeof consumer>>[] = []
  for (let r = 0; r < rounds; r++) {
    bareRounds.push(await bare())
    ours.push(await consumer(r))
  }
  const rate = (rs: Round[]) => median(rs.map((r) => r.msgsPerSecond))
  const cpu = (rs: Round[], key: string) => median(rs.map((r) => r.cpu[key] ?? NaN)).toFixed(0)
  const ourRounds = ours.map((o) => o.round)
  console.log(
    `\nconsumer benchmark: ${devices} publishers × ${count} QoS 1 samples (window ${window}) to Mosquitto 2, ${rounds} alternating rounds, ${os.cpus().length} cores\n`
  )
  console.log(
    '| run | msgs/s (median) | ratio | Mosquitto PUBACK p99 (ms) | receive → stored p50 / p99 (ms) | CPU µs a message |'
  )
  console.log('| --- | --- | --- | --- | --- | --- |')
  console.log(
    `| (a) Mosquitto + one QoS 1 subscriber storing nothing | ${rate(bareRounds).toFixed(0)} | 1.00 | ${median(bareRounds.map((r) => r.pubackP99)).toFixed(1)} | – | Mosquitto ${cpu(bareRounds, 'mosquitto')}, subscriber ${cpu(bareRounds, 'subscriber')} |`
  )
  console.log(
    `| (b) Mosquitto + aftercare's consumer storing every message in InfluxDB | ${rate(ourRounds).toFixed(0)} | ${(rate(ourRounds) / rate(bareRounds)).toFixed(2)} | ${median(ourRounds.map((r) => r.pubackP99)).toFixed(1)} | ${median(ours.map((o) => o.storeP50)).toFixed(1)} / ${median(ours.map((o) => o.storeP99)).toFixed(1)} | Mosquitto ${cpu(ourRounds, 'mosquitto')}, aftercare ${cpu(ourRounds, 'aftercare')}, influxd ${cpu(ourRounds, 'influxd')} |`
  )
} finally {
  await mosquitto.stop()
  rmSync(data, { recursive: true, force: true })
  await cleanUp()
}
