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
    const [k] = outletKpis({ jobs, complaints: [], runOuts: [] }, '2026-06')
    expect(k!.jobs).toBe(4)
    expect(k!.scores.timeliness).toEqual({ average: 5 / 4, change: 5 / 4 - 1 / 2 })
    expect(k!.scores.quality).toEqual({ average: 2 / 4, change: 0.5 })
    expect(k!.firstVisitFixRate).toBe(0.75)
    expect(k!.supervision).toBe('ok')
  })

  it('when a complaint is filed or a promise is missed, then PPM rates say so and the outlet is warned; two months running, suspended', () => {
    const bad = (month: string) => [
      job('gz-01', month, [-1, 0, 0], { promiseMissed: true }),
      job('gz-01', month, [1, 1, 1])
    ]
    const complaint = (month: string) => ({ outlet: 'gz-01', month })
    const [warned] = outletKpis(
      { jobs: bad('2026-06'), complaints: [complaint('2026-06')], runOuts: [] },
      '2026-06'
    )
    expect(warned).toMatchObject({
      complaints: 1,
      complaintPpm: 500000,
      dissatisfactionPpm: 500000,
      omissionPpm: 500000,
      supervision: 'warning'
    })
    const [suspended] = outletKpis(
      { jobs: [...bad('2026-05'), ...bad('2026-06')], complaints: [], runOuts: [] },
      '2026-06'
    )
    expect(suspended!.supervision).toBe('suspended')
  })

  it('when parts ran out while an outlet held their orders, then they count as omissions with the missed promises', () => {
    const jobs = [job('sz-01', '2026-06', [2, 2, 2], { promiseMissed: true }), job('sz-01', '2026-06', null)]
    const runOuts = [
      { outlet: 'sz-01', month: '2026-06' },
      { outlet: 'sz-01', month: '2026-05' }
    ]
    const [k] = outletKpis({ jobs, complaints: [], runOuts }, '2026-06')
    // (1 missed promise + 1 run-out this month) / 2 jobs
    expect(k!.omissionPpm).toBe(1000000)
    expect(k!.complaintPpm).toBe(0)
  })

  it('when an outlet did no jobs in a month but drew a complaint, then it appears with the complaint and no rates (not 1,000,000 PPM)', () => {
    const [k] = outletKpis(
      { jobs: [], complaints: [{ outlet: 'bj-02', month: '2026-06' }], runOuts: [] },
      '2026-06'
    )
    expect(k).toMatchObject({
      outlet: 'bj-02',
      jobs: 0,
      complaints: 1,
      complaintPpm: null,
      dissatisfactionPpm: null,
      omissionPpm: null,
      supervision: 'ok'
    })
  })

  it('when a part ran out at an outlet that did no jobs that month, then the month is a miss (warning)', () => {
    const [k] = outletKpis(
      { jobs: [], complaints: [], runOuts: [{ outlet: 'bj-02', month: '2026-06' }] },
      '2026-06'
    )
    expect(k).toMatchObject({ jobs: 0, omissionPpm: null, supervision: 'warning' })
  })

  it('when the month is January, then the month before is December of the year before', () => {
    expect(previousMonth('2027-01')).toBe('2026-12')
    expect(previousMonth('2026-10')).toBe('2026-09')
  })
})
