import { describe, expect, it } from 'vitest'
import { normalise, pointTime } from '../../ingest/index.js'
import type { DeviceInfo } from '../../shared/index.js'

const NOW = Date.UTC(2026, 5, 1, 12)
const window = { now: NOW, maxAgeMs: 400 * 86400000, maxFutureMs: 300000 }
const purifier: DeviceInfo = {
  id: 'p-1',
  kind: 'purifier',
  model: 'RO-500',
  region: 'cn east',
  outlet: 'sh-01'
}
const machine: DeviceInfo = { id: 'm-1', kind: 'machine', model: 'PUMP-52', region: 'cn-north', outlet: null }
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v))

describe('normalise', () => {
  it('when a purifier sends one valid sample, then one line carries the registry tags, typed fields and ts+seq time', () => {
    const out = normalise(
      purifier,
      'telemetry',
      buf({ ts: NOW, seq: 7, litersTotal: 12.5, leak: false }),
      window
    )
    expect(out.rejections).toEqual([])
    expect(out.lines).toEqual([
      `purifier_telemetry,device=p-1,model=RO-500,outlet=sh-01,region=cn\\ east leak=F,litersTotal=12.5,seq=7i ${BigInt(NOW) * 1000000n + 7n}`
    ])
  })

  it('when the payload claims other tags, then they are rejected as unknown fields, not written', () => {
    const out = normalise(purifier, 'telemetry', buf({ ts: NOW, seq: 1, region: 'elsewhere' }), window)
    expect(out.lines).toEqual([])
    expect(out.rejections[0]).toMatchObject({ code: 'schema' })
    expect(out.rejections[0]?.reason).toContain('region')
  })

  it('when an upload mixes valid and invalid samples, then the valid ones are kept and each invalid one names its path', () => {
    const samples = [
      { ts: NOW - 2000, seq: 1, tdsIn: 200 },
      { ts: NOW - 1000, seq: 2, tdsIn: 'high' },
      { ts: NOW, seq: 3, tdsIn: 210 }
    ]
    const out = normalise(purifier, 'telemetry', buf({ samples }), window)
    expect(out.lines).toHaveLength(2)
    expect(out.rejections).toHaveLength(1)
    expect(out.rejections[0]?.reason).toMatch(/^samples\[1\]\.tdsIn: /)
    expect(JSON.parse(out.rejections[0]?.payload ?? '')).toEqual(samples[1])
  })

  it.each([
    ['not JSON', 'hello', 'bad_json', /not JSON/],
    ['NaN (not JSON)', '{"ts": 1, "seq": NaN}', 'bad_json', /not JSON/],
    ['wrong type', { ts: NOW, seq: 1, litersTotal: 'many' }, 'schema', /litersTotal/],
    ['missing ts', { seq: 1, litersTotal: 1 }, 'schema', /^ts: /],
    ['ts in seconds', { ts: Math.floor(NOW / 1000), seq: 1 }, 'schema', /epoch milliseconds/],
    ['future ts', { ts: NOW + 3600000, seq: 1 }, 'ts_out_of_range', /in the future/],
    ['ancient ts', { ts: NOW - 500 * 86400000, seq: 1 }, 'ts_out_of_range', /in the past/],
    ['unknown field', { ts: NOW, seq: 1, colour: 'blue' }, 'schema', /colour/],
    ['negative litres', { ts: NOW, seq: 1, litersTotal: -5 }, 'schema', /litersTotal/],
    [
      '1001 samples',
      { samples: Array.from({ length: 1001 }, (_, i) => ({ ts: NOW, seq: i })) },
      'too_many_samples',
      /1001 samples, at most 1000/
    ],
    ['samples not an array', { samples: 3 }, 'schema', /expected an array/]
  ])(
    'when the payload is %s, then it is rejected with code %s and a readable reason',
    (_name, payload, code, reason) => {
      const out = normalise(purifier, 'telemetry', buf(payload), window)
      expect(out.lines).toEqual([])
      expect(out.rejections).toHaveLength(1)
      expect(out.rejections[0]?.code).toBe(code)
      expect(out.rejections[0]?.reason).toMatch(reason)
    }
  )

  it('when a machine sends purifier fields, then the machine schema rejects them', () => {
    const out = normalise(machine, 'telemetry', buf({ ts: NOW, seq: 1, tdsIn: 100 }), window)
    expect(out.rejections[0]?.reason).toContain('tdsIn')
  })

  it('when a machine sends a valid sample, then its measurement is machine_telemetry without an outlet tag', () => {
    const out = normalise(
      machine,
      'telemetry',
      buf({ ts: NOW, seq: 2, engineHours: 1234.5, lat: 31.2, lon: 121.5 }),
      window
    )
    expect(out.lines[0]).toMatch(
      /^machine_telemetry,device=m-1,model=PUMP-52,region=cn-north engineHours=1234.5,lat=31.2,lon=121.5,seq=2i /
    )
  })

  it("when a fault event arrives, then it is written with type, code, and the catalogue's grade and category tags", () => {
    const out = normalise(
      machine,
      'events',
      buf({ ts: NOW, type: 'fault', code: 'E101', active: true }),
      window
    )
    expect(out.lines[0]).toMatch(
      /^device_events,category=mechanical,code=E101,device=m-1,grade=A2,model=PUMP-52,region=cn-north,type=fault active=T,detail="E101" /
    )
  })

  it('when an event has an unknown type, then it is rejected naming the type', () => {
    const out = normalise(machine, 'events', buf({ ts: NOW, type: 'explosion' }), window)
    expect(out.rejections[0]).toMatchObject({ code: 'schema' })
    expect(out.rejections[0]?.reason).toContain('type')
  })

  it('when a device publishes to a subtopic that is not telemetry or events, then it is kept as unknown_topic', () => {
    const out = normalise(purifier, 'other', buf({ ts: NOW, seq: 1 }), window)
    expect(out.rejections[0]?.code).toBe('unknown_topic')
  })

  it('when a payload is not valid UTF-8, then its dead letter keeps the exact bytes as base64', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d])
    const out = normalise(purifier, 'telemetry', bytes, window)
    expect(out.rejections[0]?.code).toBe('bad_json')
    expect(out.rejections[0]?.payload).toBe(`base64:${bytes.toString('base64')}`)
  })

  it('when the same sample is normalised twice, then both lines are identical (a resend overwrites itself)', () => {
    const payload = buf({ ts: NOW, seq: 3, tdsOut: 9 })
    expect(normalise(purifier, 'telemetry', payload, window).lines).toEqual(
      normalise(purifier, 'telemetry', payload, window).lines
    )
  })

  it('when two samples share a millisecond, then their seq keeps the times apart', () => {
    expect(pointTime(NOW, 1)).not.toBe(pointTime(NOW, 2))
    expect(pointTime(NOW, 1_000_001)).toBe(pointTime(NOW, 1))
  })
})
