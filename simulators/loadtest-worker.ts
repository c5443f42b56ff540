/**
 * One load-generator process of `aftercare loadtest`: connects its share of
 * the clients, waits for "go", then publishes single-sample QoS 1 messages at
 * each stage's rate and reports per stage: sent, acknowledged, errors and
 * publish→PUBACK latencies. Bounded by message count and time.
 */
import mqtt, { type MqttClient } from 'mqtt'

export interface WorkerConfig {
  url: string
  devices: { id: string; secret?: string }[]
  stages: { rate: number; seconds: number }[]
  maxMessages: number
  maxInflightPerClient: number
  seqStart: number
}

export interface StageResult {
  sent: number
  acked: number
  errors: number
  latencies: number[]
  seconds: number
}

export interface WorkerReport {
  stages: StageResult[]
  /** Acknowledged messages per device id. */
  ackedByDevice: Record<string, number>
  connectSeconds: number
}

/** Sends to the parent and resolves once the message is handed over (exiting earlier would drop it). */
function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve()
    process.send(message, undefined, {}, () => resolve())
  })
}

async function main(config: WorkerConfig): Promise<void> {
  const c0 = performance.now()
  const clients: MqttClient[] = await Promise.all(
    config.devices.map((d) =>
      mqtt.connectAsync(config.url, {
        clientId: d.id,
        username: d.id,
        password: d.secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
        keepalive: 60
      })
    )
  )
  for (const c of clients) c.on('error', () => undefined)
  const connectSeconds = (performance.now() - c0) / 1000
  await send({ type: 'ready' })
  await new Promise<void>((resolve) => process.once('message', () => resolve()))

  const inflight = new Array<number>(clients.length).fill(0)
  const ackedByDevice: Record<string, number> = {}
  const seqs = new Array<number>(clients.length).fill(config.seqStart)
  const stages: StageResult[] = []
  let total = 0
  let next = 0
  for (const stage of config.stages) {
    const result: StageResult = { sent: 0, acked: 0, errors: 0, latencies: [], seconds: stage.seconds }
    const pending = new Set<Promise<void>>()
    const started = performance.now()
    let allowance = 0
    let last = started
    while (performance.now() - started < stage.seconds * 1000 && total < config.maxMessages) {
      const now = performance.now()
      allowance = Math.min(allowance + ((now - last) / 1000) * stage.rate, stage.rate) // at most one second of burst
      last = now
      while (allowance >= 1 && total < config.maxMessages) {
        const i = next++ % clients.length
        if (inflight[i]! >= config.maxInflightPerClient) break
        allowance--
        total++
        inflight[i]!++
        result.sent++
        const id = config.devices[i]!.id
        const payload = JSON.stringify({
          ts: Date.now(),
          seq: ++seqs[i]!,
          litersTotal: (seqs[i]! - config.seqStart) / 10,
          tdsIn: 200,
          tdsOut: 12,
          tempC: 20,
          pressureKpa: 300,
          leak: false
        })
        const t = performance.now()
        const p = clients[i]!.publishAsync(`devices/${id}/telemetry`, payload, { qos: 1 }).then(
          () => {
            result.acked++
            result.latencies.push(performance.now() - t)
            ackedByDevice[id] = (ackedByDevice[id] ?? 0) + 1
          },
          () => {
            result.errors++
          }
        )
        const tracked = p.finally(() => {
          inflight[i]!--
          pending.delete(tracked)
        })
        pending.add(tracked)
      }
      await new Promise((r) => setTimeout(r, 5))
    }
    // let the stage's messages settle, at most 30 s
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 30000))])
    result.seconds = (performance.now() - started) / 1000
    stages.push(result)
  }
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))
  await send({ type: 'report', report: { stages, ackedByDevice, connectSeconds } satisfies WorkerReport })
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig
main(config).then(
  () => process.exit(0),
  (err: Error) => send({ type: 'error', message: err.message }).then(() => process.exit(1))
)
