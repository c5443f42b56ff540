import type { SqlQueryable } from '../../stores/index.js'
import type { NewOrder } from '../engine/order.js'
import { reconcile } from '../engine/reconcile.js'
import { ORDER_COLUMNS, orderOf, type OrderRow } from './order-rows.js'

/** What a pass did to the proposed orders. */
export interface ProposedChanges {
  created: number
  /** Proposed again with a new day, deadline, parts or reason: same id; all but a new reason alone in its history. */
  updated: number
  /** Proposed again exactly as before. */
  unchanged: number
  /** No longer proposed: cancelled, with the reason in their history. */
  cancelled: number
}

/** Rows a statement carries at once (a pass over 100,000 devices proposes ~250,000 orders). */
const BATCH = 2000

/** The planner's proposed orders brought in line with a new plan, inside the caller's transaction. */
export async function reconcileProposed(
  tx: SqlQueryable,
  deviceIds: readonly string[],
  proposals: readonly NewOrder[],
  pass: string
): Promise<ProposedChanges> {
  const { rows } = await tx.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders
      WHERE status = 'proposed' AND source = 'plan' AND device_id = ANY($1::text[]) FOR UPDATE`,
    [deviceIds]
  )
  const existing = rows.map(orderOf)
  const { same, added, dropped } = reconcile(existing, proposals)
  const updates = same.flatMap(({ existing: e, proposal: p }) => {
    const changes = changesOf(e, p)
    if (
      changes.length === 0 &&
      e.reason === p.reason &&
      e.expectedRunOut === p.expectedRunOut &&
      e.catalogueVersion === (p.catalogueVersion ?? null)
    )
      return []
    // a reason alone moves with every new forecast (its dates), a catalogue version with every import: the
    // order takes them, its history does not
    return [
      { id: e.id, ...rowOf(p), note: changes.length > 0 ? `pass ${pass}: ${changes.join('; ')}` : null }
    ]
  })

  for (let i = 0; i < updates.length; i += BATCH) {
    const batch = JSON.stringify(updates.slice(i, i + BATCH))
    await tx.query(
      `UPDATE orders o SET type = t.type, outlet = t.outlet, visit_day = t.visit_day, deadline = t.deadline,
              parts = t.parts, inspection = t.inspection, reason = t.reason, at_risk = t.at_risk,
              expected_run_out = t.expected_run_out, catalogue_version = t.catalogue_version, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS t(id bigint, type text, outlet text, visit_day date, deadline date,
              parts jsonb, inspection int, reason text, at_risk boolean, expected_run_out date, catalogue_version int)
        WHERE o.id = t.id`,
      [batch]
    )
    await tx.query(
      `INSERT INTO order_history (order_id, status, note)
       SELECT id, 'proposed', note FROM jsonb_to_recordset($1::jsonb) AS t(id bigint, note text)
        WHERE note IS NOT NULL`,
      [batch]
    )
  }
  for (let i = 0; i < added.length; i += BATCH) {
    await tx.query(
      `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, parts, inspection, reason, at_risk,
         expected_run_out, catalogue_version)
       SELECT device_id, type, outlet, visit_day, deadline, parts, inspection, reason, at_risk, expected_run_out,
         catalogue_version
         FROM jsonb_to_recordset($1::jsonb) AS t(device_id text, type text, outlet text, visit_day date,
           deadline date, parts jsonb, inspection int, reason text, at_risk boolean, expected_run_out date,
           catalogue_version int)`,
      [JSON.stringify(added.slice(i, i + BATCH).map(rowOf))]
    )
  }
  for (let i = 0; i < dropped.length; i += BATCH) {
    const ids = dropped.slice(i, i + BATCH).map((e) => e.id)
    await tx.query(
      `UPDATE orders SET status = 'cancelled', updated_at = now() WHERE id = ANY($1::bigint[])`,
      [ids]
    )
    await tx.query(
      `INSERT INTO order_history (order_id, status, note) SELECT unnest($1::bigint[]), 'cancelled', $2`,
      [ids, `pass ${pass}: no longer proposed (its parts are committed elsewhere, changed, or no longer due)`]
    )
  }
  return {
    created: added.length,
    updated: updates.length,
    unchanged: same.length - updates.length,
    cancelled: dropped.length
  }
}

function rowOf(o: NewOrder) {
  return {
    device_id: o.deviceId,
    type: o.type,
    outlet: o.outlet,
    visit_day: o.visitDay,
    deadline: o.deadline,
    parts: o.parts,
    inspection: o.inspection,
    reason: o.reason,
    at_risk: o.atRisk,
    expected_run_out: o.expectedRunOut,
    catalogue_version: o.catalogueVersion ?? null
  }
}

/** What a planner would see move between the order as it was and as it is proposed now. */
function changesOf(was: NewOrder, now: NewOrder): string[] {
  const changes: string[] = []
  const moved = (what: string, a: unknown, b: unknown) => {
    if (a !== b) changes.push(`${what} ${String(a ?? '–')} → ${String(b ?? '–')}`)
  }
  moved('visit day', was.visitDay, now.visitDay)
  moved('deadline', was.deadline, now.deadline)
  moved('type', was.type, now.type)
  moved('outlet', was.outlet, now.outlet)
  moved(
    'parts',
    was.parts.map((p) => p.part).join(',') || 'none',
    now.parts.map((p) => p.part).join(',') || 'none'
  )
  moved('inspection', was.inspection, now.inspection)
  moved('late, runs out', was.expectedRunOut, now.expectedRunOut)
  return changes
}
