import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import os from 'node:os'
import path from 'node:path'
import { startAftercare, type Aftercare } from '../app/index.js'
import { loadConfig, silentLogger } from '../shared/index.js'
import { LocalInfluxd } from '../stores/index.js'

/**
 * Where a benchmark's plain .mjs helper is: the benchmarks run compiled from dist/bench (the code
 * `aftercare start` runs, not tsx's transform of it), their helpers stay in bench/.
 */
export function benchScript(name: string): string {
  const compiled = path.basename(path.dirname(import.meta.dirname)) === 'dist'
  return path.join(import.meta.dirname, compiled ? '../../bench' : '.', name)
}

/**
 * A temp folder and a local InfluxDB in it for one benchmark run; `cleanUp` stops influxd by its pid and
 * removes the folder, and runs too when the benchmark is interrupted (Ctrl-C, SIGTERM) — a killed run
 * used to leave influxd running with its data.
 */
export async function benchInfluxd(
  name: string,
  onInterrupt: () => Promise<void> = async () => undefined
): Promise<{ dir: string; influxd: LocalInfluxd; cleanUp: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `aftercare-bench-${name}-`))
  const influxd = new LocalInfluxd({ dir: path.join(dir, 'influxdb') })
  const cleanUp = async () => {
    await influxd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    // on, not once: npm and scripts/bench.mjs may both pass the signal on, and a second one unhandled
    // would end the process before the clean-up
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      console.error(`\n${signal}: stopping what the benchmark started`)
      void onInterrupt()
        .catch(() => undefined)
        .then(cleanUp)
        .finally(() => process.exit(130))
    })
  await influxd.start()
  return { dir, influxd, cleanUp }
}

/**
 * Waits until a process has used less than `idleShare` of a core for `windowMs` (InfluxDB compacting what a
 * benchmark just wrote would otherwise share the cores with what is measured next); at most `maxMs`.
 * Returns the seconds waited.
 */
export async function settled(
  pid: number | undefined,
  { idleShare = 0.1, windowMs = 5000, maxMs = 900000 } = {}
): Promise<number> {
  const started = performance.now()
  for (;;) {
    const before = cpuSeconds(pid).own
    await new Promise((r) => setTimeout(r, windowMs))
    const used = cpuSeconds(pid).own - before
    if (!(used > (idleShare * windowMs) / 1000) || performance.now() - started > maxMs)
      return (performance.now() - started) / 1000
  }
}

/**
 * aftercare for a benchmark: its own data folder, an existing InfluxDB, free ports, no scheduled pass,
 * and the per-device publish limit lifted — the pipeline's own rate is measured, not that limit. Other
 * settings come from the environment as for `aftercare start` (e.g. INFLUX_MAX_IN_FLIGHT=2 npm run bench …).
 */
export async function startBenchAftercare(dataDir: string, influxUrl: string): Promise<Aftercare> {
  const config = loadConfig(
    // the environment's settings, then the benchmark's own
    undefined,
    {
      AFTERCARE_DATA_DIR: dataDir,
      INFLUX_URL: influxUrl,
      MQTT_PORT: 0,
      API_PORT: 0,
      LOG_LEVEL: 'silent',
      PLAN_EVERY_HOURS: 0,
      MQTT_DEVICE_MSGS_PER_SECOND: 1000000
    }
  )
  const app = await startAftercare(config, silentLogger)
  // the outlet benchmark devices are provisioned to (provisioning checks it exists and covers the region)
  await app.outlets.upsert({ code: 'sh-01', regions: ['cn-east'], capacityPerDay: 8 })
  return app
}

/** Provisions `count` purifiers `<prefix>0..` and returns their credentials. */
export async function provisionPurifiers(
  app: Aftercare,
  count: number,
  prefix = 'bench-'
): Promise<{ id: string; secret: string }[]> {
  const creds: { id: string; secret: string }[] = []
  for (let i = 0; i < count; i++) {
    const id = `${prefix}${i}`
    const { secret } = await app.registry.provision({
      id,
      kind: 'purifier',
      model: 'RO-400',
      region: 'cn-east',
      outlet: 'sh-01'
    })
    creds.push({ id, secret })
  }
  return creds
}

/** CPU seconds (user + system) a process has used, and those of its children it has waited for, from /proc (Linux). */
export function cpuSeconds(pid: number | undefined = process.pid): { own: number; children: number } {
  if (!pid || !existsSync(`/proc/${pid}/stat`)) return { own: NaN, children: NaN }
  // the fields after the command's closing parenthesis: utime, stime, cutime, cstime are 14–17 (1-based)
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number)
  const tick = 100 // USER_HZ: 100 on Linux for every architecture the kernel exports it to userspace on
  const at = (n: number) => (fields[n - 3] ?? NaN) / tick
  return { own: at(14) + at(15), children: at(16) + at(17) }
}

/** A CPU profile of this process from now until `stop` (DevTools format, for `--profile FILE`). */
export async function startProfile() {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop')
      session.disconnect()
      return profile
    }
  }
}
