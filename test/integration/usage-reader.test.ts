import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DailyRollups, InfluxUsageReader, type DeviceHistory } from '../../maintenance/index.js'
import type { DeviceInfo } from '../../shared/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

const DAY_MS = 86400000

/** A history as plain sorted data, to compare two readers' answers. */
function plain(histories: Map<string, DeviceHistory>) {
  return Object.fromEntries(
    [...histories]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, h]) => [
        id,
        {
          counters: Object.fromEntries(Object.entries(h.counters).map(([unit, t]) => [unit, t?.rows()])),
          readings: h.readings.rows(),
          replacements: [...h.replacements].sort((a, b) => a.day - b.day || a.part.localeCompare(b.part))
        }
      ])
  )
}

describe('the usage reader keeps histories between passes', () => {
  let app: TestAftercare
  const devices: DeviceInfo[] = []
  const today = Math.floor(Date.now() / DAY_MS)
  // marks settle after one minute of the test's clock, which jumps ahead between passes
  let now = Date.now()
  const clock = { now: () => now }
  const at = (day: number, hour: number) => day * DAY_MS + hour * 3600000
  const store = (d: DeviceInfo, topic: string, body: object) =>
    app.ingest.handle(d, `devices/${d.id}/${topic}`, Buffer.from(JSON.stringify(body)))

  beforeAll(async () => {
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 })
    devices.push((await app.provision({ id: 'ur-p', model: 'RO-400' })).device)
    devices.push((await app.provision({ id: 'ur-m', kind: 'machine', model: 'PC200', outlet: null })).device)
    // a second purifier: a reader with one device a page reads the purifiers in two pages
    const q = (await app.provision({ id: 'ur-q', model: 'RO-400' })).device
    for (let day = today - 30; day < today; day += 5)
      await store(q, 'telemetry', {
        ts: at(day, 10),
        seq: day,
        litersTotal: 50 + (day - today + 30) * 8,
        tdsIn: 280
      })
    const [p, m] = devices as [DeviceInfo, DeviceInfo]
    for (let day = today - 60; day < today; day += 3) {
      const n = day - (today - 60)
      await store(p, 'telemetry', {
        samples: [
          { ts: at(day, 8), seq: n * 2, litersTotal: 100 + n * 10, tdsIn: 300, tdsOut: 12, pressureKpa: 320 },
          {
            ts: at(day, 18),
            seq: n * 2 + 1,
            litersTotal: 104 + n * 10,
            tdsIn: 310,
            tdsOut: 14,
            pressureKpa: 318
          }
        ]
      })
      await store(m, 'telemetry', {
        ts: at(day, 12),
        seq: n,
        engineHours: 500 + n * 6,
        pumpedM3Total: n * 40
      })
    }
    await store(p, 'events', { ts: at(today - 40, 9), type: 'part_replaced', part: 'sediment' })
  }, 120000)
  afterAll(async () => app?.close())

  it('when a second pass follows new data for today, a late upload for a day weeks back and a part change, then it reads only the rebuilt days and answers exactly what a fresh full read answers', async () => {
    const [p, m] = devices as [DeviceInfo, DeviceInfo]
    const kept = new InfluxUsageReader(app.influx, new DailyRollups(app.influx, clock, 60000), 1)
    const first = await kept.read(today - 400)
    expect(first.histories.get('ur-p')?.counters.litres?.length).toBe(20)

    now += 120000 // the first batch's marks have settled: this pass rebuilds their days once more and deletes them
    await kept.read(today - 400)
    await store(p, 'telemetry', {
      ts: at(today, 0) + 1000,
      seq: 900,
      litersTotal: 400,
      tdsIn: 305,
      tdsOut: 13
    })
    await store(p, 'telemetry', { ts: at(today - 59, 7), seq: 901, litersTotal: 101, tdsIn: 290 }) // a late upload
    await store(m, 'telemetry', { ts: at(today, 0) + 2000, seq: 902, engineHours: 622 })
    await store(m, 'events', { ts: at(today - 1, 9), type: 'part_replaced', part: 'engine_oil' })
    const second = await kept.read(today - 400)
    // two rebuilt days for purifiers (today, 59 days back), one for machines
    expect(second.rolledDays).toBe(3)

    now += 120000
    const fresh = await new InfluxUsageReader(app.influx, new DailyRollups(app.influx, clock, 60000)).read(
      today - 400
    )
    expect(plain(second.histories)).toEqual(plain(fresh.histories))
    expect(second.histories.get('ur-p')?.counters.litres?.length).toBe(22)
    expect(second.histories.get('ur-q')?.counters.litres?.length).toBe(6)
    expect(second.histories.get('ur-m')?.replacements).toEqual([{ part: 'engine_oil', day: today - 1 }])
    // the first read the window a named page of devices a query; the second one query a rebuilt day
    expect(second.queries).toBeLessThan(first.queries + 3)
  })

  it('when the window moves past old days, then the kept histories drop them', async () => {
    const reader = new InfluxUsageReader(app.influx, new DailyRollups(app.influx, clock, 60000))
    await reader.read(today - 400)
    const later = await reader.read(today - 30)
    expect(
      later.histories
        .get('ur-p')
        ?.counters.litres?.rows()
        .every((c) => c.day >= today - 30)
    ).toBe(true)
    expect(
      later.histories
        .get('ur-p')
        ?.readings.rows()
        .every((r) => r.day >= today - 30)
    ).toBe(true)
  })
})
