import type { PlanComponent } from './planner.js'

/** What a visit's early parts cost and saved: parts joined, their thrown life shares summed, its worth, the visits' worth. */
export interface Bundled {
  parts: number
  lifeShare: number
  value: number
  visitValue: number
}

/**
 * What changing a part `early` days before its own deadline throws away: that share of its life in days
 * (fit to early end) and its worth. The worth is that share of a whole cycle of the part, its price and a
 * visit: the change brings the next one forward, and every one after it. A part that joins visits this
 * early every time is bought 1 / (1 − share) times as often and needs no visit of its own; going alone, it
 * is bought once a life and needs a visit each time — so joining pays while share × (price + visit) stays
 * under the visit it saves. Priced at the part alone, a filter worth a third of a visit joined at any share
 * of its life. Undefined when the price or the visit's cost is not known (the fixed `bundleDays` rule
 * applies) or the part's life is not known.
 */
export function thrownLife(
  c: PlanComponent,
  early: number,
  visitCost: number | undefined
): { share: number; value: number } | undefined {
  if (c.price === undefined || visitCost === undefined || c.fittedDay === undefined) return undefined
  const life = c.life.earliestDay - 1 - c.fittedDay
  if (!Number.isFinite(life)) return undefined
  const share = Math.min(1, Math.max(0, early) / Math.max(1, life))
  return { share, value: share * (c.price + visitCost) }
}

/**
 * Parts changed at another part's visit ahead of their own deadline (each a visit saved), the mean share
 * of their life in days thrown away, and what that life and the visits saved were worth.
 */
export interface BundlingSummary {
  visitsSaved: number
  meanLifeThrown: number
  lifeValueThrown: number
  visitValueSaved: number
}

export function bundlingSummary(visits: readonly { bundled?: Bundled }[]): BundlingSummary {
  const sum = { parts: 0, lifeShare: 0, value: 0, visitValue: 0 }
  for (const v of visits) {
    if (!v.bundled) continue
    sum.parts += v.bundled.parts
    sum.lifeShare += v.bundled.lifeShare
    sum.value += v.bundled.value
    sum.visitValue += v.bundled.visitValue
  }
  const round = (x: number) => Math.round(x * 100) / 100
  return {
    visitsSaved: sum.parts,
    meanLifeThrown: sum.parts ? round(sum.lifeShare / sum.parts) : 0,
    lifeValueThrown: round(sum.value),
    visitValueSaved: round(sum.visitValue)
  }
}

/**
 * The cheapest way to share visits among parts due in the planning horizon (sorted by deadline), when
 * every price and the visit's cost are known: consecutive runs of parts, each run one visit on its first
 * part's deadline, costing a visit plus the life the later parts of the run throw away — the partition
 * with the least total cost (a small dynamic programme: a device has a handful of parts). A run is
 * allowed only when every part in it is on hand by the earliest deadline in it (a bundle never delays a
 * part). Undefined when a price, a fitted day or the visit's cost is missing.
 */
export function cheapestGroups(
  parts: readonly PlanComponent[],
  deadlineOf: (c: PlanComponent) => number,
  lead: (c: PlanComponent) => number,
  visitCost: number | undefined
): PlanComponent[][] | undefined {
  if (visitCost === undefined) return undefined
  const n = parts.length
  const best: number[] = [0]
  const from: number[] = [0]
  for (let j = 1; j <= n; j++) {
    best[j] = Infinity
    for (let i = j; i >= 1; i--) {
      const run = parts.slice(i - 1, j)
      const first = run[0] as PlanComponent
      if (run.length > 1 && Math.max(...run.map(lead)) > Math.min(...run.map(deadlineOf))) continue
      let cost = visitCost
      for (const c of run.slice(1)) {
        const thrown = thrownLife(c, deadlineOf(c) - deadlineOf(first), visitCost)
        if (!thrown) return undefined
        cost += thrown.value
      }
      if ((best[i - 1] ?? Infinity) + cost < (best[j] ?? Infinity)) {
        best[j] = (best[i - 1] ?? Infinity) + cost
        from[j] = i - 1
      }
    }
  }
  const groups: PlanComponent[][] = []
  for (let j = n; j > 0; j = from[j] ?? 0) groups.unshift(parts.slice(from[j] ?? 0, j))
  return groups
}
