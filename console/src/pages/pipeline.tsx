import { useEffect, useRef, useState } from 'preact/hooks'
import { api, query } from '../api.js'
import { ErrorLine } from '../error-line.js'

interface Letter {
  id: number
  receivedAt: string
  deviceId: string | null
  topic: string
  code: string
  reason: string
  payloadLength: number
}

interface Stats {
  ingest: { messages: number; samplesStored: number; deadLettered?: number }
  writer: { linesWritten: number; failedAttempts: number; rejectedWrites: number; queuedLines: number }
  broker: { connected: number }
}

/** How often the rates are measured (the counters are this node's since it started). */
const POLL_MS = 5000

/** Dead letters with their reasons (by device and reason), ingest rates and write failures. */
export function PipelinePage() {
  const [device, setDevice] = useState('')
  const [code, setCode] = useState('')
  const [letters, setLetters] = useState<Letter[]>([])
  const [counts, setCounts] = useState<Record<string, number>>({})
  const [stats, setStats] = useState<Stats | null>(null)
  const [rates, setRates] = useState<{ messages: number; samples: number } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const last = useRef<{ at: number; stats: Stats } | null>(null)

  useEffect(() => {
    api<{ deadLetters: Letter[]; counts: Record<string, number> }>(
      'GET',
      `/dead-letters${query({ device: device.trim(), code, limit: 200 })}`
    ).then((r) => {
      setLetters(r.deadLetters)
      setCounts(r.counts)
      setError(null)
    }, setError)
  }, [device, code])

  useEffect(() => {
    const poll = () =>
      api<Stats>('GET', '/pipeline/stats').then((s) => {
        const now = Date.now()
        const before = last.current
        if (before) {
          const seconds = (now - before.at) / 1000
          setRates({
            messages: (s.ingest.messages - before.stats.ingest.messages) / seconds,
            samples: (s.ingest.samplesStored - before.stats.ingest.samplesStored) / seconds
          })
        }
        last.current = { at: now, stats: s }
        setStats(s)
      }, setError)
    void poll()
    const timer = setInterval(poll, POLL_MS)
    return () => clearInterval(timer)
  }, [])

  return (
    <div class="pipeline">
      <h1>Pipeline</h1>
      <ErrorLine error={error} />
      {stats && (
        <section class="card tiles">
          <div>
            <strong>{rates ? rates.messages.toFixed(1) : '…'}</strong> messages/s
          </div>
          <div>
            <strong>{rates ? rates.samples.toFixed(1) : '…'}</strong> samples stored/s
          </div>
          <div>
            <strong>{stats.broker.connected}</strong> connected
          </div>
          <div class={stats.writer.failedAttempts > 0 ? 'bad' : ''}>
            <strong>{stats.writer.failedAttempts}</strong> failed write attempts (retried)
          </div>
          <div class={stats.writer.rejectedWrites > 0 ? 'bad' : ''}>
            <strong>{stats.writer.rejectedWrites}</strong> writes InfluxDB refused
          </div>
          <div>
            <strong>{stats.writer.queuedLines}</strong> lines waiting
          </div>
        </section>
      )}
      <section class="card">
        <h2>Dead letters</h2>
        <div class="row">
          <label>
            Device <input name="device" value={device} onChange={(e) => setDevice(e.currentTarget.value)} />
          </label>
          <label>
            Reason{' '}
            <select name="code" value={code} onChange={(e) => setCode(e.currentTarget.value)}>
              <option value="">every reason</option>
              {Object.entries(counts).map(([c, n]) => (
                <option key={c} value={c}>
                  {c} ({n})
                </option>
              ))}
            </select>
          </label>
        </div>
        <table>
          <thead>
            <tr>
              <th>received</th>
              <th>device</th>
              <th>topic</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {letters.map((l) => (
              <tr key={l.id}>
                <td>{l.receivedAt.replace('T', ' ').slice(0, 19)}</td>
                <td>{l.deviceId ?? '–'}</td>
                <td>{l.topic}</td>
                <td>
                  <code>{l.code}</code> {l.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {letters.length === 0 && !error && (
          <p class="muted">Nothing dead-lettered{code || device ? ' for this filter' : ''}.</p>
        )}
      </section>
    </div>
  )
}
