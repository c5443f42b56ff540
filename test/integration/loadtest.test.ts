import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fleetPorts } from '../../app/fleet-ports.js'
import { pointTime } from '../../ingest/index.js'
import {
  assertLoopback,
  countLosses,
  dayNumber,
  loadClientSpec,
  loadtestMarkdown,
  runLoadtest
} from '../../simulators/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('loadtest', () => {
  let app: TestAftercare

  beforeAll(async () => {
    app = await startTestAftercare()
  })
  afterAll(async () => app?.close())

  it('when a small load runs, then every acknowledged message is counted stored; when one stored point is then dropped, the report counts exactly one loss', async () => {
    const ports = fleetPorts(app.config)
    const today = dayNumber(Date.now())
    const result = await runLoadtest({
      url: ports.mqttUrl,
      clients: 4,
      processes: 2,
      stages: [{ rate: 200, seconds: 1 }],
      maxMessages: 500,
      prefix: 'lt',
      provision: (id) => ports.provision(loadClientSpec(id, today))
    })
    expect(result.acked).toBeGreaterThan(50)
    expect(result.stages[0]).toMatchObject({ errors: 0 })
    const count = () => ports.countSamples!(Object.keys(result.ackedByDevice), result.startedAt - 60000)
    const before = countLosses(result, await count())
    expect(before).toMatchObject({ losses: 0, stored: result.acked })

    // drop one stored message behind the tool's back
    const [last] = await app.influx.rows(
      `SELECT last(seq) AS seq FROM purifier_telemetry WHERE device = 'lt-00001'`
    )
    // the exact point time (JSON numbers cannot carry nanoseconds): ts in ms + seq in the sub-ms digits
    const ns = pointTime(Number(last?.time), Number(last?.seq))
    await app.influx.raw(
      `DELETE FROM purifier_telemetry WHERE device = 'lt-00001' AND time >= ${ns} AND time <= ${ns}`
    )
    const after = countLosses(result, await count())
    expect(after.losses).toBe(1)
    expect(after.devicesWithLoss).toEqual(['lt-00001'])
    expect(loadtestMarkdown(result, after, 'test')).toContain(
      `Losses counted in InfluxDB: 1 of ${result.acked}`
    )
  })

  it('when the target is not on this machine, then the load test refuses to run', async () => {
    await expect(assertLoopback('mqtt://10.1.2.3:1883')).rejects.toThrow(/only loopback/)
    await expect(assertLoopback('mqtt://127.0.0.1:1883')).resolves.toBeUndefined()
    await expect(assertLoopback('mqtt://localhost:1883')).resolves.toBeUndefined()
  })
})
