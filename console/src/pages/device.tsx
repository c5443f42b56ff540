import { useEffect, useState } from 'preact/hooks'
import type { AlignedData, Options } from 'uplot'
import { api, query } from '../api.js'
import { Chart } from '../chart.js'
import { dateLabel, percent, TYPE_LABEL } from '../format.js'
import { ErrorLine } from '../error-line.js'
import type { Device, Health, Order, OrderPage, Readings } from '../types.js'

const SERIES: Record<string, { label: string; scale: string; color: string }[]> = {
  purifier: [
    { label: 'tdsIn', scale: 'ppm', color: '#8a6d3b' },
    { label: 'tdsOut', scale: 'ppm', color: '#2b6cb0' },
    { label: 'rejection', scale: 'share', color: '#2f855a' }
  ],
  machine: [
    { label: 'engineHours', scale: 'h', color: '#4a5568' },
    { label: 'coolantC', scale: '°C', color: '#c05621' },
    { label: 'hydOilC', scale: '°C', color: '#805ad5' }
  ]
}

/** One device: each component's life, the 30-day forecast with its band, a month of telemetry, faults, orders. */
export function DevicePage({ id }: { id: string }) {
  const [device, setDevice] = useState<Device | null>(null)
  const [health, setHealth] = useState<Health[]>([])
  const [readings, setReadings] = useState<Readings | null>(null)
  const [orders, setOrders] = useState<Order[]>([])
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    const at = encodeURIComponent(id)
    Promise.all([
      api<Device>('GET', `/devices/${at}`),
      api<{ components: Health[] }>('GET', `/devices/${at}/health`),
      api<Readings>('GET', `/devices/${at}/telemetry?days=30`),
      api<OrderPage>(
        'GET',
        `/orders${query({ device: id, status: 'proposed,scheduled,dispatched,done,cancelled', limit: 100 })}`
      )
    ]).then(([d, h, r, o]) => {
      setDevice(d)
      setHealth(h.components)
      setReadings(r)
      setOrders(o.orders.slice().reverse())
    }, setError)
  }, [id])
  if (error) return <ErrorLine error={error} />
  if (!device || !readings) return <p class="muted">Loading {id}…</p>
  return (
    <div class="device">
      <h1>
        {device.id}{' '}
        <small class="muted">
          {device.model} · {device.kind} · {device.region} · outlet {device.outlet ?? '–'}
        </small>
      </h1>
      {device.site && (
        <p class="site">
          {device.site.name} · {device.site.address} · {device.site.phone}
        </p>
      )}
      <section class="card">
        <h2>Components</h2>
        <table class="components">
          <thead>
            <tr>
              <th>part</th>
              <th>used</th>
              <th>early end</th>
              <th>expected end</th>
              <th>late end</th>
              <th>limited by</th>
            </tr>
          </thead>
          <tbody>
            {health.map((h) => (
              <tr key={h.part} data-part={h.part}>
                <td>{h.part}</td>
                <td>
                  <span class="bar" title={percent(h.usedShare, 1)}>
                    <span
                      style={{ width: `${Math.min(100, h.usedShare * 100)}%` }}
                      class={h.usedShare >= 0.9 ? 'hot' : ''}
                    />
                  </span>{' '}
                  <span class="used">{percent(h.usedShare)}</span>
                </td>
                <td>{dateLabel(h.earliestDay)}</td>
                <td>{dateLabel(h.dueDay)}</td>
                <td>{dateLabel(h.latestDay)}</td>
                <td>{h.by}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {health.length === 0 && <p class="muted">No planning pass has estimated this device yet.</p>}
      </section>
      <div class="split2">
        <section class="card">
          <Telemetry kind={device.kind} readings={readings} />
        </section>
        <section class="card">
          <Forecast readings={readings} />
        </section>
      </div>
      <div class="split2">
        <section class="card">
          <h2>Faults</h2>
          {readings.faults.length === 0 && <p class="muted">No faults in the last year.</p>}
          <table>
            <tbody>
              {readings.faults.map((f) => (
                <tr key={`${f.time}/${f.code}`}>
                  <td>{dateLabel(f.time)}</td>
                  <td>{f.code}</td>
                  <td>{f.grade ?? ''}</td>
                  <td>{f.active ? 'active' : 'cleared'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card">
          <h2>Orders</h2>
          <table>
            <tbody>
              {orders.map((o) => (
                <tr key={o.id}>
                  <td>{o.id}</td>
                  <td>{TYPE_LABEL[o.type]}</td>
                  <td>{o.status}</td>
                  <td>{dateLabel(o.completion?.completedAt ?? o.visitDay)}</td>
                  <td>
                    {o.completion
                      ? o.completion.replacedParts.join(', ')
                      : o.parts.map((p) => p.part).join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  )
}

function Telemetry({ kind, readings }: { kind: string; readings: Readings }) {
  const series = SERIES[kind] ?? []
  if (readings.hours.length === 0) return <p class="muted">No telemetry in the last 30 days.</p>
  const data: AlignedData = [
    readings.hours.map((h) => Date.parse(String(h.time)) / 1000),
    ...series.map((s) =>
      readings.hours.map((h) => (typeof h[s.label] === 'number' ? (h[s.label] as number) : null))
    )
  ]
  const scales = [...new Set(series.map((s) => s.scale))]
  const options: Omit<Options, 'width' | 'height'> = {
    series: [
      {},
      ...series.map((s) => ({ label: s.label, scale: s.scale, stroke: s.color, spanGaps: false }))
    ],
    axes: [
      {},
      ...scales.map((scale, i) => ({ scale, side: i === 0 ? 3 : 1, label: scale, grid: { show: i === 0 } }))
    ]
  }
  return <Chart title="Last 30 days, by hour" options={options} data={data} />
}

function Forecast({ readings }: { readings: Readings }) {
  const unit = readings.forecast[0]?.unit
  const points = readings.forecast.filter((f) => f.unit === unit)
  if (points.length === 0) return <p class="muted">No forecast yet (it comes with the next planning pass).</p>
  const data: AlignedData = [
    points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000),
    points.map((p) => p.high),
    points.map((p) => p.expected),
    points.map((p) => p.low)
  ]
  const options: Omit<Options, 'width' | 'height'> = {
    series: [
      {},
      { label: 'high', stroke: '#a0aec0', dash: [4, 4] },
      { label: 'expected', stroke: '#2b6cb0', width: 2 },
      { label: 'low', stroke: '#a0aec0', dash: [4, 4] }
    ],
    bands: [{ series: [1, 3], fill: 'rgba(43,108,176,0.12)' }],
    axes: [{}, { label: `${unit} a day` }]
  }
  return (
    <Chart
      title={`Usage forecast, next ${points.length} days (${unit} a day, with its band)`}
      options={options}
      data={data}
    />
  )
}
