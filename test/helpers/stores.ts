import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inject } from 'vitest'
import {
  InfluxQueryClient,
  openPglite,
  openPostgres,
  type InfluxTarget,
  type SqlClient
} from '../../stores/index.js'
import { freshPostgresDatabase } from './local-postgres.js'

/** A fresh database on the run's shared InfluxDB. */
export async function freshInflux(
  url: string = inject('influxUrl')
): Promise<{ target: InfluxTarget; query: InfluxQueryClient }> {
  const target: InfluxTarget = {
    url,
    database: `t_${randomBytes(6).toString('hex')}`,
    writeApi: 'v1',
    timeoutMs: 5000
  }
  const query = new InfluxQueryClient(target)
  await query.ensureDatabase()
  return { target, query }
}

/** A temp folder removed by the returned function. */
export function tempDir(prefix = 'aftercare-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Waits until `check` returns a truthy value, polling; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value) return value
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}

/** Counts the points of a measurement (optionally for one device). */
export async function countPoints(
  query: InfluxQueryClient,
  measurement: string,
  field: string,
  device?: string
): Promise<number> {
  const where = device ? ` WHERE device = '${device}'` : ''
  const rows = await query.rows(`SELECT count("${field}") AS n FROM "${measurement}"${where}`)
  return Number(rows[0]?.n ?? 0)
}

/** The two SqlClients a SQL contract test runs on: embedded PGlite and a fresh database on the real server. */
export const sqlFlavours: [string, () => Promise<SqlClient>][] = [
  ['PGlite', () => openPglite(undefined)],
  [
    'PostgreSQL server',
    async () =>
      openPostgres(await freshPostgresDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`))
  ]
]
