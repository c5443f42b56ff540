import { describe, expect, it } from 'vitest'
import { CounterWatch } from '../../ingest/counter-watch.js'
import type { Sample } from '../../shared/index.js'

describe('counter watch', () => {
  const at = (ts: number, extra: Record<string, number>) => ({ ts, seq: ts, ...extra }) as unknown as Sample
  it.each([
    [
      'a purifier counter that grows',
      'purifier',
      [at(1, { litersTotal: 5 }), at(2, { litersTotal: 6 })],
      [false, false]
    ],
    [
      'a purifier counter that falls',
      'purifier',
      [at(1, { litersTotal: 5 }), at(2, { litersTotal: 1 })],
      [false, true]
    ],
    [
      'an older sample after a newer one',
      'purifier',
      [at(5, { litersTotal: 5 }), at(2, { litersTotal: 1 })],
      [false, false]
    ],
    [
      'a machine whose pump counter falls',
      'machine',
      [at(1, { engineHours: 5, pumpedM3Total: 90 }), at(2, { engineHours: 6, pumpedM3Total: 10 })],
      [false, true]
    ],
    [
      'a sample without the counter in between',
      'machine',
      [at(1, { engineHours: 5 }), at(2, { rpm: 900 }), at(3, { engineHours: 4 })],
      [false, false, true]
    ]
  ] as const)('when %s, then the marks are as expected', (_what, kind, samples, marks) => {
    const watch = new CounterWatch()
    expect(samples.map((s) => watch.check('d', kind, s))).toEqual(marks)
    expect(watch.backwards).toBe(marks.filter(Boolean).length)
  })
})
