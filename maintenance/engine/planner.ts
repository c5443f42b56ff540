import { addMonths } from './remaining-life.js'
import { isoOfDay } from './days.js'
import { cheapestGroups, thrownLife } from './bundling.js'
import { partsDemand } from './parts-demand.js'
import type { Plan, PlanComponent, PlanDevice, PlannedVisit, PlanOptions, Window } from './plan-types.js'

export type { Plan, PlanComponent, PlanDevice, PlannedVisit, PlanOptions } from './plan-types.js'

export const DEFAULT_PLAN_OPTIONS = {
  horizonDays: 84,
  bundleDays: 21,
  preSeasonDays: 28,
  inspectionMonths: [1, 3, 6, 12]
}

interface Draft extends Omit<PlannedVisit, 'day' | 'overrun' | 'late' | 'inPeak'> {
  /** The busy seasons no visit should fall in. */
  avoid: readonly Window[]
  /** The first day its parts can be on hand (lead time): no visit before it. */
  ready: number
  /** The earliest day any of its parts may run out. */
  runsOut: number
  /** The peak its visit may fall in, because these parts (a new one, or the one fitted for it) would not last through it. */
  shortOfPeak?: { window: Window; parts: string[] }
}

/**
 * Plans visits, pure: an order before each part's earliest depletion (minus
 * lead time); before a peak window, one health-care visit that replaces every
 * part that would not last through the peak and does the due inspection;
 * parts due close together share a visit; visits are spread within each
 * outlet's daily capacity, pushed earlier when full, never into the peak.
 */
export function plan(devices: readonly PlanDevice[], options: PlanOptions): Plan {
  const drafts: Draft[] = []
  const unassigned: Plan['unassigned'] = []
  const { today } = options
  const end = today + options.horizonDays
  for (const device of devices) {
    const own = draftsFor(device, options, end)
    if (own.length > 0 && !device.outlet) {
      unassigned.push({ deviceId: device.id, reason: 'no outlet covers this device' })
      continue
    }
    drafts.push(...own)
  }

  // most urgent first; each takes the least-loaded allowed day (later on ties), earlier when full
  drafts.sort((a, b) => a.deadline - b.deadline || a.deviceId.localeCompare(b.deviceId))
  const load = new Map<string, number>()
  const used = (outlet: string, day: number) => load.get(`${outlet}/${day}`) ?? 0
  const visits: PlannedVisit[] = drafts.map((d) => {
    const capacity = options.capacity.get(d.outlet) ?? 0
    const allowed: number[] = []
    for (let day = d.deadline; day >= d.earliest; day--) if (!inside(day, d.avoid)) allowed.push(day)
    // the preferred days all lie inside the peak: the latest day before it on which the parts are on hand
    for (let day = d.earliest - 1; allowed.length === 0 && day >= d.ready; day--)
      if (!inside(day, d.avoid)) allowed.push(day)
    let inPeak: string | undefined
    if (allowed.length === 0) {
      for (let day = d.deadline; day >= Math.max(d.earliest, d.ready); day--) allowed.push(day)
      if (allowed.length === 0) allowed.push(Math.max(d.earliest, d.ready))
      const season = d.avoid.find((w) => w.end >= Math.max(d.earliest, d.ready))
      inPeak = `inside the ${d.region} peak (${iso(season?.start ?? NaN)} – ${iso(season?.end ?? NaN)}): no day before it once the parts are on hand (${iso(d.ready)})`
    }
    let best: number | undefined
    for (const day of allowed)
      if (
        used(d.outlet, day) < capacity &&
        (best === undefined || used(d.outlet, day) < used(d.outlet, best))
      )
        best = day
    let overrun = false
    if (best === undefined) {
      // full everywhere it may go: earlier still (never before its parts are on hand), else the least-loaded day anyway
      for (let day = Math.min(...allowed) - 1; day >= d.ready && best === undefined; day--) {
        if (!inside(day, d.avoid) && used(d.outlet, day) < capacity) best = day
      }
      if (best === undefined) {
        overrun = true
        best = allowed.reduce((a, b) => (used(d.outlet, b) < used(d.outlet, a) ? b : a))
      }
    }
    const short = d.shortOfPeak
    if (short && inside(best, [short.window]))
      inPeak = `inside the ${d.region} peak (${iso(short.window.start)} – ${iso(short.window.end)}): ${short.parts.join(', ')} would not last through it`
    load.set(`${d.outlet}/${best}`, used(d.outlet, best) + 1)
    const { avoid: _avoid, ready: _ready, runsOut, shortOfPeak: _short, ...visit } = d
    return {
      ...visit,
      day: best,
      overrun,
      ...(best >= runsOut ? { late: { runsOut } } : {}),
      ...(inPeak ? { inPeak } : {})
    }
  })
  visits.sort((a, b) => a.day - b.day || a.deviceId.localeCompare(b.deviceId))
  return { visits, unassigned, partsDemand: partsDemand(visits) }
}

function draftsFor(device: PlanDevice, options: PlanOptions, end: number): Draft[] {
  const { today } = options
  const outlet = device.outlet ?? ''
  const seasons = options.peaks.get(`${device.region}/${device.kind}`) ?? []
  const upcomingPeak = seasons.find((p) => p.start > today && p.start <= end)
  const drafts: Draft[] = []
  const base = { deviceId: device.id, outlet, region: device.region }
  const runsOut = (parts: readonly PlanComponent[]) => Math.min(...parts.map((c) => c.life.earliestDay))
  // a part is on hand after its lead time, and no sooner than the device is delivered (a device registered
  // ahead of its delivery has nothing to service before it)
  const lead = (c: PlanComponent) => Math.max(today + 1 + c.leadTimeDays, device.deliveredDay)
  const deadlineOf = (c: PlanComponent) => c.life.earliestDay - 1
  let pending = device.components.filter((c) => deadlineOf(c) <= end)
  const inspections = options.inspectionMonths
    .filter((m) => !(device.inspectionsDone ?? []).includes(m))
    .map((m) => ({ months: m, due: addMonths(device.deliveredDay, m) }))
    // one due inside a season that starts within the horizon is planned now: before the season (with the
    // health-care visit when there is one), not found only once the season has begun
    .filter(
      (i) =>
        i.due >= today - 30 && (i.due <= end || seasons.some((p) => p.start <= end && inside(i.due, [p])))
    )

  // why a part that may end inside the coming peak is changed when due, in it, rather than before it:
  // a new one would not last through it; or it was changed for this peak, in the weeks before it, and
  // still may not — a new one would not either, so another change before the peak would throw away all
  // but the days since, and the next pass would come back for the new one
  const shortOfPeak = (c: PlanComponent): string | undefined => {
    if (!upcomingPeak || deadlineOf(c) > upcomingPeak.end) return undefined
    if (c.outlastsPeak === false) return `a new ${c.part}`
    if (c.fittedDay !== undefined && c.fittedDay >= upcomingPeak.start - options.preSeasonDays)
      return `the ${c.part} fitted ${iso(c.fittedDay)}`
    return undefined
  }

  if (upcomingPeak) {
    // every part that would not last through the peak is changed before it, in one visit; a part whose
    // lead time would make that visit late for another part gets its own visit instead
    // (its last day of use, the day before its early end, falls before the peak is over)
    const wornOut = device.components.filter((c) => deadlineOf(c) <= upcomingPeak.end && !shortOfPeak(c))
    const visitBy = Math.min(upcomingPeak.start - 1, ...wornOut.map(deadlineOf))
    const through = wornOut.filter((c) => lead(c) <= Math.max(visitBy, Math.min(...wornOut.map(lead))))
    if (through.length > 0) {
      const inspection = inspections.find((i) => i.due <= upcomingPeak.end)
      const ready = Math.max(...through.map(lead)) // every part on hand
      const deadline = Math.max(ready, Math.min(upcomingPeak.start - 1, ...through.map(deadlineOf)))
      drafts.push({
        ...base,
        type: 'health_care',
        parts: through.map(({ part, partNumber }) => ({ part, partNumber })),
        inspection: inspection?.months,
        deadline,
        earliest: Math.min(deadline, Math.max(ready, upcomingPeak.start - options.preSeasonDays)),
        reason: `before the ${device.region} peak from ${iso(upcomingPeak.start)}: ${through.map((c) => `${c.part} (earliest end ${iso(c.life.earliestDay)})`).join(', ')}`,
        avoid: seasons,
        ready,
        runsOut: runsOut(through)
      })
      pending = pending.filter((c) => !through.includes(c))
      if (inspection) inspections.splice(inspections.indexOf(inspection), 1)
    }
  }

  // the rest: with prices and the visit's cost, the cheapest sharing of visits; without, what falls due
  // within bundleDays of the first
  pending.sort((a, b) => deadlineOf(a) - deadlineOf(b))
  const priced = cheapestGroups(pending, deadlineOf, lead, device.visitCost)
  while (pending.length > 0) {
    const first = pending[0] as PlanComponent
    // a part joins the first one's visit when it falls due soon after and the visit still has a day on
    // which every part in it is on hand and none is past its own deadline: a bundle never delays a part
    // (a part already too late for its lead time goes alone, and nothing joins it)
    const group = priced?.find((g) => g[0] === first) ?? [first]
    const bundled = { parts: 0, lifeShare: 0, value: 0, visitValue: 0 }
    for (const c of priced ? [] : pending.slice(1)) {
      if (deadlineOf(c) > deadlineOf(first) + options.bundleDays) break
      const withIt = [...group, c]
      if (Math.max(...withIt.map(lead)) <= Math.min(...withIt.map(deadlineOf))) group.push(c)
    }
    for (const c of group.slice(1)) {
      const early = deadlineOf(c) - deadlineOf(first)
      const thrown = thrownLife(c, early, device.visitCost)
      if (early <= 0) continue
      bundled.parts++
      bundled.lifeShare += thrown?.share ?? 0
      bundled.value += thrown?.value ?? 0
      bundled.visitValue += device.visitCost ?? 0
    }
    pending = pending.filter((c) => !group.includes(c))
    const earliest = Math.max(...group.map(lead))
    const deadline = Math.max(deadlineOf(first), earliest)
    const short = group.flatMap((c) => shortOfPeak(c) ?? [])
    const inspection = inspections.find((i) => Math.abs(i.due - deadline) <= options.bundleDays)
    if (inspection) inspections.splice(inspections.indexOf(inspection), 1)
    drafts.push({
      ...base,
      type: 'replacement',
      parts: group.map(({ part, partNumber }) => ({ part, partNumber })),
      inspection: inspection?.months,
      deadline,
      earliest: Math.min(deadline, Math.max(earliest, deadline - options.bundleDays)),
      reason: group
        .map(
          (c) =>
            `${c.part} due ${iso(c.life.dueDay)} by ${c.life.by} (earliest ${iso(c.life.earliestDay)})${c.fromStock ? ', from the outlet’s stock' : ''}`
        )
        .join(', '),
      avoid: short.length > 0 ? seasons.filter((w) => w !== upcomingPeak) : seasons,
      ready: earliest,
      runsOut: runsOut(group),
      ...(upcomingPeak && short.length > 0 ? { shortOfPeak: { window: upcomingPeak, parts: short } } : {}),
      ...(bundled.parts > 0 ? { bundled } : {})
    })
  }

  for (const i of inspections) {
    drafts.push({
      ...base,
      type: 'inspection',
      parts: [],
      inspection: i.months,
      deadline: Math.max(today + 1, i.due + 14),
      earliest: Math.max(today + 1, i.due - 14),
      reason: `routine inspection ${i.months} months after delivery (${iso(i.due)})`,
      avoid: seasons,
      ready: today + 1,
      runsOut: Infinity
    })
  }
  return drafts
}

function inside(day: number, windows: readonly Window[]): boolean {
  return windows.some((w) => day >= w.start && day <= w.end)
}

function iso(day: number): string {
  return Number.isFinite(day) ? isoOfDay(day) : 'never'
}
