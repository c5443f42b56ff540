import { Point } from '@influxdata/influxdb-client'
import { describe, expect, it } from 'vitest'
import { deviceTags, forecastLine } from '../../app/engine-outputs.js'
import type { PlannedDevice } from '../../maintenance/index.js'
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
