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
