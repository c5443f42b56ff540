import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parse } from 'yaml'
import { fleetPorts } from '../../app/fleet-ports.js'
import {
  allBoards,
  allExpectations,
  checkBoard,
  GRAFANA_SQL_TABLES,
  grafanaFiles,
  INFLUX,
  POSTGRES,
  readBoards,
  unreadableColumns,
  writeGrafanaFiles,
  type QueryCheck
} from '../../dashboards/index.js'
import type { Order } from '../../maintenance/index.js'
import { backfill } from '../../simulators/index.js'
import { openSql } from '../../stores/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'
import { freshPostgresDatabase } from '../helpers/local-postgres.js'
import { eventually, tempDir } from '../helpers/stores.js'

describe('Grafana boards, proven against the real stores', () => {
  let app: TestAftercare
  const checks: QueryCheck[] = []
  const out = tempDir('aftercare-grafana-')

  beforeAll(async () => {
    app = await startTestAftercare({
      DATABASE_URL: await freshPostgresDatabase(inject('postgresUrl'), `t_${randomBytes(6).toString('hex')}`),
      PIPELINE_METRICS_SECONDS: 1,
      OUTLET_CAPACITY_PER_DAY: 3
    })
    const planner = (await app.registry.createAccount('planner', ['planner', 'technician'])).token
    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
      (await app.api.inject({ method, url, payload, headers: { authorization: `Bearer ${planner}` } })).json()
    // a small fleet with most of a year of history, through the broker
    const report = await backfill(fleetPorts(app.config), {
      seed: 5,
      devices: 16,
      days: 300,
      intervalMin: 480,
      batch: 500,
      concurrency: 8,
      prefix: 'gf'
    })
    expect(report.missing).toEqual([])
    const devices = (await call('GET', '/devices?limit=1000')).devices as {
      id: string
      kind: string
      region: string
      outlet: string | null
    }[]
    for (const outlet of new Set(devices.map((d) => d.outlet).filter(Boolean)))
      await call('PUT', `/outlets/${outlet}`, {
        regions: [...new Set(devices.filter((d) => d.outlet === outlet).map((d) => d.region))],
        capacityPerDay: 3
      })
    // what the boards must also show: a refused payload, a grade-A fault on the first machine, feedback
    const machine = devices.filter((d) => d.kind === 'machine').sort((a, b) => a.id.localeCompare(b.id))[0]!
    const info = await app.registry.getDevice(machine.id)
    await app.ingest.handle(
      info,
      `devices/${machine.id}/telemetry`,
      Buffer.from('{"samples": [{"ts": "soon"}]}')
    )
    await app.ingest.handle(
      info,
      `devices/${machine.id}/events`,
      Buffer.from(JSON.stringify({ ts: Date.now() - 60000, type: 'fault', code: 'E203', active: true }))
    )
    // and an open alarm: a leak on the first purifier (urgent order)
    const purifier = devices.filter((d) => d.kind === 'purifier').sort((a, b) => a.id.localeCompare(b.id))[0]!
    await app.ingest.handle(
      await app.registry.getDevice(purifier.id),
      `devices/${purifier.id}/events`,
      Buffer.from(JSON.stringify({ ts: Date.now() - 60000, type: 'leak' }))
    )
    await call('POST', '/plan/run')
    const orders = (await call('GET', `/orders?device=${machine.id}`)).orders as Order[]
    const emergency = orders.find((o) => o.type === 'emergency' && o.status === 'proposed')!
    for (const to of ['scheduled', 'dispatched'])
      expect(await call('POST', `/orders/${emergency.id}/transition`, { to })).toMatchObject({ status: to })
    const done = await call('POST', `/orders/${emergency.id}/complete`, {
      replacedParts: ['engine_oil'],
      firstVisitFix: true,
      scores: { timeliness: 'B', quality: 'A', attitude: 'A' },
      complaint: { category: 'timeliness', text: 'two hours late' }
    })
    expect(done).toMatchObject({ status: 'done' })
    // the KPI snapshot follows each pass
    await call('POST', '/plan/run')
    // rates and differences need the pipeline's own points in at least two of their 5 s buckets,
    // however quickly the set-up above ran
    await eventually(
      async () =>
        (
          await app.influx.rows(
            'SELECT count(messages) FROM aftercare_pipeline WHERE time > now() - 1h GROUP BY time(5s) fill(none)'
          )
        ).length >= 3,
      'pipeline metrics over three 5 s buckets',
      30000
    )
    writeGrafanaFiles(out.dir)
    // a planner opening the boards a few seconds later (Grafana's SQL time filter has whole seconds)
    const now = Date.now() + 5000
    for (const board of readBoards(out.dir))
      checks.push(...(await checkBoard(board, app, now, { keepRows: true })))
  }, 300000)
  afterAll(async () => {
    await app?.close()
    out.remove()
  })

  it('when every variable, panel and annotation query runs as Grafana would send it, then none fails and each returns rows', () => {
    expect(checks.length).toBeGreaterThan(40)
    const failed = checks.filter((c) => c.error || c.rows === 0)
    expect(
      failed.map((c) => `${c.board} ${c.where} ${c.refId}: ${c.error ?? 'no rows'}\n  ${c.query}`)
    ).toEqual([])
    // nothing of Grafana's syntax is left for the store to choke on
    expect(checks.filter((c) => /\$\w|\[\[/.test(c.query)).map((c) => c.query)).toEqual([])
  })

  it('when a table shows a time or a share, then it is a date or a percentage, never a bare number', () => {
    const boards = readBoards(out.dir)
    expect(boards.flatMap((b) => unreadableColumns(b, checks))).toEqual([])
    // the check sees the times at all: the component tables do carry epoch-millisecond columns
    expect(
      checks.some((c) => c.columns.includes('due_ms') && c.records?.some((r) => Number(r.due_ms) > 1e12))
    ).toBe(true)
  })

  it('when Grafana reads PostgreSQL with the read-only role the docs give, then every SQL query still answers', async () => {
    const role = `grafana_${randomBytes(4).toString('hex')}`
    await app.sql.query(`CREATE ROLE ${role} LOGIN`)
    await app.sql.query(`GRANT USAGE ON SCHEMA public TO ${role}`)
    await app.sql.query(`GRANT SELECT ON ${GRAFANA_SQL_TABLES.join(', ')} TO ${role}`)
    const url = new URL(String(app.config.DATABASE_URL))
    url.username = role
    const readOnly = await openSql({ databaseUrl: url.toString(), dataDir: out.dir })
    try {
      const sqlChecks = (
        await Promise.all(
          readBoards(out.dir).map((b) => checkBoard(b, { influx: app.influx, sql: readOnly }))
        )
      )
        .flat()
        .filter((c) => c.datasource === 'postgres')
      expect(sqlChecks.length).toBeGreaterThan(15)
      expect(sqlChecks.filter((c) => c.error).map((c) => `${c.board} ${c.where}: ${c.error}`)).toEqual([])
      // and it can read nothing else: no customer sites, no people
      await expect(readOnly.query('SELECT * FROM device_sites')).rejects.toThrow(/permission denied/)
      await expect(readOnly.query('SELECT * FROM users')).rejects.toThrow(/permission denied/)
    } finally {
      await readOnly.close()
    }
    // the docs' GRANT names the same tables
    const docs = readFileSync(path.resolve('docs/dashboards.md'), 'utf8')
    const granted = /GRANT SELECT ON ([\s\S]*?) TO grafana;/.exec(docs)?.[1] ?? ''
    expect(
      granted
        .split(',')
        .map((t) => t.trim())
        .sort()
    ).toEqual([...GRAFANA_SQL_TABLES].sort())
  })

  it('when a panel or annotation query returns, then it has the columns its panel shows', () => {
    const expected = allExpectations()
    expect(expected.length).toBeGreaterThan(30)
    for (const e of expected) {
      const where = e.panel.startsWith('annotation: ') ? e.panel : `panel: ${e.panel}`
      const check = checks.find((c) => c.board === e.board && c.where === where && c.refId === e.refId)
      expect(check, `${e.board} ${where} ${e.refId}`).toBeDefined()
      expect(check!.columns, `${e.board} ${where} ${e.refId}`).toEqual(expect.arrayContaining(e.columns))
    }
  })

  it('when the boards are generated, then each has unique panel ids, the SDK schema version, and datasources the provisioning defines', () => {
    const datasources = parse(grafanaFiles().get('provisioning/datasources/aftercare.yaml')!) as {
      datasources: { uid: string; type: string }[]
    }
    const provisioned = new Set(datasources.datasources.map((d) => `${d.type}/${d.uid}`))
    expect(provisioned).toEqual(new Set([`${INFLUX.type}/${INFLUX.uid}`, `${POSTGRES.type}/${POSTGRES.uid}`]))
    const uids = new Set(allBoards().map((k) => k.uid))
    for (const kit of allBoards()) {
      const board = kit.build()
      expect(board.schemaVersion).toBeGreaterThanOrEqual(39)
      const ids = (board.panels ?? []).map((p) => p.id)
      expect(new Set(ids).size, board.uid).toBe(ids.length)
      const refs = JSON.stringify(board).match(/"datasource":\{"type":"[^"]+","uid":"[^"]+"\}/g) ?? []
      for (const ref of refs) {
        const { type, uid } = (JSON.parse(`{${ref}}`) as { datasource: { type: string; uid: string } })
          .datasource
        expect(provisioned.has(`${type}/${uid}`), `${board.uid}: ${type}/${uid}`).toBe(true)
      }
      // links go to boards that exist
      for (const [, target] of JSON.stringify(board).matchAll(
        /\/d\/([a-z-]+|aftercare-\$\{__data\.fields\.kind\})\?/g
      ))
        expect(
          uids.has(target!) || target === 'aftercare-${__data.fields.kind}',
          `${board.uid} links to ${target}`
        ).toBe(true)
    }
  })

  it('when the committed grafana/ folder is compared with what the code generates, then they are the same', () => {
    for (const [file, text] of grafanaFiles())
      expect(
        readFileSync(path.join('grafana', file), 'utf8'),
        `grafana/${file} is stale: run aftercare dashboards`
      ).toBe(text)
  })
})
