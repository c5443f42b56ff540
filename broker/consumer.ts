import { DEVICE_ID_PATTERN, parseDeviceTopic, type DeviceInfo, type Logger } from '../shared/index.js'
import { ConsumerConnection, type ConsumerTarget, type Delivery } from './consumer-connection.js'

/** A message the consumer could not take as a device's: kept with its reason, never stored as telemetry. */
export interface RefusedMessage {
  deviceId: string | null
  topic: string
  code: 'unknown_device' | 'device_disabled' | 'unknown_topic'
  reason: string
  payload: string
}

export interface ConsumerOptions {
  target: Omit<ConsumerTarget, 'filters'>
  /** `$share/<group>/…` with MQTT 5; without a group (MQTT 3.1.1 brokers) one consumer takes everything. */
  shareGroup: string | null
  /** The ingest gate: resolves once the message is stored (or kept as a dead letter); throws when it cannot be. */
  gate: (device: DeviceInfo, topic: string, payload: Buffer) => Promise<unknown>
  /** The registry's device, or undefined when not registered. */
  deviceOf: (id: string) => Promise<(DeviceInfo & { disabled: boolean }) | undefined>
  /** Keeps a refused message as a dead letter; resolves when stored. */
  refuse: (message: RefusedMessage) => Promise<void>
  log: Logger
}

/** How long a registry answer is reused: a disabled device's messages are refused within this. */
const DEVICE_CACHE_MS = 5000
const RETRY_MIN_MS = 500
const LATENCY_SAMPLES = 10000
const RETRY_MAX_MS = 10000

/**
 * Subscriber-mode ingest: telemetry and events from a broker that is already there (Mosquitto, EMQX,
 * HiveMQ …), taken through a persistent QoS 1 session and acknowledged to the broker only after each
 * message is stored — in InfluxDB, or as a dead letter. A consumer killed mid-stream loses nothing: the
 * broker sends again what it had not acknowledged (duplicates overwrite themselves). When a message
 * cannot be stored (InfluxDB down past the writer's retries), the connection is dropped without its
 * PUBACK and opened again after a back-off. Several nodes in one share group split the messages.
 */
export class BrokerConsumer {
  readonly stats = { received: 0, stored: 0, refused: 0, connects: 0, failures: 0 }
  /** The last received-to-acknowledged times (ms), for percentiles (`storeLatency`). */
  private readonly latencies = new Float64Array(LATENCY_SAMPLES)
  private latencyCount = 0
  private connection?: ConsumerConnection
  private stopped = false
  private retryMs = RETRY_MIN_MS
  private retryTimer?: NodeJS.Timeout
  private readonly devices = new Map<
    string,
    { at: number; device: Awaited<ReturnType<ConsumerOptions['deviceOf']>> }
  >()
  private firstConnect?: { resolve: () => void; reject: (err: Error) => void }

  constructor(private readonly options: ConsumerOptions) {}

  /** Connects (resolves once subscribed; rejects when the first attempt fails) and keeps reconnecting. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstConnect = { resolve, reject }
      this.connect()
    })
  }

  /** Messages received and not yet acknowledged. */
  get inFlight(): number {
    return this.connection?.inFlight ?? 0
  }

  /**
   * Stops: leaves the share group once what is in flight is stored (the other nodes take the rest);
   * when that cannot finish, the broker keeps this node's session — and what it had not acknowledged —
   * for its next start.
   */
  async close(): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    const left = (await this.connection?.leave()) ?? false
    this.options.log.info(
      { left },
      left ? 'consumer left the share group' : 'consumer stopped; its session stays at the broker'
    )
  }

  private connect(): void {
    if (this.stopped) return
    const group = this.options.shareGroup
    const filters = ['devices/+/telemetry', 'devices/+/events'].map((f) =>
      group ? `$share/${group}/${f}` : f
    )
    const connection = new ConsumerConnection({ ...this.options.target, filters })
    this.connection = connection
    connection.on('message', (d: Delivery) => void this.handle(connection, d))
    connection.on('close', (err?: Error) => {
      if (this.stopped) return
      this.options.log.warn(
        { err: err?.message, retryMs: this.retryMs },
        'consumer connection lost; reconnecting'
      )
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs)
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2)
    })
    connection.open().then(
      ({ sessionPresent }) => {
        this.stats.connects++
        this.retryMs = RETRY_MIN_MS
        this.options.log.info(
          { clientId: this.options.target.clientId, filters, sessionPresent },
          'consumer subscribed'
        )
        this.firstConnect?.resolve()
        this.firstConnect = undefined
      },
      (err: Error) => {
        if (this.firstConnect) {
          this.stopped = true
          this.firstConnect.reject(err)
          this.firstConnect = undefined
        }
      }
    )
  }

  /** Percentiles of the time from receiving a message to acknowledging it (stored), over the last 10,000. */
  storeLatency(): { p50: number; p99: number; samples: number } {
    const n = Math.min(this.latencyCount, LATENCY_SAMPLES)
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))] ?? NaN
    return { p50: at(0.5), p99: at(0.99), samples: n }
  }

  private async handle(connection: ConsumerConnection, d: Delivery): Promise<void> {
    const received = performance.now()
    this.stats.received++
    try {
      const parts = parseDeviceTopic(d.topic)
      // a device seen a moment ago needs no second look at its id
      const id =
        parts && (this.devices.has(parts.deviceId) || DEVICE_ID_PATTERN.test(parts.deviceId))
          ? parts.deviceId
          : undefined
      const device = id === undefined ? undefined : await this.device(id)
      if (id === undefined || !device || device.disabled) {
        await this.options.refuse({
          deviceId: id ?? null,
          topic: d.topic,
          code: id === undefined ? 'unknown_topic' : device ? 'device_disabled' : 'unknown_device',
          reason:
            id === undefined
              ? 'not a device topic (devices/{id}/telemetry or events)'
              : device
                ? `device ${id} is disabled`
                : `device ${id} is not registered`,
          payload: d.payload.toString('utf8')
        })
        this.stats.refused++
      } else {
        await this.options.gate(device, d.topic, d.payload)
        this.stats.stored++
      }
      d.ack()
      this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = performance.now() - received
    } catch (err) {
      // not stored: no PUBACK; the broker sends it again on the next connection
      this.stats.failures++
      this.options.log.error(
        { err: (err as Error).message, topic: d.topic },
        'could not store a consumed message'
      )
      connection.close(err as Error)
    }
  }

  private async device(id: string) {
    const now = Date.now()
    const cached = this.devices.get(id)
    if (cached && now - cached.at < DEVICE_CACHE_MS) return cached.device
    const device = await this.options.deviceOf(id)
    if (this.devices.size > 100000) this.devices.clear()
    this.devices.set(id, { at: now, device })
    return device
  }
}
