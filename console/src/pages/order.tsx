import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { ErrorLine } from '../error-line.js'
import type { Order } from '../types.js'
import { OrderPanel } from './order-panel.js'

/** One order on its own page (the boards' order rows link here). */
export function OrderPage({ id }: { id: string }) {
  const [order, setOrder] = useState<Order | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    api<Order>('GET', `/orders/${encodeURIComponent(id)}`).then(setOrder, setError)
  }, [id])
  if (error) return <ErrorLine error={error} />
  if (!order) return <p class="muted">Loading order {id}…</p>
  return (
    <div class="order-page">
      <OrderPanel order={order} onChanged={setOrder} onClose={() => (location.hash = '#/planner')} />
    </div>
  )
}
