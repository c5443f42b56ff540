import os from 'node:os'
import { AppError } from '../shared/index.js'
import type { ConsumerTarget } from './consumer-connection.js'

/**
 * Reads `mqtt://USER:PASS@host:1883` or `mqtts://…` (with an optional CA) into a consumer's target.
 * The client id is stable per node (`aftercare-<hostname>` unless given), so a restarted node finds
 * its session — and what it had not acknowledged — again.
 */
export function consumerTarget(options: {
  url: string
  ca?: Buffer
  clientId?: string
  receiveMaximum: number
  protocolVersion: 4 | 5
}): Omit<ConsumerTarget, 'filters'> {
  const url = new URL(options.url)
  const secure = url.protocol === 'mqtts:'
  if (!secure && url.protocol !== 'mqtt:')
    throw new AppError('CONFIG_INVALID', `INGEST_BROKER_URL: mqtt:// or mqtts://, not ${url.protocol}`)
  return {
    host: url.hostname,
    port: Number(url.port || (secure ? 8883 : 1883)),
    ...(secure ? { tls: { ca: options.ca, rejectUnauthorized: true } } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    clientId: options.clientId ?? `aftercare-${os.hostname()}`.slice(0, 64),
    receiveMaximum: options.receiveMaximum,
    // a week: a node that is away longer is replaced, not waited for
    sessionExpirySeconds: 7 * 86400,
    keepaliveSeconds: 30,
    protocolVersion: options.protocolVersion
  }
}
