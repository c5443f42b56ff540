import type { Clock, DeviceEvent, DeviceInfo, Sample } from '../../shared/index.js'
import { LIVE_MAX_AGE_HOURS, type LiveRules } from '../engine/live-rules.js'
import type { OrderStore } from '../stores/order-store.js'

/**
 * Turns live-rule decisions into orders: an open action opens one order per
 * device and cause (the store's unique index makes repeats harmless), a clear
 * action cancels it while it is not yet dispatched. Only current data goes to
 * the rules (LIVE_MAX_AGE_HOURS): an upload of old history opens nothing.
 */
export function liveRuleHandler(rules: LiveRules, orders: OrderStore, clock: Clock) {
  return async (
    device: DeviceInfo,
    accepted: { samples: Sample[]; events: DeviceEvent[] }
  ): Promise<void> => {
    const current = (x: { ts: number }) => x.ts >= clock.now() - LIVE_MAX_AGE_HOURS * 3600000
    const actions = [
      ...accepted.events.filter(current).flatMap((e) => rules.onEvent(device.id, e)),
      ...accepted.samples.filter(current).flatMap((s) => rules.onSample(device.id, device.kind, s))
    ]
    for (const a of actions) {
      if (a.action === 'open') {
        await orders.openLive({
          deviceId: device.id,
          cause: a.cause,
          type: a.type,
          outlet: device.outlet,
          reason: a.reason,
          promiseAt: new Date(clock.now() + a.promiseHours * 3600000)
        })
      } else {
        await orders.clearLive(device.id, a.cause, a.reason)
      }
    }
  }
}
