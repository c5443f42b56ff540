import { AppError } from '../../shared/index.js'
import type { Migration, SqlClient } from '../../stores/index.js'
import type { OrderStatus } from '../engine/order.js'
import { checkMove, moveOrder } from './order-moves.js'

export interface Outlet {
  code: string
  regions: string[]
  capacityPerDay: number
  /** What a visit costs this outlet (the catalogue's `visitCost` for the device's kind when not set). */
  visitCost?: number | null
}

export const outletMigrations: Migration[] = [
  {
    id: '0006-outlets',
    sql: `
CREATE TABLE outlets (
  code text PRIMARY KEY,
  regions text[] NOT NULL,
  capacity_per_day int NOT NULL CHECK (capacity_per_day > 0)
);`
  },
  {
    // spare parts an outlet holds, and what scheduled orders have set aside (after the orders table)
    id: '0015-outlet-stock',
    sql: `
CREATE TABLE outlet_stock (
  outlet text NOT NULL REFERENCES outlets (code),
  part_number text NOT NULL,
  quantity int NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (outlet, part_number)
);
-- one unit of a part number set aside at an outlet for a scheduled or dispatched order
CREATE TABLE stock_reservations (
  order_id bigint NOT NULL REFERENCES orders (id),
  outlet text NOT NULL,
  part_number text NOT NULL,
  PRIMARY KEY (order_id, part_number)
);
CREATE INDEX stock_reservations_part ON stock_reservations (outlet, part_number);`
  },
  {
    id: '0016-outlet-visit-cost',
    sql: 'ALTER TABLE outlets ADD COLUMN visit_cost double precision CHECK (visit_cost >= 0);'
  }
]

/** What an outlet's open orders need of a part number in an ISO week, its stock, and what to order. */
export interface PartsDemand {
  week: string
  part: string
  partNumber: string
  quantity: number
  /** On the shelf now (set-aside units included: they serve these orders). */
  stock: number
  /** Units to order for this week: what the weeks up to it need beyond the stock, less what earlier weeks ordered. */
  reorder: number
}

/** A part number an outlet holds: on the shelf, set aside for scheduled visits, and free. */
export interface StockLine {
  partNumber: string
  quantity: number
  reserved: number
  available: number
}

/** Service outlets: which regions each covers and how many visits it can make a day. */
export class SqlOutletStore {
  constructor(private readonly db: SqlClient) {}

  async upsert(outlet: Outlet): Promise<Outlet> {
    await this.db.query(
      `INSERT INTO outlets (code, regions, capacity_per_day, visit_cost) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code) DO UPDATE SET regions = EXCLUDED.regions, capacity_per_day = EXCLUDED.capacity_per_day,
         visit_cost = EXCLUDED.visit_cost`,
      [outlet.code, outlet.regions, outlet.capacityPerDay, outlet.visitCost ?? null]
    )
    return outlet
  }

  /**
   * Visits planned per outlet and day (open orders: proposed, scheduled, dispatched) against each
   * outlet's capacity — `defaultCapacity` for an outlet the table does not list.
   */
  async load(
    from: string,
    to: string,
    defaultCapacity: number,
    outlet?: string
  ): Promise<{ outlet: string; day: string; visits: number; capacity: number }[]> {
    const { rows } = await this.db.query<{
      outlet: string
      day: string
      visits: number
      capacity: number | null
    }>(
      `SELECT o.outlet, to_char(o.visit_day, 'YYYY-MM-DD') AS day, count(*)::int AS visits, max(t.capacity_per_day) AS capacity
         FROM orders o LEFT JOIN outlets t ON t.code = o.outlet
        WHERE o.status IN ('proposed', 'scheduled', 'dispatched') AND o.outlet IS NOT NULL
          AND o.visit_day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR o.outlet = $3)
        GROUP BY o.outlet, o.visit_day ORDER BY o.outlet, o.visit_day`,
      [from, to, outlet ?? null]
    )
    return rows.map((r) => ({ ...r, capacity: r.capacity ?? defaultCapacity }))
  }

  /** Sets the quantities of the part numbers given (others stay as they are). */
  async setStock(outlet: string, quantities: Record<string, number>): Promise<StockLine[]> {
    const { rows } = await this.db.query('SELECT 1 FROM outlets WHERE code = $1', [outlet])
    if (rows.length === 0)
      throw new AppError(
        'NOT_FOUND',
        `no outlet ${outlet}; add it first: aftercare outlets add ${outlet} --regions …`
      )
    await this.db.query(
      `INSERT INTO outlet_stock (outlet, part_number, quantity)
       SELECT $1, key, value::int FROM jsonb_each_text($2::jsonb)
       ON CONFLICT (outlet, part_number) DO UPDATE SET quantity = EXCLUDED.quantity`,
      [outlet, JSON.stringify(quantities)]
    )
    return this.stock(outlet)
  }

  async stock(outlet: string): Promise<StockLine[]> {
    const { rows } = await this.db.query<{ part_number: string; quantity: number; reserved: number }>(
      `SELECT s.part_number, s.quantity,
              (SELECT count(*)::int FROM stock_reservations r WHERE r.outlet = s.outlet AND r.part_number = s.part_number) AS reserved
         FROM outlet_stock s WHERE s.outlet = $1 ORDER BY s.part_number`,
      [outlet]
    )
    return rows.map((r) => ({
      partNumber: r.part_number,
      quantity: r.quantity,
      reserved: r.reserved,
      available: Math.max(0, r.quantity - r.reserved)
    }))
  }

  /** Free units per outlet and part number (on the shelf, not set aside), for the planning pass. */
  async available(): Promise<Map<string, Map<string, number>>> {
    const { rows } = await this.db.query<{ outlet: string; part_number: string; free: number }>(
      `SELECT s.outlet, s.part_number,
              s.quantity - (SELECT count(*)::int FROM stock_reservations r WHERE r.outlet = s.outlet AND r.part_number = s.part_number) AS free
         FROM outlet_stock s`
    )
    const out = new Map<string, Map<string, number>>()
    for (const r of rows) {
      if (r.free <= 0) continue
      const parts = out.get(r.outlet) ?? new Map<string, number>()
      parts.set(r.part_number, r.free)
      out.set(r.outlet, parts)
    }
    return out
  }

  /**
   * The parts an outlet's open orders need, per ISO week of their visit day and part number, against
   * its free stock: a week's `reorder` is what the weeks up to it need beyond the free stock (no purchase
   * orders are tracked, so nothing is counted as on its way).
   */
  async demand(outlet: string): Promise<PartsDemand[]> {
    const { rows } = await this.db.query<{
      week: string
      part_number: string
      part: string
      quantity: number
    }>(
      `SELECT to_char(o.visit_day, 'IYYY-"W"IW') AS week, p->>'partNumber' AS part_number, p->>'part' AS part,
              count(*)::int AS quantity
         FROM orders o, jsonb_array_elements(o.parts) p
        WHERE o.outlet = $1 AND o.status IN ('proposed', 'scheduled', 'dispatched') AND o.visit_day IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 2`,
      [outlet]
    )
    const free = new Map((await this.stock(outlet)).map((s) => [s.partNumber, s.quantity]))
    const needed = new Map<string, number>()
    return rows.map((r) => {
      const upTo = (needed.get(r.part_number) ?? 0) + r.quantity
      needed.set(r.part_number, upTo)
      const stock = free.get(r.part_number) ?? 0
      return {
        week: r.week,
        part: r.part,
        partNumber: r.part_number,
        quantity: r.quantity,
        stock,
        reorder: Math.max(0, upTo - stock) - Math.max(0, upTo - r.quantity - stock)
      }
    })
  }

  async list(): Promise<Outlet[]> {
    const { rows } = await this.db.query<{
      code: string
      regions: string[]
      capacity_per_day: number
      visit_cost: number | null
    }>('SELECT code, regions, capacity_per_day, visit_cost FROM outlets ORDER BY code')
    return rows.map((r) => ({
      code: r.code,
      regions: r.regions,
      capacityPerDay: r.capacity_per_day,
      visitCost: r.visit_cost
    }))
  }

  /**
   * Dispatches a scheduled order: to the device's own outlet when it covers the region, is not
   * suspended and has room on the visit day; else to the least-loaded outlet of the region that has.
   * The move itself goes through the lifecycle's one check (`moveOrder`).
   */
  async dispatch(
    orderId: number,
    deviceRegion: string,
    suspended: ReadonlySet<string>
  ): Promise<{ outlet: string }> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{
        status: OrderStatus
        outlet: string | null
        visit_day: string | Date | null
        day: string | null
      }>(
        `SELECT status, outlet, visit_day, to_char(visit_day, 'YYYY-MM-DD') AS day FROM orders WHERE id = $1 FOR UPDATE`,
        [orderId]
      )
      // the lifecycle's own check first: a move it refuses says so before any outlet is sought
      checkMove(orderId, rows[0]?.status, 'dispatched')
      const order = rows[0] as (typeof rows)[number]
      const candidates = await tx.query<{ code: string; load: number; capacity_per_day: number }>(
        `SELECT o.code, o.capacity_per_day,
                (SELECT count(*)::int FROM orders x WHERE x.outlet = o.code AND x.status = 'dispatched' AND x.visit_day = $2::date) AS load
           FROM outlets o WHERE $1 = ANY(o.regions)`,
        [deviceRegion, order.visit_day]
      )
      const open = candidates.rows.filter((c) => !suspended.has(c.code) && c.load < c.capacity_per_day)
      const chosen =
        open.find((c) => c.code === order.outlet) ??
        open.sort((a, b) => a.load / a.capacity_per_day - b.load / b.capacity_per_day)[0]
      if (!chosen) {
        const day = order.day ?? 'the visit day'
        const codes = candidates.rows.map((c) => c.code)
        const stopped = codes.filter((c) => suspended.has(c))
        throw new AppError(
          'ORDER_TRANSITION',
          codes.length === 0
            ? `no outlet covers region ${deviceRegion}; add one: aftercare outlets add <code> --regions ${deviceRegion}`
            : stopped.length === codes.length
              ? `no outlet covering ${deviceRegion} may take dispatches: ${stopped.join(', ')} suspended this month`
              : `no outlet covering ${deviceRegion} has room on ${day} (${codes.join(', ')}${stopped.length > 0 ? `; suspended: ${stopped.join(', ')}` : ''}); move the visit or raise a capacity with aftercare outlets set`
        )
      }
      await moveOrder(tx, orderId, 'dispatched', `dispatched to ${chosen.code}`, { outlet: chosen.code })
      return { outlet: chosen.code }
    })
  }
}
