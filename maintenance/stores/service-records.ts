import { AppError } from '../../shared/index.js'
import type { SqlClient } from '../../stores/index.js'
import type { ComplaintCategory } from '../engine/order.js'

export interface Complaint {
  id: number
  orderId: number
  deviceId: string
  /** The outlet that did (or was to do) the job: the one the complaint counts against. */
  outlet: string | null
  receivedAt: string
  category: ComplaintCategory
  text: string
}

/** A part that reached its limit before it was replaced. */
export interface PartRunOut {
  deviceId: string
  part: string
  /** YYYY-MM-DD the part was fitted: one run-out per fitted part. */
  fittedDay: string
  limitBy: string
  detectedAt: string
  /** The outlet that held a scheduled or dispatched order for it; null when no outlet had one (not charged). */
  outlet: string | null
}

/** Complaints and part run-outs: the records behind the complaint and omission KPIs. */
export class SqlServiceRecords {
  constructor(private readonly db: SqlClient) {}

  /** Records a customer's complaint about an order, counted against the order's outlet. */
  async addComplaint(
    orderId: number,
    c: { category: ComplaintCategory; text: string; receivedAt?: Date }
  ): Promise<Complaint> {
    const { rows } = await this.db.query<ComplaintRow>(
      `INSERT INTO complaints (order_id, device_id, outlet, received_at, category, text)
       SELECT id, device_id, outlet, $2, $3, $4 FROM orders WHERE id = $1
       RETURNING id, order_id, device_id, outlet, received_at, category, text`,
      [orderId, (c.receivedAt ?? new Date()).toISOString(), c.category, c.text]
    )
    const row = rows[0]
    if (!row) throw new AppError('ORDER_NOT_FOUND', `order ${orderId} does not exist`)
    return complaintOf(row)
  }

  async complaints(filter: { outlet?: string; month?: string } = {}): Promise<Complaint[]> {
    const { rows } = await this.db.query<ComplaintRow>(
      `SELECT id, order_id, device_id, outlet, received_at, category, text FROM complaints
        WHERE ($1::text IS NULL OR outlet = $1)
          AND ($2::text IS NULL OR to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM') = $2)
        ORDER BY received_at, id LIMIT 5000`,
      [filter.outlet ?? null, filter.month ?? null]
    )
    return rows.map(complaintOf)
  }

  /** Records run-outs once per fitted part (a later pass finding the same one changes nothing); returns how many were new. */
  async recordRunOuts(runOuts: readonly PartRunOut[]): Promise<number> {
    let added = 0
    for (const r of runOuts) {
      const { rows } = await this.db.query(
        `INSERT INTO part_run_outs (device_id, part, fitted_day, limit_by, detected_at, outlet)
         VALUES ($1, $2, $3::date, $4, $5, $6)
         ON CONFLICT (device_id, part, fitted_day) DO NOTHING RETURNING id`,
        [r.deviceId, r.part, r.fittedDay, r.limitBy, r.detectedAt, r.outlet]
      )
      added += rows.length
    }
    return added
  }

  async runOuts(filter: { month?: string } = {}): Promise<PartRunOut[]> {
    const { rows } = await this.db.query<{
      device_id: string
      part: string
      fitted_day: string | Date
      limit_by: string
      detected_at: string | Date
      outlet: string | null
    }>(
      `SELECT device_id, part, to_char(fitted_day, 'YYYY-MM-DD') AS fitted_day, limit_by, detected_at, outlet FROM part_run_outs
        WHERE ($1::text IS NULL OR to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-MM') = $1)
        ORDER BY detected_at, id LIMIT 5000`,
      [filter.month ?? null]
    )
    return rows.map((r) => ({
      deviceId: r.device_id,
      part: r.part,
      fittedDay: String(r.fitted_day),
      limitBy: r.limit_by,
      detectedAt: new Date(r.detected_at).toISOString(),
      outlet: r.outlet
    }))
  }
}

interface ComplaintRow {
  id: string | number
  order_id: string | number
  device_id: string
  outlet: string | null
  received_at: string | Date
  category: ComplaintCategory
  text: string
}

function complaintOf(r: ComplaintRow): Complaint {
  return {
    id: Number(r.id),
    orderId: Number(r.order_id),
    deviceId: r.device_id,
    outlet: r.outlet,
    receivedAt: new Date(r.received_at).toISOString(),
    category: r.category,
    text: r.text
  }
}
