import { DayTable, type AnyDayTable } from './day-table.js'
import { packUsage, usageFromCounters, type PackedUsage } from './usage.js'

// A device's history as the planning pass keeps it between passes (and on disk), and what a pass does to it.

export type Unit = 'litres' | 'hours' | 'm3'

/** A counter's first and last reading of each day (the rows are `DailyCounter`s). */
export type CounterDays = DayTable<'first' | 'last'>
/** Per day: mean inlet/outlet TDS and outlet pressure (purifiers); NaN where not reported. */
export type ReadingDays = DayTable<'tdsIn' | 'tdsOut' | 'pressure'>

/**
 * What the planner knows of a device from its telemetry: daily counters, daily condition readings, part
 * changes. Days are packed in typed arrays, sorted by day (a fleet's year is kept between passes).
 */
export interface DeviceHistory {
  counters: Partial<Record<Unit, CounterDays>>
  readings: ReadingDays
  replacements: { part: string; day: number }[]
}

export function emptyHistory(): DeviceHistory {
  return { counters: {}, readings: new DayTable(['tdsIn', 'tdsOut', 'pressure'], 0), replacements: [] }
}

/** The device's history in the map, made empty if it has none yet. */
export function historyOf(histories: Map<string, DeviceHistory>, device: unknown): DeviceHistory {
  const id = String(device)
  let h = histories.get(id)
  if (!h) {
    h = emptyHistory()
    histories.set(id, h)
  }
  return h
}

/** The device's table of one counter's days, made empty if it has none yet. */
export function counterDays(h: DeviceHistory, unit: Unit): CounterDays {
  return (h.counters[unit] ??= new DayTable(['first', 'last'], 0))
}

/** Appends a day's first and last counter reading; a day without both numbers is skipped. */
export function push(h: DeviceHistory, unit: Unit, day: number, first: unknown, last: unknown): void {
  if (typeof first !== 'number' || typeof last !== 'number') return
  counterDays(h, unit).push(day, first, last)
}

/** Drops the days before the window; a device left with nothing is forgotten. */
export function trim(histories: Map<string, DeviceHistory>, sinceDay: number): void {
  for (const [id, h] of histories) {
    // sorted by day: only a table that starts before the window has anything to drop
    const inWindow = (day: number) => day >= sinceDay
    const tables: (AnyDayTable | undefined)[] = [...Object.values(h.counters), h.readings]
    for (const table of tables) if (table && table.length > 0 && table.day(0) < sinceDay) table.keep(inWindow)
    if (h.readings.length === 0 && Object.values(h.counters).every((c) => !c?.length)) histories.delete(id)
  }
}

/** Drops one kind's days in [from, to] before they are read again. */
export function forgetDays(
  histories: Map<string, DeviceHistory>,
  units: Unit[],
  from: number,
  to: number
): void {
  const outside = (day: number) => day < from || day > to
  for (const h of histories.values()) {
    const tables: (AnyDayTable | undefined)[] = units.map((unit) => h.counters[unit])
    if (units.includes('litres')) tables.push(h.readings)
    // the usual case: only the newest days were rebuilt, and a table that ends before them keeps all
    for (const table of tables)
      if (table && table.length > 0 && table.day(table.length - 1) >= from) table.keep(outside)
  }
}

/** Sorts every table of a history by day (rows read this pass may be out of order). */
export function sortByDay(h: DeviceHistory): void {
  for (const table of Object.values(h.counters)) table?.sortByDay()
  h.readings.sortByDay()
}

/**
 * Each device's daily use per counter, packed (a fleet's year is kept through a pass: seasons, then
 * forecasts). A device delivered on or after `readFrom` has its counters from 0 in the days read, so its
 * first reading counts as use since delivery (`zeroDays`: device → its delivery day).
 */
export function dailyUse(
  histories: ReadonlyMap<string, DeviceHistory>,
  zeroDays: ReadonlyMap<string, number>,
  readFrom: number
): Map<string, Partial<Record<string, PackedUsage>>> {
  const series = new Map<string, Partial<Record<string, PackedUsage>>>()
  for (const [id, h] of histories) {
    const zero = zeroDays.get(id)
    const from = zero !== undefined && zero >= readFrom ? zero : undefined
    series.set(
      id,
      Object.fromEntries(
        Object.entries(h.counters).map(([unit, table]) => [
          unit,
          packUsage(usageFromCounters(table?.rows() ?? [], from).days)
        ])
      )
    )
  }
  return series
}
