import type { SqlClient } from '../../stores/index.js'

export interface LearnedPeak {
  region: string
  kind: string
  /** First and last day of the peak, YYYY-MM-DD. */
  start: string
  end: string
}

/** The peak windows the last planning pass learned, kept in PostgreSQL for the planners' boards. */
export class SqlPeakStore {
  constructor(private readonly db: SqlClient) {}

  /** Replaces every window with this pass's, in one transaction. */
  async replace(peaks: readonly LearnedPeak[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM peak_windows')
      for (const p of peaks)
        await tx.query(
          'INSERT INTO peak_windows (region, kind, start_day, end_day) VALUES ($1, $2, $3::date, $4::date)',
          [p.region, p.kind, p.start, p.end]
        )
    })
  }

  async list(): Promise<LearnedPeak[]> {
    const { rows } = await this.db.query<LearnedPeak>(
      `SELECT region, kind, to_char(start_day, 'YYYY-MM-DD') AS start, to_char(end_day, 'YYYY-MM-DD') AS "end"
         FROM peak_windows ORDER BY region, kind, start_day`
    )
    return rows
  }
}
