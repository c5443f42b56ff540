import type { Order, OrderStatus, OrderType } from '../engine/order.js'

/** The columns an `Order` is read from (dates as text: PGlite and pg return `date` differently). */
export const ORDER_COLUMNS = `id, device_id, type, status, outlet, to_char(visit_day, 'YYYY-MM-DD') AS visit_day,
  to_char(deadline, 'YYYY-MM-DD') AS deadline, parts, inspection, reason, created_at, at_risk,
  to_char(expected_run_out, 'YYYY-MM-DD') AS expected_run_out, completed_at, replaced_parts, first_visit_fix,
  score_timeliness, score_quality, score_attitude, completion_note, completed_by, catalogue_version, technician`

export interface OrderRow {
  id: string | number
  device_id: string
  type: OrderType
  status: OrderStatus
  outlet: string | null
  visit_day: string | null
  deadline: string | null
  parts: Order['parts'] | string
  inspection: number | null
  reason: string
  created_at: string | Date
  at_risk: boolean
  expected_run_out: string | null
  completed_at: string | Date | null
  replaced_parts: string[] | string | null
  first_visit_fix: boolean | null
  score_timeliness: number | null
  score_quality: number | null
  score_attitude: number | null
  completion_note: string | null
  completed_by: string | null
  catalogue_version: number | null
  technician: string | null
}

export function orderOf(r: OrderRow): Order {
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    type: r.type,
    status: r.status,
    outlet: r.outlet,
    visitDay: r.visit_day,
    deadline: r.deadline,
    parts: parseParts(r.parts),
    inspection: r.inspection,
    reason: r.reason,
    createdAt: new Date(r.created_at).toISOString(),
    atRisk: r.at_risk,
    expectedRunOut: r.expected_run_out,
    catalogueVersion: r.catalogue_version,
    technician: r.technician,
    completion:
      r.status === 'done' && r.completed_at !== null
        ? {
            replacedParts: parseJson<string[]>(r.replaced_parts) ?? [],
            firstVisitFix: r.first_visit_fix ?? false,
            scores:
              r.score_timeliness !== null && r.score_quality !== null && r.score_attitude !== null
                ? { timeliness: r.score_timeliness, quality: r.score_quality, attitude: r.score_attitude }
                : null,
            note: r.completion_note,
            completedAt: new Date(r.completed_at).toISOString(),
            by: r.completed_by
          }
        : null
  }
}

export function parseParts(value: Order['parts'] | string): Order['parts'] {
  return parseJson<Order['parts']>(value) ?? []
}

/** jsonb comes back parsed from pg and PGlite, but as text through some poolers: accept both. */
function parseJson<T>(value: T | string | null): T | null {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value
}
