import { describe, expect, it } from 'vitest'
import { LiveRules } from '../../maintenance/index.js'

const T = Date.UTC(2026, 5, 1)
const purifier = (seq: number, tdsOut: number, leak = false) => ({
  ts: T + seq * 60000,
  seq,
  tdsIn: 200,
  tdsOut,
  leak
})

describe('live rules', () => {
  it('when a grade-A fault is raised, then an emergency order with a 24-hour promise opens; when it clears, the order clears', () => {
    const rules = new LiveRules()
    expect(rules.onEvent('m1', { ts: T, type: 'fault', code: 'E102', active: true })).toEqual([
      {
        action: 'open',
        cause: 'fault:E102',
        type: 'emergency',
        reason: 'grade A1 fault E102: engine oil pressure low',
        promiseHours: 24
      }
    ])
    expect(rules.onEvent('m1', { ts: T + 1, type: 'fault', code: 'E102', active: false })).toMatchObject([
      { action: 'clear', cause: 'fault:E102' }
    ])
  })

  it('when a grade-B or C fault, or an unknown code, is raised, then no emergency order opens', () => {
    const rules = new LiveRules()
    expect(rules.onEvent('m1', { ts: T, type: 'fault', code: 'E202', active: true })).toEqual([])
    expect(rules.onEvent('m1', { ts: T, type: 'fault', code: 'ZZZ', active: true })).toEqual([])
  })

  it('when one noisy TDS reading is high, then nothing opens; three in a row open one urgent order, once', () => {
    const rules = new LiveRules()
    const run = (values: number[]) =>
      values.flatMap((v, i) => rules.onSample('p1', 'purifier', purifier(i, v)))
    expect(run([20, 150, 20, 20])).toEqual([])
    const opened = run([150, 160, 170, 180, 190])
    expect(opened).toHaveLength(1)
    expect(opened[0]).toMatchObject({ action: 'open', cause: 'water_quality', type: 'urgent' })
    expect(run([20, 20, 20, 20])).toMatchObject([{ action: 'clear', cause: 'water_quality' }])
  })

  it('when a purifier reports a leak or a machine runs hot three times, then urgent orders open for each cause', () => {
    const rules = new LiveRules()
    expect(rules.onSample('p1', 'purifier', purifier(1, 10, true))).toMatchObject([
      { action: 'open', cause: 'leak' }
    ])
    const hot = [1, 2, 3].flatMap((seq) =>
      rules.onSample('m1', 'machine', { ts: T + seq, seq, coolantC: 110, hydOilC: 60 })
    )
    expect(hot).toMatchObject([{ action: 'open', cause: 'overheat', type: 'urgent' }])
  })
})
