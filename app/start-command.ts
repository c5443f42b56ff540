import { createLogger, describeError, type Config } from '../shared/index.js'
import { adminTokenFile } from './data-dir.js'
import { startAftercare } from './compose.js'

/** `aftercare start`: runs until SIGINT/SIGTERM, then stops every part in order. */
export async function runStart(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL)
  const started = performance.now()
  const app = await startAftercare(config, log)
  const seconds = ((performance.now() - started) / 1000).toFixed(2)
  const e = app.endpoints
  const lines = [
    `aftercare is running (started in ${seconds} s, pid ${process.pid})`,
    `  MQTT      ${e.mqtt}${e.mqtts ? `  and ${e.mqtts}` : ''}`,
    `  HTTP API  ${e.api}   (OpenAPI: ${e.api}/docs)`,
    `  InfluxDB  ${e.influx}   database ${e.influxDatabase}${config.INFLUX_URL ? '' : '  (local influxd)'}`,
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
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
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
