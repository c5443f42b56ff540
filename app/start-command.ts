import { createLogger, describeError, type Config } from '../shared/index.js'
import { adminTokenFile } from './data-dir.js'
import { startAftercare } from './compose.js'

/** The longest a stop may take (the writer drains for at most 10 s of it). */
const STOP_BOUND_MS = 30000

/** `aftercare start`: runs until SIGINT/SIGTERM, then stops every part in order (a second one: at once). */
export async function runStart(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL)
  const started = performance.now()
  const app = await startAftercare(config, log)
  const seconds = ((performance.now() - started) / 1000).toFixed(2)
  const e = app.endpoints
  const lines = [
    `aftercare is running (started in ${seconds} s, pid ${process.pid})`,
    `  MQTT      ${e.mqtt}${e.mqtts ? `  and ${e.mqtts}` : ''}${config.INGEST_BROKER_URL ? '   (your broker: this node consumes from it)' : ''}`,
    `  HTTP API  ${e.api}   (OpenAPI: ${e.api}/docs)`,
    `  console   ${e.api}/console/   (people: aftercare users add)`,
    `  InfluxDB  ${e.influx}   database ${e.influxDatabase}${config.INFLUX_URL ? '' : `  (local influxd; user aftercare, password in ${config.AFTERCARE_DATA_DIR}/influxdb/admin-password)`}`,
    `  Postgres  ${app.sql.flavour === 'pglite' ? `PGlite in ${config.AFTERCARE_DATA_DIR}/pglite` : 'DATABASE_URL'}`,
    `  data      ${config.AFTERCARE_DATA_DIR}`,
    app.createdAdminToken
      ? `  admin token (shown once, also in ${adminTokenFile(config.AFTERCARE_DATA_DIR)}): ${app.createdAdminToken}`
      : `  admin token: ${adminTokenFile(config.AFTERCARE_DATA_DIR)}`,
    '  stop with Ctrl-C'
  ]
  process.stderr.write(lines.join('\n') + '\n')

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      // a second Ctrl-C: stop at once (what was acknowledged is stored; the rest is resent by devices)
      log.warn({ signal }, 'stopping at once')
      process.exit(130)
    }
    stopping = true
    log.info({ signal }, 'stopping')
    // a stop never hangs: past the bound, the process ends anyway
    setTimeout(() => {
      log.error({ seconds: STOP_BOUND_MS / 1000 }, 'stop did not finish in time; exiting')
      process.exit(1)
    }, STOP_BOUND_MS).unref()
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: describeError(err) }, 'stop failed')
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}
