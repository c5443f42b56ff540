import { AppError } from '../../shared/index.js'
import type { SqlQueryable } from '../../stores/index.js'
import { COMMITTED_STATUSES, TRANSITIONS, type OrderStatus } from '../engine/order.js'

/**
 * Moves an order from its status to `to` inside a transaction, only as TRANSITIONS allows, with its
 * history row; `set` adds columns to change with it (`outlet` on dispatch). Every status change goes here.
 */
export async function moveOrder(
  tx: SqlQueryable,
  id: number,
  to: OrderStatus,
  note: string,
  set: { outlet?: string; technician?: string } = {}
): Promise<OrderStatus> {
  const { rows } = await tx.query<{ status: OrderStatus }>(
    'SELECT status FROM orders WHERE id = $1 FOR UPDATE',
    [id]
  )
  const from = rows[0]?.status
  checkMove(id, from, to)
  await tx.query(
    `UPDATE orders SET status = $2, outlet = COALESCE($3, outlet), technician = COALESCE($5, technician),
            at_risk = at_risk AND $2 = ANY($4::text[]), updated_at = now() WHERE id = $1`,
    [id, to, set.outlet ?? null, COMMITTED_STATUSES, set.technician ?? null]
  )
  await tx.query('INSERT INTO order_history (order_id, status, note) VALUES ($1, $2, $3)', [id, to, note])
  await moveStock(tx, id, to)
  return from
}

/**
 * What a move does to the outlet's spare parts, in the move's transaction: a scheduled or dispatched
 * order sets aside a unit of each of its part numbers its outlet has free (dispatch to another outlet
 * moves them there); a cancelled one gives them back. Completion takes them off the shelf (`completeOrder`).
 */
async function moveStock(tx: SqlQueryable, id: number, to: OrderStatus): Promise<void> {
  if (to !== 'scheduled' && to !== 'dispatched' && to !== 'cancelled') return
  await tx.query('DELETE FROM stock_reservations WHERE order_id = $1', [id])
  if (to === 'cancelled') return
  // the stock rows of these part numbers are locked, so two schedules at once cannot set aside one unit twice
  await tx.query(
    `SELECT 1 FROM outlet_stock s, orders o, jsonb_array_elements(o.parts) p
      WHERE o.id = $1 AND s.outlet = o.outlet AND s.part_number = p->>'partNumber' FOR UPDATE OF s`,
    [id]
  )
  await tx.query(
    `INSERT INTO stock_reservations (order_id, outlet, part_number)
     SELECT DISTINCT o.id, o.outlet, p->>'partNumber' FROM orders o, jsonb_array_elements(o.parts) p
      WHERE o.id = $1 AND o.outlet IS NOT NULL
        AND EXISTS (SELECT 1 FROM outlet_stock s WHERE s.outlet = o.outlet AND s.part_number = p->>'partNumber'
                     AND s.quantity > (SELECT count(*) FROM stock_reservations r
                                        WHERE r.outlet = s.outlet AND r.part_number = s.part_number))`,
    [id]
  )
}

/** Refuses a move the lifecycle does not allow, saying where the order can go; a missing order is 404. */
export function checkMove(
  id: number,
  from: OrderStatus | undefined,
  to: OrderStatus
): asserts from is OrderStatus {
  if (!from) throw new AppError('ORDER_NOT_FOUND', `order ${id} does not exist`)
  if (!TRANSITIONS[from].includes(to))
    throw new AppError(
      'ORDER_TRANSITION',
      `order ${id} is ${from}; it can go to ${TRANSITIONS[from].join(', ') || 'nowhere'}, not ${to}`
    )
}
