import type { DeviceKind } from '../shared/index.js'

export const DAY_MS = 86400000

/** One simulated device: who it is and the traits that shape its use. */
export interface DeviceSpec {
  index: number
  id: string
  kind: DeviceKind
  model: string
  region: string
  outlet: string
  /** UTC day number (days since 1970-01-01) of delivery. */
  deliveredDay: number
  /** Purifiers: people in the household, and how thirsty they are compared to the average. */
  persons?: number
  useFactor?: number
  inletKpa?: number
  /** Machines: share of a full working day this machine runs, pumping rate (m³/h, pumps only), days per job site. */
  utilisation?: number
  pumpRate?: number
  sitePeriod?: number
}

export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

export function dayOfYear(day: number): number {
  const d = new Date(day * DAY_MS)
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1
}

/** The day a number of calendar months after `day` (same day of month, clamped). */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS)
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1))
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay))
  return dayNumber(target.getTime())
}
