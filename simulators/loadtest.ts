import { fork } from 'node:child_process'
import { lookup } from 'node:dns/promises'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import type { StageResult, WorkerConfig, WorkerReport } from './loadtest-worker.js'
import type { DeviceSpec } from './fleet-spec.js'
import { forEachLimit } from './ports.js'

export interface LoadtestOptions {
  url: string
  clients: number
  processes: number
  /** Target msgs/s of each stage (all processes together), and its length. */
  stages: { rate: number; seconds: number }[]
  maxMessages: number
  maxInflightPerClient?: number
  prefix?: string
  /** Registers each client and returns its secret; omit for a broker without authentication. */
  provision?: (id: string) => Promise<string>
}

export interface StageSummary {
  targetRate: number
  seconds: number
  sent: number
  acked: number
  errors: number
  ackedPerSecond: number
  p50: number
  p95: number
  p99: number
  max: number
}

export interface LoadtestResult {
  url: string
  clients: number
  processes: number
  connectSeconds: number
  stages: StageSummary[]
  acked: number
  ackedByDevice: Record<string, number>
  startedAt: number
}

export interface LossCount {
  stored: number
  acked: number
  losses: number
  devicesWithLoss: string[]
}

/** The registry entry a load-test client is provisioned with: a plain purifier delivered `day`. */
export function loadClientSpec(id: string, day: number): DeviceSpec {
  return {
    index: 0,
    id,
    kind: 'purifier',
    model: 'RO-400',
    region: 'cn-east',
    outlet: 'sh-01',
    deliveredDay: day
  }
}

/** Load tests run against this machine only. */
export async function assertLoopback(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  const address = net.isIP(host) ? host : (await lookup(host)).address
  const loopback = address === '::1' || /^127\./.test(address) || address === '::ffff:127.0.0.1'
  if (!loopback)
    throw new Error(`refusing to load-test ${url}: only loopback addresses (127.0.0.0/8, ::1) are allowed`)
}

/**
 * Ramps publishers through the stages from several processes (so the load
 * generator is not the bottleneck) and measures publish→PUBACK latency and
 * acknowledged msgs/s per stage. Bounded by message count and stage time.
 */
export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestResult> {
  await assertLoopback(options.url)
  const prefix = options.prefix ?? 'load'
  const ids = Array.from({ length: options.clients }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`)
  const devices: { id: string; secret?: string }[] = ids.map((id) => ({ id }))
  if (options.provision) {
    await forEachLimit(devices, 8, async (d) => {
      d.secret = await options.provision?.(d.id)
    })
  }
  const processes = Math.max(1, Math.min(options.processes, devices.length))
  const workerFile = fileURLToPath(
    new URL(`./loadtest-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)
  )
  const startedAt = Date.now()
  const workers = Array.from({ length: processes }, (_, w) => {
    const share = devices.filter((_, i) => i % processes === w)
    const config: WorkerConfig = {
      url: options.url,
      devices: share,
      stages: options.stages.map((s) => ({ rate: s.rate / processes, seconds: s.seconds })),
      maxMessages: Math.ceil(options.maxMessages / processes),
      maxInflightPerClient: options.maxInflightPerClient ?? 20,
      seqStart: Math.floor(startedAt / 1000) * 1000
    }
    const child = fork(workerFile, [JSON.stringify(config)], {
      execArgv: workerFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'ready') resolve()
        if (m.type === 'error') reject(new Error(`load worker ${w}: ${m.message}`))
      })
      child.once('exit', (code) => reject(new Error(`load worker ${w} exited (${code}) before it was ready`)))
    })
    const report = new Promise<WorkerReport>((resolve, reject) => {
      child.on('message', (m: { type: string; report?: WorkerReport; message?: string }) => {
        if (m.type === 'report' && m.report) resolve(m.report)
        if (m.type === 'error') reject(new Error(`load worker ${w}: ${m.message}`))
      })
      // an exit before the report (whatever its code) means the report is lost
      child.once('exit', (code) => reject(new Error(`load worker ${w} exited (${code}) without its report`)))
    })
    report.catch(() => undefined)
    return { child, ready, report }
  })
  const c0 = performance.now()
  await Promise.all(workers.map((w) => w.ready))
  const connectSeconds = (performance.now() - c0) / 1000
  for (const w of workers) w.child.send('go')
  const reports = await Promise.all(workers.map((w) => w.report))

  const stages = options.stages.map((stage, i) =>
    summarise(
      stage.rate,
      reports.map((r) => r.stages[i]).filter((s): s is StageResult => s !== undefined)
    )
  )
  const ackedByDevice: Record<string, number> = {}
  for (const r of reports) Object.assign(ackedByDevice, r.ackedByDevice)
  return {
    url: options.url,
    clients: options.clients,
    processes,
    connectSeconds,
    stages,
    acked: Object.values(ackedByDevice).reduce((a, b) => a + b, 0),
    ackedByDevice,
    startedAt
  }
}

/** Losses = acknowledged messages that the store does not hold, counted per device, not assumed. */
export function countLosses(result: LoadtestResult, stored: Map<string, number>): LossCount {
  let storedTotal = 0
  const devicesWithLoss: string[] = []
  for (const [id, acked] of Object.entries(result.ackedByDevice)) {
    const n = stored.get(id) ?? 0
    storedTotal += Math.min(n, acked)
    if (n < acked) devicesWithLoss.push(id)
  }
  return { stored: storedTotal, acked: result.acked, losses: result.acked - storedTotal, devicesWithLoss }
}

function summarise(targetRate: number, parts: StageResult[]): StageSummary {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
  const seconds = Math.max(...parts.map((p) => p.seconds), 0)
  const acked = parts.reduce((a, p) => a + p.acked, 0)
  return {
    targetRate,
    seconds,
    sent: parts.reduce((a, p) => a + p.sent, 0),
    acked,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    ackedPerSecond: seconds > 0 ? acked / seconds : 0,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: latencies.at(-1) ?? 0
  }
}

/** The report as Markdown, for a person. */
export function loadtestMarkdown(
  result: LoadtestResult,
  loss: LossCount | undefined,
  machine: string
): string {
  const rows = result.stages.map(
    (s) =>
      `| ${s.targetRate} | ${s.seconds.toFixed(1)} | ${s.sent} | ${s.acked} | ${s.errors} | ${Math.round(s.ackedPerSecond)} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} |`
  )
  return [
    `# aftercare load test`,
    '',
    `- target: ${result.url}; ${result.clients} clients in ${result.processes} processes; connecting took ${result.connectSeconds.toFixed(1)} s`,
    `- machine: ${machine}; started ${new Date(result.startedAt).toISOString()}`,
    `- single-sample QoS 1 messages; latency = publish → PUBACK`,
    '',
    '| target msgs/s | s | sent | acked | errors | acked msgs/s | p50 ms | p95 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    loss
      ? `Losses counted in InfluxDB: ${loss.losses} of ${loss.acked} acknowledged messages are missing (stored: ${loss.stored})${loss.devicesWithLoss.length ? `; devices: ${loss.devicesWithLoss.slice(0, 10).join(', ')}` : ''}.`
      : 'Losses not counted: no InfluxDB to count in.',
    ''
  ].join('\n')
}
