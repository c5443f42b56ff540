import type { DeviceInfo } from '../shared/index.js'

/** Who is on the other end of an MQTT connection, fixed at CONNECT. */
export type Identity =
  { type: 'device'; device: DeviceInfo } | { type: 'service'; name: string; roles: readonly string[] }

/**
 * May this identity publish to this topic? A device publishes only under
 * `devices/{its id}/`, never to its broker-owned `status`; a service account
 * with `mqtt-command` publishes only commands.
 */
export function canPublish(identity: Identity, topic: string): boolean {
  if (identity.type === 'device') {
    const own = `devices/${identity.device.id}/`
    return topic.startsWith(own) && topic.length > own.length && topic !== `${own}status`
  }
  return identity.roles.includes('mqtt-command') && /^devices\/[^/#+]+\/commands(\/.*)?$/.test(topic)
}

/**
 * May this identity subscribe to this filter? A device only to its own
 * `devices/{id}/commands/#` (or a topic below it); a service account with
 * `mqtt-read` to anything under `devices/`. `$SYS` is closed to all.
 */
export function canSubscribe(identity: Identity, filter: string): boolean {
  if (filter.startsWith('$')) return false
  if (identity.type === 'device') {
    const own = `devices/${identity.device.id}/commands`
    return filter === own || filter.startsWith(`${own}/`)
  }
  return identity.roles.includes('mqtt-read') && (filter === 'devices/#' || filter.startsWith('devices/'))
}
