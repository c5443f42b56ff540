import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { AppError } from '../shared/index.js'

/**
 * The slice of the `pg` API aftercare uses. Both a `pg.Pool` (PostgreSQL
 * server) and PGlite (embedded) provide it, so every store is written once.
 */
export interface SqlClient {
  query<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<R>(fn: (tx: SqlQueryable) => Promise<R>): Promise<R>
  close(): Promise<void>
  /** `pglite` or `postgres`, for /health and logs. */
  readonly flavour: 'pglite' | 'postgres'
}

export interface SqlQueryable {
  query<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>
}

/** Opens PostgreSQL from `DATABASE_URL`, or an embedded PGlite under `dataDir/pglite`. */
export async function openSql(options: { databaseUrl?: string; dataDir: string }): Promise<SqlClient> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : openPglite(path.join(options.dataDir, 'pglite'))
}

export async function openPglite(dir: string | undefined): Promise<SqlClient> {
  if (dir) mkdirSync(dir, { recursive: true })
  const db = await PGlite.create(dir)
  return {
    flavour: 'pglite',
    query: async <T extends object>(text: string, params?: unknown[]) => {
      const res = await db.query<T>(text, params)
      return { rows: res.rows }
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async <T extends object>(text: string, params?: unknown[]) => ({
            rows: (await tx.query<T>(text, params)).rows
          }),
          exec: async (script: string) => {
            await tx.exec(script)
          }
        })
      ),
    close: () => db.close()
  }
}

export async function openPostgres(url: string): Promise<SqlClient> {
  // a server that does not answer fails a query in seconds instead of holding it (and a login) forever
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 })
  // an idle client losing its server must not crash the process
  pool.on('error', () => undefined)
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw new AppError(
      'SQL_UNAVAILABLE',
      `cannot reach PostgreSQL at DATABASE_URL: ${(err as Error).message}`,
      {
        cause: err
      }
    )
  }
  return {
    flavour: 'postgres',
    query: async <T extends object>(text: string, params?: unknown[]) => {
      const res = await pool.query(text, params)
      return { rows: res.rows as T[] }
    },
    transaction: async (fn) => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn({
          query: async <T extends object>(text: string, params?: unknown[]) => ({
            rows: (await client.query(text, params)).rows as T[]
          }),
          exec: async (script: string) => {
            await client.query(script)
          }
        })
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    close: () => pool.end()
  }
}
