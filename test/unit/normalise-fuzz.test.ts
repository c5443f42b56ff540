import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalise } from '../../ingest/index.js'
import type { DeviceInfo, DeviceTopicKind } from '../../shared/index.js'
import { arbitraryPayloads } from '../helpers/arbitraries.js'

const NOW = Date.UTC(2026, 10, 1)
const WINDOW = { now: NOW, maxAgeMs: 400 * 86400000, maxFutureMs: 300000 }
const devices: DeviceInfo[] = [
  { id: 'p-1', kind: 'purifier', model: 'RO-400', region: 'cn-east', outlet: 'sh-01' },
  { id: 'm-1', kind: 'machine', model: 'PC200', region: 'jp-kanto', outlet: null }
]
const payloads = arbitraryPayloads(NOW)
const topicKinds = fc.constantFrom<DeviceTopicKind>('telemetry', 'events', 'other' as DeviceTopicKind)

describe('normalise on arbitrary payloads', () => {
  it('when any payload arrives on any topic, then it never throws and every message is stored, dead-lettered or both', () => {
    fc.assert(
      fc.property(fc.constantFrom(...devices), topicKinds, payloads, (device, kind, payload) => {
        const result = normalise(device, kind, payload, WINDOW)
        // nothing silent: each publish leaves at least one line or one rejection behind
        expect(result.lines.length + result.rejections.length).toBeGreaterThan(0)
        for (const r of result.rejections) expect(r.reason.length).toBeGreaterThan(0)
        // only the device's own tags: a payload can never name another device
        for (const line of result.lines) expect(line).toContain(`device=${device.id},`)
      }),
      { numRuns: 5000, seed: 20261123 }
    )
  })
})
