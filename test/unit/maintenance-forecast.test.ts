import { describe, expect, it } from 'vitest'
import {
  FLAT_PROFILE,
  conditionLimitUse,
  dayOfYear,
  defaultCatalogue,
  forecastDevice,
  learnProfile,
  modelOf,
  nextPeak,
  learnSeasons,
  outlasts,
  peakWindow,
  peakWindows,
  remainingLife,
  usageOn,
  type Component,
  type DailyUsage,
  type PeakWindow,
  type SeasonalProfile,
  packUsage,
  usageFromCounters
} from '../../maintenance/index.js'

/** Seeded noise, uniform in ±amplitude. */
function uniformNoise(seed: number, amplitude: number): () => number {
  let x = seed
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    return ((x / 2 ** 32) * 2 - 1) * amplitude
  }
}

const day = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86400000)
const JAN1 = day('2025-01-01')

/** A fleet whose use follows 1 + 0.4·cos(2π(doy − 200)/365): a summer peak around 19 July. */
function summerFleet(devices: number, levels = (i: number) => 5 + i): DailyUsage[][] {
  return Array.from({ length: devices }, (_, i) =>
    Array.from({ length: 365 }, (_, d) => ({
      day: JAN1 + d,
      usage: levels(i) * (1 + 0.4 * Math.cos((2 * Math.PI * (d - 200)) / 365)),
      estimated: false
    }))
  )
}

const flat = (level: number, devices = 10): SeasonalProfile => ({
  ...FLAT_PROFILE,
  level,
  devices,
  spread: 0.2,
  coveredDays: 366
})

describe('seasonal profile and peak windows (learned from the fleet)', () => {
  it('when a fleet peaks in summer, then the profile peaks in July and the peak window spans summer', () => {
    const profile = learnProfile(summerFleet(20))
    const top = profile.factors.indexOf(Math.max(...profile.factors))
    expect(top).toBeGreaterThan(185)
    expect(top).toBeLessThan(215)
    expect(profile.level).toBeCloseTo(14.5, 0) // the mean of levels 5..24
    const peak = peakWindow(profile)!
    expect(peak.startDoy).toBeGreaterThan(140)
    expect(peak.startDoy).toBeLessThan(175)
    expect(peak.endDoy).toBeGreaterThan(225)
    expect(peak.endDoy).toBeLessThan(260)
  })

  it('when half the households go away for three weeks in the peak, then the learned peak window stays where the use says it is', () => {
    const truth = peakWindow(learnProfile(summerFleet(20)))!
    // devices 0, 2, 4, … away from 10 July for 21 days (zero use), each a few days apart
    const away = summerFleet(20).map((s, i) =>
      i % 2 ? s : s.map((d, k) => (k >= 190 + i && k < 211 + i ? { ...d, usage: 0 } : d))
    )
    const learned = peakWindow(learnProfile(away))!
    expect(Math.abs(learned.startDoy - truth.startDoy)).toBeLessThanOrEqual(3)
    expect(Math.abs(learned.endDoy - truth.endDoy)).toBeLessThanOrEqual(3)
  })

  it('when the whole fleet stops for a festival, then the trough is part of the season', () => {
    // every device idle for the first two weeks of February
    const fleet = summerFleet(10).map((s) => s.map((d, k) => (k >= 31 && k < 45 ? { ...d, usage: 0 } : d)))
    const profile = learnProfile(fleet, 7)
    expect(profile.factors[38]).toBeLessThan(0.4)
  })

  it('when one machine of a group of two stands parked for a month, then that is no lull of the group: the profile keeps no trough there', () => {
    // a flat region; machine 0 parked through April (its counter flat), machine 1 at work
    const fleet = [10, 12].map((level, i) =>
      Array.from({ length: 365 }, (_, d) => ({
        day: JAN1 + d,
        usage: i === 0 && d >= 90 && d < 124 ? 0 : level,
        estimated: false
      }))
    )
    const profile = learnProfile(fleet)
    expect(Math.min(...profile.factors)).toBeGreaterThan(0.9)
    expect(peakWindows(profile)).toEqual([])
  })

  it('when half the fleet was delivered in the summer and has reported only since, then the learned peak window stays where the use says it is', () => {
    const truth = peakWindow(learnProfile(summerFleet(20)))!
    // devices 0, 2, 4, … from 1 July on only: their plain means are mostly summer
    const partial = summerFleet(20).map((s, i) => (i % 2 ? s : s.slice(181)))
    const learned = peakWindow(learnProfile(partial))!
    expect(Math.abs(learned.startDoy - truth.startDoy)).toBeLessThanOrEqual(3)
    expect(Math.abs(learned.endDoy - truth.endDoy)).toBeLessThanOrEqual(3)
  })

  it('when use is flat all year, then there is no peak window', () => {
    const fleet = Array.from({ length: 5 }, () =>
      Array.from({ length: 365 }, (_, d) => ({ day: JAN1 + d, usage: 10, estimated: false }))
    )
    expect(peakWindow(learnProfile(fleet))).toBeUndefined()
  })

  it('when a region builds in spring and again in autumn, then both are busy seasons, and the planner is told of both (the autumn one was lost when only the highest counted)', () => {
    // the China calendar of machine work: May highest, October–November nearly as busy
    const monthly = [0.4, 0.21, 0.77, 0.98, 1.0, 0.86, 0.74, 0.72, 0.85, 0.93, 0.93, 0.66]
    const fleet = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: 365 }, (_, d) => ({
        day: JAN1 + d,
        usage: (4 + i) * (monthly[new Date((JAN1 + d) * 86400000).getUTCMonth()] ?? 1),
        estimated: false
      }))
    )
    const windows = peakWindows(learnProfile(fleet))
    expect(windows).toHaveLength(2)
    const [spring, autumn] = windows as [PeakWindow, PeakWindow]
    expect(spring.startDoy).toBeGreaterThan(dayOfYear(day('2025-03-01')))
    expect(spring.endDoy).toBeLessThan(dayOfYear(day('2025-06-30')))
    expect(autumn.startDoy).toBeGreaterThan(dayOfYear(day('2025-09-01')))
    expect(autumn.endDoy).toBeLessThan(dayOfYear(day('2025-12-15')))
    // the highest one is still the peak window
    expect(peakWindow(learnProfile(fleet))).toEqual(spring)
    const seasons = learnSeasons(
      fleet.map((days) => ({ region: 'cn-east', kind: 'machine', unit: 'hours', days })),
      day('2026-07-01')
    )
    const next = seasons.peaks.get('cn-east/machine') ?? []
    expect(next).toHaveLength(2)
    // soonest first: this autumn, then next spring
    expect(next[0]?.start).toBeGreaterThan(day('2026-09-01'))
    expect(next[1]?.start).toBeGreaterThan(day('2027-03-01'))
  })

  it('when one day stands far above the season (noise), then the season is not narrowed to it: its height is what its top days hold', () => {
    const factors = new Array<number>(366).fill(0.9)
    for (let d = 150; d < 250; d++) factors[d] = 1.3
    factors[200] = 1.9
    // from the highest day alone: the threshold 1.54 leaves that one day as the season
    expect(peakWindows({ ...FLAT_PROFILE, factors })).toEqual([{ startDoy: 150, endDoy: 249, height: 1.9 }])
  })

  it('when a season dips below the line for less than a month, then it is still one season (the dip was taken as a gap between two, and visits went into it); seasons three months apart stay two', () => {
    const factors = new Array<number>(366).fill(0.8)
    for (let d = 0; d < 80; d++) factors[d] = 1.4
    for (let d = 30; d < 45; d++) factors[d] = 1.1
    for (let d = 340; d < 366; d++) factors[d] = 1.4
    // a season from early December to late March, dipping for two weeks in February
    expect(peakWindows({ ...FLAT_PROFILE, factors })).toEqual([{ startDoy: 340, endDoy: 79, height: 1.4 }])
    const two = new Array<number>(366).fill(0.8)
    for (let d = 90; d < 150; d++) two[d] = 1.4
    for (let d = 240; d < 300; d++) two[d] = 1.35
    expect(peakWindows({ ...FLAT_PROFILE, factors: two }).map((w) => [w.startDoy, w.endDoy])).toEqual([
      [90, 149],
      [240, 299]
    ])
  })

  it('when a profile rises above the line for a few days only, then that is noise, not a season', () => {
    const factors = new Array<number>(366).fill(0.9)
    for (let d = 150; d < 230; d++) factors[d] = 1.5
    for (let d = 300; d < 305; d++) factors[d] = 1.45
    const windows = peakWindows({ ...FLAT_PROFILE, factors })
    expect(windows).toEqual([{ startDoy: 150, endDoy: 229, height: 1.5 }])
  })

  it('when there is less than two months of data, then the shape stays flat', () => {
    const fleet = summerFleet(5).map((s) => s.slice(0, 40))
    expect(new Set(learnProfile(fleet).factors)).toEqual(new Set([1]))
  })

  it('when asked in March for the next peak, then it is this summer; in December, next summer', () => {
    const window = { startDoy: 160, endDoy: 240, height: 1.4 }
    expect(nextPeak(window, day('2026-03-01'))).toEqual({ start: day('2026-06-10'), end: day('2026-08-29') })
    expect(nextPeak(window, day('2026-12-01')).start).toBe(day('2027-06-10'))
  })
  it('when every device of a small group stood idle for over a month at once, then the profile and the forecasts from it stay numbers', () => {
    // three pumps, all parked for 40 days from mid-January (a lull of the whole group), at work otherwise
    const start = day('2024-06-01')
    const fleet = [100, 150, 120].map((level) =>
      Array.from({ length: 300 }, (_, d) => ({
        day: start + d,
        usage: d >= 225 && d < 265 ? 0 : level,
        estimated: false
      }))
    )
    const profile = learnProfile(fleet)
    expect(profile.factors.every(Number.isFinite)).toBe(true)
    expect(Number.isFinite(profile.level)).toBe(true)
    const forecast = forecastDevice(fleet[0] ?? [], profile, start + 300)
    expect(forecast.level).toBeGreaterThan(0)
  })
})

describe('device forecast', () => {
  it('when a household comes back from two weeks away with its purifier switched off, then its level is its use before and after the trip (the gap is not read as two weeks of light use)', () => {
    // 30 L a day, read each evening; away and offline from day 30 to day 43; the counter moved 2 L across the gap
    const today = day('2026-03-01')
    const from = today - 56
    const readings: { day: number; first: number; last: number }[] = []
    let counter = 1000
    for (let d = 0; d < 56; d++) {
      if (d >= 30 && d < 44) continue
      const first = d === 44 ? counter + 2 : counter
      counter = first + 30
      readings.push({ day: from + d, first, last: counter })
    }
    const { days } = usageFromCounters(readings)
    expect(days.filter((d) => d.estimated)).toHaveLength(14)
    for (const history of [days, packUsage(days)]) {
      const f = forecastDevice(history, flat(30), today)
      expect(f.level).toBeGreaterThan(29)
      expect(f.historyDays).toBe(42)
    }
  })

  it('when a device has no history, then its forecast is the region level (a sensible day-one forecast)', () => {
    const f = forecastDevice([], flat(12), day('2026-03-01'))
    expect(f.level).toBeCloseTo(12)
    expect(f.historyDays).toBe(0)
  })

  it('when a steady device has 56 days at 20 L against a region of 10 L, then its level is its own: the region no longer pulls it towards the middle', () => {
    const today = day('2026-03-01')
    const history = Array.from({ length: 56 }, (_, i) => ({
      day: today - 56 + i,
      usage: 20 + (i % 2 ? 2 : -2),
      estimated: false
    }))
    // a fixed weight of 14 days for the region made it (56·20 + 14·10) / 70 = 18
    expect(forecastDevice(history, flat(10), today).level).toBeCloseTo(20, 0)
  })

  it('when a device has two erratic days, then its level lies between them and the region, nearer the region than a steady device would be', () => {
    const today = day('2026-03-01')
    const erratic = [
      { day: today - 2, usage: 5, estimated: false },
      { day: today - 1, usage: 35, estimated: false }
    ]
    const steady = [
      { day: today - 2, usage: 19, estimated: false },
      { day: today - 1, usage: 21, estimated: false }
    ]
    const f = forecastDevice(erratic, flat(10), today)
    expect(f.level).toBeGreaterThan(10)
    expect(f.level).toBeLessThan(19)
    expect(forecastDevice(steady, flat(10), today).level).toBeGreaterThan(19)
  })

  it('when a device was away for two weeks within its window, then its level is that of the days it was home; days off now and then, and a spell still going on, count', () => {
    const today = day('2026-03-01')
    const history = (zero: (i: number) => boolean) =>
      Array.from({ length: 56 }, (_, i) => ({
        day: today - 56 + i,
        usage: zero(i) ? 0 : 20,
        estimated: false
      }))
    // away days 10–23: 20 L a day at home (the 14 days away made it 15)
    expect(
      forecastDevice(
        history((i) => i >= 10 && i < 24),
        flat(10, 0),
        today
      ).level
    ).toBeCloseTo(20)
    // a day off every week stays: 6 days in 7 at 20 L
    expect(
      forecastDevice(
        history((i) => i % 7 === 0),
        flat(10, 0),
        today
      ).level
    ).toBeCloseTo((20 * 48) / 56)
    // away for the last 14 days, still away today: that counts
    expect(
      forecastDevice(
        history((i) => i >= 42),
        flat(10, 0),
        today
      ).level
    ).toBeCloseTo(15)
  })

  it('when history grows, then the band narrows', () => {
    const today = day('2026-03-01')
    const noisy = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        day: today - n + i,
        usage: 10 + (i % 2 ? 3 : -3),
        estimated: false
      }))
    const short = forecastDevice(noisy(7), flat(10), today)
    const long = forecastDevice(noisy(56), flat(10), today)
    expect(long.high - long.low).toBeLessThan(short.high - short.low)
    expect(short.low).toBeLessThan(short.level)
    expect(short.high).toBeGreaterThan(short.level)
  })

  it('when the profile is seasonal, then a winter history forecasts more for summer', () => {
    const profile = learnProfile(summerFleet(10))
    const today = day('2026-02-01')
    const history = Array.from({ length: 30 }, (_, i) => ({
      day: today - 30 + i,
      usage: 6,
      estimated: false
    }))
    const f = forecastDevice(history, profile, today)
    expect(usageOn(f, day('2026-07-20')).expected).toBeGreaterThan(
      usageOn(f, day('2026-01-20')).expected * 1.8
    )
    expect(dayOfYear(day('2026-01-01'))).toBe(0)
  })
})

describe('remaining life', () => {
  const ro400 = modelOf(defaultCatalogue, 'RO-400')!
  const part = (name: string) => ro400.components.find((c) => c.part === name) as Component
  const today = day('2026-03-01')

  it('when 1,500 of 2,000 L are used at 10 L a day, then the sediment stage is due in 50 days, by usage', () => {
    const est = remainingLife(
      part('pp_sediment'),
      { part: 'pp_sediment', fittedDay: today - 30, usedSinceFit: 1500 },
      forecastDevice([], flat(10), today),
      today
    )
    expect(est.by).toBe('usage')
    expect(est.dueDay).toBe(today + 49) // the 50th day's use reaches 500 L
    expect(est.remaining).toBe(500)
    expect(est.earliestDay).toBeLessThanOrEqual(est.dueDay)
    expect(est.latestDay).toBeGreaterThanOrEqual(est.dueDay)
  })

  it('when a new sediment cartridge (2,000 L) would be fitted the day before a 110-day peak, then it lasts through it at 10 L a day, and not at 40 (even at the low end of its band)', () => {
    const peak = { start: today + 30, end: today + 139 }
    expect(outlasts(part('pp_sediment'), forecastDevice([], flat(10), today), peak)).toBe(true)
    expect(outlasts(part('pp_sediment'), forecastDevice([], flat(40), today), peak)).toBe(false)
    // its six months outlast a 110-day peak; a peak of seven months does not
    expect(
      outlasts(part('pp_sediment'), forecastDevice([], flat(1), today), { ...peak, end: today + 250 })
    ).toBe(false)
  })

  it('when the season steps up at a month (work resumes in March), then the early end counts with the new level from the step, not with the month the smoothing takes to climb', () => {
    // twenty machines, 4 h a day to the end of February, 20 h a day from 1 March, two years of it
    const start = day('2024-01-01')
    const fleet = Array.from({ length: 20 }, () =>
      Array.from({ length: 731 }, (_, d) => {
        const date = new Date((start + d) * 86400000)
        return { day: start + d, usage: date.getUTCMonth() < 2 ? 4 : 20, estimated: false }
      })
    )
    const profile = learnProfile(fleet)
    const today = day('2026-03-01')
    const forecast = forecastDevice(
      (fleet[0] ?? []).map((x) => ({ ...x, day: x.day + 365 })),
      profile,
      today
    )
    const oil = { part: 'engine_oil', partNumber: 'EO', leadTimeDays: 3, hours: 500 } as Component
    // 150 h left at 20 a day from today: spent during 8 March
    const state = { part: 'engine_oil', fittedDay: today - 60, usedSinceFit: 350 }
    const est = remainingLife(oil, state, forecast, today)
    expect(est.earliestDay).toBeLessThanOrEqual(day('2026-03-08'))
    // without the ceiling the same walk follows the smoothed climb and ends it days later
    const smoothed = remainingLife(
      oil,
      state,
      { ...forecast, profile: { ...profile, ceiling: undefined } },
      today
    )
    expect(smoothed.earliestDay).toBeGreaterThan(day('2026-03-08'))
  })

  it('when use is light, then the time limit (months since fitting) comes first', () => {
    const fitted = day('2025-10-01')
    const est = remainingLife(
      part('pp_sediment'),
      { part: 'pp_sediment', fittedDay: fitted, usedSinceFit: 300 },
      forecastDevice([], flat(2), today),
      today
    )
    expect(est.by).toBe('time')
    expect(est.dueDay).toBe(day('2026-04-01'))
  })

  it('when the RO salt rejection falls along a line, then the membrane ends where the line crosses 80 %', () => {
    // rejection = 0.97 − 0.00004·litres → 0.80 at 4,250 L, well before the rated 7,500 L
    const readings = Array.from({ length: 10 }, (_, i) => ({
      used: 300 * i,
      value: 0.97 - 0.00004 * 300 * i
    }))
    expect(conditionLimitUse({ limit: 0.8, direction: 'below' }, readings)).toBeCloseTo(4250)
    const est = remainingLife(
      part('ro_membrane'),
      { part: 'ro_membrane', fittedDay: today - 200, usedSinceFit: 2700, condition: readings },
      forecastDevice([], flat(10), today),
      today
    )
    expect(est.by).toBe('condition')
    expect(est.remaining).toBeCloseTo(1550)
    expect(est.dueDay).toBe(today + 155 - 1)
  })

  it('when RO readings are noisy and the decline is slow, then the trend takes enough readings to stand clear of the noise and ends the membrane near the true crossing', () => {
    // 10 L a day, rejection falling 0.00002 a litre (0.80 at 8,750 L), each reading ±0.003 of noise:
    // 14 days of readings decline by less than their noise
    const noise = uniformNoise(12345, 0.005)
    const limit = { limit: 0.8, direction: 'below' as const }
    const misses: number[] = []
    for (let trial = 0; trial < 20; trial++) {
      const readings = Array.from({ length: 300 }, (_, d) => ({
        used: 10 * d,
        value: 0.975 - 0.00002 * 10 * d + noise()
      }))
      const at = conditionLimitUse(limit, readings)
      misses.push(at === undefined ? Infinity : Math.abs(at - 8750) / 8750)
    }
    // every trial within 15 % of the true crossing (the 14 last readings alone missed by far more, or pointed
    // up), and no curve is trusted over a straight decline
    expect(Math.max(...misses)).toBeLessThan(0.15)
  })

  it('when a cartridge clogs faster and faster (loss growing with use to the power 1.5), then its end is found at the curve, not later where a line through it would cross', () => {
    // 85 kPa of loss at 2,600 L; readings every 15 L up to 2,000 L, each ±4 kPa of noise
    const noise = uniformNoise(99, 4)
    const limit = { limit: 85, direction: 'above' as const }
    const lates: number[] = []
    for (let trial = 0; trial < 20; trial++) {
      const readings = Array.from({ length: 134 }, (_, i) => ({
        used: 15 * i,
        value: 85 * Math.pow((15 * i) / 2600, 1.5) + noise()
      }))
      const at = conditionLimitUse(limit, readings) ?? Infinity
      lates.push((at - 2600) / 2600)
    }
    // never more than 3 % late (a line through the recent readings was 5–10 % late); not far early either
    expect(Math.max(...lates)).toBeLessThan(0.03)
    expect(Math.min(...lates)).toBeGreaterThan(-0.1)
  })

  it.each([1, 1.5, 2])(
    'when wear grows as use to the power %s, then its end is found without a bias at half and three quarters of its life',
    (power) => {
      // 85 kPa of loss at 3,000 L; a reading every 12 L, each ±4 kPa of noise
      const noise = uniformNoise(7, 4)
      const limit = { limit: 85, direction: 'above' as const }
      for (const share of [0.5, 0.75]) {
        const errors: number[] = []
        for (let trial = 0; trial < 41; trial++) {
          const readings = Array.from({ length: Math.floor((share * 3000) / 12) + 1 }, (_, i) => ({
            used: 12 * i,
            value: 85 * Math.pow((12 * i) / 3000, power) + noise()
          }))
          const at = conditionLimitUse(limit, readings) ?? Infinity
          errors.push((at - 3000) / ((1 - share) * 3000))
        }
        errors.sort((a, b) => a - b)
        // the median error within 4 % of the use left (a parabola through use^1.5 crossed 10–12 % early)
        expect(Math.abs(errors[20] as number), `${share}`).toBeLessThan(0.04)
      }
    }
  )

  it('when the last readings are already past the limit, then the part is due today, one noisy reading is not enough', () => {
    const spent = [0.9, 0.85, 0.79, 0.78, 0.77].map((value, i) => ({ used: i * 100, value }))
    expect(conditionLimitUse({ limit: 0.8, direction: 'below' }, spent)).toBe(400)
    const noisy = [0.9, 0.9, 0.9, 0.79, 0.9].map((value, i) => ({ used: i * 100, value }))
    // one low reading tilts the trend a little but does not end the membrane now
    expect(conditionLimitUse({ limit: 0.8, direction: 'below' }, noisy) ?? Infinity).toBeGreaterThan(400)
  })

  it('when a young cartridge has a few readings whose slope does not stand clear of their scatter, then its condition sets no end yet (its use and time limits do)', () => {
    const limit = { limit: 85, direction: 'above' as const }
    // eleven days of ±5 kPa around no loss at all, tilted upwards by the noise alone
    const noise = [0, 5, -4, 6, -3, 4, -5, 7, -2, 3, 6]
    const young = noise.map((value, i) => ({ used: 20 * i, value }))
    expect(conditionLimitUse(limit, young)).toBeUndefined()
    expect(conditionLimitUse(limit, young, 2)).toBeUndefined()
    // the same scatter on a loss of 0.3 kPa a litre: a trend, crossing near 283 L
    const clogging = young.map((r) => ({ ...r, value: r.value + 0.3 * r.used }))
    expect(conditionLimitUse(limit, clogging)).toBeGreaterThan(240)
    expect(conditionLimitUse(limit, clogging)).toBeLessThan(330)
  })

  it('when condition readings scatter around their trend, then the early end moves ahead of the line by two standard errors; exact readings move nothing', () => {
    const limit = { limit: 85, direction: 'above' as const }
    // pressure loss 0.05 kPa a litre: the line crosses 85 kPa at 1,700 L
    const exact = Array.from({ length: 14 }, (_, i) => ({ used: 100 * i, value: 0.05 * 100 * i }))
    expect(conditionLimitUse(limit, exact)).toBeCloseTo(1700)
    expect(conditionLimitUse(limit, exact, 2)).toBeCloseTo(1700)
    const scattered = exact.map((r, i) => ({ ...r, value: r.value + (i % 2 ? 4 : -4) }))
    const line = conditionLimitUse(limit, scattered)!
    const early = conditionLimitUse(limit, scattered, 2)!
    expect(line).toBeGreaterThan(1600)
    expect(line).toBeLessThan(1800)
    // residual ≈ 4.3 kPa, its error at the last reading ≈ 2.2 kPa: two of them ≈ 90 L earlier at 0.05 kPa/L
    expect(line - early).toBeGreaterThan(60)
    expect(line - early).toBeLessThan(120)
  })

  it('when the usage is already past the limit, then it is due today with nothing remaining', () => {
    const est = remainingLife(
      part('carbon'),
      { part: 'carbon', fittedDay: today - 100, usedSinceFit: 4100 },
      forecastDevice([], flat(10), today),
      today
    )
    expect(est).toMatchObject({ dueDay: today, remaining: 0 })
    expect(est.usedShare).toBeGreaterThan(1)
  })
})
