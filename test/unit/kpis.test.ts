import { describe, expect, it } from 'vitest'
import { outletKpis, previousMonth, type JobRow } from '../../maintenance/index.js'

const job = (
  outlet: string,
  month: string,
  scores: [number, number, number] | null,
  extra: Partial<JobRow> = {}
): JobRow => ({
  outlet,
  month,
  timeliness: scores?.[0] ?? null,
  quality: scores?.[1] ?? null,
  attitude: scores?.[2] ?? null,
  firstVisitFix: true,
  complaint: false,
  promiseMissed: false,
  ...extra
})

describe('outlet KPIs', () => {
  it('when an outlet did four jobs this month and two the month before, then averages are total / jobs with their change', () => {
    const jobs = [
      job('sh-01', '2026-06', [2, 1, 2]),
      job('sh-01', '2026-06', [1, 1, 2]),
      job('sh-01', '2026-06', [2, 0, 2], { firstVisitFix: false }),
      job('sh-01', '2026-06', null),
      job('sh-01', '2026-05', [0, 0, 0]),
      job('sh-01', '2026-05', [1, 0, 2])
    ]
    const [k] = outletKpis(jobs, '2026-06')
    expect(k!.jobs).toBe(4)
    expect(k!.scores.timeliness).toEqual({ average: 5 / 4, change: 5 / 4 - 1 / 2 })
    expect(k!.scores.quality).toEqual({ average: 2 / 4, change: 0.5 })
    expect(k!.firstVisitFixRate).toBe(0.75)
    expect(k!.supervision).toBe('ok')
  })

  it('when complaints pass the acceptable level or a promise is missed, then PPM rates say so and the outlet is warned; two months running, suspended', () => {
    const bad = (month: string) => [
      job('gz-01', month, [-1, 0, 0], { complaint: true, promiseMissed: true }),
      job('gz-01', month, [1, 1, 1])
    ]
    const [warned] = outletKpis(bad('2026-06'), '2026-06')
    expect(warned).toMatchObject({
      complaints: 1,
      complaintPpm: 500000,
      dissatisfactionPpm: 500000,
      omissionPpm: 500000,
      supervision: 'warning'
    })
    const [suspended] = outletKpis([...bad('2026-05'), ...bad('2026-06')], '2026-06')
    expect(suspended!.supervision).toBe('suspended')
  })

  it('when the month is January, then the month before is December of the year before', () => {
    expect(previousMonth('2027-01')).toBe('2026-12')
    expect(previousMonth('2026-10')).toBe('2026-09')
  })
})
