import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { AppError } from './errors.js'

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))

/**
 * Every setting of aftercare, documented field by field in the README
 * ("Configuration"). Keys are the environment variable names; a JSON config
 * file (AFTERCARE_CONFIG) may hold the same keys, and the environment wins.
 */
export const configSchema = z.object({
  AFTERCARE_DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  MQTT_HOST: z.string().min(1).default('127.0.0.1'),
  MQTT_PORT: port.default(1883),
  MQTTS_PORT: port.default(8883),
  MQTT_TLS_CERT: optionalString,
  MQTT_TLS_KEY: optionalString,
  MQTT_PLAIN: z.stringbool().default(true),
  MQTT_MAX_PAYLOAD_BYTES: positiveInt.default(512 * 1024),
  MQTT_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
  MQTT_CONNECT_TIMEOUT_MS: positiveInt.default(10000),
  MQTT_KEEPALIVE_LIMIT_SECONDS: positiveInt.max(65535).default(1200),
  MQTT_DEVICE_MSGS_PER_SECOND: z.coerce.number().positive().default(20),
  MQTT_DEVICE_BURST: positiveInt.default(200),
  MQTT_LOGIN_FAILURES_PER_SECOND: z.coerce.number().positive().default(5),
  MQTT_SUBSCRIBER_BACKLOG_BYTES: positiveInt.default(1024 * 1024),
  MQTT_DRAIN_TIMEOUT_MS: positiveInt.default(20000),
  MQTT_HEARTBEAT_MS: positiveInt.min(100).default(60000),
  MQTT_SERVICE_CONNECTIONS: positiveInt.max(100000).default(20),
  MQTT_SESSIONS: z.enum(['disk', 'memory']).default('disk'),
  /** Subscriber-mode ingest from an existing broker (mqtt://USER:PASS@host:1883 or mqtts://); no embedded broker then. */
  INGEST_BROKER_URL: optionalString.pipe(
    z
      .string()
      .regex(/^mqtts?:\/\//, 'an mqtt:// or mqtts:// URL')
      .optional()
  ),
  /** A CA certificate file (PEM) for mqtts:// to that broker. */
  INGEST_BROKER_CA: optionalString,
  /** Stable per node; default aftercare-<hostname>. */
  INGEST_BROKER_CLIENT_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 of A-Z a-z 0-9 _ -')
      .optional()
  ),
  /** The shared-subscription group nodes split messages in; `none` for an MQTT 3.1.1 broker (one consumer). */
  INGEST_BROKER_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 of A-Z a-z 0-9 _ -')
    .default('aftercare'),
  /** QoS 1 messages the broker may have outstanding to a consumer at once (MQTT 5 Receive Maximum). */
  INGEST_BROKER_RECEIVE_MAXIMUM: positiveInt.max(65535).default(1000),
  INGEST_BROKER_PROTOCOL: z.enum(['5', '3.1.1']).default('5'),
  /** Mosquitto 2's dynamic-security admin (mqtt://ADMIN:PASS@host:1883): devices' clients and ACLs kept in step. */
  BROKER_DYNSEC_URL: optionalString.pipe(
    z
      .string()
      .regex(/^mqtts?:\/\//, 'an mqtt:// or mqtts:// URL')
      .optional()
  ),

  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional()
  ),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(8080),
  /** The console's sessions: idle minutes before one ends; wrong passwords in a row that lock an account, and for how long. */
  CONSOLE_IDLE_MINUTES: positiveInt.max(24 * 60).default(30),
  CONSOLE_MAX_FAILURES: positiveInt.max(100).default(5),
  CONSOLE_LOCK_MINUTES: positiveInt.max(24 * 60).default(15),

  INFLUX_URL: optionalString.pipe(z.url().optional()),
  INFLUX_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('aftercare'),
  INFLUX_RP: optionalString,
  INFLUX_TOKEN: optionalString,
  INFLUX_ORG: optionalString,
  INFLUX_WRITE_API: z.enum(['v1', 'v2']).default('v1'),
  INFLUXD_PATH: z.string().min(1).default('influxd'),
  INFLUX_BATCH_LINES: positiveInt.max(100000).default(5000),
  INFLUX_MAX_IN_FLIGHT: positiveInt.max(64).default(4),
  INFLUX_TIMEOUT_MS: positiveInt.default(10000),
  INFLUX_GZIP: z.stringbool().default(false),

  DATABASE_URL: optionalString.pipe(
    z.string().startsWith('postgres', 'a postgres:// or postgresql:// URL').optional()
  ),

  AFTERCARE_API_URL: optionalString.pipe(z.url().optional()),
  AFTERCARE_TOKEN: optionalString,

  OUTLET_CAPACITY_PER_DAY: positiveInt.max(10000).default(8),
  PLAN_EVERY_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 7)
    .default(1),

  INGEST_MAX_AGE_DAYS: positiveInt.default(400),
  INGEST_MAX_FUTURE_SECONDS: positiveInt.default(300),
  PIPELINE_METRICS_SECONDS: positiveInt.max(3600).default(10)
})

export type Config = z.infer<typeof configSchema>

/**
 * Parses the configuration once, failing fast with a message that names each
 * wrong setting and why.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof Config, unknown>> = {}
): Config {
  const fromFile = env.AFTERCARE_CONFIG ? readConfigFile(env.AFTERCARE_CONFIG) : {}
  const keys = Object.keys(configSchema.shape)
  const fromEnv = Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]))
  const merged = { ...fromFile, ...fromEnv, ...stripUndefined(overrides) }
  const result = configSchema.safeParse(merged)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`)
    throw new AppError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`)
  }
  const tls = tlsIssues(result.data)
  if (tls.length > 0) throw new AppError('CONFIG_INVALID', `invalid configuration:\n${tls.join('\n')}`)
  const unknown = Object.keys(fromFile).filter((k) => !keys.includes(k))
  if (unknown.length > 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration:\n  ${unknown.join(', ')}: unknown setting in ${env.AFTERCARE_CONFIG}`
    )
  }
  return { ...result.data, AFTERCARE_DATA_DIR: path.resolve(result.data.AFTERCARE_DATA_DIR) }
}

/** TLS settings that do not make sense together: a certificate without its key, no listener at all. */
function tlsIssues(c: Config): string[] {
  const issues: string[] = []
  if (c.MQTT_TLS_CERT && !c.MQTT_TLS_KEY)
    issues.push('  MQTT_TLS_KEY: MQTT_TLS_CERT is set but its private key is not (TLS would not start)')
  if (c.MQTT_TLS_KEY && !c.MQTT_TLS_CERT)
    issues.push('  MQTT_TLS_CERT: MQTT_TLS_KEY is set but its certificate is not (TLS would not start)')
  if (!c.MQTT_PLAIN && !(c.MQTT_TLS_CERT && c.MQTT_TLS_KEY))
    issues.push('  MQTT_PLAIN: false closes the plain listener, which needs MQTT_TLS_CERT and MQTT_TLS_KEY')
  return issues
}

function readConfigFile(file: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object')
    return parsed as Record<string, unknown>
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration:\n  AFTERCARE_CONFIG: cannot read ${file}: ${(err as Error).message}`
    )
  }
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}
