/**
 * Fleet import: N devices (default 100,000) in a CSV file with sites, imported by `aftercare devices
 * import` as a person runs it — the CLI's code through the HTTP API of a running aftercare (PGlite): every
 * row checked first, then written in requests of 5,000 rows; then the same file again (nothing changes).
 * The baseline, measured in the same run: the same rows with their secret hashes inserted straight into
 * the devices table of a fresh PGlite by one multi-row INSERT per 5,000 (no HTTP, no checks, no sites) —
 * what storing them costs at least. Prints seconds, rows/s and the ratio to the baseline.
 *   npm run bench -- import [--devices 100000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ApiClient } from '../app/api-client.js'
import { importFleetFile } from '../app/device-import-command.js'
import { registryMigrations } from '../registry/index.js'
import { generateSecret, hashSecret } from '../registry/secrets.js'
import { migrate, openPglite } from '../stores/index.js'
import { benchInfluxd, startBenchAftercare } from './common.js'

const { values } = parseArgs({ options: { devices: { type: 'string', default: '100000' } } })
const n = Number(values.devices)
const CHUNK = 5000
const regions = ['cn-east', 'cn-south', 'cn-north']
const outlets = ['sh-01', 'gz-01', 'bj-01']
const row = (i: number) => ({
  id: `fleet-${String(i).padStart(6, '0')}`,
  kind: i % 5 === 0 ? 'machine' : 'purifier',
  model: i % 5 === 0 ? 'PUMP-52' : i % 2 ? 'RO-600' : 'RO-400',
  region: regions[i % 3] as string,
  outlet: outlets[i % 3] as string,
  deliveredOn: '2026-03-01'
})

const { dir, influxd, cleanUp } = await benchInfluxd('import')
try {
  const file = path.join(dir, 'fleet.csv')
  const lines = [
    'id,kind,model,region,outlet,delivered_on,site_name,site_address,site_phone,site_lat,site_lon'
  ]
  for (let i = 0; i < n; i++) {
    const r = row(i)
    lines.push(
      [
        r.id,
        r.kind,
        r.model,
        r.region,
        r.outlet,
        r.deliveredOn,
        `Customer ${i}`,
        `"${i} Garden Road, Block ${i % 40}"`,
        `+86 21 5${String(i).padStart(7, '0')}`,
        31 + (i % 100) / 1000,
        121 + (i % 100) / 1000
      ].join(',')
    )
  }
  writeFileSync(file, lines.join('\n'))

  // the baseline: the rows alone into a fresh table, as fast as one statement per 5,000 can
  const bare = await openPglite(undefined)
  await migrate(bare, registryMigrations)
  const t0 = performance.now()
  for (let i = 0; i < n; i += CHUNK) {
    const batch = []
    for (let j = i; j < Math.min(n, i + CHUNK); j++)
      batch.push({
        ...row(j),
        delivered_on: row(j).deliveredOn,
        secret_hash: await hashSecret(generateSecret())
      })
    await bare.query(
      `INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash)
       SELECT id, kind, model, region, outlet, delivered_on, secret_hash FROM jsonb_to_recordset($1::jsonb)
         AS t(id text, kind text, model text, region text, outlet text, delivered_on date, secret_hash text)`,
      [JSON.stringify(batch)]
    )
  }
  const baseline = (performance.now() - t0) / 1000
  await bare.close()

  const data = mkdtempSync(path.join(os.tmpdir(), 'aftercare-bench-import-data-'))
  const app = await startBenchAftercare(data, influxd.url)
  try {
    for (let k = 0; k < 3; k++)
      await app.outlets.upsert({
        code: outlets[k] as string,
        regions: [regions[k] as string],
        capacityPerDay: 8
      })
    const account = await app.registry.createAccount('bench-importer', ['provisioner'])
    const api = new ApiClient(app.endpoints.api, account.token)
    const t1 = performance.now()
    const first = await importFleetFile(api, file, { secrets: path.join(dir, 'secrets.csv') })
    const imported = (performance.now() - t1) / 1000
    const t2 = performance.now()
    const second = await importFleetFile(api, file, { secrets: path.join(dir, 'secrets-2.csv') })
    const again = (performance.now() - t2) / 1000
    if (first.created !== n || second.unchanged !== n)
      throw new Error(`expected ${n} created then ${n} unchanged: ${JSON.stringify({ first, second })}`)
    const line = (what: string, s: number) =>
      `| ${what} | ${s.toFixed(1)} | ${Math.round(n / s).toLocaleString('en')} | ${(s / baseline).toFixed(2)} |`
    console.log(
      `\nimport: ${n.toLocaleString('en')} devices with sites, CSV, through the HTTP API (PGlite)\n`
    )
    console.log('| run | seconds | rows/s | time against the bare insert |')
    console.log('| --- | --- | --- | --- |')
    console.log(line('bare multi-row INSERT of the same rows (baseline)', baseline))
    console.log(line('aftercare devices import (check all, then write)', imported))
    console.log(line('the same file again (nothing changes)', again))
  } finally {
    await app.stop()
    rmSync(data, { recursive: true, force: true })
  }
} finally {
  await cleanUp()
}
