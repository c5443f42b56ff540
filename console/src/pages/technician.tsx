import { useEffect, useState } from 'preact/hooks'
import { api, query, type Me } from '../api.js'
import { dayLabel, TYPE_LABEL, today } from '../format.js'
import { ErrorLine } from '../error-line.js'
import type { CatalogueModel, Device, Order, OrderPage } from '../types.js'

const SCORES = ['A', 'B', 'C', 'D', 'E'] as const
type Score = (typeof SCORES)[number]

interface Draft {
  replacedParts: string[]
  firstVisitFix: boolean
  timeliness: Score
  quality: Score
  attitude: Score
  note: string
}

/** What was typed into a completion form, kept in this browser until the completion is stored. */
const draftKey = (id: number) => `aftercare.completion.${id}`

function loadDraft(order: Order): Draft {
  try {
    const saved = localStorage.getItem(draftKey(order.id))
    if (saved) return JSON.parse(saved) as Draft
  } catch {
    // a draft that cannot be read is started again
  }
  return {
    replacedParts: order.parts.map((p) => p.part),
    firstVisitFix: true,
    timeliness: 'A',
    quality: 'A',
    attitude: 'A',
    note: ''
  }
}

/** A technician's day on a phone: the dispatched visits due by today, each with its site and a completion form. */
export function TechnicianPage({ me }: { me: Me }) {
  const [orders, setOrders] = useState<Order[]>([])
  const [open, setOpen] = useState<number | null>(null)
  const [done, setDone] = useState<number[]>([])
  const [error, setError] = useState<unknown>(null)
  const load = () =>
    api<OrderPage>(
      'GET',
      `/orders${query({ status: 'dispatched', to: today(), sites: true, limit: 200 })}`
    ).then((r) => setOrders(r.orders), setError)
  useEffect(() => void load(), [])
  return (
    <div class="today">
      <h1>Today · {dayLabel(today())}</h1>
      <p class="muted">
        {me.outlet ? `Outlet ${me.outlet}. ` : ''}
        {orders.length} dispatched visit{orders.length === 1 ? '' : 's'} due by today.
      </p>
      <ErrorLine error={error} />
      {done.map((id) => (
        <p key={id} class="ok" role="status">
          Order {id} recorded as done.
        </p>
      ))}
      <ul class="visits">
        {orders.map((o) => (
          <li key={o.id} class="card" data-order={o.id}>
            <div class="visit-head">
              <span class={`badge t-${o.type}`}>{TYPE_LABEL[o.type]}</span> <strong>{o.deviceId}</strong>
              {o.visitDay && o.visitDay < today() && (
                <span class="error"> overdue since {dayLabel(o.visitDay)}</span>
              )}
            </div>
            {o.site && (
              <p class="site">
                {o.site.name}
                <br />
                {o.site.address}
                {o.site.phone && (
                  <>
                    <br />
                    <a href={`tel:${o.site.phone}`}>{o.site.phone}</a>
                  </>
                )}
              </p>
            )}
            <p>
              <small>{o.parts.map((p) => p.part).join(', ') || o.reason}</small>
            </p>
            {open === o.id ? (
              <CompletionForm
                order={o}
                onDone={() => {
                  setOpen(null)
                  setDone((d) => [...d, o.id])
                  void load()
                }}
              />
            ) : (
              <button type="button" onClick={() => setOpen(o.id)}>
                Complete…
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}

/**
 * The completion of one visit: the parts replaced (from the device's model, the order's ticked), first-
 * visit fix, the three scores and a note. Every change is kept in the browser, so a submit that fails
 * (a lost connection, a refusal) loses nothing that was typed.
 */
function CompletionForm({ order, onDone }: { order: Order; onDone: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => loadDraft(order))
  const [parts, setParts] = useState<string[]>(order.parts.map((p) => p.part))
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    Promise.all([
      api<Device>('GET', `/devices/${encodeURIComponent(order.deviceId)}`),
      api<{ catalogue: { models: CatalogueModel[] } }>('GET', '/catalogue')
    ]).then(([device, { catalogue }]) => {
      const model = catalogue.models.find((m) => m.model === device.model)
      if (model) setParts(model.components.map((c) => c.part))
    }, setError)
  }, [order.deviceId])
  const update = (change: Partial<Draft>) => {
    const next = { ...draft, ...change }
    setDraft(next)
    localStorage.setItem(draftKey(order.id), JSON.stringify(next))
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await api('POST', `/orders/${order.id}/complete`, {
        replacedParts: draft.replacedParts,
        firstVisitFix: draft.firstVisitFix,
        scores: { timeliness: draft.timeliness, quality: draft.quality, attitude: draft.attitude },
        ...(draft.note.trim() ? { note: draft.note.trim() } : {})
      })
      localStorage.removeItem(draftKey(order.id))
      onDone()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="completion" onSubmit={submit}>
      <fieldset>
        <legend>Parts replaced</legend>
        {parts.map((part) => (
          <label key={part} class="check">
            <input
              type="checkbox"
              name="part"
              value={part}
              checked={draft.replacedParts.includes(part)}
              onChange={(e) =>
                update({
                  replacedParts: e.currentTarget.checked
                    ? [...draft.replacedParts, part]
                    : draft.replacedParts.filter((p) => p !== part)
                })
              }
            />{' '}
            {part}
          </label>
        ))}
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          name="firstVisitFix"
          checked={draft.firstVisitFix}
          onChange={(e) => update({ firstVisitFix: e.currentTarget.checked })}
        />{' '}
        Fixed on this first visit
      </label>
      <div class="scores">
        {(['timeliness', 'quality', 'attitude'] as const).map((item) => (
          <label key={item}>
            {item === 'quality' ? 'repair quality' : item}
            <select
              name={item}
              value={draft[item]}
              onChange={(e) => update({ [item]: e.currentTarget.value as Score })}
            >
              {SCORES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <label>
        Note
        <textarea
          name="note"
          rows={3}
          value={draft.note}
          onInput={(e) => update({ note: e.currentTarget.value })}
        />
      </label>
      {error !== null && (
        <p class="error" role="alert">
          Not saved: {(error as Error).message}. What you typed is kept; try again.
        </p>
      )}
      <button type="submit" disabled={busy}>
        Record as done
      </button>
    </form>
  )
}
