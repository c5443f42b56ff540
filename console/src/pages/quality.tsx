import { useEffect, useState } from 'preact/hooks'
import { api, query, type Me } from '../api.js'
import { dateLabel, grade, percent } from '../format.js'
import { ErrorLine } from '../error-line.js'
import type { Complaint, Kpis } from '../types.js'

/** The rates are held to 10 per million jobs. */
const PPM_TARGET = 10

/** Per outlet and month: scores and their change, first-visit fix, complaints, PPM rates, supervision; the complaints. */
export function QualityPage({ me }: { me: Me }) {
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7))
  const [kpis, setKpis] = useState<Kpis[]>([])
  const [complaints, setComplaints] = useState<Complaint[]>([])
  const [since, setSince] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    Promise.all([
      api<{ outlets: Kpis[] }>('GET', `/kpis${query({ month })}`),
      api<{ complaints: Complaint[] }>('GET', `/complaints${query({ month })}`)
    ]).then(([k, c]) => {
      setKpis(k.outlets)
      setComplaints(c.complaints)
      setError(null)
      void supervisedSince(month, k.outlets).then(setSince)
    }, setError)
  }, [month])
  const ppm = (v: number | null) => (
    <td class={v !== null && v >= PPM_TARGET ? 'bad' : ''}>
      {v === null ? '–' : Math.round(v).toLocaleString()}
    </td>
  )
  const score = (s: { average: number | null; change: number | null }) => (
    <td>
      {grade(s.average)} <small class="muted">{s.average === null ? '' : s.average.toFixed(2)}</small>
      {s.change !== null && s.change !== 0 && (
        <small class={s.change > 0 ? 'up' : 'down'}>
          {' '}
          {s.change > 0 ? '▲' : '▼'} {Math.abs(s.change).toFixed(2)}
        </small>
      )}
    </td>
  )
  return (
    <div class="quality">
      <div class="toolbar">
        <h1>Quality</h1>
        <label>
          Month <input type="month" value={month} onInput={(e) => setMonth(e.currentTarget.value)} />
        </label>
        {me.outlet && <span class="pill">outlet {me.outlet}</span>}
      </div>
      <ErrorLine error={error} />
      <section class="card">
        <table class="numbers kpis">
          <thead>
            <tr>
              <th>outlet</th>
              <th>jobs</th>
              <th>timeliness</th>
              <th>repair quality</th>
              <th>attitude</th>
              <th>first-visit fix</th>
              <th>complaints / acceptable</th>
              <th>complaint PPM</th>
              <th>dissatisfaction PPM</th>
              <th>omission PPM</th>
              <th>supervision</th>
            </tr>
          </thead>
          <tbody>
            {kpis.map((k) => (
              <tr key={k.outlet} data-outlet={k.outlet}>
                <td>{k.outlet}</td>
                <td>{k.jobs}</td>
                {score(k.scores.timeliness)}
                {score(k.scores.quality)}
                {score(k.scores.attitude)}
                <td>{percent(k.firstVisitFixRate)}</td>
                <td class={k.complaints > k.acceptableComplaints ? 'bad' : ''}>
                  {k.complaints} / {k.acceptableComplaints}
                </td>
                {ppm(k.complaintPpm)}
                {ppm(k.dissatisfactionPpm)}
                {ppm(k.omissionPpm)}
                <td class={`sup-${k.supervision}`}>
                  {k.supervision}
                  {since[k.outlet] && <small> since {since[k.outlet]}</small>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {kpis.length === 0 && !error && <p class="muted">No outlet had jobs this month.</p>}
        <p class="hint">
          Scores: A (+2) … E (−2), averaged over the month's jobs, with the change from the month before.
          Rates are per million jobs against a target of {PPM_TARGET}; a target missed makes a warning, two
          months running a suspension (no more dispatches).
        </p>
      </section>
      <section class="card">
        <h2>Complaints ({complaints.length})</h2>
        <table>
          <tbody>
            {complaints.map((c) => (
              <tr key={c.id}>
                <td>{dateLabel(c.receivedAt)}</td>
                <td>{c.outlet ?? '–'}</td>
                <td>
                  <a href={`#/device/${encodeURIComponent(c.deviceId)}`}>{c.deviceId}</a> · order {c.orderId}
                </td>
                <td>{c.category}</td>
                <td>{c.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  )
}

/** How far back a warning or suspension is traced (a month a request). */
const LOOK_BACK_MONTHS = 12

function previousMonth(month: string): string {
  const [y = 0, m = 1] = month.split('-').map(Number)
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

/**
 * Since which month each outlet that is warned or suspended has been so: the months before are read
 * back until the outlet was ok (or had no jobs), up to a year.
 */
async function supervisedSince(month: string, kpis: Kpis[]): Promise<Record<string, string>> {
  const since: Record<string, string> = {}
  const tracing = new Set<string>()
  for (const k of kpis)
    if (k.supervision !== 'ok') {
      since[k.outlet] = month
      tracing.add(k.outlet)
    }
  let at = month
  for (let i = 0; i < LOOK_BACK_MONTHS && tracing.size > 0; i++) {
    at = previousMonth(at)
    const { outlets } = await api<{ outlets: Kpis[] }>('GET', `/kpis${query({ month: at })}`)
    for (const outlet of [...tracing]) {
      const then = outlets.find((k) => k.outlet === outlet)
      if (then && then.supervision !== 'ok') since[outlet] = at
      else tracing.delete(outlet)
    }
  }
  return since
}
