import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { LocalInfluxd } from '../stores/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    influxUrl: string
  }
}

/** One real InfluxDB for the whole run, in a temp folder on free ports; each test file makes its own database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-test-influx-'))
  const influxd = new LocalInfluxd({ dir })
  await influxd.start()
  project.provide('influxUrl', influxd.url)
  return async () => {
    await influxd.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
