import { faultByCode, type DeviceEvent, type DeviceKind, type Sample } from '../../shared/index.js'

/** What the fault catalogue says of a code: its grade opens an emergency with its promise. */
export type FaultInfo = (code: string) => { grade: string; title: string; promiseHours?: number } | undefined

/** What a rule decides: open an order for a cause (idempotent per device and cause), or clear it. */
export type RuleAction =
  | { action: 'open'; cause: string; type: 'emergency' | 'urgent'; reason: string; promiseHours: number }
  | { action: 'clear'; cause: string; reason: string }

/** Readings in a row a condition must hold before it opens or clears an order: one noisy reading does neither. */
export const SUSTAINED = 3

/**
 * Data older than this (by its own `ts`, against the clock) is history, not a live condition: an imported
 * year of history opens no orders for conditions long gone — they stay in the device's telemetry, which
 * the boards show. A day covers a device that was offline overnight and clocks off by minutes.
 */
export const LIVE_MAX_AGE_HOURS = 24

/** Limits of the live rules (defaults from ../shared/REFERENCE.md: TDS warning at 100 ppm out). */
export const LIVE_LIMITS = { tdsOutPpm: 100, coolantC: 105, hydOilC: 90 }

interface Streak {
  above: number
  below: number
  open: boolean
}

/**
 * Live rules on every stored sample and event, pure apart from the streak
 * counters it keeps per device and cause: a grade-A fault opens an emergency
 * order with the fault's promise (24 hours unless the catalogue says); water quality out of limits, leaks and
 * overheating open urgent orders; each clears when its condition clears.
 */
export class LiveRules {
  /** Per device, per cause. */
  private readonly streaks = new Map<string, Map<string, Streak>>()

  /** `faults`: the maker's fault catalogue in use (the contract's list when none is given). */
  constructor(private readonly faults: FaultInfo = faultByCode) {}

  onSample(deviceId: string, kind: DeviceKind, sample: Sample): RuleAction[] {
    const actions: RuleAction[] = []
    if (kind === 'purifier') {
      const s = sample as { tdsOut?: number; leak?: boolean }
      if (s.tdsOut !== undefined)
        actions.push(
          ...this.sustained(
            deviceId,
            'water_quality',
            s.tdsOut > LIVE_LIMITS.tdsOutPpm,
            () => `outlet TDS ${s.tdsOut} ppm above ${LIVE_LIMITS.tdsOutPpm} ppm`
          )
        )
      if (s.leak !== undefined)
        actions.push(...this.sustained(deviceId, 'leak', s.leak, () => 'the purifier reports a leak', 1))
    } else {
      const s = sample as { coolantC?: number; hydOilC?: number }
      const hot = (s.coolantC ?? 0) > LIVE_LIMITS.coolantC || (s.hydOilC ?? 0) > LIVE_LIMITS.hydOilC
      if (s.coolantC !== undefined || s.hydOilC !== undefined) {
        actions.push(
          ...this.sustained(
            deviceId,
            'overheat',
            hot,
            () =>
              `coolant ${s.coolantC ?? '–'} °C, hydraulic oil ${s.hydOilC ?? '–'} °C over limits (${LIVE_LIMITS.coolantC} / ${LIVE_LIMITS.hydOilC} °C)`
          )
        )
      }
    }
    return actions
  }

  onEvent(deviceId: string, event: DeviceEvent): RuleAction[] {
    if (event.type === 'leak')
      return [
        {
          action: 'open',
          cause: 'leak',
          type: 'urgent',
          reason: 'the device reports a leak',
          promiseHours: 24
        }
      ]
    if (event.type !== 'fault') return []
    const fault = this.faults(event.code)
    const cause = `fault:${event.code}`
    if (!event.active) return [{ action: 'clear', cause, reason: `fault ${event.code} cleared` }]
    if (!fault || !fault.grade.startsWith('A')) return []
    return [
      {
        action: 'open',
        cause,
        type: 'emergency',
        reason: `grade ${fault.grade} fault ${event.code}: ${fault.title}`,
        promiseHours: fault.promiseHours ?? 24
      }
    ]
  }

  private sustained(
    deviceId: string,
    cause: string,
    bad: boolean,
    /** Written only when an order opens (this runs for every sample stored). */
    reason: () => string,
    needed = SUSTAINED
  ): RuleAction[] {
    let causes = this.streaks.get(deviceId)
    if (!causes) this.streaks.set(deviceId, (causes = new Map()))
    let s = causes.get(cause)
    if (!s) causes.set(cause, (s = { above: 0, below: 0, open: false }))
    // each streak acts once, when it reaches `needed`; a clear only follows an open seen here
    if (bad) {
      s.above++
      s.below = 0
      if (s.above === needed) {
        s.open = true
        return [{ action: 'open', cause, type: 'urgent', reason: reason(), promiseHours: 24 }]
      }
    } else {
      s.below++
      s.above = 0
      if (s.below === needed && s.open) {
        s.open = false
        return [{ action: 'clear', cause, reason: `${cause.replace('_', ' ')} back within limits` }]
      }
    }
    return []
  }
}
