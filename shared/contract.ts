import { z } from 'zod'

/**
 * The device contract, v1 (see docs/device-contract.md). Broker, ingest,
 * simulators and dashboards all read it from here.
 */

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
export const deviceIdSchema = z.string().regex(DEVICE_ID_PATTERN, 'a device id is 1-64 of A-Z a-z 0-9 _ -')

export const DEVICE_KINDS = ['purifier', 'machine'] as const
export type DeviceKind = (typeof DEVICE_KINDS)[number]

/** The most samples one `{"samples": [...]}` upload may carry. */
export const MAX_SAMPLES_PER_UPLOAD = 1000

export const topics = {
  prefix: (deviceId: string) => `devices/${deviceId}/`,
  telemetry: (deviceId: string) => `devices/${deviceId}/telemetry`,
  events: (deviceId: string) => `devices/${deviceId}/events`,
  status: (deviceId: string) => `devices/${deviceId}/status`,
  commands: (deviceId: string) => `devices/${deviceId}/commands`
}

export type DeviceTopicKind = 'telemetry' | 'events' | 'status' | 'other'

/** Splits `devices/{id}/{rest}`; undefined when the topic is not a device topic. */
export function parseDeviceTopic(
  topic: string
): { deviceId: string; kind: DeviceTopicKind; rest: string } | undefined {
  const match = /^devices\/([^/]+)\/(.+)$/.exec(topic)
  if (!match) return undefined
  const [, deviceId = '', rest = ''] = match
  const kind: DeviceTopicKind =
    rest === 'telemetry' || rest === 'events' || rest === 'status' ? rest : 'other'
  return { deviceId, kind, rest }
}

/** InfluxDB measurement names. Tags always come from the registry, never from a payload. */
export const measurements = {
  telemetry: (kind: DeviceKind) => `${kind}_telemetry`,
  events: 'device_events',
  status: 'device_status',
  pipeline: 'aftercare_pipeline',
  /** Written by each planning pass: every component's expected end and band, and 30-day usage forecasts. */
  componentHealth: 'component_health',
  usageForecast: 'usage_forecast',
  /** Which UTC days of a kind's telemetry received data, written with that data (see ingest/day-marks.ts). */
  telemetryChanged: 'telemetry_changed',
  /**
   * One point a rollup refresh, written by the planning pass before the refresh runs: its `id` says
   * which kept histories (a snapshot on disk) are still current — those taken after the last refresh.
   */
  rollupRefresh: 'rollup_refresh',
  /** Per device and UTC day: first/last counters and mean readings, rebuilt from the days marked changed. */
  daily: (kind: DeviceKind) => `${kind}_daily`
} as const

const epochMs = z
  .number()
  .int('ts is epoch milliseconds, an integer')
  .min(946684800000, 'ts is epoch milliseconds (after 2000-01-01)')
  .max(4102444800000, 'ts is epoch milliseconds (before 2100-01-01)')
const seq = z.number().int('seq is an integer').min(0).max(Number.MAX_SAFE_INTEGER)
const finite = (min: number, max: number) => z.number().min(min).max(max)

export const purifierSampleSchema = z
  .object({
    ts: epochMs,
    seq,
    litersTotal: finite(0, 1e9).optional(),
    tdsIn: finite(0, 10000).optional(),
    tdsOut: finite(0, 10000).optional(),
    tempC: finite(-40, 100).optional(),
    pressureKpa: finite(0, 5000).optional(),
    leak: z.boolean().optional()
  })
  .strict()

export const machineSampleSchema = z
  .object({
    ts: epochMs,
    seq,
    engineHours: finite(0, 1e6).optional(),
    rpm: finite(0, 20000).optional(),
    fuelPct: finite(0, 100).optional(),
    coolantC: finite(-50, 200).optional(),
    hydOilC: finite(-50, 200).optional(),
    hydBar: finite(0, 1000).optional(),
    pumpedM3Total: finite(0, 1e8).optional(),
    lat: finite(-90, 90).optional(),
    lon: finite(-180, 180).optional()
  })
  .strict()

export type PurifierSample = z.infer<typeof purifierSampleSchema>
export type MachineSample = z.infer<typeof machineSampleSchema>
export type Sample = PurifierSample | MachineSample

export const sampleSchemas: Record<DeviceKind, z.ZodType<Sample>> = {
  purifier: purifierSampleSchema,
  machine: machineSampleSchema
}

export const PART_IDS: Record<DeviceKind, readonly string[]> = {
  purifier: ['pp_sediment', 'carbon', 'ro_membrane', 'post_carbon'],
  machine: [
    'engine_oil',
    'hydraulic_filter',
    'hydraulic_oil',
    'coolant',
    'wear_plate',
    'cutting_ring',
    'delivery_pipe'
  ]
}

const partId = z.string().regex(/^[a-z0-9_]{1,64}$/, 'a part id is 1-64 of a-z 0-9 _')
const faultCode = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'a fault code is 1-32 of A-Z a-z 0-9 _ . -')

export const deviceEventSchema = z.discriminatedUnion('type', [
  z
    .object({
      ts: epochMs,
      seq: seq.optional(),
      type: z.literal('fault'),
      code: faultCode,
      active: z.boolean()
    })
    .strict(),
  z.object({ ts: epochMs, seq: seq.optional(), type: z.literal('part_replaced'), part: partId }).strict(),
  z.object({ ts: epochMs, seq: seq.optional(), type: z.literal('leak') }).strict()
])
export type DeviceEvent = z.infer<typeof deviceEventSchema>

/** What the pipeline knows of a device at runtime: its identity and registry tags. */
export interface DeviceInfo {
  id: string
  kind: DeviceKind
  model: string
  region: string
  outlet: string | null
}
