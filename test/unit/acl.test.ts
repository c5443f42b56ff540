import { describe, expect, it } from 'vitest'
import { canPublish, canSubscribe, type Identity } from '../../broker/index.js'

const device: Identity = {
  type: 'device',
  device: { id: 'dev-1', kind: 'purifier', model: 'm', region: 'r', outlet: null }
}
const reader: Identity = { type: 'service', name: 'boards', roles: ['mqtt-read'] }
const commander: Identity = { type: 'service', name: 'ops', roles: ['mqtt-command'] }

describe('ACL', () => {
  it.each([
    [device, 'devices/dev-1/telemetry', true],
    [device, 'devices/dev-1/events', true],
    [device, 'devices/dev-1/status', false],
    [device, 'devices/dev-1/', false],
    [device, 'devices/dev-2/telemetry', false],
    [device, 'devices/dev-10/telemetry', false],
    [device, 'devices/dev-1', false],
    [device, '$SYS/broker', false],
    [commander, 'devices/dev-1/commands/reboot', true],
    [commander, 'devices/dev-1/telemetry', false],
    [reader, 'devices/dev-1/commands/reboot', false]
  ])('when %o publishes to %s, then allowed is %s', (who, topic, allowed) => {
    expect(canPublish(who, topic)).toBe(allowed)
  })

  it.each([
    [device, 'devices/dev-1/commands/#', true],
    [device, 'devices/dev-1/commands/reboot', true],
    [device, 'devices/dev-1/#', false],
    [device, 'devices/+/commands/#', false],
    [device, 'devices/dev-2/commands/#', false],
    [device, '#', false],
    [device, '$SYS/#', false],
    [reader, 'devices/+/telemetry', true],
    [reader, '$SYS/#', false],
    [commander, 'devices/+/telemetry', false]
  ])('when %o subscribes to %s, then allowed is %s', (who, filter, allowed) => {
    expect(canSubscribe(who, filter)).toBe(allowed)
  })
})
