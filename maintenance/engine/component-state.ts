import type { Component } from './catalogue.js'
import type { DeviceHistory } from './device-history.js'
import type { ComponentState } from './remaining-life.js'
import { fitPowers, type PowerFit } from './wear-curves.js'
import type { PackedUsage } from './usage.js'

/** A part's use before the days read, as a pass carried it: from `fittedDay` up to `throughDay`. */
export interface UseBefore {
  fittedDay: number
  used: number
  throughDay: number
}

/**
 * Where a component stands, from the device's own reports: fitted at its last part change (or delivery),
 * and used since then as much as the device's daily use adds up to from the fit day on — the sum of days,
 * so a counter reset (a board swapped, counting from 0 again) or a gap loses nothing; the raw counter's
 * last − first would. A part fitted before the days read starts from what an earlier pass carried for the
 * same fit (`before`), summed on from its `throughDay`; `carryTo` asks for the use up to that day, for the
 * next pass to carry (`carried`, only for a part fitted before it).
 */
export function componentState(
  c: Component,
  usage: PackedUsage | undefined,
  h: DeviceHistory,
  replacements: readonly { part: string; day: number }[],
  delivered: number,
  before?: UseBefore,
  carryTo?: number
): ComponentState & { carried?: UseBefore } {
  const changed = replacements.filter((r) => r.part === c.part).map((r) => r.day)
  const fittedDay = Math.max(delivered, ...changed)
  const from = before?.fittedDay === fittedDay ? before : undefined
  const used = usedSince(usage, from ? from.throughDay : fittedDay, from?.used ?? 0)
  const r = h.readings
  let condition: { used: number; value: number }[] | undefined
  let wear: PowerFit[] | undefined
  if (c.condition?.metric === 'salt_rejection') {
    const [tdsIn, tdsOut] = [r.column('tdsIn'), r.column('tdsOut')]
    condition = []
    for (let i = r.firstFrom(fittedDay); i < r.length; i++) {
      const into = tdsIn[i] ?? NaN
      const out = tdsOut[i] ?? NaN
      // no reading, or an inlet TDS of 0: no rejection to compute
      if (!into || Number.isNaN(out)) continue
      condition.push({ used: used.by(r.day(i)), value: 1 - out / into })
    }
    wear = fitPowers(condition)
  } else if (c.condition?.metric === 'pressure_loss_kpa') {
    const pressure = r.column('pressure')
    const read: { used: number; p: number }[] = []
    for (let i = r.firstFrom(fittedDay); i < r.length; i++) {
      const p = pressure[i] ?? NaN
      if (!Number.isNaN(p)) read.push({ used: used.by(r.day(i)), p })
    }
    // the pressure the part started from sets the zero of its loss for its whole life: the median of its
    // first readings, not the first alone (its noise would move every later loss, and the end, with it);
    // once there are enough readings, where the wear curve through all of them starts
    const first = read
      .slice(0, BASELINE_READINGS)
      .map((x) => x.p)
      .sort((a, b) => a - b)
    const baseline = first[Math.floor(first.length / 2)] ?? 0
    condition = read.map((x) => ({ used: x.used, value: baseline - x.p }))
    const fits = fitPowers(condition)
    const start = fits?.reduce((a, b) => (b.rss < a.rss ? b : a)).a ?? 0
    condition = condition.map((x) => ({ used: x.used, value: x.value - start }))
    // moving every value moves each curve's a alone
    wear = fits?.map((f) => ({ ...f, a: f.a - start }))
  }
  const carried =
    carryTo !== undefined && fittedDay < carryTo
      ? { fittedDay, used: used.by(carryTo - 1), throughDay: carryTo }
      : undefined
  return {
    part: c.part,
    fittedDay,
    usedSinceFit: used.total,
    condition,
    ...(wear ? { wear } : {}),
    ...(carried ? { carried } : {})
  }
}

/** Readings after a fit whose median is the pressure a part started from. */
const BASELINE_READINGS = 5

/**
 * Use summed day by day from `fromDay`, on top of `offset`: in all, and by the end of any day (before
 * `fromDay`: the offset; after the last day: the total).
 */
function usedSince(
  usage: PackedUsage | undefined,
  fromDay: number,
  offset: number
): { total: number; by: (day: number) => number } {
  if (!usage || usage.usage.length === 0) return { total: offset, by: () => offset }
  const first = Math.max(0, fromDay - usage.start)
  const totals = new Float64Array(Math.max(0, usage.usage.length - first))
  let total = offset
  for (let i = 0; i < totals.length; i++) {
    const u = usage.usage[first + i] ?? NaN
    if (!Number.isNaN(u)) total += u
    totals[i] = total
  }
  return {
    total,
    by: (day) => {
      const i = day - usage.start - first
      return day < fromDay || i < 0 ? offset : (totals[Math.min(i, totals.length - 1)] ?? total)
    }
  }
}

/** The first day the device reported anything (a counter or a reading); undefined before its first report. */
export function firstReport(h: DeviceHistory): number | undefined {
  const tables = [...Object.values(h.counters), h.readings]
  const days = tables.flatMap((t) => (t && t.length > 0 ? [t.day(0)] : []))
  return days.length > 0 ? Math.min(...days) : undefined
}
