import { describe, expect, it } from 'vitest'
import { rollupRanges } from '../../maintenance/index.js'

describe('rollup ranges', () => {
  it('when marked days are close together, then one span covers them, gaps included', () => {
    expect(rollupRanges([5, 3, 9, 3])).toEqual([[3, 9]])
  })

  it('when marked days span more than 31 days, then they are split into spans of at most 31 days', () => {
    const days = Array.from({ length: 70 }, (_, i) => 100 + i)
    expect(rollupRanges(days)).toEqual([
      [100, 130],
      [131, 161],
      [162, 169]
    ])
  })

  it('when nothing is marked, then there is nothing to rebuild', () => {
    expect(rollupRanges([])).toEqual([])
  })
})
