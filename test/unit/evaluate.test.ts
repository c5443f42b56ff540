import { describe, expect, it } from 'vitest'
import { evaluate } from '../../app/evaluate/index.js'

const START = Math.floor(Date.UTC(2025, 0, 1) / 86400000)

describe('evaluate (closed loop over simulated time)', () => {
  const options = {
    seed: 3,
    devices: 40,
    days: 240,
    capacityPerOutlet: 4,
    purifierShare: 0.7,
    startDay: START
  }
  const results = evaluate(options)
  const [fixed, counter, engine] = results

  it('when the three policies run on the same simulated fleet, then the engine lets far fewer parts run out than either baseline', () => {
    expect(results.map((r) => r.policy)).toEqual([
      'fixed interval (rated months)',
      'counter reaches limit',
      "aftercare's engine"
    ])
    expect(counter!.ranOut).toBeGreaterThan(20)
    expect(fixed!.ranOut).toBeGreaterThan(20)
    expect(engine!.ranOut).toBeLessThan(counter!.ranOut / 10)
    expect(engine!.ranOut).toBeLessThan(fixed!.ranOut / 10)
  })

  it('when the counter policy orders at the limit, then its parts run out for their lead time: nearly every replacement was late', () => {
    expect(counter!.ranOut / counter!.replacements).toBeGreaterThan(0.8)
  })

  it('when the engine plans, then it measures its 30-day forecast error and keeps fewer visits inside peak windows than the counter policy', () => {
    expect(engine!.mape30).toBeGreaterThan(0)
    expect(engine!.mape30).toBeLessThan(0.5)
    expect(engine!.visitsInPeak / engine!.visits).toBeLessThan(counter!.visitsInPeak / counter!.visits)
  })

  it('when run twice with the same seed, then the results are identical', () => {
    expect(evaluate(options)).toEqual(results)
  })
})
