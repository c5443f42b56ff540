import { createHash } from 'node:crypto'
import { AppError } from '../../shared/index.js'
import type { SqlQueryable } from '../../stores/index.js'
import { SCORE, type Completion, type OrderStatus } from '../engine/order.js'
import { moveOrder } from './order-moves.js'

/** The same completion sent twice has the same digest (parts in any order). */
export function completionDigest(c: Completion): string {
  const canonical = {
    replacedParts: [...new Set(c.replacedParts)].sort(),
    firstVisitFix: c.firstVisitFix,
    scores: c.scores ?? null,
    complaint: c.complaint ?? null,
    note: c.note ?? null
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}

/**
 * Inside one transaction: the move to done (only from dispatched), the completion's fields, a part change
 * per replaced part, and the complaint made at the visit. An order already done with the same completion
 * is left as it is (true: a replay); with a different one it is refused.
 */
export async function completeOrder(
  tx: SqlQueryable,
  id: number,
  c: Completion,
  by: string | null,
  at: Date,
  partNumbers: Record<string, string> = {}
): Promise<boolean> {
  const digest = completionDigest(c)
  const { rows } = await tx.query<{ status: OrderStatus; completion_digest: string | null }>(
    'SELECT status, completion_digest FROM orders WHERE id = $1 FOR UPDATE',
    [id]
  )
  const current = rows[0]
  if (current?.status === 'done') {
    if (current.completion_digest === digest) return true
    throw new AppError('ORDER_TRANSITION', `order ${id} is already done, with a different completion`)
  }
  await moveOrder(tx, id, 'done', c.note ?? `completed${by ? ` by ${by}` : ''}`)
  const parts = [...new Set(c.replacedParts)]
  await tx.query(
    `UPDATE orders SET completed_at = $2, replaced_parts = $3, first_visit_fix = $4, score_timeliness = $5,
       score_quality = $6, score_attitude = $7, completion_note = $8, completed_by = $9, completion_digest = $10
     WHERE id = $1`,
    [
      id,
      at.toISOString(),
      JSON.stringify(parts),
      c.firstVisitFix,
      c.scores ? SCORE[c.scores.timeliness] : null,
      c.scores ? SCORE[c.scores.quality] : null,
      c.scores ? SCORE[c.scores.attitude] : null,
      c.note ?? null,
      by,
      digest
    ]
  )
  if (parts.length > 0)
    await tx.query(
      `INSERT INTO part_changes (order_id, device_id, part, changed_at)
       SELECT id, device_id, p, $3 FROM orders, unnest($2::text[]) AS p WHERE id = $1`,
      [id, parts, at.toISOString()]
    )
  // the replaced parts leave the outlet's shelf (those it holds), and what the order set aside is free again
  const used = parts.map((p) => partNumbers[p]).filter((n): n is string => n !== undefined)
  if (used.length > 0)
    await tx.query(
      `UPDATE outlet_stock s SET quantity = s.quantity - 1
         FROM orders o WHERE o.id = $1 AND s.outlet = o.outlet AND s.part_number = ANY($2::text[]) AND s.quantity > 0`,
      [id, used]
    )
  await tx.query('DELETE FROM stock_reservations WHERE order_id = $1', [id])
  if (c.complaint)
    await tx.query(
      `INSERT INTO complaints (order_id, device_id, outlet, received_at, category, text)
       SELECT id, device_id, outlet, $4, $2, $3 FROM orders WHERE id = $1`,
      [id, c.complaint.category, c.complaint.text, at.toISOString()]
    )
  return false
}
