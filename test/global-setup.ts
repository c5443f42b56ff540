import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { LocalInfluxd } from '../stores/index.js'
import { startLocalPostgres } from './helpers/local-postgres.js'
import { startLocalRedis } from './helpers/local-redis.js'

declare module 'vitest' {
  export interface ProvidedContext {
    influxUrl: string
    postgresUrl: string
    redisUrl: string
  }
}

/**
 * One real InfluxDB, one real PostgreSQL server and one real Redis for the whole run, in temp
 * folders on free ports; each test file makes its own databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-test-influx-'))
  const influxd = new LocalInfluxd({ dir })
  const pgDir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-test-pg-'))
  const redisDir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-test-redis-'))
  const [, postgres, redis] = await Promise.all([
    influxd.start(),
    startLocalPostgres(pgDir),
    startLocalRedis(redisDir)
  ])
  project.provide('influxUrl', influxd.url)
  project.provide('postgresUrl', postgres.url)
  project.provide('redisUrl', redis.url)
  return async () => {
    await Promise.all([influxd.stop(), postgres.stop(), redis.stop()])
    rmSync(dir, { recursive: true, force: true })
    rmSync(pgDir, { recursive: true, force: true })
    rmSync(redisDir, { recursive: true, force: true })
  }
}
