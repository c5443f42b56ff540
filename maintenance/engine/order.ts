/** What an order is and how it may move: the one place these names are declared. */

/** Visits the planning pass proposes. */
export const VISIT_TYPES = ['health_care', 'replacement', 'inspection'] as const
/** Every order type: the planned visits, and what live rules open (a grade-A fault, water quality, a leak). */
export const ORDER_TYPES = [...VISIT_TYPES, 'emergency', 'urgent'] as const
export const ORDER_STATUSES = ['proposed', 'scheduled', 'dispatched', 'done', 'cancelled'] as const

export type VisitType = (typeof VISIT_TYPES)[number]
export type OrderType = (typeof ORDER_TYPES)[number]
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/** Statuses of an order that is still to be carried out. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['proposed', 'scheduled', 'dispatched']
/** Statuses a person has committed to: a planning pass never rewrites these. */
export const COMMITTED_STATUSES: readonly OrderStatus[] = ['scheduled', 'dispatched']

/**
 * The order lifecycle: from each state, where it may go. Completion is from `dispatched` only: a
 * technician is sent before the job is done (on-site work without dispatch is dispatched first).
 */
export const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  proposed: ['scheduled', 'cancelled'],
  scheduled: ['dispatched', 'cancelled'],
  dispatched: ['done', 'cancelled'],
  done: [],
  cancelled: []
}

/** Customer scores A..E, stored as +2..−2. */
export const SCORE = { A: 2, B: 1, C: 0, D: -1, E: -2 } as const
export type ScoreLetter = keyof typeof SCORE

export const COMPLAINT_CATEGORIES = ['timeliness', 'quality', 'attitude', 'other'] as const
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number]

/** What the technician did and what the customer said at the visit. */
export interface Completion {
  replacedParts: string[]
  firstVisitFix: boolean
  scores?: { timeliness: ScoreLetter; quality: ScoreLetter; attitude: ScoreLetter }
  /** A complaint the customer made at the visit (later ones go to POST /orders/:id/complaints). */
  complaint?: { category: ComplaintCategory; text: string }
  note?: string
}

/** A done order's record of the visit. */
export interface CompletionRecord {
  replacedParts: string[]
  firstVisitFix: boolean
  scores: { timeliness: number; quality: number; attitude: number } | null
  note: string | null
  completedAt: string
  by: string | null
}

export interface Order {
  id: number
  deviceId: string
  type: OrderType
  status: OrderStatus
  outlet: string | null
  /** Planned visit day and the last acceptable day, YYYY-MM-DD. */
  visitDay: string | null
  deadline: string | null
  parts: { part: string; partNumber: string }[]
  inspection: number | null
  reason: string
  createdAt: string
  /**
   * Too late: its part is expected to run out on `expectedRunOut`, before the visit. A proposed order is
   * so when no day before that was possible (lead time, capacity); a scheduled or dispatched one when the
   * last pass found its booked day too late.
   */
  atRisk: boolean
  expectedRunOut: string | null
  /** The catalogue version the planning pass proposed it with (null: opened by a live rule or a person). */
  catalogueVersion: number | null
  /** Who is to make the visit, when a planner named one. */
  technician: string | null
  /** Set once the order is done. */
  completion: CompletionRecord | null
}

/** An order the planning pass proposes (`atRisk`: late already, its part runs out on `expectedRunOut`). */
export type NewOrder = Pick<
  Order,
  | 'deviceId'
  | 'type'
  | 'outlet'
  | 'visitDay'
  | 'deadline'
  | 'parts'
  | 'inspection'
  | 'reason'
  | 'atRisk'
  | 'expectedRunOut'
> & { catalogueVersion?: number | null }

/** An order a live rule opens: one per device and cause while it is open. */
export interface LiveOrder {
  deviceId: string
  cause: string
  type: OrderType
  outlet: string | null
  reason: string
  promiseAt: Date
}
