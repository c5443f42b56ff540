import { DAY_MS, type DeviceSpec } from './fleet-spec.js'
import { regionByCode } from './regions.js'
import { rngFor } from './rng.js'

/**
 * What happens to a device besides its daily use, drawn from (fleet seed, device) only and kept in its
 * ground truth: households go away for two or three weeks (often in the summer), machines stand parked
 * for weeks, and some of these devices go offline meanwhile while others keep reporting a flat counter;
 * a board is swapped now and then, and its counter starts again from 0 while use goes on.
 */
export interface LifeEvents {
  /** Days [start, end] without use; `offline`: nothing is reported either. */
  idle: readonly { start: number; end: number; offline: boolean }[]
  /** Days at the start of which the device's counters restart from 0. */
  resets: readonly number[]
}

/** Years of a device's life the events are drawn for. */
const YEARS = 6
const TRIP_CHANCE = 0.35
const PARKED_CHANCE = 0.25
const RESET_CHANCE = 0.06

const cache = new Map<string, LifeEvents>()

export function lifeEvents(seed: number, spec: DeviceSpec): LifeEvents {
  const key = `${seed}/${spec.index}/${spec.deliveredDay}`
  let events = cache.get(key)
  if (!events) {
    events = draw(seed, spec)
    if (cache.size > 200000) cache.clear()
    cache.set(key, events)
  }
  return events
}

function draw(seed: number, spec: DeviceSpec): LifeEvents {
  const idle: { start: number; end: number; offline: boolean }[] = []
  const resets: number[] = []
  const firstYear = new Date(spec.deliveredDay * DAY_MS).getUTCFullYear()
  for (let y = firstYear; y < firstYear + YEARS; y++) {
    const rng = rngFor(seed, spec.index, y, 7)
    const yearStart = Math.floor(Date.UTC(y, 0, 1) / DAY_MS)
    if (spec.kind === 'purifier' && rng.chance(TRIP_CHANCE)) {
      // most trips in the summer holidays, around the region's water peak
      const peak = regionByCode(spec.region).waterPeakDay
      const start = yearStart + (rng.chance(0.6) ? peak - 20 + rng.int(0, 40) : rng.int(0, 350))
      idle.push({ start, end: start + rng.int(13, 20), offline: rng.chance(0.5) })
    }
    if (spec.kind === 'machine' && rng.chance(PARKED_CHANCE)) {
      const start = yearStart + rng.int(0, 330)
      idle.push({ start, end: start + rng.int(13, 41), offline: rng.chance(0.3) })
    }
    if (rng.chance(RESET_CHANCE)) resets.push(yearStart + rng.int(0, 364))
  }
  return {
    idle: idle.filter((p) => p.end >= spec.deliveredDay),
    resets: resets.filter((d) => d > spec.deliveredDay)
  }
}

export function isIdle(events: LifeEvents, day: number): boolean {
  return events.idle.some((p) => day >= p.start && day <= p.end)
}

export function isOffline(events: LifeEvents, day: number): boolean {
  return events.idle.some((p) => p.offline && day >= p.start && day <= p.end)
}
