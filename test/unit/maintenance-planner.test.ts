import { describe, expect, it } from 'vitest'
import {
  isoWeek,
  plan,
  type LifeEstimate,
  type PlanComponent,
  type PlanDevice,
  type PlanOptions
} from '../../maintenance/index.js'

const day = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86400000)
const TODAY = day('2026-05-01')
const PEAK = { start: day('2026-06-20'), end: day('2026-09-20') }

function component(part: string, earliest: string, lead = 3): PlanComponent {
  const e = day(earliest)
  const life: LifeEstimate = {
    part,
    dueDay: e + 10,
    earliestDay: e,
    latestDay: e + 20,
    by: 'usage',
    remaining: 100,
    usedShare: 0.5
  }
  return { part, partNumber: `PN-${part}`, leadTimeDays: lead, life }
}

function device(id: string, components: PlanComponent[], extra: Partial<PlanDevice> = {}): PlanDevice {
  return {
    id,
    kind: 'purifier',
    region: 'cn-east',
    outlet: 'sh-01',
    deliveredDay: day('2024-01-01'),
    components,
    inspectionsDone: [1, 3, 6, 12],
    ...extra
  }
}

function options(extra: Partial<PlanOptions> = {}): PlanOptions {
  return {
    today: TODAY,
    horizonDays: 84,
    bundleDays: 21,
    preSeasonDays: 28,
    inspectionMonths: [1, 3, 6, 12],
    capacity: new Map([['sh-01', 2]]),
    peaks: new Map([['cn-east/purifier', [PEAK]]]),
    ...extra
  }
}

describe('planner', () => {
  it('when parts would run out during the peak, then one health-care visit before the peak replaces all of them', () => {
    const p = plan(
      [
        device('d1', [
          component('pp_sediment', '2026-07-15'),
          component('carbon', '2026-09-01'),
          component('ro_membrane', '2027-03-01')
        ])
      ],
      options()
    )
    expect(p.visits).toHaveLength(1)
    const [v] = p.visits
    expect(v).toMatchObject({ type: 'health_care', deviceId: 'd1', overrun: false })
    expect(v!.parts.map((x) => x.part)).toEqual(['pp_sediment', 'carbon'])
    expect(v!.day).toBeLessThan(PEAK.start)
    expect(v!.day).toBeGreaterThanOrEqual(PEAK.start - 28)
  })

  it('when a part may end the day after the peak, then its last day of use falls inside the peak and it is changed in the health-care visit before it', () => {
    const lastDay = new Date((PEAK.end + 1) * 86400000).toISOString().slice(0, 10)
    const p = plan(
      [device('d1', [component('carbon', '2026-07-15'), component('pp_sediment', lastDay)])],
      options({ horizonDays: 150 })
    )
    expect(p.visits).toHaveLength(1)
    expect(p.visits[0]).toMatchObject({ type: 'health_care' })
    expect(p.visits[0]!.parts.map((x) => x.part)).toEqual(['carbon', 'pp_sediment'])
  })

  it('when a part changed for the peak may end the day after it, then it is not changed again before the peak', () => {
    const lastDay = new Date((PEAK.end + 1) * 86400000).toISOString().slice(0, 10)
    const oil = { ...component('engine_oil', lastDay), fittedDay: PEAK.start - 12, outlastsPeak: true }
    const p = plan(
      [device('m1', [oil], { kind: 'machine' })],
      options({ today: PEAK.start - 5, horizonDays: 150, peaks: new Map([['cn-east/machine', [PEAK]]]) })
    )
    expect(p.visits).toHaveLength(1)
    expect(p.visits[0]!.day).toBeGreaterThanOrEqual(PEAK.start)
  })

  it('when a region has two busy seasons, then a part due in the later one is changed before it, not in it', () => {
    const spring = { start: day('2026-05-05'), end: day('2026-05-31') }
    const autumn = { start: day('2026-07-01'), end: day('2026-07-31') }
    const p = plan(
      [device('d1', [component('engine_oil', '2026-07-20')], { kind: 'machine' })],
      options({ peaks: new Map([['cn-east/machine', [spring, autumn]]]), horizonDays: 100 })
    )
    const [v] = p.visits
    expect(v!.parts.map((x) => x.part)).toEqual(['engine_oil'])
    expect(v!.day).toBeLessThan(autumn.start)
    expect(v!.day < spring.start || v!.day > spring.end).toBe(true)
    expect(v!.inPeak).toBeUndefined()
  })

  it('when a routine inspection falls due inside the peak, beyond the planning horizon, then it is made before the peak — with the health-care visit when there is one (it was found only once the peak had begun)', () => {
    // delivered 2025-08-15: the 12-month inspection is due 2026-08-15, inside the peak, 106 days ahead
    const delivered = { deliveredDay: day('2025-08-15'), inspectionsDone: [1, 3, 6] }
    const withParts = plan([device('d1', [component('pp_sediment', '2026-07-15')], delivered)], options())
    expect(withParts.visits).toHaveLength(1)
    expect(withParts.visits[0]).toMatchObject({ type: 'health_care', inspection: 12 })
    expect(withParts.visits[0]!.day).toBeLessThan(PEAK.start)
    const alone = plan([device('d2', [component('pp_sediment', '2027-03-01')], delivered)], options())
    expect(alone.visits).toHaveLength(1)
    expect(alone.visits[0]).toMatchObject({ type: 'inspection', inspection: 12 })
    expect(alone.visits[0]!.day).toBeLessThan(PEAK.start)
    expect(alone.visits[0]!.inPeak).toBeUndefined()
  })

  it('when a part runs out before the peak, then its health-care visit is before that day, after the lead time', () => {
    const p = plan(
      [device('d1', [component('pp_sediment', '2026-05-20', 7), component('carbon', '2026-08-01')])],
      options()
    )
    const [v] = p.visits
    expect(v!.type).toBe('health_care')
    expect(v!.day).toBeLessThan(day('2026-05-20'))
    expect(v!.day).toBeGreaterThanOrEqual(TODAY + 1 + 7)
  })

  it('when parts fall due within the bundling window (no peak), then they share one visit; later ones get their own', () => {
    const p = plan(
      [
        device('d1', [
          component('a', '2026-05-20'),
          component('b', '2026-06-05'),
          component('c', '2026-07-10')
        ])
      ],
      options({ peaks: new Map() })
    )
    expect(p.visits.map((v) => v.parts.map((x) => x.part))).toEqual([['a', 'b'], ['c']])
    expect(p.visits.every((v) => v.type === 'replacement')).toBe(true)
  })

  it('when a part with a long lead time falls due first, then a part due soon is not held back past its own deadline by joining it', () => {
    // the RO membrane's 14-day lead time makes its visit late (today + 15); the engine oil ends in 6 days
    const p = plan(
      [device('m1', [component('ro_membrane', '2026-05-04', 14), component('engine_oil', '2026-05-07', 1)])],
      options({ peaks: new Map() })
    )
    const oil = p.visits.find((v) => v.parts.some((x) => x.part === 'engine_oil'))
    expect(oil?.parts.map((x) => x.part)).toEqual(['engine_oil'])
    expect(oil!.day).toBeLessThan(day('2026-05-07'))
    const ro = p.visits.find((v) => v.parts.some((x) => x.part === 'ro_membrane'))
    expect(ro?.day).toBe(TODAY + 15)
  })

  it("when parts share a visit, then the visit day is within every part's deadline", () => {
    const p = plan(
      [
        device('b1', [
          component('carbon', '2026-05-20', 3),
          component('pp_sediment', '2026-05-12', 3),
          component('ro_membrane', '2026-05-25', 7)
        ])
      ],
      options({ peaks: new Map() })
    )
    const ends = new Map([
      ['pp_sediment', day('2026-05-12')],
      ['carbon', day('2026-05-20')],
      ['ro_membrane', day('2026-05-25')]
    ])
    for (const v of p.visits) for (const part of v.parts) expect(v.day).toBeLessThan(ends.get(part.part)!)
  })

  it('when a part ends within its lead time, then its visit is booked at the earliest day and flagged late with the day it runs out; one in time is not', () => {
    const p = plan(
      [
        device('l1', [component('ro_membrane', '2026-05-05', 7)]),
        device('l2', [component('carbon', '2026-06-01')])
      ],
      options({ peaks: new Map() })
    )
    const late = p.visits.find((v) => v.deviceId === 'l1')
    expect(late).toMatchObject({ day: TODAY + 8, late: { runsOut: day('2026-05-05') } })
    expect(p.visits.find((v) => v.deviceId === 'l2')?.late).toBeUndefined()
  })

  it('when a part left out of the pre-peak visit for its lead time would fall inside the peak, then it is booked before the peak once on hand; when it cannot be on hand before, it is flagged with why', () => {
    // the sediment cartridge sets the pre-peak visit early (May); the membrane's 30-day lead time keeps it out
    const avoidable = plan(
      [device('k1', [component('pp_sediment', '2026-05-10'), component('ro_membrane', '2026-07-20', 30)])],
      options()
    )
    const ro = avoidable.visits.find((v) => v.parts.some((p) => p.part === 'ro_membrane'))!
    expect(ro.day).toBeLessThan(PEAK.start)
    expect(ro.day).toBeGreaterThanOrEqual(TODAY + 31)
    expect(ro.inPeak).toBeUndefined()

    const unavoidable = plan(
      [device('k2', [component('pp_sediment', '2026-05-10'), component('ro_membrane', '2026-07-22', 70)])],
      options()
    )
    const late = unavoidable.visits.find((v) => v.parts.some((p) => p.part === 'ro_membrane'))!
    expect(late.day).toBeGreaterThanOrEqual(PEAK.start)
    expect(late.inPeak).toContain(
      'inside the cn-east peak (2026-06-20 – 2026-09-20): no day before it once the parts are on hand'
    )
  })

  it('when a device is registered before its delivery, then nothing is planned for it before the day it is delivered', () => {
    // delivered ten days before the peak, with a part fitted then that will not last through the peak, and
    // the outlet's days from then to the peak taken by other devices' visits before it
    const delivered = PEAK.start - 10
    const others = Array.from({ length: 20 }, (_, i) =>
      device(`a${String(i).padStart(2, '0')}`, [component('pp_sediment', '2026-07-15')])
    )
    const p = plan(
      [...others, device('d1', [component('pp_sediment', '2026-07-15')], { deliveredDay: delivered })],
      options({ today: PEAK.start - 40, horizonDays: 120 })
    )
    expect(p.visits.filter((v) => v.deviceId === 'd1')).toHaveLength(1)
    for (const v of p.visits.filter((x) => x.deviceId === 'd1'))
      expect(v.day).toBeGreaterThanOrEqual(delivered)
  })

  it('when a new one of a part would not last through the peak either, then it is not pulled before the peak but changed when due, in the peak, with why', () => {
    const short = { ...component('pp_sediment', '2026-07-15'), outlastsPeak: false }
    const lasting = { ...component('carbon', '2026-08-01'), outlastsPeak: true }
    const p = plan([device('d1', [short, lasting])], options({ horizonDays: 120 }))
    const before = p.visits.find((v) => v.type === 'health_care')
    expect(before?.parts.map((x) => x.part)).toEqual(['carbon'])
    expect(before!.day).toBeLessThan(PEAK.start)
    const inPeak = p.visits.find((v) => v.parts.some((x) => x.part === 'pp_sediment'))
    expect(inPeak?.type).toBe('replacement')
    expect(inPeak!.day).toBeGreaterThanOrEqual(PEAK.start)
    expect(inPeak!.day).toBeLessThan(day('2026-07-15'))
    expect(inPeak?.inPeak).toMatch(/a new pp_sediment would not last through it/)
  })

  it('when a part changed in the weeks before the peak may still end inside it, then it is not changed again before the peak but when due, in the peak, with why', () => {
    // a new engine oil would last through the peak at low use, so the health-care visit changed it; at high
    // use the oil fitted then still ends inside the peak — a new one would too, so another change before the
    // peak would throw away all but the days since (and come back for the next one, pass after pass)
    const oil = { ...component('engine_oil', '2026-07-15'), fittedDay: PEAK.start - 12, outlastsPeak: true }
    const p = plan(
      [device('m1', [oil], { kind: 'machine' })],
      options({ today: PEAK.start - 5, peaks: new Map([['cn-east/machine', [PEAK]]]) })
    )
    expect(p.visits).toHaveLength(1)
    const [v] = p.visits
    expect(v?.type).toBe('replacement')
    expect(v!.day).toBeGreaterThanOrEqual(PEAK.start)
    expect(v!.day).toBeLessThan(day('2026-07-15'))
    expect(v?.inPeak).toMatch(/the engine_oil fitted 2026-06-08 would not last through it/)
  })

  it('when an outlet is full, then visits are pushed earlier, never into the peak, and no day exceeds capacity', () => {
    const devices = Array.from({ length: 30 }, (_, i) =>
      device(`d${i}`, [component('pp_sediment', '2026-07-01')])
    )
    const p = plan(devices, options())
    const perDay = new Map<number, number>()
    for (const v of p.visits) perDay.set(v.day, (perDay.get(v.day) ?? 0) + 1)
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(2)
    for (const v of p.visits) {
      expect(v.day < PEAK.start || v.day > PEAK.end).toBe(true)
      expect(v.overrun).toBe(false)
    }
    expect(Math.min(...p.visits.map((v) => v.day))).toBeLessThan(PEAK.start - 14) // spread, not all on the eve
  })

  it('when there is no room at all before a deadline, then the visit is flagged as an overrun', () => {
    const devices = Array.from({ length: 5 }, (_, i) => device(`d${i}`, [component('x', '2026-05-04', 0)]))
    const p = plan(devices, options({ peaks: new Map(), capacity: new Map([['sh-01', 1]]) }))
    expect(p.visits.filter((v) => v.overrun).length).toBe(3) // days 2 and 3 May hold one each
  })

  it('when a routine inspection falls due and nothing else, then an inspection visit is planned around its day', () => {
    const p = plan(
      [device('new', [], { deliveredDay: day('2026-04-15'), inspectionsDone: [] })],
      options({ peaks: new Map() })
    )
    expect(p.visits).toHaveLength(2) // months 1 and 3 within 12 weeks
    expect(p.visits.map((v) => [v.type, v.inspection])).toEqual([
      ['inspection', 1],
      ['inspection', 3]
    ])
    expect(Math.abs(p.visits[0]!.day - day('2026-05-15'))).toBeLessThanOrEqual(14)
  })

  it('when a device has no outlet, then it is listed as unassigned, not silently dropped', () => {
    const p = plan([device('lonely', [component('a', '2026-05-20')], { outlet: null })], options())
    expect(p.visits).toEqual([])
    expect(p.unassigned).toEqual([{ deviceId: 'lonely', reason: 'no outlet covers this device' }])
  })

  it('when visits replace parts, then spare-parts demand is counted per region, ISO week and part number', () => {
    const p = plan(
      [device('d1', [component('a', '2026-05-20')]), device('d2', [component('a', '2026-05-21')])],
      options({ peaks: new Map(), capacity: new Map([['sh-01', 5]]) })
    )
    const total = p.partsDemand.filter((r) => r.partNumber === 'PN-a').reduce((s, r) => s + r.quantity, 0)
    expect(total).toBe(2)
    expect(p.partsDemand[0]!.region).toBe('cn-east')
    expect(isoWeek(day('2026-01-01'))).toBe('2026-W01')
    expect(isoWeek(day('2027-01-01'))).toBe('2026-W53')
  })
})

describe('bundling priced with the maker’s numbers', () => {
  // parts fitted a year before today: their life in days runs from the fit to their early end
  const priced = (part: string, earliest: string, price: number) => ({
    ...component(part, earliest),
    fittedDay: TODAY - 365,
    price
  })
  const noPeak = options({ peaks: new Map() })
  const partsOf = (p: ReturnType<typeof plan>) => p.visits.map((v) => v.parts.map((x) => x.part))

  it('when a cheap part falls due a month after another and the visit costs more than the life it throws away, then it joins that visit and the plan says what it threw and saved', () => {
    const p = plan(
      [
        device('d1', [priced('pp_sediment', '2026-05-20', 39), priced('post_carbon', '2026-06-19', 59)], {
          visitCost: 120
        })
      ],
      noPeak
    )
    // 30 days of the post-carbon's 413 (fit to the day before its early end): 7 % of a cycle (59 + a visit's 120) is worth 13, the visit 120 (the fixed 21-day rule kept them apart)
    expect(partsOf(p)).toEqual([['pp_sediment', 'post_carbon']])
    const bundled = p.visits[0]?.bundled
    expect(bundled).toMatchObject({ parts: 1, visitValue: 120 })
    expect(bundled?.lifeShare).toBeCloseTo(30 / 413, 3)
    expect(bundled?.value).toBeCloseTo(((59 + 120) * 30) / 413, 2)
  })

  it('when an expensive part falls due ten days after another and its thrown life is worth more than a visit, then it keeps its own visit', () => {
    const p = plan(
      [
        device('m1', [priced('engine_oil', '2026-05-20', 850), priced('wear_plate', '2026-05-30', 40000)], {
          visitCost: 800,
          kind: 'machine'
        })
      ],
      options({ peaks: new Map() })
    )
    // ten days of the wear plate's 393 are worth 1,038 of a cycle (40,000 + 800) against a visit's 800 (the fixed rule bundled them)
    expect(partsOf(p)).toEqual([['engine_oil'], ['wear_plate']])
    expect(p.visits.every((v) => v.bundled === undefined)).toBe(true)
  })

  it('when a cheap part falls due just after an expensive one that keeps its own visit, then it shares that later visit rather than the first (the cheapest sharing, not the first that fits)', () => {
    const p = plan(
      [
        device(
          'm1',
          [
            priced('engine_oil', '2026-05-20', 850),
            priced('wear_plate', '2026-06-19', 40000),
            priced('hydraulic_filter', '2026-06-24', 420)
          ],
          { visitCost: 800, kind: 'machine' }
        )
      ],
      noPeak
    )
    expect(partsOf(p)).toEqual([['engine_oil'], ['wear_plate', 'hydraulic_filter']])
    expect(p.visits[1]?.bundled?.parts).toBe(1)
  })

  it('when a part fitted weeks ago would join a visit with more than half its life left, and the cycles that brings forward cost more than the visit saved, then it keeps its own visit', () => {
    // the engine oil went in at a visit three weeks before its filter falls due; joining that filter's visit
    // would throw 36 of its 65 days away: the oil's next change, and every one after, comes that much sooner
    // (its price and, on its own, a visit each time: 0.55 × (850 + 800) = 914, against the visit saved 800)
    const oil = { ...priced('engine_oil', '2026-06-25', 850), fittedDay: day('2026-04-20') }
    const p = plan(
      [
        device('m1', [priced('hydraulic_filter', '2026-05-20', 420), oil], {
          visitCost: 800,
          kind: 'machine'
        })
      ],
      noPeak
    )
    expect(partsOf(p)).toEqual([['hydraulic_filter'], ['engine_oil']])
  })

  it('when prices or the visit cost are not known, then parts due within bundleDays share a visit as before', () => {
    const p = plan(
      [device('d1', [component('pp_sediment', '2026-05-20'), component('carbon', '2026-06-05')])],
      noPeak
    )
    expect(partsOf(p)).toEqual([['pp_sediment', 'carbon']])
  })
})
