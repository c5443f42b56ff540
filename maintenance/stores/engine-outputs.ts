import { createHash } from 'node:crypto'
import { Point, escape } from '@influxdata/influxdb-client'
import type { EngineOutputs, PlannedDevice } from '../engine/outputs.js'
import { measurements, systemClock, type Clock } from '../../shared/index.js'
import { influxString, type InfluxQueryClient } from '../../stores/index.js'

const DAY_MS = 86400000

/** Where lines of line protocol go: the ingest writer, as the composition root wires it. */
export interface LineWriter {
  write(lines: readonly string[]): Promise<void>
}

/** A component's life as the last planning pass estimated it (`GET /devices/{id}/health`). */
export interface ComponentHealth {
  part: string
  usedShare: number
  remaining: number
  by: string
  dueDay: string | null
  earliestDay: string | null
  latestDay: string | null
  daysLeft: number
}
/** Lines handed to the writer at once (it sends them as a few requests in parallel). */
const SLICE_LINES = 20000

function tagged(measurement: string, d: PlannedDevice): Point {
  const p = new Point(measurement)
    .tag('device', d.id)
    .tag('model', d.model)
    .tag('region', d.region)
    .tag('kind', d.kind)
  return d.outlet ? p.tag('outlet', d.outlet) : p
}

/**
 * Writes a planning pass's results to InfluxDB for the boards: one
 * `component_health` point per component (time = the pass's day, so a re-run
 * the same day overwrites it) and `usage_forecast` points for the next 30 days.
 * Only outputs that changed since this sink last wrote them are written, a
 * device's health and its forecast each on its own (to the boards' precision:
 * used share to 0.1 pp, the rest to three significant digits, days exactly, a
 * new day always): at 100,000 devices a pass makes 3.5 million lines, most of
 * them the same as an hour ago. Written a slice at a time; a device counts as
 * written only once InfluxDB took it.
 */
export function engineOutputSink(writer: LineWriter, clock: Clock = systemClock) {
  // per device, digests of what the boards hold: its component health, its forecast (which changes
  // once a day, while the health moves with every report)
  const written = new Map<string, string>()
  return async (outputs: EngineOutputs): Promise<{ devices: number; lines: number }> => {
    const at = (day: number) => `${BigInt(day) * BigInt(DAY_MS) * 1_000_000n}`
    const finite = (day: number) => (Number.isFinite(day) ? day * DAY_MS : 0)
    const byDevice = new Map<
      PlannedDevice,
      { health: typeof outputs.health; forecasts: typeof outputs.forecasts }
    >()
    const of = (d: PlannedDevice) => {
      let entry = byDevice.get(d)
      if (!entry) byDevice.set(d, (entry = { health: [], forecasts: [] }))
      return entry
    }
    for (const h of outputs.health) of(h.device).health.push(h)
    for (const f of outputs.forecasts) of(f.device).forecasts.push(f)

    let lines: string[] = []
    let pending: [string, string][] = [] // digests to keep once their lines are stored
    let total = 0
    const flush = async (atLeast: number) => {
      if (lines.length < atLeast) return
      const [slice, done] = [lines, pending]
      lines = []
      pending = []
      total += slice.length
      await writer.write(slice)
      for (const [id, digest] of done) written.set(id, digest)
    }
    let devices = 0
    for (const [device, { health, forecasts }] of byDevice) {
      const healthDigest = digestOf(outputs.today, health, [])
      const forecastDigest = digestOf(outputs.today, [], forecasts)
      const newHealth = written.get(`${device.id}/health`) !== healthDigest
      const newForecast = written.get(`${device.id}/forecast`) !== forecastDigest
      if (!newHealth && !newForecast) continue
      devices++
      for (const h of newHealth ? health : []) {
        const p = tagged(measurements.componentHealth, device)
          .tag('part', h.part)
          .tag('by', h.life.by)
          .floatField('used_share', h.life.usedShare)
          .floatField('remaining', h.life.remaining)
          .intField('due_ms', finite(h.life.dueDay))
          .intField('earliest_ms', finite(h.life.earliestDay))
          .intField('latest_ms', finite(h.life.latestDay))
          .floatField('days_left', Number.isFinite(h.life.dueDay) ? h.life.dueDay - outputs.today : 9999)
          // when the limiting cause (a tag) changes within a day, two series hold a point of that day: the
          // reader takes the one written last
          .intField('pass_ms', clock.now())
        const line = p.timestamp(at(outputs.today)).toLineProtocol()
        if (line) lines.push(line)
      }
      if (newForecast) {
        const tags = deviceTags(device)
        for (const f of forecasts) lines.push(forecastLine(tags, f, at(f.day)))
      }
      pending.push([`${device.id}/health`, healthDigest], [`${device.id}/forecast`, forecastDigest])
      await flush(SLICE_LINES)
    }
    await flush(1)
    return { devices, lines: total }
  }
}

/** What the boards would show of a device's outputs, as a short digest. */
function digestOf(
  today: number,
  health: EngineOutputs['health'],
  forecasts: EngineOutputs['forecasts']
): string {
  const hash = createHash('sha1').update(String(today))
  const n = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : String(v))
  for (const { part, life } of health)
    hash.update(
      `|${part}:${life.by}:${life.usedShare.toFixed(3)}:${n(life.remaining)}:${life.dueDay}:${life.earliestDay}:${life.latestDay}`
    )
  for (const f of forecasts) hash.update(`|${f.unit}:${f.day}:${n(f.expected)}:${n(f.low)}:${n(f.high)}`)
  return hash.digest('base64')
}

/**
 * A `usage_forecast` line, written directly rather than through `Point` (3 million a pass at 100,000
 * devices); the same bytes as `Point` makes, which a unit test holds it to. `tags`: `deviceTags(device)`.
 */
export function forecastLine(
  tags: string,
  f: { unit: string; expected: number; low: number; high: number },
  ns: string
): string {
  const value = (name: string, v: number) => {
    // Point refuses these too: a forecast that is not a number is a bug, not a value to store
    if (!Number.isFinite(v)) throw new Error(`invalid float value for field '${name}': ${v}`)
    return String(v)
  }
  return `${tags},unit=${escape.tag(f.unit)} expected=${value('expected', f.expected)},high=${value('high', f.high)},low=${value('low', f.low)} ${ns}`
}

/** `usage_forecast` and a device's tags (sorted, as `Point` writes them; `unit` sorts after them all). */
export function deviceTags(d: PlannedDevice): string {
  const tags: [string, string | null][] = [
    ['device', d.id],
    ['kind', d.kind],
    ['model', d.model],
    ['outlet', d.outlet],
    ['region', d.region]
  ]
  return (
    escape.measurement(measurements.usageForecast) +
    tags
      .filter(([, v]) => v)
      .map(([k, v]) => `,${k}=${escape.tag(v ?? '')}`)
      .join('')
  )
}

/** Reads back the last pass's `component_health` of one device, a row per part. */
export async function deviceHealth(influx: InfluxQueryClient, deviceId: string): Promise<ComponentHealth[]> {
  const rows = await influx.rows(
    `SELECT last(used_share) AS used_share, last(remaining) AS remaining, last(due_ms) AS due_ms, last(earliest_ms) AS earliest_ms, last(latest_ms) AS latest_ms, last(days_left) AS days_left, last(pass_ms) AS pass_ms FROM ${measurements.componentHealth} WHERE device = ${influxString(deviceId)} GROUP BY part, "by"`
  )
  // a part whose limiting cause changed has a row per cause: the newest wins (the same day: the last written)
  const latest = new Map<string, (typeof rows)[number]>()
  const newer = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    Number(a.time) > Number(b.time) ||
    (Number(a.time) === Number(b.time) && (Number(a.pass_ms) || 0) >= (Number(b.pass_ms) || 0))
  for (const r of rows) {
    const seen = latest.get(String(r.part))
    if (!seen || newer(r, seen)) latest.set(String(r.part), r)
  }
  const day = (ms: unknown) => (Number(ms) > 0 ? new Date(Number(ms)).toISOString().slice(0, 10) : null)
  return [...latest.values()]
    .map((r) => ({
      part: String(r.part),
      usedShare: Number(r.used_share),
      remaining: Number(r.remaining),
      by: String(r.by),
      dueDay: day(r.due_ms),
      earliestDay: day(r.earliest_ms),
      latestDay: day(r.latest_ms),
      daysLeft: Number(r.days_left)
    }))
    .sort((a, b) => a.daysLeft - b.daysLeft)
}
