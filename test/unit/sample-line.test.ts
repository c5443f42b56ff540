import { Point } from '@influxdata/influxdb-client'
import { describe, expect, it } from 'vitest'
import { pointTime, sampleLine } from '../../ingest/index.js'
import { measurements, type DeviceInfo, type Sample } from '../../shared/index.js'

/** The line the official client's Point makes for a sample: the reference the fast path must equal. */
function viaPoint(device: DeviceInfo, sample: Sample): string {
  const point = new Point(measurements.telemetry(device.kind))
    .tag('device', device.id)
    .tag('model', device.model)
    .tag('region', device.region)
    .intField('seq', sample.seq)
  if (device.outlet) point.tag('outlet', device.outlet)
  // the millions of seq name a series of their own (the point's time holds seq mod 10^6)
  if (sample.seq >= 1_000_000) point.tag('seqhi', String(Math.floor(sample.seq / 1_000_000)))
  for (const [key, value] of Object.entries(sample)) {
    if (key === 'ts' || key === 'seq' || value === undefined) continue
    if (typeof value === 'boolean') point.booleanField(key, value)
    else point.floatField(key, value as number)
  }
  return point.timestamp(pointTime(sample.ts, sample.seq)).toLineProtocol() ?? ''
}

describe('sample lines', () => {
  it("when samples of both kinds are written, then each line is exactly the official client's Point line", () => {
    const devices: DeviceInfo[] = [
      { id: 'p-1', kind: 'purifier', model: 'RO-400', region: 'cn-east', outlet: 'sh-01' },
      { id: 'm 2,x=y', kind: 'machine', model: 'PUMP 52', region: 'cn=north', outlet: null }
    ]
    let seed = 7
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 1000
    for (let i = 0; i < 200; i++) {
      const device = devices[i % 2]!
      const sample =
        device.kind === 'purifier'
          ? {
              ts: 1767225600000 + i,
              seq: i * 7919,
              litersTotal: rand(),
              tdsIn: Math.round(rand()),
              leak: i % 3 === 0
            }
          : {
              ts: 1767225600000 + i,
              seq: i,
              engineHours: rand() * 100,
              lat: 31.2 + rand() / 1e4,
              hydBar: 1e-7 * i
            }
      expect(sampleLine(device, sample as Sample)).toBe(viaPoint(device, sample as Sample))
    }
  })
})

describe('point time', () => {
  it('when any ts and seq of the contract are given, then the time is ts·10^6 + seq mod 10^6 exactly', () => {
    let seed = 11
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647
    const cases: [number, number | undefined][] = [
      [946684800000, 0],
      [4102444800000, Number.MAX_SAFE_INTEGER],
      [1767225600000, 999999],
      [1767225600000, 1000000],
      [1767225600001, undefined]
    ]
    for (let i = 0; i < 2000; i++)
      cases.push([946684800000 + Math.floor(rand() * 3155760000000), Math.floor(rand() * 2 ** 40)])
    for (const [ts, seq] of cases)
      expect(pointTime(ts, seq)).toBe((BigInt(ts) * 1_000_000n + BigInt((seq ?? 0) % 1_000_000)).toString())
  })
})
