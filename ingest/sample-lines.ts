import { Point, escape } from '@influxdata/influxdb-client'
import {
  machineSampleSchema,
  measurements,
  purifierSampleSchema,
  type DeviceEvent,
  type DeviceInfo,
  type Sample
} from '../shared/index.js'

/** What the maker's fault catalogue says of a fault code (its grade and category tag the event). */
export type FaultLookup = (code: string) => { grade: string; category: string } | undefined

/**
 * The line protocol of stored samples and events, pure: tags from the registry's device, the point's
 * time from the sample's identity (ts, seq).
 */

export function tagged(measurement: string, device: DeviceInfo): Point {
  const point = new Point(measurement)
    .tag('device', device.id)
    .tag('model', device.model)
    .tag('region', device.region)
  return device.outlet ? point.tag('outlet', device.outlet) : point
}

/**
 * The point's time is the sample's `ts` in ms; the sub-millisecond digits carry
 * `seq` mod 10^6 (its millions are the `seqhi` tag). A resent sample overwrites
 * itself (idempotent), while two samples in the same millisecond stay distinct.
 */
export function pointTime(ts: number, seq: number | undefined): string {
  const sub = (seq ?? 0) % 1_000_000
  // a positive integer ts: ts·10^6 + sub is ts's digits and sub's in six more (no BigInt a sample)
  if (Number.isSafeInteger(ts) && ts > 0 && Number.isSafeInteger(sub) && sub >= 0)
    return `${ts}${String(sub).padStart(6, '0')}`
  return (BigInt(ts) * 1_000_000n + BigInt(sub)).toString()
}

/**
 * A sample's line, written directly rather than through `Point` (the hot path: every sample of every
 * upload). Same output as `Point` — tags and fields sorted, the client library's own escaping — which
 * a unit test holds it to; the tag part is built once per device.
 */
export function sampleLine(device: DeviceInfo, sample: Sample): string {
  return lineOf(tagPrefix(device), FIELDS[device.kind], sample)
}

/** Each kind's field names in the order Point writes them (sorted); the schemas are strict, so no others. */
export const FIELDS: Record<DeviceInfo['kind'], readonly string[]> = {
  purifier: Object.keys(purifierSampleSchema.shape)
    .filter((k) => k !== 'ts')
    .sort(),
  machine: Object.keys(machineSampleSchema.shape)
    .filter((k) => k !== 'ts')
    .sort()
}

export function lineOf(prefix: string, names: readonly string[], sample: Sample, backwards = false): string {
  let fields = ''
  for (const key of names) {
    const value = (sample as Record<string, unknown>)[key]
    if (value === undefined) continue
    const text =
      key === 'seq'
        ? `${Math.floor(value as number)}i`
        : typeof value === 'boolean'
          ? value
            ? 'T'
            : 'F'
          : String(value)
    fields += fields ? `,${key}=${text}` : `${key}=${text}`
  }
  // aftercare's mark, not a device field (the schemas refuse it from a device)
  if (backwards) fields += ',counterBackwards=T'
  return `${prefix}${seriesOfSeq(sample.seq)} ${fields} ${pointTime(sample.ts, sample.seq)}`
}

/**
 * The point's time holds `seq` mod 10^6 in its sub-millisecond digits; the millions of a larger `seq` go
 * into a `seqhi` tag (a series of their own), so two samples in the same millisecond whose seq differs
 * by a multiple of 10^6 are two points, not one overwriting the other. A tag key after every device tag
 * (sorted, as Point writes them); absent below 10^6, so the lines of most devices are unchanged.
 */
function seriesOfSeq(seq: number | undefined): string {
  return seq !== undefined && seq >= 1_000_000 ? `,seqhi=${Math.floor(seq / 1_000_000)}` : ''
}

const prefixes = new Map<string, string>()

export function tagPrefix(device: DeviceInfo): string {
  const key = `${device.kind}\u0000${device.id}\u0000${device.model}\u0000${device.outlet ?? ''}\u0000${device.region}`
  let prefix = prefixes.get(key)
  if (prefix === undefined) {
    const tags: [string, string][] = [
      ['device', device.id],
      ['model', device.model],
      ['outlet', device.outlet ?? ''],
      ['region', device.region]
    ]
    prefix =
      escape.measurement(measurements.telemetry(device.kind)) +
      tags
        .filter(([, v]) => v)
        .map(([k, v]) => `,${k}=${escape.tag(v)}`)
        .join('')
    if (prefixes.size >= 100000) prefixes.clear()
    prefixes.set(key, prefix)
  }
  return prefix
}

export function eventLine(device: DeviceInfo, ev: DeviceEvent, faultOf: FaultLookup): string {
  const point = tagged(measurements.events, device).tag('type', ev.type)
  if (ev.type === 'fault') {
    // the grade and category travel with the event, so boards can count faults by grade without a join
    const known = faultOf(ev.code)
    if (known) point.tag('grade', known.grade).tag('category', known.category)
    point.tag('code', ev.code).booleanField('active', ev.active).stringField('detail', ev.code)
  } else if (ev.type === 'part_replaced') point.tag('part', ev.part).stringField('detail', ev.part)
  else point.stringField('detail', 'leak')
  if (ev.seq !== undefined && ev.seq >= 1_000_000) point.tag('seqhi', String(Math.floor(ev.seq / 1_000_000)))
  return point.timestamp(pointTime(ev.ts, ev.seq)).toLineProtocol() ?? ''
}
