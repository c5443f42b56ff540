import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, query, type Me } from '../api.js'
import { addDays, dayLabel, mondayOf, today } from '../format.js'
import { ErrorLine } from '../error-line.js'
import type { Order, OrderPage, Outlet, PlanDay } from '../types.js'
import { OrderCard, OrderPanel } from './order-panel.js'
import { PartsToPick, StockDemand } from './parts.js'

const WEEKS = 13
const OPEN = 'proposed,scheduled,dispatched'

/**
 * The planner's page: this week and the next 12 for one outlet — visits per day against the outlet's
 * capacity, late and at-risk orders first, each visit's detail with its actions, parts to pick and
 * stock against demand.
 */
export function PlannerPage({ me }: { me: Me }) {
  const [outlets, setOutlets] = useState<Outlet[]>([])
  const [outlet, setOutlet] = useState<string | null>(me.outlet)
  const [monday, setMonday] = useState(mondayOf(today()))
  const [days, setDays] = useState<PlanDay[]>([])
  const [week, setWeek] = useState<Order[]>([])
  const [attention, setAttention] = useState<Order[]>([])
  const [selected, setSelected] = useState<Order | null>(null)
  const [version, setVersion] = useState(0)
  const [error, setError] = useState<unknown>(null)
  const first = mondayOf(today())

  useEffect(() => {
    api<{ outlets: Outlet[] }>('GET', '/outlets').then((r) => {
      setOutlets(r.outlets)
      setOutlet((o) => o ?? r.outlets[0]?.code ?? null)
    }, setError)
  }, [])
  const perDay = outlets.find((o) => o.code === outlet)?.capacityPerDay ?? 0

  useEffect(() => {
    if (!outlet) return
    const sunday = addDays(monday, 6)
    Promise.all([
      api<{ days: PlanDay[] }>(
        'GET',
        `/plan${query({ from: first, to: addDays(first, WEEKS * 7 - 1), outlet })}`
      ),
      api<OrderPage>(
        'GET',
        `/orders${query({ outlet, from: monday, to: sunday, status: OPEN, sites: true, limit: 2000 })}`
      ),
      api<OrderPage>(
        'GET',
        `/orders${query({ outlet, status: OPEN, atRisk: true, sites: true, limit: 200 })}`
      ),
      api<OrderPage>(
        'GET',
        `/orders${query({ outlet, status: OPEN, to: addDays(today(), -1), sites: true, limit: 200 })}`
      )
    ]).then(([plan, inWeek, atRisk, overdue]) => {
      setDays(plan.days)
      setWeek(inWeek.orders)
      const seen = new Set<number>()
      setAttention([...overdue.orders, ...atRisk.orders].filter((o) => !seen.has(o.id) && seen.add(o.id)))
      setSelected((s) => (s ? ([...inWeek.orders, ...atRisk.orders].find((o) => o.id === s.id) ?? s) : s))
      setError(null)
    }, setError)
  }, [outlet, monday, version])

  const byDay = useMemo(() => {
    const map = new Map<string, Order[]>()
    for (const o of week) if (o.visitDay) map.set(o.visitDay, [...(map.get(o.visitDay) ?? []), o])
    return map
  }, [week])
  const capacity = new Map(days.map((d) => [d.day, d]))
  const changed = (o: Order) => {
    setSelected(o)
    setVersion((v) => v + 1)
  }

  return (
    <div class="planner">
      <div class="toolbar">
        <h1>Planner</h1>
        {me.outlet ? (
          <span class="pill">outlet {me.outlet}</span>
        ) : (
          <label>
            Outlet{' '}
            <select value={outlet ?? ''} onChange={(e) => setOutlet(e.currentTarget.value)}>
              {outlets.map((o) => (
                <option key={o.code} value={o.code}>
                  {o.code} ({o.regions.join(', ')})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ErrorLine error={error} />
      <WeekStrip first={first} days={days} perDay={perDay} monday={monday} onPick={setMonday} />
      {attention.length > 0 && (
        <section class="attention">
          <h2>Late and at risk ({attention.length})</h2>
          <div class="cards">
            {attention.map((o) => (
              <OrderCard key={o.id} order={o} selected={selected?.id === o.id} onPick={setSelected} />
            ))}
          </div>
        </section>
      )}
      <div class="split">
        <section class="calendar" aria-label="visits this week">
          {Array.from({ length: 7 }, (_, i) => addDays(monday, i)).map((day) => {
            const load = capacity.get(day)
            const visits = byDay.get(day) ?? []
            return (
              <div key={day} class={`day${load?.over ? ' over' : ''}${day === today() ? ' today' : ''}`}>
                <div class="day-head">
                  <span>{dayLabel(day)}</span>
                  <span class="load" title="visits / the outlet's capacity that day">
                    {load ? `${load.visits}/${load.capacity}` : `${visits.length}`}
                    {load?.over ? ' over' : ''}
                  </span>
                </div>
                {visits.map((o) => (
                  <OrderCard key={o.id} order={o} selected={selected?.id === o.id} onPick={setSelected} />
                ))}
              </div>
            )
          })}
        </section>
        <aside class="panel">
          {selected ? (
            <OrderPanel order={selected} onChanged={changed} onClose={() => setSelected(null)} />
          ) : (
            <p class="muted">
              Pick a visit to see why it was proposed and to move, schedule, dispatch or cancel it.
            </p>
          )}
        </aside>
      </div>
      <div class="split2">
        <PartsToPick orders={week} />
        {outlet && <StockDemand outlet={outlet} version={version} />}
      </div>
    </div>
  )
}

/** This week and the next 12: visits against capacity per week; a week with an over-capacity day is marked. */
function WeekStrip(props: {
  first: string
  days: PlanDay[]
  /** The outlet's visits a day, for days the plan has no visits on. */
  perDay: number
  monday: string
  onPick: (monday: string) => void
}) {
  const byDay = new Map(props.days.map((d) => [d.day, d]))
  return (
    <nav class="weeks" aria-label="weeks">
      {Array.from({ length: WEEKS }, (_, w) => addDays(props.first, w * 7)).map((mon) => {
        const inWeek = Array.from({ length: 7 }, (_, i) => byDay.get(addDays(mon, i)))
        const visits = inWeek.reduce((n, d) => n + (d?.visits ?? 0), 0)
        const cap = inWeek.reduce((n, d) => n + (d?.capacity ?? props.perDay), 0)
        const over = inWeek.some((d) => d?.over)
        return (
          <button
            type="button"
            key={mon}
            class={`week${mon === props.monday ? ' on' : ''}${over ? ' over' : ''}`}
            onClick={() => props.onPick(mon)}
          >
            <span>{dayLabel(mon).slice(4)}</span>
            <small title="visits / capacity that week">
              {visits}/{cap}
            </small>
          </button>
        )
      })}
    </nav>
  )
}
