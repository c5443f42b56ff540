/** Day numbers count UTC days since 1970-01-01; stores and orders speak ISO dates (YYYY-MM-DD). */
export const DAY_MS = 86400000

export function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

export function dayOfIso(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS)
}
