import { dayOfYear, MIN_FACTOR, type SeasonalProfile } from './forecast.js'
import { eachDay, type UsageDays } from './usage.js'

export interface DeviceForecast {
  /** Deseasonalised daily level, and its band. */
  level: number
  low: number
  high: number
  /** Relative day-to-day spread of use, and the relative standard error of `level`. */
  dailyCv: number
  levelSe: number
  /** Band width in standard errors. */
  z: number
  historyDays: number
  profile: SeasonalProfile
}

export interface ForecastOptions {
  /** Days of recent history the device's own level is taken from. */
  windowDays: number
  /** Width of the band in standard errors (2 ≈ 97.7 % one-sided: running out costs more than an early change). */
  z: number
}

export const DEFAULT_FORECAST: ForecastOptions = { windowDays: 56, z: 2 }

/** A floor for relative spreads: a device or a fleet that looks perfectly steady is not trusted beyond it. */
const MIN_CV = 0.05

/**
 * A device's usage forecast: its own recent level (deseasonalised), shrunk
 * towards its region's level when its history is short — so a new device has
 * a sensible forecast on day one — with an uncertainty band.
 */
export function forecastDevice(
  history: UsageDays,
  profile: SeasonalProfile,
  today: number,
  options: ForecastOptions = DEFAULT_FORECAST
): DeviceForecast {
  const all: number[] = []
  eachDay(
    history,
    (day, u) => all.push(u / Math.max(MIN_FACTOR, profile.factors[dayOfYear(day)] ?? 1)),
    today - options.windowDays,
    today
  )
  const ratios = withoutIdleSpells(all)
  const n = ratios.length
  const own = n > 0 ? ratios.reduce((a, b) => a + b, 0) / n : 0
  const dailyCv =
    n > 1 && own > 0 ? Math.sqrt(ratios.reduce((a, r) => a + (r - own) ** 2, 0) / (n - 1)) / own : 0.5
  // the device's own mean and its region's level, each weighed by how sure it is (precision, relative
  // units): n days of spread dailyCv against devices' spread around the region — a few days of a steady
  // device already outweigh the region; a fixed weight of days would pull every heavy or light user
  // towards the middle for as long as it lived
  const hasPrior = profile.devices > 0 && profile.level > 0
  const ownPrecision = n > 0 ? n / Math.max(MIN_CV, dailyCv) ** 2 : 0
  const priorPrecision = hasPrior ? 1 / Math.max(MIN_CV, profile.spread) ** 2 : 0
  const precision = ownPrecision + priorPrecision
  const wOwn = precision > 0 ? ownPrecision / precision : 0
  const level = precision > 0 ? wOwn * own + (hasPrior ? (1 - wOwn) * profile.level : 0) : 0
  const se = precision > 0 ? Math.sqrt(1 / precision) : 0.5
  return {
    level,
    low: Math.max(level * 0.05, level * (1 - options.z * se)),
    high: level * (1 + options.z * se),
    dailyCv,
    levelSe: se,
    z: options.z,
    historyDays: n,
    profile
  }
}

/** A run of idle days at least this long is a spell away (a trip, a machine parked), not a day off. */
const IDLE_SPELL_DAYS = 7

/**
 * A device's days without the idle spells that have ended: two weeks away or parked say nothing of the
 * use to come once it is back (a day off now and then does, and stays); a spell still going on today stays.
 */
function withoutIdleSpells(days: readonly number[]): number[] {
  const kept: number[] = []
  let run = 0
  for (let i = 0; i <= days.length; i++) {
    const u = days[i]
    if (u !== undefined && u <= 0) {
      run++
      continue
    }
    // a run just ended (or reached today): keep it unless it was a spell that ended before today
    if (run > 0 && (run < IDLE_SPELL_DAYS || u === undefined)) for (let k = 0; k < run; k++) kept.push(0)
    run = 0
    if (u !== undefined) kept.push(u)
  }
  return kept
}

/** Expected usage on a day, and the band's ends. */
export function usageOn(
  forecast: DeviceForecast,
  day: number
): { expected: number; low: number; high: number } {
  const f = forecast.profile.factors[dayOfYear(day)] ?? 1
  return { expected: forecast.level * f, low: forecast.low * f, high: forecast.high * f }
}
