import { existsSync, readFileSync } from 'node:fs'
import { startAftercare, type Aftercare } from '../app/index.js'
import { loadConfig, silentLogger } from '../shared/index.js'

/**
 * aftercare for a benchmark: its own data folder, an existing InfluxDB, free ports, no scheduled pass,
 * and the per-device publish limit lifted — the pipeline's own rate is measured, not that limit.
 */
export async function startBenchAftercare(dataDir: string, influxUrl: string): Promise<Aftercare> {
  const config = loadConfig(
    {},
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
  return startAftercare(config, silentLogger)
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
