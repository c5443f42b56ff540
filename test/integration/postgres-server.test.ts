import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { countPoints } from '../helpers/stores.js'
import { freshPostgresDatabase } from '../helpers/local-postgres.js'

describe('aftercare on a PostgreSQL server (DATABASE_URL)', () => {
  let app: TestAftercare

  beforeAll(async () => {
    const url = await freshPostgresDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`)
    app = await startTestAftercare({ DATABASE_URL: url })
  })
  afterAll(async () => app?.close())

  it('when a device provisioned there publishes good and bad samples, then data goes to InfluxDB and dead letters to PostgreSQL', async () => {
    expect(app.sql.flavour).toBe('postgres')
    const { secret } = await app.provision({ id: 'pgs-1' })
    const client = await connectDevice(app.mqttPort, 'pgs-1', secret)
    await publishAcked(client, 'devices/pgs-1/telemetry', purifierSample(1))
    await publishAcked(client, 'devices/pgs-1/telemetry', '{"ts": "yesterday"}')
    client.end(true)
    expect(await countPoints(app.influx, 'purifier_telemetry', 'tdsIn', 'pgs-1')).toBe(1)
    const { rows } = await app.sql.query<{ code: string }>(
      `SELECT code FROM dead_letters WHERE device_id = 'pgs-1'`
    )
    expect(rows).toEqual([{ code: 'schema' }])
    const health = await app.api.inject({ method: 'GET', url: '/health' })
    expect(health.json()).toMatchObject({ checks: { postgres: { ok: true, detail: 'postgres' } } })
  })
})
