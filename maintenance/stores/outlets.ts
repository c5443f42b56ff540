import { AppError } from '../../shared/index.js'
import type { Migration, SqlClient } from '../../stores/index.js'
import type { OrderStatus } from '../engine/order.js'
import { checkMove, moveOrder } from './order-moves.js'

export interface Outlet {
  code: string
  regions: string[]
  capacityPerDay: number
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
  }
]

/** Service outlets: which regions each covers and how many visits it can make a day. */
export class SqlOutletStore {
  constructor(private readonly db: SqlClient) {}

  async upsert(outlet: Outlet): Promise<Outlet> {
    await this.db.query(
      `INSERT INTO outlets (code, regions, capacity_per_day) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET regions = EXCLUDED.regions, capacity_per_day = EXCLUDED.capacity_per_day`,
      [outlet.code, outlet.regions, outlet.capacityPerDay]
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

  async list(): Promise<Outlet[]> {
    const { rows } = await this.db.query<{ code: string; regions: string[]; capacity_per_day: number }>(
      'SELECT code, regions, capacity_per_day FROM outlets ORDER BY code'
    )
    return rows.map((r) => ({ code: r.code, regions: r.regions, capacityPerDay: r.capacity_per_day }))
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
