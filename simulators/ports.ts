import type { DeviceSpec } from './fleet-spec.js'

/**
 * What the simulators need from an aftercare, injected by the composition
 * root (simulators speak only the device contract: MQTT and these ports).
 */
export interface FleetPorts {
  /** MQTT URL of the broker, e.g. mqtt://127.0.0.1:1883. */
  mqttUrl: string
  /** Registers the device (or reissues its secret when it exists) and returns its MQTT secret. */
  provision(spec: DeviceSpec): Promise<string>
  /** Stored telemetry samples per device id since `sinceMs` (InfluxDB), for the end-of-run check. */
  countSamples?(deviceIds: readonly string[], sinceMs: number): Promise<Map<string, number>>
}

/** Runs `fn` over `items` with at most `limit` at once, in order of start. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>
): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      await fn(items[index] as T, index)
    }
  })
  await Promise.all(workers)
}
