/** The work a planned order stands for: its device, the parts it changes, the inspection it does. */
export interface PlannedWork {
  deviceId: string
  parts: readonly { part: string }[]
  inspection: number | null
}

export interface Reconciled<E, P> {
  /** An order the pass proposed before that stands for the same work as a new proposal: kept, updated. */
  same: { existing: E; proposal: P }[]
  /** New work: a new order. */
  added: P[]
  /** Work the pass no longer proposes: cancelled. */
  dropped: E[]
}

/**
 * Pairs the orders a planning pass proposed before with what it proposes now, so that an order keeps its
 * id while its work stays the same and only its day, deadline or reason move. Per device: first the
 * exact same work (the same set of parts, or for a visit without parts the same inspection); then, of
 * what is left, the pairs that share the most parts (a part that joins or leaves a visit leaves it the same
 * visit) or the same inspection. Pure: the order store applies the answer in one transaction.
 */
export function reconcile<E extends PlannedWork, P extends PlannedWork>(
  existing: readonly E[],
  proposals: readonly P[]
): Reconciled<E, P> {
  const result: Reconciled<E, P> = { same: [], added: [], dropped: [] }
  const byDevice = new Map<string, { existing: E[]; proposals: P[] }>()
  const group = (id: string) => {
    let g = byDevice.get(id)
    if (!g) byDevice.set(id, (g = { existing: [], proposals: [] }))
    return g
  }
  for (const e of existing) group(e.deviceId).existing.push(e)
  for (const p of proposals) group(p.deviceId).proposals.push(p)

  for (const g of byDevice.values()) {
    const left = [...g.existing]
    const unmatched: P[] = []
    for (const p of g.proposals) {
      const i = left.findIndex((e) => workKey(e) === workKey(p))
      if (i < 0) unmatched.push(p)
      else result.same.push({ existing: left.splice(i, 1)[0] as E, proposal: p })
    }
    for (const p of unmatched) {
      let best = -1
      let bestScore = 0
      left.forEach((e, i) => {
        const score = likeness(e, p)
        if (score > bestScore) [best, bestScore] = [i, score]
      })
      if (best < 0) result.added.push(p)
      else result.same.push({ existing: left.splice(best, 1)[0] as E, proposal: p })
    }
    result.dropped.push(...left)
  }
  return result
}

/** The same work, exactly: the sorted parts, or the inspection for a visit without parts. */
export function workKey(w: PlannedWork): string {
  return w.parts.length > 0
    ? `parts:${w.parts
        .map((p) => p.part)
        .sort()
        .join(',')}`
    : `inspection:${w.inspection ?? '-'}`
}

/** How alike two pieces of work are: parts in common, and one more for the same inspection. */
function likeness(a: PlannedWork, b: PlannedWork): number {
  const parts = new Set(a.parts.map((p) => p.part))
  const shared = b.parts.filter((p) => parts.has(p.part)).length
  return shared + (a.inspection !== null && a.inspection === b.inspection ? 1 : 0)
}
