import { describe, expect, it, vi } from 'vitest'
import { evaluate, type PolicyResult } from '../../app/evaluate/index.js'
import { defaultCatalogue } from '../../maintenance/index.js'

// counts the shipped pass's runs: the evaluation's engine row must come from it, not from a copy of it
const passes = vi.hoisted(() => ({ calls: 0 }))
vi.mock('../../maintenance/service/planning-pass.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../maintenance/service/planning-pass.js')>()
  return {
    ...real,
    runPlanningPass: (...args: Parameters<typeof real.runPlanningPass>) => {
      passes.calls++
      return real.runPlanningPass(...args)
    }
  }
})

const START = Math.floor(Date.UTC(2025, 0, 1) / 86400000)

describe('aftercare evaluate (closed loop over simulated time)', () => {
  const options = {
    seed: 3,
    devices: 30,
    days: 120,
    capacityPerOutlet: 4,
    purifierShare: 0.7,
    startDay: START
  }
  let results: PolicyResult[]
  const row = (name: string) => results.find((r) => r.policy.startsWith(name)) as PolicyResult

  it('when it runs, then the engine row comes from the shipped planning pass and service use cases, one pass a simulated day', async () => {
    results = await evaluate(options)
    expect(results.map((r) => r.policy)).toEqual([
      'fixed interval (rated months)',
      'counter reaches limit',
      "aftercare's engine (shipped pass)",
      'oracle (knows each true end)',
      'oracle keeping out of the seasons'
    ])
    const engine = row("aftercare's engine")
    // the measured days and the 60 days the policies run before them
    expect(passes.calls).toBe(options.days + 60)
    expect(engine.engine?.passes).toBe(passes.calls)
    expect(engine.engine?.ordersCreated).toBeGreaterThan(0)
    // every visit it made is an order a pass proposed and the service loop completed
    expect(engine.visits).toBeGreaterThan(0)
    expect(engine.visits).toBeLessThanOrEqual(engine.engine?.ordersCreated ?? 0)
    expect(engine.mape30).toBeGreaterThan(0)
  }, 120000)

  it('when the oracle runs on the same world, then it lets no part run out and throws away less life than any policy that changes parts before they end', () => {
    const best = row('oracle')
    expect(best.ranOut).toBe(0)
    expect(best.replacements).toBeGreaterThan(0)
    expect(best.lifeThrownAway).toBeGreaterThan(0)
    expect(best.lifeThrownAway).toBeLessThan(row('fixed').lifeThrownAway)
    expect(best.lifeThrownAway).toBeLessThan(row("aftercare's engine").lifeThrownAway)
  })

  it('when the oracle also keeps out of the busy seasons, then nothing runs out, none of its visits in a season could have come before, and it throws away at least what the plain oracle does', () => {
    const seasonal = row('oracle keeping')
    const plain = row('oracle (knows')
    expect(seasonal.ranOut).toBe(0)
    expect(seasonal.avoidableInPeak).toBe(0)
    expect(plain.avoidableInPeak).toBeGreaterThan(0)
    expect(seasonal.lifeThrownAway).toBeGreaterThan(plain.lifeThrownAway)
  })

  it('when visits fall inside a peak, then those that could have come before it are counted apart', () => {
    for (const r of results) {
      expect(r.avoidableInPeak).toBeGreaterThanOrEqual(0)
      expect(r.avoidableInPeak).toBeLessThanOrEqual(r.visitsInPeak)
    }
  })

  it("when each policy's service is priced, then it costs at least its visits at the cheaper kind's visit cost plus its replacements at the cheapest part's price", () => {
    const deviceYears = options.devices * (options.days / 365)
    const visit = Math.min(...Object.values(defaultCatalogue.visitCost))
    const part = Math.min(...defaultCatalogue.models.flatMap((m) => m.components.map((c) => c.price ?? 0)))
    expect(visit * part).toBeGreaterThan(0)
    for (const r of results)
      expect(r.costPerDeviceYear * deviceYears).toBeGreaterThanOrEqual(
        r.visits * visit + r.replacements * part - 1e-6
      )
  })

  it('when the counter policy orders at the limit, then its parts run out for their lead time: nearly every replacement was late', () => {
    const counter = row('counter')
    expect(counter.ranOut / counter.replacements).toBeGreaterThan(0.8)
  })

  it('when the shipped engine plans ahead and planners schedule its visits in time to order the parts, then few of its parts run out — far fewer than with either baseline', () => {
    const engine = row("aftercare's engine")
    expect(engine.ranOut).toBeLessThan(row('counter').ranOut / 5)
    expect(engine.ranOut).toBeLessThan(row('fixed').ranOut / 5)
    // a planning window shorter than a part's lead time never reached its visit: 3 of 47 ran out
    expect(engine.ranOut).toBeLessThanOrEqual(engine.replacements * 0.05)
  })

  it('when run twice with the same seed, then the results are identical', async () => {
    const again = await evaluate(options)
    const strip = (list: PolicyResult[]) => list.map((r) => ({ ...r }))
    expect(strip(again)).toEqual(strip(results))
  }, 120000)
})
