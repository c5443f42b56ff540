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
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    Promise.all([
      api<{ outlets: Kpis[] }>('GET', `/kpis${query({ month })}`),
      api<{ complaints: Complaint[] }>('GET', `/complaints${query({ month })}`)
    ]).then(([k, c]) => {
      setKpis(k.outlets)
      setComplaints(c.complaints)
      setError(null)
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
                <td class={`sup-${k.supervision}`}>{k.supervision}</td>
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
