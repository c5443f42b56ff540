import { measurements, type DeviceInfo, type Sample } from '../shared/index.js'
import { FIELDS, pointTime } from './sample-lines.js'

/**
 * Reads back the stored samples of a device between two point times (nanoseconds, inclusive): rows
 * with their RFC 3339 `time` (nanosecond-exact) and fields.
 */
export type StoredSamples = (
  measurement: string,
  deviceId: string,
  fromNs: string,
  toNs: string
) => Promise<Record<string, unknown>[]>

/** Devices whose newest stored sample is remembered (a node with more forgets and starts again). */
const MAX_DEVICES = 1_000_000

/**
 * A sample's identity is its device, `ts` and `seq`: sent again, it overwrites itself. Sent again with
 * other values, it would silently replace a sample the device was told is stored — so a sample at or
 * before the newest this node has stored for the device is compared with what InfluxDB holds at its
 * point, and one with other values is refused (kept as a dead letter) instead. Samples newer than that
 * (a device's normal stream) need no read. A node remembers what it stored since it started: a resend
 * that reaches a node which never stored the device's newer samples is written as before.
 */
export class ResendCheck {
  private readonly newest = new Map<string, number>()
  /** Reads made (messages with a sample at or before the device's newest stored one). */
  reads = 0

  constructor(private readonly read?: StoredSamples) {}

  /** After samples were stored: the device's newest `ts` moves on. */
  stored(deviceId: string, samples: readonly Sample[]): void {
    if (samples.length === 0) return
    let max = this.newest.get(deviceId) ?? -Infinity
    for (const s of samples) if (s.ts > max) max = s.ts
    if (this.newest.size >= MAX_DEVICES && !this.newest.has(deviceId)) this.newest.clear()
    this.newest.set(deviceId, max)
  }

  /** The samples (by index) that may have been stored before: at or before the device's newest stored `ts`. */
  suspects(deviceId: string, samples: readonly Sample[]): number[] {
    const newest = this.newest.get(deviceId)
    const found: number[] = []
    if (!this.read || newest === undefined) return found
    for (let i = 0; i < samples.length; i++) if ((samples[i] as Sample).ts <= newest) found.push(i)
    return found
  }

  /** Of the suspects, those whose identity is stored with other values, each with the reason. */
  async conflicts(
    device: DeviceInfo,
    samples: readonly Sample[],
    suspects: readonly number[]
  ): Promise<Map<number, string>> {
    const found = new Map<number, string>()
    if (!this.read || suspects.length === 0) return found
    const times = suspects.map((i) => (samples[i] as Sample).ts)
    const from = pointTime(Math.min(...times), 0)
    const to = pointTime(Math.max(...times), 999_999)
    this.reads++
    const rows = await this.read(measurements.telemetry(device.kind), device.id, from, to)
    const stored = new Map<string, Record<string, unknown>>()
    for (const row of rows) stored.set(`${nanosOf(String(row.time))}/${String(row.seq)}`, row)
    for (const i of suspects) {
      const sample = samples[i] as Sample
      const row = stored.get(`${pointTime(sample.ts, sample.seq)}/${sample.seq}`)
      const field = row && differingField(device.kind, row, sample)
      if (field)
        found.set(
          i,
          `the same ts and seq as a sample already stored, with another ${field} (the stored one is kept)`
        )
    }
    return found
  }
}

/** The first field whose stored value is not the sample's, or undefined when they are the same. */
function differingField(
  kind: DeviceInfo['kind'],
  row: Record<string, unknown>,
  sample: Sample
): string | undefined {
  for (const name of FIELDS[kind]) {
    const mine = (sample as Record<string, unknown>)[name]
    const theirs = row[name]
    if (mine === undefined ? theirs !== null && theirs !== undefined : theirs !== mine) return name
  }
  return undefined
}

/** `2026-12-03T10:00:00.000123456Z` → nanoseconds since the epoch, as digits. */
export function nanosOf(rfc3339: string): string {
  const match = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(rfc3339)
  if (!match) return ''
  const seconds = BigInt(Date.parse(`${match[1]}Z`) / 1000)
  return (seconds * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'))).toString()
}
