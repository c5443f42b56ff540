import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'

describe('the planning pass on a schedule', () => {
  let app: TestAftercare

  beforeAll(async () => {
    // every 1.8 s, so the test sees it run without being asked
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0.0005 })
  })
  afterAll(async () => app?.close())

  it('when a device delivered 20 days ago has its first-month inspection due, then the scheduled pass proposes it without anyone asking', async () => {
    const delivered = new Date(Date.now() - 20 * 86400000).toISOString().slice(0, 10)
    await app.provision({ id: 'sched-1', model: 'RO-400', deliveredOn: delivered })
    const orders = await eventually(
      async () => {
        const list = await app.sql.query<{ type: string; inspection: number }>(
          `SELECT type, inspection FROM orders WHERE device_id = 'sched-1'`
        )
        return list.rows.length > 0 && list.rows
      },
      'a proposed inspection',
      15000
    )
    expect(orders).toContainEqual({ type: 'inspection', inspection: 1 })
  })
})
