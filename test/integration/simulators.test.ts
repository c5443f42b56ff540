import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fleetPorts } from '../../app/fleet-ports.js'
import { backfill, runLive, type DeviceTruth } from '../../simulators/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

describe('simulators against a running aftercare', () => {
  let app: TestAftercare

  beforeAll(async () => {
    app = await startTestAftercare()
  })
  afterAll(async () => app?.close())

  it('when a small fleet is backfilled, then InfluxDB holds every sample of every device and the truth file has each device', async () => {
    const ports = fleetPorts(app.config)
    const truthFile = path.join(app.config.AFTERCARE_DATA_DIR, 'truth.jsonl')
    const report = await backfill(ports, {
      seed: 21,
      devices: 12,
      days: 20,
      intervalMin: 120,
      batch: 100,
      concurrency: 4,
      prefix: 'bf',
      truthFile
    })
    expect(report.checked).toBe(true)
    expect(report.missing).toEqual([])
    expect(report.samplesSent).toBeGreaterThan(12 * 20)

    // count per device independently of the simulator's own check
    const rows = await app.influx.rows(
      `SELECT count(seq) AS n FROM purifier_telemetry, machine_telemetry WHERE device =~ /^bf-/ GROUP BY device`
    )
    const total = rows.reduce((a, r) => a + Number(r.n), 0)
    expect(total).toBe(report.samplesSent)
    expect(new Set(rows.map((r) => r.device)).size).toBe(12)

    const truths = readFileSync(truthFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DeviceTruth)
    expect(truths.map((t) => t.id).sort()).toEqual([...new Set(rows.map((r) => String(r.device)))].sort())
    for (const t of truths) expect(t.components.length).toBeGreaterThanOrEqual(4)
  })

  it('when the backfill runs again for the same fleet, then devices get new secrets and samples stay idempotent', async () => {
    const ports = fleetPorts(app.config)
    const first = await backfill(ports, {
      seed: 22,
      devices: 3,
      days: 5,
      intervalMin: 240,
      batch: 50,
      concurrency: 3,
      prefix: 'again'
    })
    const second = await backfill(ports, {
      seed: 22,
      devices: 3,
      days: 5,
      intervalMin: 240,
      batch: 50,
      concurrency: 3,
      prefix: 'again'
    })
    expect(second.samplesSent).toBe(first.samplesSent)
    expect(second.missing).toEqual([])
  })

  it('when devices run live for a few seconds at high speed, then they publish with their own credentials and every sample is acknowledged', async () => {
    const ports = fleetPorts(app.config)
    const status = await runLive(ports, {
      seed: 23,
      devices: 5,
      intervalSeconds: 0.5,
      speed: 60,
      prefix: 'live',
      durationSeconds: 4
    })
    expect(status.published).toBeGreaterThan(10)
    expect(status.acked).toBe(status.published)
    expect(status.failed).toBe(0)
    const [row] = await app.influx.rows(
      `SELECT count(seq) AS n FROM purifier_telemetry, machine_telemetry WHERE device =~ /^live-/`
    )
    expect(Number(row?.n ?? 0)).toBeGreaterThanOrEqual(1)
  })
})
