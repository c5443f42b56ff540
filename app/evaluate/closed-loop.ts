import { defaultCatalogue } from '../../maintenance/index.js'
import { counterLimit, fixedInterval, oracle, peakAwareOracle, VisitBook, type Policy } from './policies.js'
import { SeasonVisits, type SeasonVisit, type SeasonVisitClass } from './season-visits.js'
import { trueSeasons } from './seasons.js'
import { DEFAULT_SHIPPED_ENGINE, shippedEngine, type ShippedEngineStats } from './shipped-engine.js'
import { buildWorld, liveOneDay, replaceParts, type Unit } from './world.js'

export interface EvaluateOptions {
  seed: number
  devices: number
  days: number
  /** Visits each outlet can make a day. */
  capacityPerOutlet: number
  purifierShare: number
  /** First evaluated day (UTC day number); the fleet was delivered in the year before. */
  startDay: number
}

export interface PolicyResult {
  policy: string
  /** Parts that ran out (reached a limit) before they were replaced. */
  ranOut: number
  replacements: number
  /** Mean share of their true life that replaced parts still had (0 for a part that ran out). */
  lifeThrownAway: number
  visits: number
  /** Of the visits, those that changed no part (inspections). */
  inspections: number
  visitsInPeak: number
  /** Of those, visits that could have come before the peak (`SeasonVisits`). */
  avoidableInPeak: number
  /** The rest of them, by why they could not have come before. */
  unavoidableInPeak: Record<Exclude<SeasonVisitClass, 'avoidable'>, number>
  visitsPerDeviceYear: number
  /**
   * What the service cost a device a year at the catalogue's prices: each visit's cost for the device's
   * kind and each part changed (run-outs are counted apart, not priced).
   */
  costPerDeviceYear: number
  /** Visits beyond an outlet's daily capacity. */
  capacityOverruns: number
  /** Mean absolute percentage error of the 30-day usage forecasts made in the measured period, against true use (engine only). */
  mape30?: number
  /** The shipped engine's own account: passes run, orders its passes proposed. */
  engine?: ShippedEngineStats
}

/**
 * The closed loop: each day the simulated devices use water or hours, a
 * policy sees only what they report, the visits it booked are carried out
 * (replacing parts), and the ground truth records what really happened. Every
 * policy runs on an identical world (same seed): the two industry baselines,
 * aftercare's shipped engine (`runPlanningPass` and the service use cases over
 * real SQL stores), the oracle that knows each part's true end, and the same oracle keeping out of the
 * busy seasons (the least life any policy that makes no avoidable visit in them can throw away).
 */
export async function evaluate(options: EvaluateOptions): Promise<PolicyResult[]> {
  const engine = (world: readonly Unit[]) =>
    shippedEngine(world, { ...DEFAULT_SHIPPED_ENGINE, capacityPerOutlet: options.capacityPerOutlet })
  const results: PolicyResult[] = []
  const seasonAware = (world: readonly Unit[]) =>
    peakAwareOracle(
      trueSeasons(world, options.startDay - POLICY_WARM_UP_DAYS, options.startDay + options.days)
    )
  for (const policy of [fixedInterval, counterLimit, engine, oracle, seasonAware])
    results.push(await runPolicy(policy, options))
  return results
}

type PolicyOf =
  Policy | ((world: readonly Unit[]) => Policy | Promise<Policy & { stats?: ShippedEngineStats }>)

async function runPolicy(policyOf: PolicyOf, options: EvaluateOptions): Promise<PolicyResult> {
  const world = buildWorld(options.seed, options.devices, options.startDay, options.purifierShare)
  // parts of every age at the start, and the policy already running for a while (its orders in)
  warmUp(world, options.startDay - POLICY_WARM_UP_DAYS)
  const policy: Policy & { stats?: ShippedEngineStats } =
    typeof policyOf === 'function' ? await policyOf(world) : policyOf
  try {
    return await live(policy, world, options)
  } finally {
    await policy.close?.()
  }
}

async function live(
  policy: Policy & { stats?: ShippedEngineStats },
  world: Unit[],
  options: EvaluateOptions
): Promise<PolicyResult> {
  const book = new VisitBook()
  const end = options.startDay + options.days
  let ranOut = 0
  let visits = 0
  let inspections = 0
  let overruns = 0
  let cost = 0
  const thrown: number[] = []
  const seasons = new SeasonVisits(trueSeasons(world, options.startDay, end))
  const visitDays: SeasonVisit[] = []
  for (let today = options.startDay - POLICY_WARM_UP_DAYS; today < end; today++) {
    const counted = today >= options.startDay
    await policy.decide(world, today, book)
    if (!counted) {
      for (const [device, parts] of book.take(today))
        if (world[device]) replaceParts(world[device], [...parts], today)
      seasons.note(world, today)
      for (const u of world) if (u.sim.day === today) liveOneDay(u)
      continue
    }
    const perOutlet = new Map<string, number>()
    for (const [device, parts] of book.take(today)) {
      const u = world[device]
      if (!u) continue
      visits++
      if (parts.size === 0) inspections++
      visitDays.push({
        day: today,
        device,
        unit: u,
        parts: [...parts],
        lastFit: Math.max(u.spec.deliveredDay, ...[...parts].map((p) => u.fitted[p]?.day ?? -Infinity))
      })
      const n = (perOutlet.get(u.spec.outlet) ?? 0) + 1
      perOutlet.set(u.spec.outlet, n)
      if (n > options.capacityPerOutlet) overruns++
      cost += defaultCatalogue.visitCost[u.spec.kind]
      for (const p of parts) cost += u.components.find((c) => c.part === p)?.price ?? 0
      thrown.push(...replaceParts(u, [...parts], today))
    }
    seasons.note(world, today)
    // a device lives from its delivery day on
    for (const u of world) if (u.sim.day === today) ranOut += liveOneDay(u).ranOut.length
  }
  const unavoidable = { delivered: 0, fitted: 0, 'short-life': 0 }
  let inPeak = 0
  let avoidable = 0
  for (const v of visitDays) {
    const kind = seasons.classify(v)
    if (kind === undefined) continue
    inPeak++
    if (kind === 'avoidable') avoidable++
    else unavoidable[kind]++
  }
  return {
    policy: policy.name,
    ranOut,
    replacements: thrown.length,
    lifeThrownAway: thrown.length ? thrown.reduce((a, b) => a + b, 0) / thrown.length : 0,
    visits,
    inspections,
    visitsInPeak: inPeak,
    avoidableInPeak: avoidable,
    unavoidableInPeak: unavoidable,
    visitsPerDeviceYear: visits / (world.length * (options.days / 365)),
    costPerDeviceYear: cost / (world.length * (options.days / 365)),
    capacityOverruns: overruns,
    mape30: policy.mape?.(options.startDay),
    engine: policy.stats
  }
}

/** Days the policy runs before the measured period starts, so that it starts with its orders placed. */
const POLICY_WARM_UP_DAYS = 60

/** Before that, parts were changed the day they ran out (a clean start with parts of every age). */
function warmUp(world: readonly Unit[], startDay: number): void {
  for (const u of world) {
    while (u.sim.day < startDay) {
      liveOneDay(u)
      const spent = u.components.filter((c) => u.fitted[c.part]?.ranOut).map((c) => c.part)
      if (spent.length) replaceParts(u, spent, u.sim.day, true)
    }
  }
}
