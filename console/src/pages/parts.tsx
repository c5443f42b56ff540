import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { dayLabel } from '../format.js'
import { ErrorLine } from '../error-line.js'
import type { Order, PartsDemand } from '../types.js'

/** Per day of the week shown, the part numbers its visits need (proposed ones in brackets: not yet committed). */
export function PartsToPick({ orders }: { orders: Order[] }) {
  const days = new Map<string, Map<string, { committed: number; proposed: number }>>()
  for (const o of orders) {
    if (!o.visitDay) continue
    const parts = days.get(o.visitDay) ?? new Map<string, { committed: number; proposed: number }>()
    days.set(o.visitDay, parts)
    for (const p of o.parts) {
      const n = parts.get(p.partNumber) ?? { committed: 0, proposed: 0 }
      if (o.status === 'proposed') n.proposed++
      else n.committed++
      parts.set(p.partNumber, n)
    }
  }
  const sorted = [...days.entries()]
    .filter(([, parts]) => parts.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
  return (
    <section class="card">
      <h2>Parts to pick</h2>
      {sorted.length === 0 && <p class="muted">No parts needed this week.</p>}
      <table>
        <tbody>
          {sorted.map(([day, parts]) => (
            <tr key={day}>
              <th>{dayLabel(day)}</th>
              <td>
                {[...parts.entries()]
                  .map(([pn, n]) => `${pn} × ${n.committed}${n.proposed ? ` (+${n.proposed} proposed)` : ''}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** Per ISO week and part number: what the outlet's open orders need, the stock, and what to order. */
export function StockDemand({ outlet, version }: { outlet: string; version: number }) {
  const [lines, setLines] = useState<PartsDemand[]>([])
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    api<{ demand: PartsDemand[] }>('GET', `/outlets/${encodeURIComponent(outlet)}/demand`).then(
      (r) => setLines(r.demand.slice(0, 60)),
      setError
    )
  }, [outlet, version])
  return (
    <section class="card">
      <h2>Stock vs demand by week</h2>
      <ErrorLine error={error} />
      {lines.length === 0 && !error && <p class="muted">No open orders need parts.</p>}
      {lines.length > 0 && (
        <table class="numbers">
          <thead>
            <tr>
              <th>week</th>
              <th>part</th>
              <th>needed</th>
              <th>stock</th>
              <th>to order</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={`${l.week}/${l.partNumber}`} class={l.reorder > 0 ? 'short' : ''}>
                <td>{l.week}</td>
                <td>
                  {l.partNumber} <small class="muted">{l.part}</small>
                </td>
                <td>{l.quantity}</td>
                <td>{l.stock}</td>
                <td>{l.reorder}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
