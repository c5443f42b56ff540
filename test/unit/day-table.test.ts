import { describe, expect, it } from 'vitest'
import {
  DayTable,
  eachDay,
  forecastDevice,
  learnProfile,
  packUsage,
  type DailyUsage
} from '../../maintenance/index.js'
import { FLAT_PROFILE } from '../../maintenance/engine/forecast.js'

const D = 20000 // a UTC day number

describe('DayTable', () => {
  it('when more rows are pushed than it had room for, then every row is kept in order', () => {
    const t = new DayTable(['first', 'last'], 2)
    for (let i = 0; i < 1000; i++) t.push(D + i, i, i + 0.5)
    expect(t.length).toBe(1000)
    expect(t.rows()[0]).toEqual({ day: D, first: 0, last: 0.5 })
    expect(t.rows()[999]).toEqual({ day: D + 999, first: 999, last: 999.5 })
    expect(t.get('last', 500)).toBe(500.5)
  })

  it('when a column is not given, then it reads NaN', () => {
    const t = new DayTable(['tdsIn', 'tdsOut', 'pressure'])
    t.push(D, 300)
    expect(t.rows()).toEqual([{ day: D, tdsIn: 300, tdsOut: NaN, pressure: NaN }])
  })

  it('when rows are kept by day, then the others are gone and the order stays', () => {
    const t = new DayTable(['first', 'last'])
    for (let i = 0; i < 10; i++) t.push(D + i, i, i)
    t.keep((day) => day < D + 3 || day > D + 7)
    expect(t.rows().map((r) => r.day - D)).toEqual([0, 1, 2, 8, 9])
    expect(t.rows().map((r) => r.first)).toEqual([0, 1, 2, 8, 9])
  })

  it('when rows came out of order, then sorting by day moves every column with its day', () => {
    const t = new DayTable(['first', 'last'])
    t.push(D + 5, 5, 50)
    t.push(D + 1, 1, 10)
    t.push(D + 3, 3, 30)
    t.sortByDay()
    expect(t.rows()).toEqual([
      { day: D + 1, first: 1, last: 10 },
      { day: D + 3, first: 3, last: 30 },
      { day: D + 5, first: 5, last: 50 }
    ])
  })

  it('when a day is looked up, then indexOf finds it exactly and firstFrom finds the next one', () => {
    const t = new DayTable(['first'])
    for (const day of [2, 4, 6, 8]) t.push(D + day, day)
    expect(t.indexOf(D + 6)).toBe(2)
    expect(t.indexOf(D + 5)).toBe(-1)
    expect(t.firstFrom(D + 5)).toBe(2)
    expect(t.firstFrom(D)).toBe(0)
    expect(t.firstFrom(D + 9)).toBe(4)
  })
})

describe('packed usage', () => {
  const days: DailyUsage[] = [
    { day: D, usage: 4, estimated: false },
    { day: D + 1, usage: 6, estimated: true },
    { day: D + 3, usage: 8, estimated: false }
  ]

  it('when a list is packed, then it reads the same days and values, the missing day skipped', () => {
    const seen: [number, number][] = []
    eachDay(packUsage(days), (day, u) => seen.push([day - D, u]))
    expect(seen).toEqual([
      [0, 4],
      [1, 6],
      [3, 8]
    ])
  })

  it('when a device reported nothing for a week or more, then the days of that gap are not read, packed or not, while their use stays in the packed values', () => {
    const gap: DailyUsage[] = [
      { day: D, usage: 4, estimated: false },
      ...Array.from({ length: 7 }, (_, i) => ({ day: D + 1 + i, usage: 0.1, estimated: true })),
      { day: D + 8, usage: 4.1, estimated: false },
      { day: D + 9, usage: 2, estimated: true },
      { day: D + 10, usage: 2, estimated: false }
    ]
    const read = (s: Parameters<typeof eachDay>[0]) => {
      const seen: number[] = []
      eachDay(s, (day) => seen.push(day - D))
      return seen
    }
    expect(read(gap)).toEqual([0, 8, 9, 10])
    expect(read(packUsage(gap))).toEqual([0, 8, 9, 10])
    expect(packUsage(gap).usage.reduce((a, b) => a + b, 0)).toBeCloseTo(12.8)
  })

  it('when a range is asked, then only its days are read, packed or not', () => {
    const read = (s: Parameters<typeof eachDay>[0]) => {
      const seen: number[] = []
      eachDay(s, (day) => seen.push(day - D), D + 1, D + 3)
      return seen
    }
    expect(read(packUsage(days))).toEqual([1])
    expect(read(days)).toEqual([1])
  })

  it('when the engine gets packed usage, then profiles and forecasts equal those from the list', () => {
    const fleet = Array.from({ length: 12 }, (_, k) =>
      Array.from({ length: 400 }, (_, i) => ({
        day: D + i,
        usage: (5 + k) * (1 + 0.4 * Math.sin(i / 58)) + (i % 7),
        estimated: false
      }))
    )
    const profile = learnProfile(fleet)
    expect(learnProfile(fleet.map(packUsage))).toEqual(profile)
    expect(profile.devices).toBe(12)
    const device = fleet[3] ?? []
    expect(forecastDevice(packUsage(device), profile, D + 380)).toEqual(
      forecastDevice(device, profile, D + 380)
    )
    expect(forecastDevice(packUsage([]), FLAT_PROFILE, D)).toEqual(forecastDevice([], FLAT_PROFILE, D))
  })
})
