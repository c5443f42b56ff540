import { AppError, type Clock } from '../../shared/index.js'
import type { SqlClient } from '../../stores/index.js'

/** Whether this node may run the planning pass now, and whether it just took over from another. */
export type LeaseAnswer = { held: true; takenOver: boolean } | { held: false; holder: string; until: string }

/**
 * Which node runs the planning passes (docs/scaling.md): a lease row in SQL.
 * The holder renews it with every pass; another node takes it only once it
 * has lapsed (the holder stopped or died), so passes never run on two nodes at
 * once and the usage reader's kept histories stay right (they assume this
 * node's rollup refresh consumed the day marks). A node that takes over must
 * forget what it kept from an earlier turn.
 */
export class PlanLease {
  constructor(
    private readonly db: SqlClient,
    /** Stable across restarts of the same node, distinct between nodes (host and data folder). */
    private readonly node: string,
    private readonly ttlMs: number,
    private readonly clock: Clock
  ) {}

  async acquire(): Promise<LeaseAnswer> {
    const now = new Date(this.clock.now()).toISOString()
    const until = new Date(this.clock.now() + this.ttlMs).toISOString()
    // one statement: taken when nobody holds it, this node holds it, or the holder's term is over — so two
    // nodes asking at once (also for a lease that does not exist yet) can never both get it
    const { rows } = await this.db.query<{ previous: string | null }>(
      `WITH before AS (SELECT holder FROM plan_lease WHERE name = 'planning')
       INSERT INTO plan_lease AS l (name, holder, until) VALUES ('planning', $1, $2)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
         WHERE l.holder = EXCLUDED.holder OR l.until <= $3
       RETURNING (SELECT holder FROM before) AS previous`,
      [this.node, until, now]
    )
    if (rows[0]) return { held: true, takenOver: rows[0].previous !== this.node }
    const { rows: held } = await this.db.query<{ holder: string; until: string | Date }>(
      `SELECT holder, until FROM plan_lease WHERE name = 'planning'`
    )
    const current = held[0]
    return {
      held: false,
      holder: current?.holder ?? 'another node',
      until: current ? new Date(current.until).toISOString() : until
    }
  }

  /** As `acquire`, but a refusal is an error naming the holder (for `POST /plan/run`). */
  async require(): Promise<{ takenOver: boolean }> {
    const answer = await this.acquire()
    if (!answer.held)
      throw new AppError(
        'PLAN_LEASE_HELD',
        `node ${answer.holder} runs the planning passes (its lease runs until ${answer.until}); ask that node, or wait until the lease lapses`
      )
    return { takenOver: answer.takenOver }
  }
}

export const planLeaseMigrations = [
  {
    id: '0010-plan-lease',
    sql: `
-- which node runs the planning passes, until when (maintenance/plan-lease.ts)
CREATE TABLE plan_lease (
  name text PRIMARY KEY,
  holder text NOT NULL,
  until timestamptz NOT NULL
);`
  }
]
