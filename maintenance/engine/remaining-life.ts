import type { Component } from './catalogue.js'
import { usageLimit } from './catalogue.js'
import { dayOfYear } from './forecast.js'
import { usageOn, type DeviceForecast } from './device-forecast.js'
import { fitPowers, type PowerFit } from './wear-curves.js'

const DAY_MS = 86400000

export type LimitBy = 'usage' | 'time' | 'condition'

/** Share of the extrapolated use to a condition limit that the band's early end takes off. */
const CONDITION_MARGIN = 0.1

/** Where a fitted component stands: since when, how much it has been used, and its condition readings. */
export interface ComponentState {
  part: string
  /** UTC day number it was fitted (delivery, or its last replacement). */
  fittedDay: number
  /** Counter units (litres, hours, m³) used since it was fitted. */
  usedSinceFit: number
  /** Condition readings against use since fitting, e.g. RO salt rejection; oldest first. */
  condition?: readonly { used: number; value: number }[]
  /** The wear curves through `condition` (`fitPowers`), when already fitted. */
  wear?: readonly PowerFit[]
}

export interface LifeEstimate {
  part: string
  /** Expected day the first limit is reached, and the band: earliest (high use) … latest (low use). */
  dueDay: number
  earliestDay: number
  latestDay: number
  by: LimitBy
  /** Usage left before the usage (or condition) limit, in counter units. */
  remaining: number
  /** Share of rated life used so far (0..1+), the larger of usage and time. */
  usedShare: number
}

/**
 * The day a component reaches its first limit — usage (litres, hours, m³),
 * time (months since fitting), or condition trend — walking the usage
 * forecast forward from `today`, with an uncertainty band. Pure.
 */
export function remainingLife(
  component: Component,
  state: ComponentState,
  forecast: DeviceForecast | undefined,
  today: number,
  horizonDays = 3 * 366
): LifeEstimate {
  const timeDue = component.months !== undefined ? addMonths(state.fittedDay, component.months) : Infinity
  let capacity = usageLimit(component) ?? Infinity
  let by: LimitBy = 'usage'
  const conditionAt = component.condition
    ? conditionLimitUse(component.condition, state.condition ?? [], 0, state.wear)
    : undefined
  if (conditionAt !== undefined && conditionAt < capacity) {
    capacity = conditionAt
    by = 'condition'
  }
  const remaining = capacity - state.usedSinceFit
  // the early end also allows for the fit's own error: noisy readings near the limit must not flatter it
  const conditionEarly =
    by === 'condition' && component.condition
      ? conditionLimitUse(component.condition, state.condition ?? [], 2, state.wear)
      : undefined
  const earlyRemaining =
    conditionEarly !== undefined ? Math.min(conditionEarly, capacity) - state.usedSinceFit : remaining
  /**
   * The first day cumulative use reaches `remaining`: expected, or at the band's
   * ends. The band adds day-to-day spread (which dominates over a few days) to
   * the level's own uncertainty (which dominates over months).
   */
  // a condition trend is an extrapolation, and wear tends to speed up (a clogging cartridge):
  // the early end of the band assumes the limit comes with a third less use than the line says
  const conditionMargin = by === 'condition' ? CONDITION_MARGIN : 0
  const walk = (band: -1 | 0 | 1): number => {
    if (remaining <= 0 || (band === 1 && earlyRemaining <= 0)) return today
    if (!forecast || !Number.isFinite(remaining)) return Infinity
    let cum = 0
    let dailyVar = 0
    // the early end walks the season's ceiling: a step up in use (March after the festival) may come a
    // fortnight before the smoothed profile has climbed
    let ceiling = 0
    const top = forecast.profile.ceiling ?? forecast.profile.factors
    for (let d = today; d < today + horizonDays; d++) {
      const expected = usageOn(forecast, d).expected
      cum += expected
      if (band === 1) ceiling += forecast.level * (top[dayOfYear(d)] ?? 1)
      dailyVar += (forecast.dailyCv * expected) ** 2
      const spread = forecast.z * Math.sqrt(dailyVar + (forecast.levelSe * cum) ** 2)
      // tolerate float dust from the condition fit
      const left = band === 1 ? Math.min(remaining * (1 - conditionMargin), earlyRemaining) : remaining
      if ((band === 1 ? ceiling : cum) + band * spread >= left - 1e-9) return d
    }
    return Infinity
  }
  const expected = walk(0)
  const dueDay = Math.min(expected, timeDue)
  const usedShare = Math.max(
    Number.isFinite(capacity) && usageLimit(component)
      ? state.usedSinceFit / (usageLimit(component) ?? 1)
      : 0,
    Number.isFinite(timeDue) ? (today - state.fittedDay) / Math.max(1, timeDue - state.fittedDay) : 0
  )
  const cap = (d: number) => Math.min(d, timeDue, today + horizonDays)
  return {
    part: state.part,
    dueDay: cap(dueDay),
    earliestDay: cap(walk(1)),
    latestDay: cap(walk(-1)),
    by: timeDue <= expected ? 'time' : by,
    remaining: Math.max(0, remaining),
    usedShare
  }
}

/**
 * Would a new part, fitted the day before `window` starts, last through it at the low end of the usage
 * band (by use and by time: a fresh part has no condition readings yet)?
 */
export function outlasts(
  component: Component,
  forecast: DeviceForecast | undefined,
  window: { start: number; end: number }
): boolean {
  const fitted = window.start - 1
  const life = remainingLife(
    component,
    { part: component.part, fittedDay: fitted, usedSinceFit: 0 },
    forecast,
    fitted,
    window.end - fitted + 1
  )
  return life.latestDay > window.end
}

/**
 * Use since fitting at which a condition crosses its limit, from a straight
 * line through the recent readings (least squares); the component is spent now
 * when the median of the last three readings is already past the limit. The
 * line uses the fewest recent readings whose trend stands clear of their
 * scatter (the slope known within a tenth: TREND_T standard errors), doubling from
 * 14: wear often speeds up (a clogging cartridge), so old readings would
 * flatter it — but on noisy readings 14 days of a slow decline are mostly
 * noise, and their line may even point away from the limit. With `sigmas` > 0
 * the line is moved that many standard errors (at the last reading) towards
 * the limit: the early end of the estimate.
 */
export function conditionLimitUse(
  condition: { limit: number; direction: 'below' | 'above' },
  readings: readonly { used: number; value: number }[],
  sigmas = 0,
  curves: readonly PowerFit[] | undefined = fitPowers(readings)
): number | undefined {
  if (readings.length === 0) return undefined
  const past = (v: number) => (condition.direction === 'below' ? v < condition.limit : v > condition.limit)
  const last3 = readings
    .slice(-3)
    .map((r) => r.value)
    .sort((a, b) => a - b)
  const lastUse = readings.at(-1)?.used ?? 0
  if (past(last3[Math.floor(last3.length / 2)] ?? NaN)) return lastUse
  if (readings.length < 5) return undefined
  let line: Line | undefined
  for (let n = RECENT_READINGS; ; n *= 2) {
    line = fitLine(readings.slice(-n), lastUse)
    if (n >= readings.length || (line && Math.abs(line.slope) >= TREND_T * line.slopeSe)) break
  }
  // a slope that does not stand clear of the scatter (a young part: a few readings of noise) says nothing
  // of where the condition is going — read as a trend it crosses the limit weeks too early as often as late
  if (!line || Math.abs(line.slope) < CLEAR_T * line.slopeSe) return undefined
  const heading = condition.direction === 'below' ? line.slope < 0 : line.slope > 0
  if (!heading) return undefined
  const towardsLimit = condition.direction === 'below' ? -1 : 1
  const target = condition.limit - towardsLimit * sigmas * line.se
  const at = line.mx + (target - line.my) / line.slope
  // wear that speeds up (a cartridge clogging: the loss grows with a power of use above one) crosses
  // before any line through it says: when the readings since the fit follow a power of the use since
  // then clearly better than a straight line, that curve's crossing counts if it comes first. The early
  // end takes the earliest crossing of the powers the readings cannot rule out (`sigmas` wide)
  const best = curves?.reduce((a, b) => (b.rss < a.rss ? b : a))
  const line1 = curves?.[0]
  let curved: number | undefined
  if (curves && best && line1 && towardsLimit * best.b > 0) {
    const variance = best.rss / Math.max(1, readings.length - 3)
    if ((line1.rss - best.rss) / variance > BEND_T ** 2)
      for (const c of curves)
        if (c === best || (sigmas > 0 && (c.rss - best.rss) / variance <= sigmas ** 2)) {
          const x = (target - c.a) / c.b
          if (towardsLimit * c.b > 0 && x > 0) curved = Math.min(curved ?? Infinity, x ** (1 / c.p))
        }
  }
  return Math.max(lastUse, Math.min(at, curved ?? Infinity))
}

/**
 * How much better than a line a curve must fit before it is trusted (as a t statistic): clearly, or noise
 * early in a part's life would bend it either way.
 */
const BEND_T = 3
/**
 * The readings a condition trend starts from, how clear of the scatter its slope should stand (readings
 * are added until it does), and how clear it must stand to be a trend at all.
 */
const RECENT_READINGS = 14
const TREND_T = 10
const CLEAR_T = 3

interface Line {
  mx: number
  my: number
  slope: number
  slopeSe: number
  /** The line's standard error at the last reading. */
  se: number
}

function fitLine(readings: readonly { used: number; value: number }[], lastUse: number): Line | undefined {
  const n = readings.length
  const mx = readings.reduce((a, r) => a + r.used, 0) / n
  const my = readings.reduce((a, r) => a + r.value, 0) / n
  const sxx = readings.reduce((a, r) => a + (r.used - mx) ** 2, 0)
  if (sxx === 0) return undefined
  const slope = readings.reduce((a, r) => a + (r.used - mx) * (r.value - my), 0) / sxx
  const residual = Math.sqrt(
    readings.reduce((a, r) => a + (r.value - my - slope * (r.used - mx)) ** 2, 0) / Math.max(1, n - 2)
  )
  return {
    mx,
    my,
    slope,
    slopeSe: residual / Math.sqrt(sxx),
    se: residual * Math.sqrt(1 / n + (lastUse - mx) ** 2 / sxx)
  }
}

export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS)
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1))
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay))
  return Math.floor(target.getTime() / DAY_MS)
}
