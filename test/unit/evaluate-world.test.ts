import { describe, expect, it } from 'vitest'
import { fixedInterval, peakAwareOracle, VisitBook } from '../../app/evaluate/policies.js'
import { SeasonVisits } from '../../app/evaluate/season-visits.js'
import { ForecastCheck } from '../../app/evaluate/shipped-engine.js'
import { buildWorld, liveOneDay, trueUse, type Unit } from '../../app/evaluate/world.js'
import { addMonths, type EngineOutputs, type PlannedDevice } from '../../maintenance/index.js'
import { lifeEvents } from '../../simulators/index.js'

const START = Math.floor(Date.UTC(2025, 0, 1) / 86400000)

function liveUntil(u: Unit, day: number): void {
  while (u.sim.day < day) liveOneDay(u)
}

describe('the evaluation world', () => {
  it("when a device's counter restarts from 0, then the use it is judged by is what it really used, not what its counter adds up to", () => {
    const world = buildWorld(5, 200, START, 1)
    const u = world.find((x) => lifeEvents(5, x.spec).resets.some((d) => d < START + 365)) as Unit
    const reset = lifeEvents(5, u.spec).resets[0] as number
    liveUntil(u, reset + 10)
    const truth = (u.sim as unknown as { litersTotal: number }).litersTotal
    expect(trueUse(u, 'litres', u.spec.deliveredDay, u.sim.day)).toBeCloseTo(truth, 6)
    const counted = (u.counters.litres ?? []).reduce((a, c) => a + (c.last - c.first), 0)
    expect(counted).toBeLessThan(truth * 0.9)
    // a span of days: the sum of those days
    const mid = reset - 5
    expect(trueUse(u, 'litres', u.spec.deliveredDay, mid) + trueUse(u, 'litres', mid, u.sim.day)).toBeCloseTo(
      truth,
      6
    )
  })

  it("when a device is delivered, then the baselines make the maker's inspections after delivery too (on their due days; the oracle keeping out of the seasons before a season)", () => {
    const [u] = buildWorld(3, 1, START, 1) as [Unit]
    const delivered = u.spec.deliveredDay
    const dues = [1, 3, 6, 12].map((m) => addMonths(delivered, m))
    const inspectionDays = (decide: (today: number, book: VisitBook) => void) => {
      const book = new VisitBook()
      const days: number[] = []
      for (let today = delivered; today <= delivered + 400; today++) {
        decide(today, book)
        for (const [, parts] of book.take(today)) if (parts.size === 0) days.push(today)
      }
      return days
    }
    // a device without parts: only its inspections are booked
    const none = { ...u, components: [] }
    expect(inspectionDays((today, book) => fixedInterval.decide([none], today, book))).toEqual(dues)
    // a season over the 6-month inspection: it is made the day before the season starts
    const season = new Set(Array.from({ length: 30 }, (_, i) => (dues[2] as number) - 10 + i))
    const key = `${u.spec.region}/${u.spec.kind}`
    const seasonal = peakAwareOracle(new Map([[key, season]]))
    expect(inspectionDays((today, book) => seasonal.decide([none], today, book))).toEqual([
      dues[0],
      dues[1],
      (dues[2] as number) - 11,
      dues[3]
    ])
  })

  it('when forecasts were made before the measured period, then they are not in its forecast error', () => {
    const [u] = buildWorld(1, 1, START, 1) as [Unit]
    // the check takes one forecast a week (days that are multiples of 7)
    const made = [START - 13, START + 1]
    liveUntil(u, START + 40)
    const check = new ForecastCheck()
    const device = { id: u.spec.id } as PlannedDevice
    for (const today of made) {
      const factor = today < START ? 2 : 1
      const forecasts: EngineOutputs['forecasts'] = []
      for (let day = today; day < today + 30; day++) {
        const expected = trueUse(u, 'litres', day, day + 1) * factor
        forecasts.push({ device, unit: 'litres', day, expected, low: expected, high: expected })
      }
      check.note({ today, health: [], forecasts }, new Map([[u.spec.id, 0]]))
    }
    check.check([u], START + 40)
    expect(check.mape(START)).toBeCloseTo(0, 9)
    expect(check.mape()).toBeCloseTo(0.5, 9)
  })

  it('when a visit falls inside a season, then it could have come before unless the device or a part went in shortly before the season, or a part changed the day before it would still have been spent inside it', () => {
    const world = buildWorld(1, 40, START, 0)
    const device = world.findIndex((u) => u.spec.deliveredDay < START - 200)
    const u = world[device] as Unit
    const seasonOf = (days: number) =>
      new Map([
        [`${u.spec.region}/${u.spec.kind}`, new Set(Array.from({ length: days }, (_, i) => START + 10 + i))]
      ])
    // a season longer than engine oil's six months, and one of three weeks
    const long = new SeasonVisits(seasonOf(300))
    const short = new SeasonVisits(seasonOf(21))
    while (u.sim.day < START + 10) {
      long.note(world, u.sim.day)
      short.note(world, u.sim.day)
      liveOneDay(u)
    }
    const visit = (day: number, parts: string[], lastFit: number) => ({
      day,
      device,
      unit: u,
      parts,
      lastFit
    })
    const longAgo = u.spec.deliveredDay
    // fresh oil on the eve of the season would still be spent in it: some visit in it cannot be helped
    expect(long.classify(visit(START + 60, ['engine_oil'], longAgo))).toBe('short-life')
    // hydraulic oil (2,000 hours) fitted on the eve of a three-week season lasts through it
    expect(short.classify(visit(START + 20, ['hydraulic_oil'], longAgo))).toBe('avoidable')
    // one short-lived part in the visit is enough
    expect(long.classify(visit(START + 60, ['hydraulic_oil', 'engine_oil'], longAgo))).toBe('short-life')
    // a part fitted a week before the season
    expect(short.classify(visit(START + 20, ['hydraulic_oil'], START + 3))).toBe('fitted')
    // outside the season: not a season visit at all
    expect(short.classify(visit(START + 40, ['hydraulic_oil'], longAgo))).toBeUndefined()
    // a device delivered inside the season (an inspection)
    const late = world.findIndex((x) => x.spec.deliveredDay > START - 10)
    const lateUnit = world[late] as Unit
    const lateSeason = new SeasonVisits(
      new Map([
        [
          `${lateUnit.spec.region}/${lateUnit.spec.kind}`,
          new Set(Array.from({ length: 60 }, (_, i) => lateUnit.spec.deliveredDay - 5 + i))
        ]
      ])
    )
    expect(
      lateSeason.classify({
        day: lateUnit.spec.deliveredDay + 30,
        device: late,
        unit: lateUnit,
        parts: [],
        lastFit: lateUnit.spec.deliveredDay
      })
    ).toBe('delivered')
  })
})
