import mqtt, { type MqttClient } from 'mqtt'
import { topics } from '../shared/index.js'

/**
 * A simulated device's MQTT connection: it keeps up to `window` QoS 1
 * messages unacknowledged, like a real device's send queue, and reconnects
 * on its own (MQTT.js resends what was not acknowledged).
 */
export class MqttDevice {
  private readonly inflight = new Set<Promise<void>>()
  published = 0
  acked = 0
  failed = 0

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
    private readonly window: number
  ) {}

  static async connect(url: string, id: string, secret: string, window = 4): Promise<MqttDevice> {
    const client = await mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      keepalive: 60,
      reconnectPeriod: 1000,
      connectTimeout: 30000,
      clean: true
    })
    // reconnects are handled by MQTT.js; errors are counted by the callers' promises
    client.on('error', () => undefined)
    return new MqttDevice(id, client, window)
  }

  /** Publishes with QoS 1; resolves when there is room in the window (not when acknowledged). */
  async publish(kind: 'telemetry' | 'events', payload: unknown): Promise<void> {
    while (this.inflight.size >= this.window) await Promise.race(this.inflight)
    this.published++
    const p = this.client
      .publishAsync(
        kind === 'telemetry' ? topics.telemetry(this.id) : topics.events(this.id),
        JSON.stringify(payload),
        { qos: 1 }
      )
      .then(
        () => {
          this.acked++
        },
        () => {
          this.failed++
        }
      )
      .finally(() => this.inflight.delete(p))
    this.inflight.add(p)
  }

  /** Waits for every message in flight, then disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.inflight)
    await this.client.endAsync()
  }
}
