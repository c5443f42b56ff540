import { describe, expect, it } from 'vitest'
import {
  parseCatalogue,
  defaultCatalogue,
  usageFromCounters,
  type DailyCounter
} from '../../maintenance/index.js'

const D = 20000 // a UTC day number

describe('usageFromCounters', () => {
  it.each<[string, DailyCounter[], number[], number[]]>([
    [
      'a steady counter',
      [
        { day: D, first: 100, last: 110 },
        { day: D + 1, first: 111, last: 120 },
        { day: D + 2, first: 121, last: 135 }
      ],
      [10, 10, 15],
      []
    ],
    ['no history', [], [], []],
    // 2 missing days: the 30 L between readings are spread over them and the day after
    [
      'a gap of two days',
      [
        { day: D, first: 0, last: 10 },
        { day: D + 3, first: 40, last: 45 }
      ],
      [10, 10, 10, 15],
      []
    ],
    // counter restarts (device replaced mid-year): what it shows after the reset was used since
    [
      'a counter reset',
      [
        { day: D, first: 5000, last: 5010 },
        { day: D + 1, first: 3, last: 12 },
        { day: D + 2, first: 12, last: 20 }
      ],
      [10, 12, 8],
      [D + 1]
    ],
    // a meter that goes backwards a little: nothing counted until it passes its old high
    [
      'a meter going backwards',
      [
        { day: D, first: 100, last: 120 },
        { day: D + 1, first: 115, last: 118 },
        { day: D + 2, first: 118, last: 130 }
      ],
      [20, 0, 10],
      []
    ],
    [
      'a reset within a day',
      [
        { day: D, first: 900, last: 910 },
        { day: D + 1, first: 912, last: 4 }
      ],
      [10, 6],
      [D + 1]
    ]
  ])('when the counter is %s, then daily usage is as computed by hand', (_name, points, expected, resets) => {
    const series = usageFromCounters(points)
    expect(series.days.map((d) => d.usage)).toEqual(expected)
    expect(series.resets).toEqual(resets)
  })

  it('when days are missing, then those days are marked estimated and the others are not', () => {
    const series = usageFromCounters([
      { day: D, first: 0, last: 10 },
      { day: D + 3, first: 40, last: 45 }
    ])
    expect(series.days.map((d) => d.estimated)).toEqual([false, true, true, false])
  })

  it('when a new device reports once a day, then its first reading counts as the use of its delivery day', () => {
    // one reading a day, at its end: the delivery day's 19 L show only as the first reading
    const points = [
      { day: D, first: 19, last: 19 },
      { day: D + 1, first: 26, last: 26 }
    ]
    expect(usageFromCounters(points, D).days.map((d) => d.usage)).toEqual([19, 7])
    // without the delivery day, the first reading could be any counter's value: nothing is claimed
    expect(usageFromCounters(points).days.map((d) => d.usage)).toEqual([0, 7])
  })

  it('when a new device first reports days after its delivery, then what its counter shows is spread over the days since', () => {
    const series = usageFromCounters([{ day: D + 3, first: 40, last: 45 }], D)
    expect(series.days.map((d) => [d.day, d.usage, d.estimated])).toEqual([
      [D, 10, true],
      [D + 1, 10, true],
      [D + 2, 10, true],
      [D + 3, 15, false]
    ])
  })

  it('when the readings begin before the delivery day (a factory test, a wrong date), then the first reading is not claimed', () => {
    const series = usageFromCounters([{ day: D - 2, first: 5, last: 6 }], D)
    expect(series.days.map((d) => d.usage)).toEqual([1])
  })
})

describe('catalogue', () => {
  it('when the shipped catalogue loads, then every model has components with a limit and lead time', () => {
    expect(defaultCatalogue.models.map((m) => m.model)).toEqual(
      expect.arrayContaining(['RO-400', 'RO-600', 'C1', 'PUMP-52', 'CRANE-T7'])
    )
    for (const m of defaultCatalogue.models)
      for (const c of m.components) expect(c.leadTimeDays).toBeGreaterThanOrEqual(0)
  })

  it('when a catalogue has a purifier part in hours, a machine without its type, a repeated part and a duplicate model, then each is named by its path', () => {
    const bad = {
      version: 2,
      inspectionsAfterDeliveryMonths: [1],
      models: [
        {
          model: 'X',
          kind: 'purifier',
          components: [{ part: 'carbon', partNumber: 'c', hours: 10, leadTimeDays: 1 }]
        },
        {
          model: 'X',
          kind: 'machine',
          components: [
            { part: 'x_pump', partNumber: 'f', hours: 10, leadTimeDays: 1 },
            { part: 'x_pump', partNumber: 'g', hours: 20, leadTimeDays: 1 }
          ]
        }
      ]
    }
    expect(() => parseCatalogue(bad)).toThrow(
      /models\.0\.components\.0: a purifier component is limited by litres/
    )
    expect(() => parseCatalogue(bad)).toThrow(/models\.1\.model: model X is listed twice/)
    expect(() => parseCatalogue(bad)).toThrow(
      /models\.1\.machineType: a machine model needs its machine type/
    )
    expect(() => parseCatalogue(bad)).toThrow(
      /models\.1\.components\.1\.part: part x_pump is listed twice in X/
    )
  })
})

describe('usageFromCounters with an implausible reset', () => {
  it('when a counter jumps back to a value far larger than a few days of use, then that day is not taken as used', () => {
    const steady = Array.from({ length: 10 }, (_, i) => ({
      day: D + i,
      first: 1000 + 10 * i,
      last: 1010 + 10 * i
    }))
    const series = usageFromCounters([...steady, { day: D + 10, first: 400, last: 405 }])
    expect(series.resets).toEqual([D + 10])
    expect(series.days.at(-1)?.usage).toBe(5) // not 405
  })
})
