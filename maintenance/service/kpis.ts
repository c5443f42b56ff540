import type { SqlClient } from '../../stores/index.js'

/** One finished job as the KPIs see it. */
export interface JobRow {
  outlet: string
  month: string
  timeliness: number | null
  quality: number | null
  attitude: number | null
  firstVisitFix: boolean
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
  /** Per million jobs; null in a month without jobs (no rate: the counts still show). */
  complaintPpm: number | null
  dissatisfactionPpm: number | null
  omissionPpm: number | null
  /** ok; warning (a target missed this month); suspended (missed two months running: no more dispatches). */
  supervision: 'ok' | 'warning' | 'suspended'
}

export interface KpiTargets {
  acceptableComplaints: number
  /** Complaint, dissatisfaction and omission rates each below this (PPM). */
  ppmTarget: number
}

export const DEFAULT_KPI_TARGETS: KpiTargets = { acceptableComplaints: 5, ppmTarget: 10 }

/** What the KPIs are computed from: finished jobs, complaints and charged part run-outs, each with outlet and month. */
export interface KpiInput {
  jobs: readonly JobRow[]
  complaints: readonly { outlet: string; month: string }[]
  runOuts: readonly { outlet: string; month: string }[]
}

/**
 * KPIs per outlet for `month` (YYYY-MM) from the records of that month and the month before, pure.
 * Omissions are promises not kept plus parts that ran out while the outlet held their order.
 */
export function outletKpis(
  input: KpiInput,
  month: string,
  targets: KpiTargets = DEFAULT_KPI_TARGETS
): OutletKpis[] {
  const previous = previousMonth(month)
  const outlets = [
    ...new Set(
      [...input.jobs, ...input.complaints, ...input.runOuts]
        .filter((r) => r.month === month || r.month === previous)
        .map((r) => r.outlet)
    )
  ].sort()
  const of = (outlet: string, m: string) => {
    const mine = <T extends { outlet: string; month: string }>(rows: readonly T[]) =>
      rows.filter((r) => r.outlet === outlet && r.month === m)
    return summarise(mine(input.jobs), mine(input.complaints).length, mine(input.runOuts).length, targets)
  }
  return outlets.map((outlet) => {
    const now = of(outlet, month)
    const before = of(outlet, previous)
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

function summarise(jobs: readonly JobRow[], complaints: number, runOuts: number, targets: KpiTargets) {
  const n = jobs.length
  const avg = (k: 'timeliness' | 'quality' | 'attitude') => {
    const scored = jobs.filter((j) => j[k] !== null)
    return scored.length ? scored.reduce((a, j) => a + (j[k] as number), 0) / n : null
  }
  // a rate needs jobs to be a rate of: a month without jobs has none (its complaints still count)
  const ppm = (count: number) => (n ? (count / n) * 1e6 : null)
  const over = (rate: number | null) => rate !== null && rate > targets.ppmTarget
  const omissions = jobs.filter((j) => j.promiseMissed).length + runOuts
  const complaintPpm = ppm(complaints)
  const dissatisfactionPpm = ppm(
    jobs.filter((j) => [j.timeliness, j.quality, j.attitude].some((s) => s !== null && s < 0)).length
  )
  const omissionPpm = ppm(omissions)
  const missed =
    complaints > targets.acceptableComplaints ||
    over(complaintPpm) ||
    over(dissatisfactionPpm) ||
    over(omissionPpm) ||
    // a part that ran out while the outlet held its order is a miss even in a month it did no job
    (n === 0 && omissions > 0)
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

/** Reads what the KPIs of `month` need (that month and the month before) from PostgreSQL. */
export async function readKpiInput(db: SqlClient, month: string): Promise<KpiInput> {
  const range = [`${previousMonth(month)}-01`, `${month}-01`]
  const { rows } = await db.query<{
    outlet: string | null
    month: string
    score_timeliness: number | null
    score_quality: number | null
    score_attitude: number | null
    first_visit_fix: boolean | null
    missed: boolean
  }>(
    `SELECT outlet, to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, score_timeliness, score_quality, score_attitude,
            first_visit_fix, (promise_at IS NOT NULL AND completed_at > promise_at) AS missed
       FROM orders
      WHERE status = 'done' AND completed_at >= $1::date AND completed_at < ($2::date + interval '1 month')`,
    range
  )
  const counted = async (table: 'complaints' | 'part_run_outs', column: 'received_at' | 'detected_at') =>
    (
      await db.query<{ outlet: string | null; month: string }>(
        `SELECT outlet, to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM ${table}
          WHERE outlet IS NOT NULL AND ${column} >= $1::date AND ${column} < ($2::date + interval '1 month')`,
        range
      )
    ).rows.map((r) => ({ outlet: r.outlet ?? '(none)', month: r.month }))
  return {
    jobs: rows.map((r) => ({
      outlet: r.outlet ?? '(none)',
      month: r.month,
      timeliness: r.score_timeliness,
      quality: r.score_quality,
      attitude: r.score_attitude,
      firstVisitFix: r.first_visit_fix ?? false,
      promiseMissed: r.missed
    })),
    complaints: await counted('complaints', 'received_at'),
    runOuts: await counted('part_run_outs', 'detected_at')
  }
}

/** Computes the KPIs of `month` and keeps them in `outlet_kpis` (one row per outlet, replaced), for the boards. */
export async function storeKpiSnapshot(
  db: SqlClient,
  month: string,
  targets: KpiTargets = DEFAULT_KPI_TARGETS
): Promise<OutletKpis[]> {
  const kpis = outletKpis(await readKpiInput(db, month), month, targets)
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM outlet_kpis WHERE month = $1::date', [`${month}-01`])
    for (const k of kpis)
      await tx.query(
        `INSERT INTO outlet_kpis (outlet, month, jobs, score_timeliness, score_quality, score_attitude, change_timeliness,
           change_quality, change_attitude, first_visit_fix_rate, complaints, acceptable_complaints, complaint_ppm,
           dissatisfaction_ppm, omission_ppm, ppm_target, supervision)
         VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          k.outlet,
          `${month}-01`,
          k.jobs,
          k.scores.timeliness.average,
          k.scores.quality.average,
          k.scores.attitude.average,
          k.scores.timeliness.change,
          k.scores.quality.change,
          k.scores.attitude.change,
          k.firstVisitFixRate,
          k.complaints,
          k.acceptableComplaints,
          k.complaintPpm,
          k.dissatisfactionPpm,
          k.omissionPpm,
          targets.ppmTarget,
          k.supervision
        ]
      )
  })
  return kpis
}

/** Outlets whose supervision stops their dispatches in `month` (YYYY-MM). */
export async function suspendedOutlets(db: SqlClient, month: string): Promise<Set<string>> {
  const kpis = outletKpis(await readKpiInput(db, month), month)
  return new Set(kpis.filter((k) => k.supervision === 'suspended').map((k) => k.outlet))
}
