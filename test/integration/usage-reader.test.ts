import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DailyRollups,
  HistorySnapshots,
  InfluxUsageReader,
  MemoryUsageReader,
  type DeviceHistory
} from '../../maintenance/index.js'
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
  // every sample stored also goes to the in-memory reader the evaluation uses: the two must agree
  const memory = new MemoryUsageReader()
  const store = (d: DeviceInfo, topic: string, body: object) => {
    const b = body as { samples?: object[]; type?: string; part?: string; ts: number }
    if (topic === 'telemetry')
      for (const sample of b.samples ?? [b]) memory.record(d, sample as { ts: number })
    else if (b.type === 'part_replaced' && b.part) memory.recordPartChange(d.id, b.part, b.ts)
    return app.ingest.handle(d, `devices/${d.id}/${topic}`, Buffer.from(JSON.stringify(body)))
  }

  beforeAll(async () => {
    app = await startTestAftercare({ PLAN_EVERY_HOURS: 0 })
    devices.push((await app.provision({ id: 'ur-p', model: 'RO-400' })).device)
    devices.push(
      (await app.provision({ id: 'ur-m', kind: 'machine', model: 'CRANE-T7', outlet: null })).device
    )
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
    await store(p, 'events', { ts: at(today - 40, 9), type: 'part_replaced', part: 'pp_sediment' })
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

  /** A reader as a node runs it: its kept histories saved to `file` at a clean stop. */
  const nodeReader = (file: string, passedOver: string[] = []) =>
    new InfluxUsageReader(
      app.influx,
      new DailyRollups(app.influx, clock, 60000),
      1000,
      2,
      300000,
      new HistorySnapshots(file, app.influx, app.writer, (reason) => passedOver.push(reason))
    )
  /** ur-p's last litre counter of a day. */
  const litresOn = (histories: Map<string, DeviceHistory>, day: number) =>
    histories
      .get('ur-p')
      ?.counters.litres?.rows()
      .find((r) => r.day === day)?.last
  const freshRead = async () =>
    (await new InfluxUsageReader(app.influx, new DailyRollups(app.influx, clock, 60000)).read(today - 400))
      .histories

  it('when a node stops cleanly after a pass and starts again, then its first pass starts from the kept histories, reads only what changed since, and answers what a fresh full read answers', async () => {
    const [p] = devices as [DeviceInfo]
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'snapshot-')), 'histories.bin')
    const before = nodeReader(file)
    const first = await before.read(today - 400)
    expect(first.restored).toBe(false)
    expect(await before.save()).toBe(true)
    // kept after the pass: the clean stop that follows finds them on disk and does not write them again
    const written = (await stat(file)).mtimeMs
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await before.save()).toBe(true)
    expect((await stat(file)).mtimeMs).toBe(written)

    // while the node is down, a day's data arrives (a day no other test stored to: ingest marks a day once a minute)
    await store(p, 'telemetry', { ts: at(today - 2, 6), seq: 950, litersTotal: 420, tdsIn: 300 })
    now += 120000
    const after = nodeReader(file)
    const restarted = await after.read(today - 400)
    expect(restarted.restored).toBe(true)
    expect(restarted.rolledDays).toBeGreaterThan(0)
    expect(plain(restarted.histories)).toEqual(plain(await freshRead()))
    expect(litresOn(restarted.histories, today - 2)).toBe(420)
  })

  it('when a rollup refresh ran after the histories were kept (a pass on another node, or a crash after a refresh), then the snapshot is passed over and the pass reads every device', async () => {
    const [p] = devices as [DeviceInfo]
    const dir = await mkdtemp(path.join(os.tmpdir(), 'snapshot-'))
    const file = path.join(dir, 'histories.bin')
    const stale = nodeReader(file)
    await stale.read(today - 400)
    expect(await stale.save()).toBe(true)

    // a late upload for a day weeks back, whose mark another node's refresh consumes (and deletes)
    await store(p, 'telemetry', { ts: at(today - 22, 7), seq: 960, litersTotal: 333, tdsIn: 290 })
    now += 120000
    const other = nodeReader(path.join(dir, 'other-node.bin'))
    await other.read(today - 400)
    now += 120000
    await other.read(today - 400)

    const passedOver: string[] = []
    const restarted = await nodeReader(file, passedOver).read(today - 400)
    expect(restarted.restored).toBe(false)
    expect(passedOver).toEqual([`${file} is older than the last rollup refresh`])
    expect(plain(restarted.histories)).toEqual(plain(await freshRead()))
    expect(litresOn(restarted.histories, today - 22)).toBe(333)
  })

  it('when the kept histories on disk are cut short, then they are passed over with the reason and the pass reads every device', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'snapshot-')), 'histories.bin')
    const before = nodeReader(file)
    await before.read(today - 400)
    await before.save()
    const whole = await readFile(file)
    await writeFile(file, whole.subarray(0, whole.length - 10))

    const passedOver: string[] = []
    const restarted = await nodeReader(file, passedOver).read(today - 400)
    expect(restarted.restored).toBe(false)
    expect(passedOver).toEqual([`${file} could not be read back: the snapshot ends inside a frame`])
    expect(plain(restarted.histories)).toEqual(plain(await freshRead()))
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

  it('when the same samples and part changes go to the in-memory reader, then it answers the histories InfluxDB answers (the evaluation reads through it)', async () => {
    now += 120000
    for (const since of [today - 400, today - 35]) {
      const fromInflux = await new InfluxUsageReader(
        app.influx,
        new DailyRollups(app.influx, clock, 60000)
      ).read(since)
      const fromMemory = await memory.read(since)
      expect(fromMemory.histories.size).toBe(3)
      expect(plain(fromMemory.histories)).toEqual(plain(fromInflux.histories))
    }
  })
})
