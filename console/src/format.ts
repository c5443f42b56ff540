/** Days, shares and names as a person reads them. */

export const DAY_MS = 86400000

export function today(): string {
  return new Date().toISOString().slice(0, 10)
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
}

/** The Monday of the ISO week a day is in. */
export function mondayOf(day: string): string {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
  return addDays(day, -weekday)
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "Mon 7 Dec" */
export function dayLabel(day: string | null): string {
  if (!day) return '–'
  const d = new Date(`${day}T00:00:00Z`)
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
}

/** "7 Dec 2026" */
export function dateLabel(day: string | null): string {
  if (!day) return '–'
  const d = new Date(`${day.slice(0, 10)}T00:00:00Z`)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}

export function percent(share: number | null | undefined, digits = 0): string {
  return share === null || share === undefined || !Number.isFinite(share)
    ? '–'
    : `${(share * 100).toFixed(digits)} %`
}

export const TYPE_LABEL: Record<string, string> = {
  emergency: 'emergency',
  urgent: 'urgent',
  health_care: 'health-care',
  replacement: 'replacement',
  inspection: 'inspection'
}

/** The letter of a score stored as +2 (A) .. −2 (E). */
export function grade(score: number | null | undefined): string {
  return score === null || score === undefined ? '–' : ('ABCDE'[2 - Math.round(score)] ?? String(score))
}
