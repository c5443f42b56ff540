import { describe, expect, it } from 'vitest'
import { couldComeBefore } from '../../app/evaluate/closed-loop.js'
import { ForecastCheck } from '../../app/evaluate/shipped-engine.js'
import { buildWorld, liveOneDay, trueUse, type Unit } from '../../app/evaluate/world.js'
import type { EngineOutputs, PlannedDevice } from '../../maintenance/index.js'
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

  it('when a visit falls inside a season, then it could have come before unless a part — or the device — went in shortly before the season or in it', () => {
    const season = new Set(Array.from({ length: 60 }, (_, i) => START + 100 + i))
    const inside = START + 120
    // a part fitted months before: it could have been changed before the season
    expect(couldComeBefore({ day: inside, lastFit: START }, season)).toBe(true)
    // fitted a week before the season: unavoidable
    expect(couldComeBefore({ day: inside, lastFit: START + 93 }, season)).toBe(false)
    // an inspection of a device delivered in the season (its delivery day as the fit): unavoidable — it
    // was counted as one that could have come before
    expect(couldComeBefore({ day: inside, lastFit: START + 105 }, season)).toBe(false)
    expect(couldComeBefore({ day: START + 50, lastFit: START }, season)).toBe(false)
  })
})
