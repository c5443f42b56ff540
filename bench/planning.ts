/**
 * Planning pass at fleet scale: for each size, a fresh InfluxDB database holds a year of daily rollups
 * per device (written straight as `purifier_daily` / `machine_daily` points, as the rollup job leaves
 * them) plus today's raw telemetry with its day marks for 1 % of the fleet; then one planning pass runs
 * for real (rollup refresh, paged reads, seasons, forecasts, remaining life, plan, the forecasts and
 * component health written to InfluxDB, orders into PGlite);
 * then every device reports today and a second pass runs with the same reader (the steady state: it
 * reads only the rebuilt day); then the reader keeps its histories on disk, as a clean stop does, and a
 * new reader (a restarted node) runs a pass from them. Prints seconds, InfluxQL statements and heap per size, each size's seconds
 * per 1,000 devices against the smallest size measured in the same run (1.0 = linear), and per stage
 * the seconds and the main thread's garbage-collection pauses.
 *   npm run bench -- planning [--sizes 1000,10000,100000] [--days 365]
 */
import { statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import {
  engineOutputSink,
  DailyRollups,
  HistorySnapshots,
  InfluxUsageReader,
  SqlOrderStore,
  defaultCatalogue,
  orderMigrations,
  runPlanningPass,
  type PlannedDevice
} from '../maintenance/index.js'
import { InfluxWriter, createLineSender } from '../ingest/index.js'
import { registryMigrations } from '../registry/index.js'
import { silentLogger } from '../shared/index.js'
import { createFleet, type DeviceSpec } from '../simulators/index.js'
import { InfluxQueryClient, migrate, openPglite } from '../stores/index.js'
import { benchInfluxd, settled } from './common.js'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    days: { type: 'string', default: '365' }
  },
  allowPositionals: true
})
const sizes = values.sizes.split(',').map(Number)
const days = Number(values.days)
const DAY_MS = 86400000
const today = Math.floor(Date.now() / DAY_MS)

const { dir, influxd, cleanUp } = await benchInfluxd('plan')
// main-thread garbage-collection pauses, summed per pass
let gcMs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration
}).observe({ entryTypes: ['gc'] })
const rows: string[] = []
const stageRows: string[] = []
try {
  let base: number | undefined
  for (const n of sizes) {
    const database = `plan_${n}`
    const target = { url: influxd.url, database, writeApi: 'v1' as const, timeoutMs: 600000 }
    const influx = new InfluxQueryClient(target)
    await influx.ensureDatabase()
    const fleet = createFleet({
      seed: 3,
      devices: n,
      firstDay: today - days,
      deliverySpreadDays: 30,
      prefix: 'b'
    })
    const t0 = performance.now()
    const reached = new Map<string, { counter: number; m3: number }>()
    const points = await writeHistory(influxd.url, database, fleet, reached)
    const writeSeconds = (performance.now() - t0) / 1000
    // a year of history arrives over a year: the pass runs once InfluxDB has compacted it
    const settleSeconds = await settled(influxd.pid)

    const sql = await openPglite(path.join(dir, `pglite-${n}`))
    await migrate(sql, [...registryMigrations, ...orderMigrations])
    await sql.query(
      `INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash)
       SELECT id, kind, model, region, outlet, delivered_on::date, 'x' FROM jsonb_to_recordset($1::jsonb)
         AS t(id text, kind text, model text, region text, outlet text, delivered_on text)`,
      [JSON.stringify(fleet.map((d) => ({ ...spec(d), delivered_on: day(d.deliveredDay) })))]
    )
    const devices: PlannedDevice[] = fleet.map((d) => ({ ...spec(d), deliveredOn: day(d.deliveredDay) }))
    global.gc?.()
    const heapBefore = process.memoryUsage().heapUsed
    let heapPeak = heapBefore
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 200)
    // the pass's forecasts and component health go to InfluxDB as in `aftercare start`
    const writer = new InfluxWriter(createLineSender(target), silentLogger)
    const snapshotFile = path.join(dir, `histories-${n}.bin`)
    const reader = () =>
      new InfluxUsageReader(
        influx,
        new DailyRollups(influx, { now: () => Date.now() }),
        1000,
        2,
        300000,
        new HistorySnapshots(snapshotFile, influx, writer)
      )
    const usage = reader()
    const pass = (usage: InfluxUsageReader) =>
      runPlanningPass({
        devices: async () => devices,
        usage,
        orders: new SqlOrderStore(sql),
        catalogue: defaultCatalogue,
        clock: { now: () => Date.now() },
        capacityPerOutlet: Math.max(8, Math.ceil(n / 400)),
        publish: engineOutputSink(writer)
      })
    gcMs = 0
    const summary = await pass(usage)
    const firstGc = gcMs / 1000
    clearInterval(sampler)
    // the next pass in steady state: every device has reported today; the reader keeps what it read
    await writeToday(influxd.url, database, fleet, reached)
    gcMs = 0
    const next = await pass(usage)
    const nextGc = gcMs / 1000
    // the histories are kept after a pass (beside the broker: the longest event-loop stall is printed);
    // a restarted node's first pass starts from them
    const stalls = monitorEventLoopDelay({ resolution: 5 })
    stalls.enable()
    const s0 = performance.now()
    await usage.save()
    const saveSeconds = (performance.now() - s0) / 1000
    stalls.disable()
    const snapshotMiB = statSync(snapshotFile).size / 2 ** 20
    const restart = await pass(reader())
    if (!restart.historiesFromDisk)
      throw new Error('the pass after the restart did not use the kept histories')
    await writer.close()
    await sql.close()
    const perK = summary.seconds / (n / 1000)
    base ??= perK
    rows.push(
      `| ${n.toLocaleString('en')} | ${points.toLocaleString('en')} | ${writeSeconds.toFixed(1)} | ${settleSeconds.toFixed(0)} | ${summary.seconds.toFixed(1)} | ${summary.influxQueries} | ${summary.rolledDays} | ${summary.ordersCreated.toLocaleString('en')} | ${((heapPeak - heapBefore) / 2 ** 20).toFixed(0)} | ${perK.toFixed(2)} | ${(perK / base).toFixed(2)} | ${next.seconds.toFixed(1)} | ${next.influxQueries} | ${(next.seconds / (n / 1000)).toFixed(2)} |`
    )
    console.log(rows.at(-1))
    const perDevice = (st: Record<string, number>) =>
      Object.entries(st)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s (${((v / n) * 1e6).toFixed(0)} µs/device)`)
        .join(', ')
    const wrote = (p: typeof summary.published) =>
      `${p?.devices ?? 0} devices' outputs written (${p?.lines ?? 0} lines)`
    stageRows.push(
      `${n}: kept on disk in ${saveSeconds.toFixed(1)} s (${snapshotMiB.toFixed(0)} MiB, longest event-loop stall ${(stalls.max / 1e6).toFixed(0)} ms); first pass after a restart ${restart.seconds.toFixed(1)} s (${restart.influxQueries} statements; ${perDevice(restart.stages)})`
    )
    stageRows.push(
      `${n}: first pass ${perDevice({ ...summary.stages, 'of which GC': firstGc })}, ${wrote(summary.published)}; next pass ${perDevice({ ...next.stages, 'of which GC': nextGc })}, ${wrote(next.published)}`
    )
    console.log(stageRows.slice(-2).join('\n'))
    await influx.raw(`DROP DATABASE "${database}"`, { database: false })
  }
} finally {
  await cleanUp()
}
console.log(
  `\nplanning pass, ${days} days of daily history (${os.cpus().length} cores, node ${process.version})\n`
)
console.log(
  '| devices | points written | write s | InfluxDB settled after s | first pass s | InfluxQL statements | days rolled up | orders | heap MiB (peak growth) | s per 1k devices | vs smallest | next pass s | its statements | next s per 1k |'
)
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
console.log('\nstages (seconds, and per device):')
for (const r of stageRows) console.log(`- ${r}`)

function spec(d: DeviceSpec) {
  return { id: d.id, kind: d.kind, model: d.model, region: d.region, outlet: d.outlet }
}

function day(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10)
}

/** Today's raw samples (three per device) with the day marks the ingest would add: a day of a live fleet. */
async function writeToday(
  url: string,
  database: string,
  fleet: DeviceSpec[],
  reached: Map<string, { counter: number; m3: number }>
): Promise<void> {
  const now = Date.now()
  for (let i = 0; i < fleet.length; i += 5000) {
    const lines = fleet.slice(i, i + 5000).flatMap((d) => {
      const tags = `device=${d.id},model=${d.model},outlet=${d.outlet},region=${d.region}`
      // each device's counters go on from where its history left them, a little further each sample
      const { counter, m3 } = reached.get(d.id) ?? { counter: 0, m3: 0 }
      return [1, 2, 3].map((k) =>
        d.kind === 'purifier'
          ? `purifier_telemetry,${tags} litersTotal=${(counter + k).toFixed(1)},tdsIn=300,tdsOut=20,pressureKpa=240 ${today * DAY_MS + k * 1000}`
          : `machine_telemetry,${tags} engineHours=${(counter + k * 0.5).toFixed(2)},pumpedM3Total=${m3.toFixed(1)} ${today * DAY_MS + k * 1000}`
      )
    })
    const res = await fetch(`${url}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n')
    })
    if (!res.ok) throw new Error(`write failed: ${res.status} ${await res.text()}`)
  }
  const marks = ['purifier', 'machine'].map(
    (k) => `telemetry_changed,day=${today},kind=${k} marked=1i ${now}`
  )
  await fetch(`${url}/write?db=${database}&precision=ms`, { method: 'POST', body: marks.join('\n') })
}

/** A year of daily rollup points per device (seasonal, noisy), and today's raw samples with marks for 1 %. */
async function writeHistory(
  url: string,
  database: string,
  fleet: DeviceSpec[],
  reached: Map<string, { counter: number; m3: number }>
): Promise<number> {
  let lines: string[] = []
  let written = 0
  const inFlight = new Set<Promise<void>>()
  const flush = async () => {
    const body = lines.join('\n')
    written += lines.length
    lines = []
    const p = post(`${url}/write?db=${database}&precision=ms`, body)
    inFlight.add(p)
    void p.then(
      () => inFlight.delete(p),
      () => inFlight.delete(p)
    )
    if (inFlight.size >= 3) await Promise.race(inFlight)
  }
  // a loaded influxd answers 500 {"error":"timeout"} now and then: the data is retried, as aftercare's writer does
  const post = async (to: string, body: string) => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(to, { method: 'POST', body }).catch((err: Error) => err)
      if (!(res instanceof Error) && res.ok) return
      const why = res instanceof Error ? res.message : `${res.status} ${await res.text()}`
      if (attempt >= 8) throw new Error(`write failed after ${attempt} attempts: ${why}`)
      await new Promise((r) => setTimeout(r, 500 * attempt))
    }
  }
  let seed = 1
  const noise = () => {
    seed = (seed * 16807) % 2147483647
    return 0.75 + 0.5 * (seed / 2147483647)
  }
  for (const d of fleet) {
    const tags = `device=${d.id},model=${d.model},outlet=${d.outlet},region=${d.region}`
    let counter = 0
    let m3 = 0
    for (let x = Math.max(d.deliveredDay, today - days); x < today; x++) {
      const doy = ((x % 365) + 365) % 365
      const ts = x * DAY_MS
      if (d.kind === 'purifier') {
        const season = 1 + 0.35 * Math.cos(((doy - 200) / 365) * 2 * Math.PI)
        const use = (d.persons ?? 3) * 4 * (d.useFactor ?? 1) * season * noise()
        const first = counter
        counter += use
        const tdsIn = 300 + (d.index % 200)
        lines.push(
          `purifier_daily,${tags} lf=${first.toFixed(1)},ll=${counter.toFixed(1)},tin=${tdsIn},tout=${(tdsIn * (0.03 + (counter / 7500) * 0.15)).toFixed(1)},p=${(250 - (counter % 2000) / 30).toFixed(1)} ${ts}`
        )
      } else {
        const season = 1 + 0.4 * Math.cos(((doy - 120) / 365) * 2 * Math.PI)
        const hours = 10 * (d.utilisation ?? 0.6) * season * noise()
        const first = counter
        counter += hours
        const firstM3 = m3
        m3 += hours * (d.pumpRate ?? 0)
        lines.push(
          `machine_daily,${tags} hf=${first.toFixed(2)},hl=${counter.toFixed(2)},mf=${firstM3.toFixed(1)},ml=${m3.toFixed(1)} ${ts}`
        )
      }
      if (lines.length >= 20000) await flush()
    }
    reached.set(d.id, { counter, m3 })
    if (d.index % 100 === 0) {
      // today's stream for 1 % of the fleet, marked as the ingest marks it, so the pass rebuilds today
      const kind = d.kind
      for (let h = 0; h < 6; h++) {
        const ts = today * DAY_MS + h * 3600000
        lines.push(
          kind === 'purifier'
            ? `purifier_telemetry,${tags} litersTotal=${(counter + h).toFixed(1)},tdsIn=300,tdsOut=20,pressureKpa=240 ${ts}`
            : `machine_telemetry,${tags} engineHours=${(counter + h * 0.5).toFixed(2)},pumpedM3Total=${m3.toFixed(1)} ${ts}`
        )
      }
      lines.push(`telemetry_changed,day=${today},kind=${kind} marked=1i ${Date.now()}`)
    }
  }
  if (lines.length) await flush()
  await Promise.all(inFlight)
  return written
}
