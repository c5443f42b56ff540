import type { Plan, PlannedVisit } from './planner.js'

const DAY_MS = 86400000

/** Parts the planned visits need, per region, ISO week and part number. */
export function partsDemand(visits: readonly PlannedVisit[]): Plan['partsDemand'] {
  const counts = new Map<string, Plan['partsDemand'][number]>()
  for (const v of visits) {
    for (const p of v.parts) {
      const week = isoWeek(v.day)
      const key = `${v.region}|${week}|${p.partNumber}`
      const row = counts.get(key) ?? {
        region: v.region,
        week,
        part: p.part,
        partNumber: p.partNumber,
        quantity: 0
      }
      row.quantity++
      counts.set(key, row)
    }
  }
  return [...counts.values()].sort(
    (a, b) => a.week.localeCompare(b.week) || a.region.localeCompare(b.region) || a.part.localeCompare(b.part)
  )
}

/** ISO 8601 week, e.g. 2026-W27. */
export function isoWeek(day: number): string {
  const d = new Date(day * DAY_MS)
  const weekday = (d.getUTCDay() + 6) % 7
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS)
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7)
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}
