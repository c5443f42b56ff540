import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { dateLabel, dayLabel, TYPE_LABEL, today } from '../format.js'
import type { Order } from '../types.js'

/** Its part's run-out day has already gone by (an unserviced fleet just imported). */
function ranOut(o: Order): boolean {
  return o.expectedRunOut !== null && o.expectedRunOut < today()
}

/** A visit on the calendar: type, device, site, parts; late and at-risk ones stand out. */
export function OrderCard(props: { order: Order; selected: boolean; onPick: (o: Order) => void }) {
  const o = props.order
  const late = o.visitDay !== null && o.visitDay < today()
  return (
    <button
      type="button"
      class={`visit t-${o.type} s-${o.status}${props.selected ? ' on' : ''}${o.atRisk || late ? ' risk' : ''}`}
      onClick={() => props.onPick(o)}
      data-order={o.id}
    >
      <span class="badge">{TYPE_LABEL[o.type]}</span> <strong>{o.deviceId}</strong>
      <span class="status">{o.status}</span>
      <br />
      <small>
        {o.site?.name ?? ''}
        {o.site?.name ? ' · ' : ''}
        {o.parts.map((p) => p.part).join(', ') || (o.inspection ? `inspection ${o.inspection} mo` : '')}
      </small>
      {(o.atRisk || late) && (
        <small class="risk-line">
          {late
            ? `overdue since ${dayLabel(o.visitDay)}`
            : `${ranOut(o) ? 'ran' : 'runs'} out ${dateLabel(o.expectedRunOut)}`}
        </small>
      )}
    </button>
  )
}

/**
 * One visit in full — device, site, parts, deadline, why the engine proposed it — and what a planner
 * does with it: move it within its deadline, name the technician, schedule, dispatch, cancel with a
 * reason. A refused change says why (the API's message) and changes nothing.
 */
export function OrderPanel(props: { order: Order; onChanged: (o: Order) => void; onClose: () => void }) {
  const o = props.order
  const [day, setDay] = useState(o.visitDay ?? today())
  const [technician, setTechnician] = useState(o.technician ?? '')
  const [reason, setReason] = useState('')
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  useEffect(() => {
    setDay(o.visitDay ?? today())
    setTechnician(o.technician ?? '')
    setMessage(null)
  }, [o.id])
  const act = async (what: string, call: () => Promise<Order>) => {
    try {
      const changed = await call()
      setMessage({ ok: true, text: what })
      props.onChanged(changed)
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message })
    }
  }
  const transition = (to: string, note = '') =>
    api<Order>('POST', `/orders/${o.id}/transition`, {
      to,
      note,
      ...(technician.trim() ? { technician: technician.trim() } : {})
    })
  const open = o.status === 'proposed' || o.status === 'scheduled' || o.status === 'dispatched'
  return (
    <div class="order-panel" data-order={o.id}>
      <div class="panel-head">
        <h2>
          Order {o.id} <span class={`badge t-${o.type}`}>{TYPE_LABEL[o.type]}</span>
        </h2>
        <button type="button" class="link" onClick={props.onClose} aria-label="close">
          ✕
        </button>
      </div>
      <dl>
        <dt>Device</dt>
        <dd>
          <a href={`#/device/${encodeURIComponent(o.deviceId)}`}>{o.deviceId}</a>
        </dd>
        {o.site && (
          <>
            <dt>Site</dt>
            <dd>
              {o.site.name}
              <br />
              {o.site.address}
              {o.site.phone && <br />}
              {o.site.phone}
            </dd>
          </>
        )}
        <dt>Status</dt>
        <dd>{o.status}</dd>
        <dt>Visit</dt>
        <dd>{dayLabel(o.visitDay)}</dd>
        <dt>Deadline</dt>
        <dd>{dayLabel(o.deadline)}</dd>
        <dt>Parts</dt>
        <dd>{o.parts.map((p) => `${p.part} (${p.partNumber})`).join(', ') || '–'}</dd>
        {o.inspection !== null && (
          <>
            <dt>Inspection</dt>
            <dd>{o.inspection} months after delivery</dd>
          </>
        )}
        <dt>Why</dt>
        <dd class="reason">{o.reason}</dd>
        {o.atRisk && (
          <>
            <dt>At risk</dt>
            <dd class="error">
              {ranOut(o)
                ? `the part ran out on ${dateLabel(o.expectedRunOut)}`
                : `the part is expected to run out on ${dateLabel(o.expectedRunOut)}`}
            </dd>
          </>
        )}
        <dt>Technician</dt>
        <dd>{o.technician ?? '–'}</dd>
      </dl>
      {open && (
        <div class="actions">
          {o.status !== 'dispatched' && (
            <form
              class="row"
              // the API checks the day and says why one is refused (the browser's own check would only say "too late")
              noValidate
              onSubmit={(e) => {
                e.preventDefault()
                void act(`moved to ${dayLabel(day)}${o.status === 'proposed' ? ' and scheduled' : ''}`, () =>
                  api<Order>('POST', `/orders/${o.id}/reschedule`, {
                    visitDay: day,
                    schedule: o.status === 'proposed'
                  })
                )
              }}
            >
              <label>
                Visit day{' '}
                <input
                  type="date"
                  name="visitDay"
                  value={day}
                  min={today()}
                  max={o.deadline ?? undefined}
                  onInput={(e) => setDay(e.currentTarget.value)}
                />
              </label>
              <button type="submit">Move</button>
            </form>
          )}
          {o.deadline && (
            <p class="hint">Days after the deadline ({dayLabel(o.deadline)}) or before today are refused.</p>
          )}
          <label>
            Technician{' '}
            <input
              name="technician"
              value={technician}
              onInput={(e) => setTechnician(e.currentTarget.value)}
            />
          </label>
          <div class="row">
            {o.status === 'proposed' && (
              <button type="button" onClick={() => void act('scheduled', () => transition('scheduled'))}>
                Schedule
              </button>
            )}
            {o.status === 'scheduled' && (
              <button type="button" onClick={() => void act('dispatched', () => transition('dispatched'))}>
                Dispatch
              </button>
            )}
          </div>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault()
              void act('cancelled', () => transition('cancelled', reason))
            }}
          >
            <input
              name="cancelReason"
              placeholder="why it is cancelled"
              value={reason}
              required
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <button type="submit" class="danger">
              Cancel order
            </button>
          </form>
        </div>
      )}
      {message && (
        <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </div>
  )
}
