import { AppError } from '../../shared/index.js'
import type { SqlClient } from '../../stores/index.js'
import {
  type Completion,
  type LiveOrder,
  type NewOrder,
  type Order,
  type OrderStatus,
  type OrderType
} from '../engine/order.js'
import { completeOrder } from './order-completion.js'
import { moveOrder } from './order-moves.js'
import { ORDER_COLUMNS, orderOf, parseParts, type OrderRow } from './order-rows.js'
import { reconcileProposed, type ProposedChanges } from './proposed-orders.js'

export interface OrderFilter {
  id?: number
  deviceId?: string
  status?: OrderStatus
  /** Any of these statuses (with `status`, either). */
  statuses?: readonly OrderStatus[]
  types?: readonly OrderType[]
  outlet?: string
  /** Visit days from and to (YYYY-MM-DD, inclusive). */
  from?: string
  to?: string
  /** Only orders flagged at risk (their part runs out before the visit). */
  atRisk?: boolean
  /** The page after this order (by visit day, orders without one last, then id). */
  after?: { visitDay: string | null; id: number }
  limit?: number
}

/** What people have committed a device to: the planner leaves these parts and inspections alone. */
export interface CommittedWork {
  /** Parts in a scheduled or dispatched order. */
  parts: Set<string>
  /** Inspections (months after delivery) scheduled, dispatched or done. */
  inspections: Set<number>
  /** The scheduled and dispatched orders with parts, to check they still come in time. */
  orders: { id: number; visitDay: string | null; parts: string[] }[]
}

/** A part change recorded by a completion. */
export interface PartChange {
  id: number
  orderId: number
  deviceId: string
  part: string
  changedAt: Date
}

/** Orders and their history in PostgreSQL. */
export interface OrderStore {
  /**
   * Brings the planner's still-proposed orders in line with a new plan, in one transaction: an order whose
   * work is proposed again keeps its id and takes the new day, deadline and reason (the change kept in its
   * history with `pass`); new work is added; work no longer proposed is cancelled with the reason.
   */
  reconcileProposed(
    deviceIds: readonly string[],
    orders: readonly NewOrder[],
    pass: string
  ): Promise<ProposedChanges>
  committedWork(): Promise<Map<string, CommittedWork>>
  /** Flags the committed orders now expected to be too late (and clears the flag of every other one). */
  markAtRisk(risks: readonly { id: number; expectedRunOut: string }[]): Promise<void>
  list(filter: OrderFilter): Promise<Order[]>
  /** How many orders the filter matches (all pages). */
  count(filter: OrderFilter): Promise<number>
  get(id: number): Promise<Order>
  /** Opens an order for a live cause unless one is open already; true when it was opened now. */
  openLive(order: LiveOrder): Promise<boolean>
  /** Moves an order along its lifecycle, with a history row; refuses a move the lifecycle does not allow. */
  /** Names who is to make an open order's visit. */
  assign(id: number, technician: string): Promise<void>
  /** `technician`: who is to make the visit (kept until another is named). */
  transition(id: number, to: OrderStatus, note: string, technician?: string): Promise<Order>
  /**
   * Moves a scheduled visit to another day (from `today` to its deadline), with a history row; a visit
   * moved before the day its part runs out is no longer at risk.
   */
  reschedule(id: number, visitDay: string, today: string, note: string, schedule?: boolean): Promise<Order>
  /**
   * Closes a dispatched order as done, with its part changes and any complaint, in one transaction. The
   * same completion again returns the done order (`replayed`); a different one is refused.
   */
  complete(
    id: number,
    completion: Completion,
    by: string | null,
    at: Date,
    /** Part id → part number (the model's): what the outlet's shelf loses. */
    partNumbers?: Record<string, string>
  ): Promise<{ order: Order; replayed: boolean }>
  /** Cancels the open, not yet dispatched order of a cause whose condition cleared; true when one was. */
  clearLive(deviceId: string, cause: string, note: string): Promise<boolean>
  /** Per device and part, the last change a completion recorded. */
  lastPartChanges(): Promise<Map<string, { part: string; day: number }[]>>
  /** Part changes not yet in the device's InfluxDB history, and marking them stored. */
  pendingPartChanges(limit?: number): Promise<PartChange[]>
  markPartChangesStored(ids: readonly number[]): Promise<void>
}

const DAY_MS = 86400000

export class SqlOrderStore implements OrderStore {
  constructor(private readonly db: SqlClient) {}

  reconcileProposed(deviceIds: readonly string[], orders: readonly NewOrder[], pass: string) {
    return this.db.transaction((tx) => reconcileProposed(tx, deviceIds, orders, pass))
  }

  async openLive(o: LiveOrder): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO orders (device_id, type, outlet, visit_day, deadline, reason, source, cause, promise_at)
       VALUES ($1, $2, $3, ($4::timestamptz AT TIME ZONE 'UTC')::date, ($4::timestamptz AT TIME ZONE 'UTC')::date,
               $5, 'live', $6, $4::timestamptz)
       ON CONFLICT (device_id, cause) WHERE cause IS NOT NULL AND status IN ('proposed', 'scheduled', 'dispatched') DO NOTHING
       RETURNING id`,
      [o.deviceId, o.type, o.outlet, o.promiseAt.toISOString(), o.reason, o.cause]
    )
    return rows.length > 0
  }

  async clearLive(deviceId: string, cause: string, note: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM orders WHERE device_id = $1 AND cause = $2 AND status IN ('proposed', 'scheduled')`,
        [deviceId, cause]
      )
      for (const r of rows) await moveOrder(tx, Number(r.id), 'cancelled', note)
      return rows.length > 0
    })
  }

  async assign(id: number, technician: string): Promise<void> {
    await this.db.query(
      `UPDATE orders SET technician = $2 WHERE id = $1 AND status IN ('proposed', 'scheduled', 'dispatched')`,
      [id, technician]
    )
  }

  async transition(id: number, to: OrderStatus, note: string, technician?: string): Promise<Order> {
    await this.db.transaction((tx) => moveOrder(tx, id, to, note, { technician }))
    return this.get(id)
  }

  /** Moves a scheduled visit (or, with `schedule`, a proposed one, scheduling it in the same step). */
  async reschedule(
    id: number,
    visitDay: string,
    today: string,
    note: string,
    schedule = false
  ): Promise<Order> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{
        status: OrderStatus
        visit_day: string | null
        deadline: string | null
      }>(
        `SELECT status, to_char(visit_day, 'YYYY-MM-DD') AS visit_day, to_char(deadline, 'YYYY-MM-DD') AS deadline
           FROM orders WHERE id = $1 FOR UPDATE`,
        [id]
      )
      const o = rows[0]
      if (!o) throw new AppError('ORDER_NOT_FOUND', `order ${id} does not exist`)
      const scheduling = schedule && o.status === 'proposed'
      if (o.status !== 'scheduled' && !scheduling)
        throw new AppError(
          'ORDER_TRANSITION',
          `order ${id} is ${o.status}; only a scheduled visit moves to another day${o.status === 'proposed' ? ' (schedule it first)' : ''}`
        )
      if (visitDay < today)
        throw new AppError('VISIT_DAY_INVALID', `order ${id}: ${visitDay} is before today (${today})`)
      if (o.deadline && visitDay > o.deadline)
        throw new AppError(
          'VISIT_DAY_INVALID',
          `order ${id}: ${visitDay} is after its deadline ${o.deadline}`
        )
      // the day is checked first: a refused move leaves the order as it was
      if (scheduling) await moveOrder(tx, id, 'scheduled', note)
      await tx.query(
        `UPDATE orders SET visit_day = $2::date, at_risk = at_risk AND NOT ($2::date < expected_run_out), updated_at = now() WHERE id = $1`,
        [id, visitDay]
      )
      await tx.query('INSERT INTO order_history (order_id, status, note) VALUES ($1, $2, $3)', [
        id,
        'scheduled',
        `visit day ${o.visit_day ?? '–'} → ${visitDay}${note ? `: ${note}` : ''}`
      ])
    })
    return this.get(id)
  }

  async complete(
    id: number,
    c: Completion,
    by: string | null,
    at: Date,
    partNumbers: Record<string, string> = {}
  ) {
    const replayed = await this.db.transaction((tx) => completeOrder(tx, id, c, by, at, partNumbers))
    return { order: await this.get(id), replayed }
  }

  async get(id: number): Promise<Order> {
    const [order] = await this.list({ id })
    if (!order) throw new AppError('ORDER_NOT_FOUND', `order ${id} does not exist`)
    return order
  }

  async committedWork(): Promise<Map<string, CommittedWork>> {
    const { rows } = await this.db.query<{
      id: string | number
      device_id: string
      status: OrderStatus
      parts: Order['parts'] | string
      inspection: number | null
      visit_day: string | null
    }>(
      `SELECT id, device_id, status, parts, inspection, to_char(visit_day, 'YYYY-MM-DD') AS visit_day FROM orders
        WHERE status IN ('scheduled', 'dispatched') OR (status = 'done' AND inspection IS NOT NULL)`
    )
    const out = new Map<string, CommittedWork>()
    for (const r of rows) {
      let work = out.get(r.device_id)
      if (!work) out.set(r.device_id, (work = { parts: new Set(), inspections: new Set(), orders: [] }))
      if (r.inspection !== null) work.inspections.add(r.inspection)
      if (r.status === 'done') continue
      const parts = parseParts(r.parts).map((p) => p.part)
      for (const p of parts) work.parts.add(p)
      if (parts.length > 0) work.orders.push({ id: Number(r.id), visitDay: r.visit_day, parts })
    }
    return out
  }

  async markAtRisk(risks: readonly { id: number; expectedRunOut: string }[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE orders SET at_risk = false, expected_run_out = NULL
          WHERE at_risk AND status IN ('scheduled', 'dispatched') AND NOT (id = ANY($1::bigint[]))`,
        [risks.map((r) => r.id)]
      )
      await tx.query(
        `UPDATE orders o SET at_risk = true, expected_run_out = t.day
           FROM jsonb_to_recordset($1::jsonb) AS t(id bigint, day date)
          WHERE o.id = t.id AND o.status IN ('scheduled', 'dispatched')`,
        [JSON.stringify(risks.map((r) => ({ id: r.id, day: r.expectedRunOut })))]
      )
    })
  }

  async list(filter: OrderFilter): Promise<Order[]> {
    const [where, params] = orderWhere(filter)
    const after = filter.after
      ? `AND (coalesce(visit_day, '9999-12-31'::date), id) > ($${params.length + 1}::date, $${params.length + 2}::bigint)`
      : ''
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${where} ${after}
       ORDER BY coalesce(visit_day, '9999-12-31'::date), id LIMIT $${params.length + (filter.after ? 3 : 1)}`,
      [
        ...params,
        ...(filter.after ? [filter.after.visitDay ?? '9999-12-31', filter.after.id] : []),
        filter.limit ?? 500
      ]
    )
    return rows.map(orderOf)
  }

  async count(filter: OrderFilter): Promise<number> {
    const [where, params] = orderWhere(filter)
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE ${where}`,
      params
    )
    return rows[0]?.n ?? 0
  }

  async lastPartChanges(): Promise<Map<string, { part: string; day: number }[]>> {
    const { rows } = await this.db.query<{ device_id: string; part: string; at: string | Date }>(
      'SELECT device_id, part, max(changed_at) AS at FROM part_changes GROUP BY device_id, part'
    )
    const out = new Map<string, { part: string; day: number }[]>()
    for (const r of rows) {
      const list = out.get(r.device_id) ?? []
      list.push({ part: r.part, day: Math.floor(new Date(r.at).getTime() / DAY_MS) })
      out.set(r.device_id, list)
    }
    return out
  }

  async pendingPartChanges(limit = 1000): Promise<PartChange[]> {
    const { rows } = await this.db.query<{
      id: string
      order_id: string
      device_id: string
      part: string
      changed_at: string | Date
    }>(
      'SELECT id, order_id, device_id, part, changed_at FROM part_changes WHERE NOT in_influx ORDER BY id LIMIT $1',
      [limit]
    )
    return rows.map((r) => ({
      id: Number(r.id),
      orderId: Number(r.order_id),
      deviceId: r.device_id,
      part: r.part,
      changedAt: new Date(r.changed_at)
    }))
  }

  async markPartChangesStored(ids: readonly number[]): Promise<void> {
    if (ids.length > 0)
      await this.db.query('UPDATE part_changes SET in_influx = true WHERE id = ANY($1::bigint[])', [ids])
  }
}

/** The WHERE clause of an order filter and its parameters ($1 … $n). */
function orderWhere(f: OrderFilter): [string, unknown[]] {
  const statuses = [...(f.statuses ?? []), ...(f.status ? [f.status] : [])]
  return [
    `($1::text IS NULL OR device_id = $1) AND ($2::text[] IS NULL OR status = ANY($2::text[]))
     AND ($3::text IS NULL OR outlet = $3) AND ($4::bigint IS NULL OR id = $4)
     AND ($5::text[] IS NULL OR type = ANY($5::text[]))
     AND ($6::date IS NULL OR visit_day >= $6::date) AND ($7::date IS NULL OR visit_day <= $7::date)
     AND ($8::boolean IS NULL OR at_risk = $8)`,
    [
      f.deviceId ?? null,
      statuses.length > 0 ? statuses : null,
      f.outlet ?? null,
      f.id ?? null,
      f.types && f.types.length > 0 ? [...f.types] : null,
      f.from ?? null,
      f.to ?? null,
      f.atRisk ?? null
    ]
  ]
}
