import { describe, expect, it } from 'vitest'
import { Buckets, LogLimit, Slots } from '../../broker/throttle.js'

describe('token buckets', () => {
  it('when a key spends its burst, then each further token waits 1/rate seconds, and time refills it', () => {
    let now = 0
    const b = new Buckets(10, 3, () => now)
    expect([b.reserve('d'), b.reserve('d'), b.reserve('d')]).toEqual([0, 0, 0])
    expect(b.reserve('d')).toBe(100)
    expect(b.reserve('d')).toBe(200)
    expect(b.has('d')).toBe(false)
    now = 500 // 5 tokens back: pays the 2 borrowed, 3 left (the burst)
    expect(b.has('d')).toBe(true)
    expect([b.reserve('d'), b.reserve('d'), b.reserve('d'), b.reserve('d')]).toEqual([0, 0, 0, 100])
  })

  it('when one key is spent, then another is untouched', () => {
    const b = new Buckets(1, 1, () => 0)
    b.reserve('flooder')
    expect(b.has('flooder')).toBe(false)
    expect(b.has('quiet')).toBe(true)
  })

  it('when more tasks than slots arrive for one key, then at most that many run at once and all finish in order', async () => {
    const slots = new Slots(2)
    let running = 0
    let most = 0
    const done: number[] = []
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        slots.run('addr', async () => {
          running++
          most = Math.max(most, running)
          await new Promise((r) => setTimeout(r, 5))
          running--
          done.push(i)
        })
      )
    )
    expect(most).toBe(2)
    expect(done).toEqual([0, 1, 2, 3, 4, 5])
  })
})

describe('log limit', () => {
  it('when one address repeats a logged mistake, then one line an interval is written and the next says how many were left out', () => {
    let now = 0
    const limit = new LogLimit(10000, () => now)
    const written: (number | undefined)[] = []
    for (let i = 0; i < 500; i++) {
      now = i * 100 // 500 mistakes in 50 s
      written.push(limit.allow('10.0.0.9'))
    }
    const lines = written.filter((w) => w !== undefined)
    expect(lines).toEqual([0, 99, 99, 99, 99])
    expect(limit.allow('10.0.0.8')).toBe(0)
  })
})
