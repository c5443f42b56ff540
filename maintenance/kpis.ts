import type { SqlClient } from '../stores/index.js'

/** One finished job as the KPIs see it. */
export interface JobRow {
  outlet: string
  month: string
  timeliness: number | null
  quality: number | null
  attitude: number | null
  firstVisitFix: boolean
  complaint: boolean
  /** A promise (24 h for emergency and urgent orders) that was not kept. */
  promiseMissed: boolean
}

export interface OutletKpis {
  outlet: string
  month: string
  jobs: number
  /** Average score per item (total / jobs, +2..−2) and its change from the month before. */
  scores: Record<'timeliness' | 'quality' | 'attitude', { average: number | null; change: number | null }>
  firstVisitFixRate: number | null
  complaints: number
  acceptableComplaints: number
  complaintPpm: number
  dissatisfactionPpm: number
  omissionPpm: number
  /** ok; warning (a target missed this month); suspended (missed two months running: no more dispatches). */
  supervision: 'ok' | 'warning' | 'suspended'
}

export interface KpiTargets {
  acceptableComplaints: number
  /** Complaint, dissatisfaction and omission rates each below this (PPM). */
  ppmTarget: number
}

export const DEFAULT_KPI_TARGETS: KpiTargets = { acceptableComplaints: 5, ppmTarget: 10 }

/** KPIs per outlet for `month` (YYYY-MM) from the jobs of that month and the month before, pure. */
export function outletKpis(
  jobs: readonly JobRow[],
  month: string,
  targets: KpiTargets = DEFAULT_KPI_TARGETS
): OutletKpis[] {
  const previous = previousMonth(month)
  const outlets = [
    ...new Set(jobs.filter((j) => j.month === month || j.month === previous).map((j) => j.outlet))
  ].sort()
  return outlets.map((outlet) => {
    const now = summarise(
      jobs.filter((j) => j.outlet === outlet && j.month === month),
      targets
    )
    const before = summarise(
      jobs.filter((j) => j.outlet === outlet && j.month === previous),
      targets
    )
    const item = (k: 'timeliness' | 'quality' | 'attitude') => ({
      average: now.averages[k],
      change:
        now.averages[k] !== null && before.averages[k] !== null
          ? (now.averages[k] as number) - (before.averages[k] as number)
          : null
    })
    return {
      outlet,
      month,
      jobs: now.jobs,
      scores: { timeliness: item('timeliness'), quality: item('quality'), attitude: item('attitude') },
      firstVisitFixRate: now.jobs ? now.fixed / now.jobs : null,
      complaints: now.complaints,
      acceptableComplaints: targets.acceptableComplaints,
      complaintPpm: now.complaintPpm,
      dissatisfactionPpm: now.dissatisfactionPpm,
      omissionPpm: now.omissionPpm,
      supervision: now.missed && before.missed ? 'suspended' : now.missed ? 'warning' : 'ok'
    }
  })
}

function summarise(jobs: readonly JobRow[], targets: KpiTargets) {
  const n = jobs.length
  const avg = (k: 'timeliness' | 'quality' | 'attitude') => {
    const scored = jobs.filter((j) => j[k] !== null)
    return scored.length ? scored.reduce((a, j) => a + (j[k] as number), 0) / n : null
  }
  const ppm = (count: number) => (n ? (count / n) * 1e6 : 0)
  const complaints = jobs.filter((j) => j.complaint).length
  const complaintPpm = ppm(complaints)
  const dissatisfactionPpm = ppm(
    jobs.filter((j) => [j.timeliness, j.quality, j.attitude].some((s) => s !== null && s < 0)).length
  )
  const omissionPpm = ppm(jobs.filter((j) => j.promiseMissed).length)
  const missed =
    n > 0 &&
    (complaints > targets.acceptableComplaints ||
      complaintPpm > targets.ppmTarget ||
      dissatisfactionPpm > targets.ppmTarget ||
      omissionPpm > targets.ppmTarget)
  return {
    jobs: n,
    averages: { timeliness: avg('timeliness'), quality: avg('quality'), attitude: avg('attitude') },
    fixed: jobs.filter((j) => j.firstVisitFix).length,
    complaints,
    complaintPpm,
    dissatisfactionPpm,
    omissionPpm,
    missed
  }
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

/** Reads the finished jobs of a month and the month before from the orders table. */
export async function readJobs(db: SqlClient, month: string): Promise<JobRow[]> {
  const from = `${previousMonth(month)}-01`
  const { rows } = await db.query<{
    outlet: string | null
    month: string
    score_timeliness: number | null
    score_quality: number | null
    score_attitude: number | null
    first_visit_fix: boolean | null
    complaint: boolean
    missed: boolean
  }>(
    `SELECT outlet, to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, score_timeliness, score_quality, score_attitude,
            first_visit_fix, complaint, (promise_at IS NOT NULL AND completed_at > promise_at) AS missed
       FROM orders
      WHERE status = 'done' AND completed_at >= $1::date AND completed_at < ($2::date + interval '1 month')`,
    [from, `${month}-01`]
  )
  return rows.map((r) => ({
    outlet: r.outlet ?? '(none)',
    month: r.month,
    timeliness: r.score_timeliness,
    quality: r.score_quality,
    attitude: r.score_attitude,
    firstVisitFix: r.first_visit_fix ?? false,
    complaint: r.complaint,
    promiseMissed: r.missed
  }))
}
