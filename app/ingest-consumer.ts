import { readFileSync } from 'node:fs'
import { BrokerConsumer, MosquittoDynsec, consumerTarget } from '../broker/index.js'
import type { DeadLetterStore, Ingest } from '../ingest/index.js'
import type { Registry } from '../registry/index.js'
import { isAppError, type Config, type Logger } from '../shared/index.js'

/**
 * Subscriber-mode ingest (`INGEST_BROKER_URL`): a consumer of the existing broker feeding the same
 * ingest gate the embedded broker uses; refused messages go to the dead letters. Resolves once
 * subscribed.
 */
export async function startIngestConsumer(
  config: Config,
  deps: { registry: Registry; ingest: Ingest; deadLetters: DeadLetterStore; log: Logger }
): Promise<BrokerConsumer> {
  const url = config.INGEST_BROKER_URL
  if (!url) throw new Error('startIngestConsumer needs INGEST_BROKER_URL')
  const v5 = config.INGEST_BROKER_PROTOCOL === '5'
  const consumer = new BrokerConsumer({
    target: consumerTarget({
      url,
      ca: config.INGEST_BROKER_CA ? readFileSync(config.INGEST_BROKER_CA) : undefined,
      clientId: config.INGEST_BROKER_CLIENT_ID,
      receiveMaximum: config.INGEST_BROKER_RECEIVE_MAXIMUM,
      protocolVersion: v5 ? 5 : 4
    }),
    // shared subscriptions are MQTT 5: a 3.1.1 broker gets one consumer
    shareGroup: v5 ? config.INGEST_BROKER_SHARE_GROUP : null,
    gate: deps.ingest.handle,
    deviceOf: (id) =>
      deps.registry.getDevice(id).catch((err: unknown) => {
        if (isAppError(err, 'DEVICE_NOT_FOUND')) return undefined
        throw err
      }),
    refuse: (message) => deps.deadLetters.add([message]),
    log: deps.log.child({ component: 'consumer' })
  })
  await consumer.start()
  return consumer
}

/** The broker's address as devices see it: the URL without the consumer's credentials. */
export function publicBrokerUrl(url: string): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  return u.toString().replace(/\/$/, '')
}

/**
 * Mosquitto's dynamic security, when BROKER_DYNSEC_URL names its admin: the registry keeps devices'
 * clients and ACLs there, and the consumer's client gets the one role that may read every device.
 */
export async function connectDynsec(config: Config, log: Logger): Promise<MosquittoDynsec | undefined> {
  if (!config.BROKER_DYNSEC_URL) return undefined
  const dynsec = await MosquittoDynsec.connect(config.BROKER_DYNSEC_URL, log)
  if (config.INGEST_BROKER_URL) {
    const consumer = new URL(config.INGEST_BROKER_URL)
    if (consumer.username)
      await dynsec.ensureConsumer(
        decodeURIComponent(consumer.username),
        consumer.password ? decodeURIComponent(consumer.password) : undefined
      )
  }
  return dynsec
}
