import type { z } from 'zod'
import {
  MAX_SAMPLES_PER_UPLOAD,
  deviceEventSchema,
  faultByCode,
  sampleSchemas,
  type DeviceEvent,
  type DeviceInfo,
  type DeviceTopicKind,
  type Sample
} from '../shared/index.js'
import type { CounterWatch } from './counter-watch.js'
import { isValidSample } from './sample-check.js'
import { FIELDS, eventLine, lineOf, tagPrefix, type FaultLookup } from './sample-lines.js'

export { pointTime, sampleLine, type FaultLookup } from './sample-lines.js'

/** Why a payload (or one sample of it) was not stored. Stable codes, readable reasons. */
export type RejectCode =
  | 'bad_json'
  | 'schema'
  | 'too_many_samples'
  | 'ts_out_of_range'
  | 'unknown_topic'
  | 'unknown_part'
  | 'conflicting_duplicate'
  | 'influx_rejected'
  | 'unknown_device'
  | 'device_disabled'

export interface Rejection {
  code: RejectCode
  reason: string
  /** The offending part: the whole payload, or one sample of an upload. */
  payload: string
}

export interface Normalised {
  lines: string[]
  rejections: Rejection[]
  samples: number
  /** What was accepted, parsed, for whatever acts on stored data (live rules). */
  accepted: { samples: Sample[]; events: DeviceEvent[] }
}

/** What the catalogue knows of a publish: fault codes, a model's parts, and the topic's subtopic. */
export interface NormaliseContext {
  faultOf?: FaultLookup
  /** The parts a model has (undefined: a model the catalogue does not describe, nothing to check). */
  partsOf?: (model: string) => readonly string[] | undefined
  /** What follows `devices/{id}/` in the topic, named when it is not one a device publishes to. */
  subtopic?: string
  /** Marks samples whose cumulative counter went backwards (`counterBackwards=T`). */
  counters?: CounterWatch
}

export interface TimeWindow {
  now: number
  maxAgeMs: number
  maxFutureMs: number
}

/**
 * Turns one device publish into InfluxDB line protocol, pure: tags come from
 * the registry's `device`, never from the payload. Valid samples of an upload
 * are kept even when some of its samples are rejected.
 */
export function normalise(
  device: DeviceInfo,
  kind: DeviceTopicKind,
  payload: Buffer,
  window: TimeWindow,
  context: NormaliseContext = {}
): Normalised {
  const text = payload.toString('utf8')
  return keepBytes(payload, text, parsed(device, kind, text, window, context))
}

function parsed(
  device: DeviceInfo,
  kind: DeviceTopicKind,
  text: string,
  window: TimeWindow,
  context: NormaliseContext
): Normalised {
  if (kind !== 'telemetry' && kind !== 'events') {
    return rejected(
      'unknown_topic',
      `devices publish to telemetry or events, not to ${context.subtopic ?? kind}`,
      text
    )
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    return rejected('bad_json', `payload is not JSON: ${(err as Error).message}`, text)
  }
  return kind === 'telemetry'
    ? telemetry(device, body, text, window, context)
    : event(device, body, text, window, context)
}

/**
 * A payload that is not valid UTF-8 would lose bytes as text: a dead letter
 * of the whole payload keeps it as `base64:` and its bytes instead.
 */
function keepBytes(payload: Buffer, text: string, result: Normalised): Normalised {
  if (result.rejections.length === 0 || Buffer.from(text, 'utf8').equals(payload)) return result
  for (const r of result.rejections)
    if (r.payload === text) r.payload = `base64:${payload.toString('base64')}`
  return result
}

function telemetry(
  device: DeviceInfo,
  body: unknown,
  text: string,
  window: TimeWindow,
  context: NormaliseContext
): Normalised {
  const isUpload = typeof body === 'object' && body !== null && 'samples' in body
  const samples: unknown = isUpload ? (body as { samples: unknown }).samples : body
  if (isUpload) {
    if (!Array.isArray(samples)) return rejected('schema', 'samples: expected an array of samples', text)
    if (samples.length === 0)
      return rejected('schema', 'samples: an upload carries at least one sample', text)
    if (Object.keys(body as object).length !== 1)
      return rejected('schema', 'an upload has only the key "samples"', text)
    if (samples.length > MAX_SAMPLES_PER_UPLOAD) {
      return rejected(
        'too_many_samples',
        `samples: ${samples.length} samples, at most ${MAX_SAMPLES_PER_UPLOAD} per upload`,
        text
      )
    }
  }
  const list = isUpload ? (samples as unknown[]) : [samples]
  const out: Normalised = {
    lines: [],
    rejections: [],
    samples: list.length,
    accepted: { samples: [], events: [] }
  }
  const schema = sampleSchemas[device.kind]
  const prefix = tagPrefix(device)
  const fields = FIELDS[device.kind]
  // a dead letter names where the sample was and keeps it as it came, both made only then (the hot path)
  const at = (index: number) => (isUpload ? `samples[${index}]` : '')
  // an upload's samples by identity (the point's time and series): a true repeat is stored once, the same
  // identity with other values is kept as a dead letter rather than overwriting the first in InfluxDB
  const seen = list.length > 1 ? new Map<string, { line: string; index: number }>() : undefined
  list.forEach((raw, index) => {
    let sample: Sample
    if (isValidSample(device.kind, raw)) sample = raw
    else {
      const parsed = schema.safeParse(raw)
      if (!parsed.success)
        return out.rejections.push({
          code: 'schema',
          reason: describeIssues(parsed.error, at(index)),
          payload: isUpload ? sampleText(raw, text) : text
        })
      sample = parsed.data
    }
    if (!inWindow(sample.ts, window))
      return out.rejections.push({
        code: 'ts_out_of_range',
        reason: outOfWindow(sample.ts, window, at(index)),
        payload: isUpload ? sampleText(raw, text) : text
      })
    const back = context.counters?.check(device.id, device.kind, sample) ?? false
    const line = lineOf(prefix, fields, sample, back)
    if (seen) {
      const identity = `${sample.ts}/${sample.seq ?? 0}`
      const first = seen.get(identity)
      if (first?.line === line) return
      if (first)
        return out.rejections.push({
          code: 'conflicting_duplicate',
          reason: `${at(index)}: the same ts and seq as samples[${first.index}] with other values (kept here, not overwriting it)`,
          payload: sampleText(raw, text)
        })
      seen.set(identity, { line, index })
    }
    out.lines.push(line)
    out.accepted.samples.push(sample)
  })
  return out
}

function event(
  device: DeviceInfo,
  body: unknown,
  text: string,
  window: TimeWindow,
  context: NormaliseContext
): Normalised {
  const parsed = deviceEventSchema.safeParse(body)
  if (!parsed.success) return rejected('schema', describeIssues(parsed.error, ''), text)
  if (!inWindow(parsed.data.ts, window))
    return rejected('ts_out_of_range', outOfWindow(parsed.data.ts, window, ''), text)
  if (parsed.data.type === 'part_replaced') {
    const parts = context.partsOf?.(device.model)
    if (parts && !parts.includes(parsed.data.part))
      return rejected(
        'unknown_part',
        `part: ${parsed.data.part.slice(0, 64)} is not a part of ${device.model} (its parts: ${parts.join(', ')})`,
        text
      )
  }
  return {
    lines: [eventLine(device, parsed.data, context.faultOf ?? faultByCode)],
    rejections: [],
    samples: 1,
    accepted: { samples: [], events: [parsed.data] }
  }
}

function inWindow(ts: number, window: TimeWindow): boolean {
  return ts >= window.now - window.maxAgeMs && ts <= window.now + window.maxFutureMs
}

/** Why a time outside the window was refused (`where`: the sample's place in an upload, or ''). */
function outOfWindow(ts: number, window: TimeWindow, where: string): string {
  const at = where ? `${where}.ts` : 'ts'
  return ts < window.now - window.maxAgeMs
    ? `${at}: ${new Date(ts).toISOString()} is more than ${Math.round(window.maxAgeMs / 86400000)} days in the past`
    : `${at}: ${new Date(ts).toISOString()} is more than ${Math.round(window.maxFutureMs / 1000)} s in the future`
}

function describeIssues(error: z.ZodError, where: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [where, ...issue.path.map(String)].filter(Boolean).join('.')
      // a payload with thousands of unknown keys names the first few (the reason goes to logs and the store)
      const all = 'keys' in issue && Array.isArray(issue.keys) ? (issue.keys as string[]) : []
      const listed = all.slice(0, 10).map((k) => (k.length > 64 ? `${k.slice(0, 64)}…` : k))
      const keys =
        all.length > 0
          ? ` (${listed.join(', ')}${all.length > 10 ? `, and ${all.length - 10} more` : ''})`
          : ''
      return `${path || '(payload)'}: ${issue.message}${keys}`
    })
    .join('; ')
}

/**
 * One sample of an upload as its dead letter keeps it. A value nested thousands deep overflows
 * JSON.stringify's stack: then the whole upload's text is kept instead (the device is acknowledged and its
 * next sample gets through, rather than resending the poison for ever).
 */
function sampleText(raw: unknown, text: string): string {
  try {
    return JSON.stringify(raw)
  } catch {
    return text
  }
}

function rejected(code: RejectCode, reason: string, payload: string): Normalised {
  return {
    lines: [],
    rejections: [{ code, reason, payload }],
    samples: 0,
    accepted: { samples: [], events: [] }
  }
}
