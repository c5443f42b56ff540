import type { AedesPublishPacket, Client } from 'aedes'
import type { Logger } from '../shared/index.js'

/**
 * What a subscriber that stops reading may cost the broker.
 *
 * Aedes hands each message to mqemitter, which with a `concurrency` limit
 * queues messages while earlier ones wait for a slow subscriber's socket to
 * drain. When that subscriber goes away, every queued message finds no one to
 * deliver to, completes synchronously and releases the next one *recursively*:
 * a backlog of a few thousand messages ends in "Maximum call stack size
 * exceeded" and takes the broker down (reproduced against bare Aedes 1.2 by
 * test/integration/backlog.test.ts). aftercare runs mqemitter without that
 * queue (`concurrency: 0`, its documented "no limit"): each message waits on
 * its own publisher's batch instead, so nothing is drained recursively, and
 * the memory a slow subscriber can pin is bounded here instead.
 */
export const MQ_CONCURRENCY = 0

export interface BacklogLimits {
  /** Bytes a subscriber's socket may hold unsent before QoS 0 deliveries to it are dropped (at most once allows it). */
  subscriberBacklogBytes: number
  /** A subscriber whose socket does not drain in this time is disconnected, releasing the publishers waiting on it. */
  drainTimeoutMs: number
}

export const DEFAULT_BACKLOG: BacklogLimits = { subscriberBacklogBytes: 1024 * 1024, drainTimeoutMs: 20000 }

/**
 * Aedes' `authorizeForward`: while a subscriber's unsent bytes are over the
 * limit, a delivery that would go out at QoS 0 (published at QoS 0, or every
 * subscription of the client is QoS 0) is dropped and counted; QoS 1 ones are
 * left to the drain timeout. One warning per client and minute.
 */
export function congestionGuard(
  limitBytes: number,
  onDrop: () => void,
  log: Logger
): (client: Client, packet: AedesPublishPacket) => AedesPublishPacket | null {
  const warned = new WeakMap<Client, number>()
  return (client, packet) => {
    const conn = (client as unknown as { conn?: { writableLength?: number } }).conn
    if ((conn?.writableLength ?? 0) <= limitBytes) return packet
    if (packet.qos > 0 && !onlyQos0(client)) return packet
    onDrop()
    const now = Date.now()
    if ((warned.get(client) ?? 0) < now - 60000) {
      warned.set(client, now)
      log.warn(
        { clientId: client.id, unsentBytes: conn?.writableLength, limit: limitBytes },
        'subscriber is not reading; dropping QoS 0 deliveries to it'
      )
    }
    return null
  }
}

function onlyQos0(client: Client): boolean {
  const subs = (client as unknown as { subscriptions?: Record<string, { qos?: number }> }).subscriptions ?? {}
  return Object.values(subs).every((s) => (s.qos ?? 0) === 0)
}
