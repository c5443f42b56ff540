import { Command, InvalidArgumentError } from 'commander'
import cliProgress from 'cli-progress'
import { loadConfig } from '../shared/index.js'
import { backfill, runLive, type BackfillReport, type FleetPorts } from '../simulators/index.js'
import { fleetPorts, type FleetTarget } from './fleet-ports.js'

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`)
  return n
}
const num = (name: string, min: number) => (value: string) => {
  const n = Number(value)
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name} must be a number ≥ ${min}`)
  return n
}

interface FleetOpts {
  seed: number
  devices: number
  prefix: string
  purifierShare: number
}
interface BackfillOpts extends FleetOpts {
  days: number
  interval: number
  batch: number
  concurrency: number
  truth?: string
}
interface LiveOpts extends FleetOpts {
  liveInterval: number
  speed: number
  duration?: number
}

function fleetOptions(cmd: Command): Command {
  return cmd
    .option('--api <url>', 'API of the running aftercare (default: from the data folder)')
    .option(
      '--token <token>',
      'bearer token with the provisioner role (default: the admin token in the data folder)'
    )
    .option('--mqtt <url>', 'MQTT URL (default: from the data folder)')
    .option('--influx <url>', 'InfluxDB URL for the end-of-run count (default: from the data folder)')
    .option('--seed <n>', 'fleet seed: the same seed gives the same fleet', int('--seed', 0, 2 ** 31 - 1), 42)
    .option('--devices <n>', 'number of devices', int('--devices', 1, 1_000_000), 100)
    .option('--prefix <prefix>', 'device id prefix', 'sim')
    .option(
      '--purifier-share <share>',
      'share of water purifiers (the rest are construction machines)',
      num('--purifier-share', 0),
      0.7
    )
}

function backfillOptions(cmd: Command): Command {
  return cmd
    .option(
      '--days <n>',
      'days of history, ending yesterday (max 395: older samples are refused by ingest)',
      int('--days', 1, 395),
      365
    )
    .option('--interval <minutes>', 'minutes between history samples', int('--interval', 1, 1440), 60)
    .option('--batch <n>', 'samples per upload (max 1000)', int('--batch', 1, 1000), 500)
    .option('--concurrency <n>', 'devices uploading at once', int('--concurrency', 1, 10000), 50)
    .option(
      '--truth <file.jsonl>',
      "write each device's ground truth (component due days, faults) as JSON lines"
    )
}

function liveOptions(cmd: Command): Command {
  return cmd
    .option(
      '--live-interval <seconds>',
      "seconds between a live device's samples",
      num('--live-interval', 0.1),
      60
    )
    .option(
      '--speed <factor>',
      'simulated time runs this many times faster (usage ages faster; timestamps stay real)',
      num('--speed', 1),
      1
    )
    .option(
      '--duration <seconds>',
      'stop after this many seconds (default: run until Ctrl-C)',
      num('--duration', 1)
    )
}

function portsFor(cmd: Command): FleetPorts {
  const globals = cmd.optsWithGlobals<{ dataDir?: string } & FleetTarget>()
  const ports = fleetPorts(loadConfig(undefined, { AFTERCARE_DATA_DIR: globals.dataDir }), globals)
  // one secret per device per run: a live run after a backfill reuses it
  const secrets = new Map<string, Promise<string>>()
  return {
    ...ports,
    provision: (spec) => {
      const known = secrets.get(spec.id) ?? ports.provision(spec)
      secrets.set(spec.id, known)
      return known
    }
  }
}

async function runBackfill(ports: FleetPorts, opts: BackfillOpts): Promise<BackfillReport> {
  const bar = new cliProgress.SingleBar(
    {
      format: 'backfill |{bar}| {value}/{total} devices | {samples} samples | {rate} samples/s',
      etaBuffer: 50,
      // in a log (no terminal) print a line every 10 s instead of redrawing
      noTTYOutput: true,
      notTTYSchedule: 10000
    },
    cliProgress.Presets.shades_classic
  )
  const started = performance.now()
  bar.start(opts.devices, 0, { samples: 0, rate: 0 })
  const report = await backfill(ports, {
    seed: opts.seed,
    devices: opts.devices,
    days: opts.days,
    intervalMin: opts.interval,
    batch: opts.batch,
    concurrency: opts.concurrency,
    prefix: opts.prefix,
    purifierShare: opts.purifierShare,
    truthFile: opts.truth,
    onProgress: ({ samples, devicesDone }) =>
      bar.update(devicesDone, { samples, rate: Math.round(samples / ((performance.now() - started) / 1000)) })
  }).finally(() => bar.stop())
  console.log(
    [
      `backfill ${report.from} .. ${report.to}: ${report.devices} devices, ${report.samplesSent} samples, ${report.eventsSent} events`,
      `  provisioning ${report.provisionSeconds.toFixed(1)} s; upload ${report.uploadSeconds.toFixed(1)} s = ${Math.round(report.samplesPerSecond)} samples/s`,
      report.checked
        ? report.missing.length === 0
          ? `  InfluxDB holds every sample sent (${report.samplesSent})`
          : `  MISSING in InfluxDB: ${report.missing.length} devices, e.g. ${JSON.stringify(report.missing.slice(0, 3))} (see 'aftercare dead-letters')`
        : '  InfluxDB not checked (no --influx and none in the data folder)',
      opts.truth ? `  ground truth: ${opts.truth}` : ''
    ]
      .filter(Boolean)
      .join('\n')
  )
  if (report.missing.length > 0) process.exitCode = 1
  return report
}

async function runLiveFleet(ports: FleetPorts, opts: LiveOpts, firstDay?: number): Promise<void> {
  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  process.once('SIGTERM', () => stop.abort())
  let last = 0
  console.error(`simulate live: connecting ${opts.devices} devices… (Ctrl-C stops)`)
  const status = await runLive(ports, {
    seed: opts.seed,
    devices: opts.devices,
    intervalSeconds: opts.liveInterval,
    speed: opts.speed,
    prefix: opts.prefix,
    purifierShare: opts.purifierShare,
    durationSeconds: opts.duration,
    firstDay,
    signal: stop.signal,
    onStatus: (s) => {
      if (Date.now() - last < 10000) return
      last = Date.now()
      console.error(
        `live: ${s.connected} connected, ${s.published} published, ${s.acked} acknowledged, ${s.failed} failed`
      )
    }
  })
  console.log(
    `simulate live stopped: ${status.published} published, ${status.acked} acknowledged, ${status.failed} failed`
  )
  if (status.failed > 0) process.exitCode = 1
}

/** `aftercare simulate backfill|live|demo`. */
export function simulateCommand(): Command {
  const simulate = new Command('simulate').description(
    'simulated fleets of purifiers and construction machines, through the real broker'
  )

  backfillOptions(fleetOptions(simulate.command('backfill')))
    .description(
      'publish D days of history for N devices as {"samples":[...]} uploads, then check InfluxDB holds every sample'
    )
    .action(async (opts: BackfillOpts, cmd: Command) => {
      await runBackfill(portsFor(cmd), opts)
    })

  liveOptions(fleetOptions(simulate.command('live')))
    .description(
      'keep N devices live: each connects with its own credentials and publishes every interval; Ctrl-C stops cleanly'
    )
    .option(
      '--first-day <YYYY-MM-DD>',
      'continue the fleet of a backfill that ended yesterday with this many --days (default: a fleet delivered lately)'
    )
    .action(async (opts: LiveOpts & { firstDay?: string }, cmd: Command) => {
      const firstDay = opts.firstDay
        ? Math.floor(Date.parse(`${opts.firstDay}T00:00:00Z`) / 86400000)
        : undefined
      if (opts.firstDay && !Number.isFinite(firstDay))
        throw new InvalidArgumentError('--first-day is a date, YYYY-MM-DD')
      await runLiveFleet(portsFor(cmd), opts, firstDay)
    })

  liveOptions(backfillOptions(fleetOptions(simulate.command('demo'))))
    .description(
      'the demo in one command: a year of history for N devices (backfill), then the same N devices live until Ctrl-C'
    )
    .action(async (opts: BackfillOpts & LiveOpts, cmd: Command) => {
      const ports = portsFor(cmd)
      const report = await runBackfill(ports, opts)
      await runLiveFleet(ports, opts, report.firstDay)
    })

  return simulate
}
