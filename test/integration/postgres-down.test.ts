import net from 'node:net'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startAftercare } from '../../app/index.js'
import { isAppError, loadConfig, silentLogger } from '../../shared/index.js'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { freshPostgresDatabase } from '../helpers/local-postgres.js'
import { tempDir } from '../helpers/stores.js'

/** A TCP proxy in front of the run's PostgreSQL server that can cut every connection and refuse new ones. */
function switchablePostgres(serverUrl: string) {
  const upstream = new URL(serverUrl)
  let up = true
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (!up) return client.destroy()
    const db = net.connect(Number(upstream.port), upstream.hostname)
    for (const s of [client, db]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(db).pipe(client)
    client.on('close', () => db.destroy())
    db.on('close', () => client.destroy())
  })
  return {
    server,
    listen: () =>
      new Promise<number>((r) =>
        server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port))
      ),
    down: () => {
      up = false
      for (const s of sockets) s.destroy()
    },
    up: () => (up = true)
  }
}

describe('PostgreSQL unavailable', () => {
  const proxy = switchablePostgres(inject('postgresUrl'))
  let databaseUrl: string
  let app: TestAftercare

  beforeAll(async () => {
    const port = await proxy.listen()
    const direct = await freshPostgresDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`)
    const url = new URL(direct)
    url.host = `127.0.0.1:${port}`
    databaseUrl = url.toString()
  })
  afterAll(async () => {
    proxy.up()
    await app?.close()
    proxy.server.close()
  })

  it('when PostgreSQL is down at start, then start-up fails with an error that names it, and nothing is left running', async () => {
    proxy.down()
    const data = tempDir()
    const config = loadConfig(
      {},
      {
        AFTERCARE_DATA_DIR: data.dir,
        DATABASE_URL: databaseUrl,
        INFLUX_URL: inject('influxUrl'),
        MQTT_PORT: 0,
        API_PORT: 0
      }
    )
    const failed = await startAftercare(config, silentLogger).then(
      () => undefined,
      (err: unknown) => err
    )
    expect(isAppError(failed, 'SQL_UNAVAILABLE')).toBe(true)
    expect((failed as Error).message).toContain('cannot reach PostgreSQL at DATABASE_URL')
    // the data folder's lock was released: a later start may go ahead
    proxy.up()
    const later = await startAftercare(config, silentLogger)
    await later.stop()
    data.remove()
  })

  it('when PostgreSQL goes down during a run, then streams go on, known devices log in from the cache, unknown ones are told to come back, /health says so, and all recovers', async () => {
    proxy.up()
    app = await startTestAftercare({ DATABASE_URL: databaseUrl })
    const { secret } = await app.provision({ id: 'pgd-1', model: 'RO-400' })
    const other = await app.provision({ id: 'pgd-2', model: 'RO-400' })
    const streaming = await connectDevice(app.mqttPort, 'pgd-1', secret)
    await publishAcked(streaming, 'devices/pgd-1/telemetry', purifierSample(1))

    proxy.down()
    // a connected device keeps storing: telemetry needs InfluxDB, not PostgreSQL
    await publishAcked(streaming, 'devices/pgd-1/telemetry', purifierSample(2))
    streaming.end(true)
    // its credentials were verified a moment ago: it may reconnect from the cache
    const again = await connectDevice(app.mqttPort, 'pgd-1', secret)
    await publishAcked(again, 'devices/pgd-1/telemetry', purifierSample(3))
    again.end(true)
    // one whose secret was never checked cannot be: "server unavailable" (3), try again later
    const refused = await connectDevice(app.mqttPort, 'pgd-2', other.secret).then(
      () => 0,
      (err: Error & { code?: number }) => err.code
    )
    expect(refused).toBe(3)
    const health = await app.api.inject({ method: 'GET', url: '/health' })
    expect(health.statusCode).toBe(503)

    proxy.up()
    const back = await connectDevice(app.mqttPort, 'pgd-2', other.secret)
    await publishAcked(back, 'devices/pgd-2/telemetry', purifierSample(1))
    back.end(true)
    expect((await app.api.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    const [row] = await app.influx.rows(
      `SELECT count(tdsIn) AS n FROM purifier_telemetry WHERE device =~ /^pgd-/`
    )
    expect(Number(row?.n)).toBe(4)
  }, 60000)
})
