import { AppError } from '../../shared/index.js'
import type { SqlClient } from '../../stores/index.js'

export type OrderType = 'health_care' | 'replacement' | 'inspection' | 'emergency' | 'urgent'
export type OrderStatus = 'proposed' | 'scheduled' | 'dispatched' | 'done' | 'cancelled'

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
}

/** An order a live rule opens: one per device and cause while it is open. */
export interface LiveOrder {
  deviceId: string
  cause: string
  type: OrderType
  outlet: string | null
  reason: string
  promiseAt: Date
}

export type NewOrder = Omit<Order, 'id' | 'status' | 'createdAt'>

/** The order lifecycle: from each state, where it may go. */
export const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  proposed: ['scheduled', 'cancelled'],
  scheduled: ['dispatched', 'cancelled'],
  dispatched: ['done', 'cancelled'],
  done: [],
  cancelled: []
}

/** Customer scores A..E, stored as +2..−2. */
export const SCORE = { A: 2, B: 1, C: 0, D: -1, E: -2 } as const

export interface Completion {
  replacedParts: string[]
  firstVisitFix: boolean
  scores?: { timeliness: keyof typeof SCORE; quality: keyof typeof SCORE; attitude: keyof typeof SCORE }
  /** A complaint the customer made at the visit (later ones go to POST /orders/:id/complaints). */
  complaint?: { category: 'timeliness' | 'quality' | 'attitude' | 'other'; text: string }
  note?: string
}

/** Orders and their history in PostgreSQL. */
export interface OrderStore {
  /**
   * Replaces the planner's still-proposed orders with a new plan, in one
   * transaction: running the same plan twice leaves the same orders.
   */
  replaceProposed(
    deviceIds: readonly string[],
    orders: readonly NewOrder[]
  ): Promise<{ removed: number; created: number }>
  /** Parts already in a scheduled or dispatched order, per device: the planner leaves them alone. */
  committedParts(): Promise<Map<string, Set<string>>>
  list(filter: {
    id?: number
    deviceId?: string
    status?: OrderStatus
    outlet?: string
    limit?: number
  }): Promise<Order[]>
  /** Opens an order for a live cause unless one is open already; true when it was opened now. */
  openLive(order: LiveOrder): Promise<boolean>
  /** Moves an order along its lifecycle, with a history row; refuses a move the lifecycle does not allow. */
  transition(id: number, to: OrderStatus, note: string): Promise<Order>
  /** Closes a dispatched order as done with what the technician did and what the customer said. */
  complete(id: number, completion: Completion): Promise<Order>
  /** Cancels the open, not yet dispatched order of a cause whose condition cleared; true when one was. */
  clearLive(deviceId: string, cause: string, note: string): Promise<boolean>
}

interface OrderRow {
  id: string | number
  device_id: string
  type: OrderType
  status: OrderStatus
  outlet: string | null
  visit_day: string | Date | null
  deadline: string | Date | null
  parts: Order['parts'] | string
  inspection: number | null
  reason: string
  created_at: string | Date
}

export class SqlOrderStore implements OrderStore {
  constructor(private readonly db: SqlClient) {}

  async replaceProposed(deviceIds: readonly string[], orders: readonly NewOrder[]) {
    return this.db.transaction(async (tx) => {
      const removed = await tx.query(
        `DELETE FROM orders WHERE status = 'proposed' AND source = 'plan' AND device_id = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = orders.id) RETURNING id`,
        [deviceIds]
      )
      // a statement per 2,000 orders, not per order: a pass over 100,000 devices proposes ~250,000
      for (let i = 0; i < orders.length; i += 2000) {
        const batch = orders.slice(i, i + 2000).map((o) => ({
          device_id: o.deviceId,
          type: o.type,
          outlet: o.outlet,
          visit_day: o.visitDay,
          deadline: o.deadline,
          parts: o.parts,
          inspection: o.inspection,
          reason: o.reason
        }))
        await tx.query(
          `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, parts, inspection, reason)
           SELECT device_id, type, outlet, visit_day, deadline, parts, inspection, reason
             FROM jsonb_to_recordset($1::jsonb) AS t(device_id text, type text, outlet text, visit_day date,
               deadline date, parts jsonb, inspection int, reason text)`,
          [JSON.stringify(batch)]
        )
      }
      return { removed: removed.rows.length, created: orders.length }
    })
  }

  async openLive(o: LiveOrder): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, reason, source, cause, promise_at)
       VALUES ($1, $2, $3, $4::date, $4::date, $5, 'live', $6, $4)
       ON CONFLICT (device_id, cause) WHERE cause IS NOT NULL AND status IN ('proposed', 'scheduled', 'dispatched') DO NOTHING
       RETURNING id`,
      [o.deviceId, o.type, o.outlet, o.promiseAt.toISOString(), o.reason, o.cause]
    )
    return rows.length > 0
  }

  async clearLive(deviceId: string, cause: string, note: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE orders SET status = 'cancelled', updated_at = now() WHERE device_id = $1 AND cause = $2 AND status IN ('proposed', 'scheduled') RETURNING id`,
        [deviceId, cause]
      )
      for (const r of rows)
        await tx.query(`INSERT INTO order_history (order_id, status, note) VALUES ($1, 'cancelled', $2)`, [
          r.id,
          note
        ])
      return rows.length > 0
    })
  }

  async transition(id: number, to: OrderStatus, note: string): Promise<Order> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ status: OrderStatus }>(
        'SELECT status FROM orders WHERE id = $1 FOR UPDATE',
        [id]
      )
      const from = rows[0]?.status
      if (!from) throw new AppError('ORDER_NOT_FOUND', `order ${id} does not exist`)
      if (!TRANSITIONS[from].includes(to)) {
        throw new AppError(
          'ORDER_TRANSITION',
          `order ${id} is ${from}; it can go to ${TRANSITIONS[from].join(', ') || 'nowhere'}, not ${to}`
        )
      }
      await tx.query('UPDATE orders SET status = $2, updated_at = now() WHERE id = $1', [id, to])
      await tx.query('INSERT INTO order_history (order_id, status, note) VALUES ($1, $2, $3)', [id, to, note])
    })
    return this.get(id)
  }

  async complete(id: number, c: Completion): Promise<Order> {
    await this.transition(id, 'done', c.note ?? 'completed')
    await this.db.query(
      `UPDATE orders SET completed_at = now(), replaced_parts = $2, first_visit_fix = $3, score_timeliness = $4, score_quality = $5, score_attitude = $6 WHERE id = $1`,
      [
        id,
        JSON.stringify(c.replacedParts),
        c.firstVisitFix,
        c.scores ? SCORE[c.scores.timeliness] : null,
        c.scores ? SCORE[c.scores.quality] : null,
        c.scores ? SCORE[c.scores.attitude] : null
      ]
    )
    if (c.complaint)
      await this.db.query(
        `INSERT INTO complaints (order_id, device_id, outlet, category, text) SELECT id, device_id, outlet, $2, $3 FROM orders WHERE id = $1`,
        [id, c.complaint.category, c.complaint.text]
      )
    return this.get(id)
  }

  private async get(id: number): Promise<Order> {
    const [order] = await this.list({ id })
    if (!order) throw new AppError('ORDER_NOT_FOUND', `order ${id} does not exist`)
    return order
  }

  async committedParts(): Promise<Map<string, Set<string>>> {
    const { rows } = await this.db.query<{ device_id: string; parts: Order['parts'] | string }>(
      `SELECT device_id, parts FROM orders WHERE status IN ('scheduled', 'dispatched')`
    )
    const out = new Map<string, Set<string>>()
    for (const r of rows) {
      const set = out.get(r.device_id) ?? new Set<string>()
      for (const p of parseParts(r.parts)) set.add(p.part)
      out.set(r.device_id, set)
    }
    return out
  }

  async list(filter: {
    id?: number
    deviceId?: string
    status?: OrderStatus
    outlet?: string
    limit?: number
  }): Promise<Order[]> {
    const { rows } = await this.db.query<OrderRow>(
      `SELECT id, device_id, type, status, outlet, visit_day, deadline, parts, inspection, reason, created_at FROM orders
       WHERE ($1::text IS NULL OR device_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR outlet = $3)
         AND ($5::bigint IS NULL OR id = $5)
       ORDER BY visit_day NULLS LAST, id LIMIT $4`,
      [
        filter.deviceId ?? null,
        filter.status ?? null,
        filter.outlet ?? null,
        filter.limit ?? 500,
        filter.id ?? null
      ]
    )
    return rows.map((r) => ({
      id: Number(r.id),
      deviceId: r.device_id,
      type: r.type,
      status: r.status,
      outlet: r.outlet,
      visitDay: day(r.visit_day),
      deadline: day(r.deadline),
      parts: parseParts(r.parts),
      inspection: r.inspection,
      reason: r.reason,
      createdAt: new Date(r.created_at).toISOString()
    }))
  }
}

function parseParts(value: Order['parts'] | string): Order['parts'] {
  return typeof value === 'string' ? (JSON.parse(value) as Order['parts']) : value
}

function day(value: string | Date | null): string | null {
  if (value === null) return null
  if (typeof value === 'string') return value.slice(0, 10)
  return `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`
}
