import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DailyRollups } from '../../maintenance/index.js'
import type { DeviceInfo } from '../../shared/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

const DAY_MS = 86400000

describe('daily rollups: rebuilt from the days the ingest marked', () => {
  let app: TestAftercare
  let device: DeviceInfo
  const today = Math.floor(Date.now() / DAY_MS)
  let now = Date.now()
  const clock = { now: () => now }
  const store = (samples: object[]) =>
    app.ingest.handle(device, `devices/${device.id}/telemetry`, Buffer.from(JSON.stringify({ samples })))
  const daily = async () =>
    app.influx.rows(`SELECT lf, ll, tin FROM purifier_daily WHERE device = '${device.id}'`)
  const dayOf = (row: { time?: unknown }) => Math.floor(Number(row.time) / DAY_MS)

  beforeAll(async () => {
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 })
    device = (await app.provision({ id: 'roll-1', model: 'RO-400' })).device
    const at = (day: number, hour: number) => day * DAY_MS + hour * 3600000
    // two recent days and one 30 days back
    await store([
      { ts: at(today - 30, 8), seq: 1, litersTotal: 100, tdsIn: 300 },
      { ts: at(today - 30, 20), seq: 2, litersTotal: 112, tdsIn: 310 },
      { ts: at(today - 1, 8), seq: 3, litersTotal: 200, tdsIn: 400 },
      { ts: at(today - 1, 20), seq: 4, litersTotal: 215, tdsIn: 420 },
      { ts: at(today - 2, 1), seq: 5, litersTotal: 180, tdsIn: 200 }
    ])
  }, 60000)
  afterAll(async () => app?.close())

  it('when samples are stored, then a refresh rebuilds exactly their days with first/last counters and means', async () => {
    const rollups = new DailyRollups(app.influx, clock, 60000)
    const result = await rollups.refresh(today - 400)
    expect(result.days).toBe(3)
    const rows = await daily()
    expect(rows.map((r) => [dayOf(r), r.lf, r.ll, r.tin])).toEqual([
      [today - 30, 100, 112, 305],
      [today - 2, 180, 180, 200],
      [today - 1, 200, 215, 410]
    ])
  })

  it('when a late sample arrives for a day already rolled up, then the next refresh updates that day only', async () => {
    await store([{ ts: (today - 30) * DAY_MS + 22 * 3600000, seq: 6, litersTotal: 118, tdsIn: 320 }])
    const rollups = new DailyRollups(app.influx, clock, 60000)
    const result = await rollups.refresh(today - 400)
    // the marks of the first batch are younger than the settle window, so those days are rebuilt again
    expect(result.days).toBe(3)
    const [old] = await daily()
    expect([dayOf(old!), old!.lf, old!.ll, old!.tin]).toEqual([today - 30, 100, 118, 310])
  })

  it('when the settle window has passed, then the marks are gone and a refresh rebuilds nothing', async () => {
    now = Date.now() + 120000
    const rollups = new DailyRollups(app.influx, clock, 60000)
    await rollups.refresh(today - 400)
    const again = await rollups.refresh(today - 400)
    expect(again.days).toBe(0)
    expect(await daily()).toHaveLength(3)
  })
})
