import { describe, expect, it } from 'vitest'
import { ResendCheck, nanosOf } from '../../ingest/resend-check.js'
import type { DeviceInfo, Sample } from '../../shared/index.js'

const device: DeviceInfo = {
  id: 'pur-1',
  kind: 'purifier',
  model: 'RO-400',
  region: 'cn-east',
  outlet: 'sh-01'
}
const sample = (ts: number, seq: number, tdsIn: number): Sample => ({ ts, seq, tdsIn })

describe('the resend check', () => {
  it('when an RFC 3339 time has nanoseconds, then they are kept to the digit', () => {
    expect(nanosOf('2026-12-03T10:00:00.000123456Z')).toBe('1796292000000123456')
    expect(nanosOf('2026-12-03T10:00:00Z')).toBe('1796292000000000000')
    expect(nanosOf('2026-12-03T10:00:00.5Z')).toBe('1796292000500000000')
  })

  it('when samples are newer than what was stored, then none is a suspect and nothing is read', async () => {
    let reads = 0
    const check = new ResendCheck(async () => {
      reads++
      return []
    })
    check.stored('pur-1', [sample(1000, 1, 10), sample(2000, 2, 10)])
    expect(check.suspects('pur-1', [sample(3000, 3, 10)])).toEqual([])
    expect(check.suspects('pur-2', [sample(1, 1, 10)])).toEqual([])
    expect(reads).toBe(0)
  })

  it('when a resent sample differs from the stored point of its identity, then it is a conflict naming the field; the same values are not', async () => {
    const stored = [{ time: '1970-01-01T00:00:01.000000001Z', seq: 1, tdsIn: 10 }]
    const check = new ResendCheck(async () => stored)
    check.stored('pur-1', [sample(1000, 1, 10), sample(2000, 2, 10)])
    const resent = [sample(1000, 1, 10), sample(1000, 1, 11), sample(1500, 7, 10)]
    const suspects = check.suspects('pur-1', resent)
    expect(suspects).toEqual([0, 1, 2])
    const conflicts = await check.conflicts(device, resent, suspects)
    expect([...conflicts.keys()]).toEqual([1])
    expect(conflicts.get(1)).toContain('another tdsIn')
  })
})
