import { Point } from '@influxdata/influxdb-client'
import { describe, expect, it } from 'vitest'
import { deviceTags, engineOutputSink, forecastLine } from '../../maintenance/stores/engine-outputs.js'
import type { TelemetryWriter } from '../../ingest/index.js'
import type { EngineOutputs, PlannedDevice } from '../../maintenance/index.js'
import { measurements } from '../../shared/index.js'

/** The line the official client's Point makes for a forecast: the reference the fast path must equal. */
function viaPoint(d: PlannedDevice, f: { unit: string; expected: number; low: number; high: number }) {
  const p = new Point(measurements.usageForecast)
    .tag('device', d.id)
    .tag('model', d.model)
    .tag('region', d.region)
    .tag('kind', d.kind)
  if (d.outlet) p.tag('outlet', d.outlet)
  return p
    .tag('unit', f.unit)
    .floatField('expected', f.expected)
    .floatField('low', f.low)
    .floatField('high', f.high)
    .timestamp('1767225600000000000')
    .toLineProtocol()
}

describe('forecast lines', () => {
  it("when forecasts of awkwardly named devices are written, then each line is exactly the official client's Point line", () => {
    const devices: PlannedDevice[] = [
      { id: 'p-1', kind: 'purifier', model: 'RO-400', region: 'cn-east', outlet: 'sh-01', deliveredOn: null },
      {
        id: 'm 2,x=y',
        kind: 'machine',
        model: 'PUMP 52',
        region: 'cn=north',
        outlet: null,
        deliveredOn: null
      }
    ]
    for (const [i, d] of devices.entries()) {
      for (const f of [
        { unit: 'litres', expected: 12.345678901, low: 0.1, high: 1e21 },
        { unit: 'm 3', expected: 0, low: -0, high: 5e-7 * (i + 1) }
      ])
        expect(forecastLine(deviceTags(d), f, '1767225600000000000')).toBe(viaPoint(d, f))
    }
  })

  it('when a forecast is not a number, then the line is refused as Point refuses it', () => {
    const d: PlannedDevice = {
      id: 'p-1',
      kind: 'purifier',
      model: 'RO-400',
      region: 'cn-east',
      outlet: null,
      deliveredOn: null
    }
    expect(() =>
      forecastLine(deviceTags(d), { unit: 'litres', expected: NaN, low: 0, high: 1 }, '1')
    ).toThrow(/expected/)
  })
})

describe('engine outputs for the boards', () => {
  const TODAY = 20500
  const fleet: PlannedDevice[] = ['d-1', 'd-2', 'd-3'].map((id) => ({
    id,
    kind: 'purifier',
    model: 'RO-400',
    region: 'cn-east',
    outlet: 'sh-01',
    deliveredOn: null
  }))
  const outputs = (today: number, usedShare: (id: string) => number): EngineOutputs => ({
    today,
    health: fleet.flatMap((device) =>
      ['pp', 'ro'].map((part) => ({
        device,
        part,
        life: {
          part,
          dueDay: today + 40,
          earliestDay: today + 30,
          latestDay: today + 55,
          by: 'usage' as const,
          remaining: 812.5,
          usedShare: usedShare(device.id)
        }
      }))
    ),
    forecasts: fleet.flatMap((device) =>
      Array.from({ length: 30 }, (_, i) => ({
        device,
        unit: 'litres',
        day: today + i,
        expected: 12.3456,
        low: 9.1,
        high: 15.2
      }))
    )
  })
  /** A TelemetryWriter that keeps what it was given (or refuses it while `failing`). */
  const recorder = () => {
    const lines: string[] = []
    const writer = {
      failing: false,
      stats: {} as TelemetryWriter['stats'],
      async write(batch: readonly string[]) {
        if (writer.failing) throw new Error('InfluxDB refused')
        lines.push(...batch)
      },
      async close() {}
    }
    return { writer, lines }
  }

  it("when a pass repeats the last one, then nothing is written; when one device's health moved, only its health lines are", async () => {
    const { writer, lines } = recorder()
    const publish = engineOutputSink(writer)
    expect(await publish(outputs(TODAY, () => 0.5))).toEqual({ devices: 3, lines: 3 * 32 })
    expect(await publish(outputs(TODAY, () => 0.5004))).toEqual({ devices: 0, lines: 0 })
    lines.length = 0
    expect(await publish(outputs(TODAY, (id) => (id === 'd-2' ? 0.51 : 0.5004)))).toEqual({
      devices: 1,
      lines: 2
    })
    expect(lines.every((l) => l.startsWith('component_health,') && l.includes('device=d-2'))).toBe(true)
    expect(lines.some((l) => l.includes('used_share=0.51'))).toBe(true)
  })

  it('when a new day starts, then every device is written again', async () => {
    const { writer } = recorder()
    const publish = engineOutputSink(writer)
    await publish(outputs(TODAY, () => 0.5))
    expect(await publish(outputs(TODAY + 1, () => 0.5))).toEqual({ devices: 3, lines: 3 * 32 })
  })

  it('when InfluxDB refused a pass, then the next pass writes those devices again', async () => {
    const { writer } = recorder()
    const publish = engineOutputSink(writer)
    writer.failing = true
    await expect(publish(outputs(TODAY, () => 0.5))).rejects.toThrow(/refused/)
    writer.failing = false
    expect(await publish(outputs(TODAY, () => 0.5))).toEqual({ devices: 3, lines: 3 * 32 })
  })
})
