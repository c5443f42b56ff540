import type { DeviceKind, Sample } from '../shared/index.js'

/** The cumulative counters of each kind: they only ever grow while the device works. */
export const CUMULATIVE: Record<DeviceKind, readonly string[]> = {
  purifier: ['litersTotal'],
  machine: ['engineHours', 'pumpedM3Total']
}

/** Devices remembered at most (a device past it starts afresh: its next sample is not compared). */
const REMEMBERED = 200000

/**
 * Watches each device's cumulative counters: a sample whose counter is below the newest earlier sample's
 * (a board swapped, a meter reset, a bug) is kept as it is but marked, so the engine and the pipeline
 * board can see it. Samples older than the newest seen (an upload after an outage) are not compared.
 */
export class CounterWatch {
  private readonly newest = new Map<string, { ts: number; values: Record<string, number> }>()
  /** Samples marked since the start. */
  backwards = 0

  /** Whether `sample` goes backwards on any counter; remembers it when it is the device's newest. */
  check(deviceId: string, kind: DeviceKind, sample: Sample): boolean {
    const counters = CUMULATIVE[kind]
    const seen = this.newest.get(deviceId)
    const values = sample as unknown as Record<string, number | undefined>
    let back = false
    if (seen && sample.ts > seen.ts)
      for (const c of counters) {
        const now = values[c]
        const before = seen.values[c]
        if (now !== undefined && before !== undefined && now < before) back = true
      }
    if (!seen) {
      const first: Record<string, number> = {}
      for (const c of counters) if (values[c] !== undefined) first[c] = values[c] as number
      if (this.newest.size >= REMEMBERED) this.newest.clear()
      this.newest.set(deviceId, { ts: sample.ts, values: first })
    } else if (sample.ts > seen.ts) {
      // in place: this runs for every sample stored
      seen.ts = sample.ts
      for (const c of counters) if (values[c] !== undefined) seen.values[c] = values[c] as number
    }
    if (back) this.backwards++
    return back
  }
}
