import { describe, expect, it } from 'vitest'
import { compareStored, RECOUNTS } from '../../simulators/index.js'

describe('backfill: checking what was stored', () => {
  const sent = new Map([
    ['a', 800],
    ['b', 800],
    ['c', 800]
  ])

  it('when one count comes back short and the next is whole, then nothing is reported missing and only the short devices are counted again', async () => {
    const asked: string[][] = []
    const counts = [
      new Map([
        ['a', 800],
        ['b', 772],
        ['c', 800]
      ]),
      new Map([['b', 800]])
    ]
    const missing = await compareStored(
      sent,
      async (ids) => {
        asked.push([...ids])
        return counts.shift() ?? new Map()
      },
      0
    )
    expect(missing).toEqual([])
    expect(asked).toEqual([['a', 'b', 'c'], ['b']])
  })

  it('when a device stays short on every count, then it is reported with what was sent and what is stored', async () => {
    let calls = 0
    const missing = await compareStored(
      sent,
      async (ids) => {
        calls++
        return new Map(ids.filter((id) => id !== 'c').map((id) => [id, 800]))
      },
      0
    )
    expect(missing).toEqual([{ id: 'c', sent: 800, stored: 0 }])
    expect(calls).toBe(1 + RECOUNTS)
  })
})
