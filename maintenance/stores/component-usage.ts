import type { SqlClient } from '../../stores/index.js'
import { dayOfIso, isoOfDay } from '../engine/days.js'

/**
 * A part's use before the planning window: from its fit day up to `throughDay`, summed while those days
 * were still read. A part fitted before the window keeps a complete count however old it is.
 */
export interface CarriedUse {
  fittedDay: number
  used: number
  throughDay: number
}

export interface ComponentUsageStore {
  /** Per device, per part. */
  load(): Promise<Map<string, Map<string, CarriedUse>>>
  /** Replaces the rows of these device parts. */
  save(rows: readonly ({ deviceId: string; part: string } & CarriedUse)[]): Promise<void>
}

/** Carried use in PostgreSQL (table component_usage, migration 0012). */
export class SqlComponentUsage implements ComponentUsageStore {
  constructor(private readonly db: SqlClient) {}

  async load(): Promise<Map<string, Map<string, CarriedUse>>> {
    const { rows } = await this.db.query<{
      device_id: string
      part: string
      fitted_day: string
      used: number
      through_day: string
    }>(
      `SELECT device_id, part, to_char(fitted_day, 'YYYY-MM-DD') AS fitted_day, used,
              to_char(through_day, 'YYYY-MM-DD') AS through_day FROM component_usage`
    )
    const out = new Map<string, Map<string, CarriedUse>>()
    for (const r of rows) {
      const parts = out.get(r.device_id) ?? new Map<string, CarriedUse>()
      parts.set(r.part, {
        fittedDay: dayOfIso(r.fitted_day),
        used: Number(r.used),
        throughDay: dayOfIso(r.through_day)
      })
      out.set(r.device_id, parts)
    }
    return out
  }

  async save(rows: readonly ({ deviceId: string; part: string } & CarriedUse)[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 2000) {
      await this.db.query(
        `INSERT INTO component_usage (device_id, part, fitted_day, used, through_day)
         SELECT device_id, part, fitted_day, used, through_day
           FROM jsonb_to_recordset($1::jsonb) AS t(device_id text, part text, fitted_day date, used double precision, through_day date)
         ON CONFLICT (device_id, part) DO UPDATE SET fitted_day = EXCLUDED.fitted_day, used = EXCLUDED.used,
           through_day = EXCLUDED.through_day`,
        [
          JSON.stringify(
            rows.slice(i, i + 2000).map((r) => ({
              device_id: r.deviceId,
              part: r.part,
              fitted_day: isoOfDay(r.fittedDay),
              used: r.used,
              through_day: isoOfDay(r.throughDay)
            }))
          )
        ]
      )
    }
  }
}
