import type { DeviceKind } from '../../shared/index.js'
import type { Bundled } from './bundling.js'
import type { VisitType } from './order.js'
import type { LifeEstimate } from './remaining-life.js'

export interface PlanComponent {
  part: string
  partNumber: string
  leadTimeDays: number
  life: LifeEstimate
  /** The day the part was fitted: with its early end, the life it has in days. */
  fittedDay?: number
  /** The part's price (catalogue): with the visit's cost, what the life thrown away by changing it early is worth. */
  price?: number
  /** Taken from the outlet's stock: on hand at once, whatever the lead time. */
  fromStock?: boolean
  /**
   * False when a new part fitted the day before the coming peak would be spent inside it even at low use:
   * changing it before the peak saves no visit in it and only throws life away, so it is changed when
   * due, in the peak. Unknown (changed before the peak like any other) when absent.
   */
  outlastsPeak?: boolean
}

export interface PlanDevice {
  id: string
  kind: DeviceKind
  region: string
  outlet: string | null
  deliveredDay: number
  components: readonly PlanComponent[]
  /** Months-after-delivery inspections already done. */
  inspectionsDone?: readonly number[]
  /** What a visit to this device costs its outlet (catalogue): what a part joining another visit saves. */
  visitCost?: number
}

export interface PlanOptions {
  today: number
  /** How far ahead visits are planned, days (12 weeks). */
  horizonDays: number
  /**
   * Parts due within this many days of the first share its visit — when a part's price or the visit's
   * cost is not known; with both, a part joins when the visit it saves is worth more than its life thrown.
   */
  bundleDays: number
  /** Health-care visits are spread over this many days before the peak. */
  preSeasonDays: number
  inspectionMonths: readonly number[]
  /** Visits an outlet can make a day. */
  capacity: ReadonlyMap<string, number>
  /** The next occurrence of each busy season per `region/kind`, as UTC day numbers, soonest first. */
  peaks: ReadonlyMap<string, readonly Window[]>
}

export interface PlannedVisit {
  deviceId: string
  outlet: string
  region: string
  day: number
  type: VisitType
  parts: { part: string; partNumber: string }[]
  inspection?: number
  /** The last day the visit may take place; earliest: the first (parts need their lead time). */
  deadline: number
  earliest: number
  reason: string
  /** True when no day in its range had capacity: it was put on the least-loaded day anyway. */
  overrun: boolean
  /**
   * Set when the visit comes on or after the day one of its parts may run out (its lead time, or a full
   * outlet, left no day before): the order goes out at once, and the planner is told when it runs out.
   */
  late?: { runsOut: number }
  /** Set when the visit falls inside the peak it should have come before, and why it could not. */
  inPeak?: string
  /**
   * Parts that joined this visit ahead of their own deadline: how many (each a visit saved), the share of
   * their life in days thrown away, summed, and what that life was worth.
   */
  bundled?: Bundled
}

export interface Plan {
  visits: PlannedVisit[]
  /** Devices that need service but have no outlet to do it. */
  unassigned: { deviceId: string; reason: string }[]
  partsDemand: { region: string; week: string; part: string; partNumber: string; quantity: number }[]
}

export interface Window {
  start: number
  end: number
}
