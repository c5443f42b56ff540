import type { Component } from './catalogue.js'
import type { DeviceHistory } from './device-history.js'
import type { ComponentState } from './remaining-life.js'

/** Where a component stands, from the device's own reports: fitted at its last part change (or delivery). */
export function componentState(
  c: Component,
  unit: string,
  h: DeviceHistory,
  replacements: readonly { part: string; day: number }[],
  delivered: number
): ComponentState {
  const counters = h.counters[unit as 'litres' | 'hours' | 'm3']
  const changed = replacements.filter((r) => r.part === c.part).map((r) => r.day)
  const fittedDay = Math.max(delivered, ...changed)
  const fitIndex = counters?.firstFrom(fittedDay) ?? 0
  const atFit = counters && fitIndex < counters.length ? counters.get('first', fitIndex) : 0
  const now = counters && counters.length > 0 ? counters.get('last', counters.length - 1) : atFit
  // what was used since the fit by the end of a day with a reading (0 when the counter has no such day)
  const since = (day: number) => {
    const i = counters?.indexOf(day) ?? -1
    return counters && i >= 0 ? counters.get('last', i) - atFit : 0
  }
  const r = h.readings
  let condition: { used: number; value: number }[] | undefined
  if (c.condition?.metric === 'salt_rejection') {
    const [tdsIn, tdsOut] = [r.column('tdsIn'), r.column('tdsOut')]
    condition = []
    for (let i = r.firstFrom(fittedDay); i < r.length; i++) {
      const into = tdsIn[i] ?? NaN
      const out = tdsOut[i] ?? NaN
      // no reading, or an inlet TDS of 0: no rejection to compute
      if (!into || Number.isNaN(out)) continue
      condition.push({ used: since(r.day(i)), value: 1 - out / into })
    }
  } else if (c.condition?.metric === 'pressure_loss_kpa') {
    const pressure = r.column('pressure')
    condition = []
    let baseline: number | undefined
    for (let i = r.firstFrom(fittedDay); i < r.length; i++) {
      const p = pressure[i] ?? NaN
      if (Number.isNaN(p)) continue
      baseline ??= p
      condition.push({ used: since(r.day(i)), value: baseline - p })
    }
  }
  return { part: c.part, fittedDay, usedSinceFit: Math.max(0, now - atFit), condition }
}

/** The first day the device reported anything (a counter or a reading); undefined before its first report. */
export function firstReport(h: DeviceHistory): number | undefined {
  const tables = [...Object.values(h.counters), h.readings]
  const days = tables.flatMap((t) => (t && t.length > 0 ? [t.day(0)] : []))
  return days.length > 0 ? Math.min(...days) : undefined
}
