import type { SqlClient } from './sql.js'

/** One schema change. Ids are applied in order, once, and never edited after release. */
export interface Migration {
  id: string
  sql: string
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its
 * own transaction. A lock keeps two processes starting at once from racing.
 */
export async function migrate(db: SqlClient, migrations: readonly Migration[]): Promise<string[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
  const applied: string[] = []
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(4242)')
      const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [m.id])
      if (rows.length > 0) return false
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id])
      return true
    })
    if (done) applied.push(m.id)
  }
  return applied
}
