import { AppError, type Clock, type DeviceInfo, type Logger } from '../../shared/index.js'
import { modelOf, type Catalogue } from '../engine/catalogue.js'
import type { ComplaintCategory, Completion, Order, OrderStatus } from '../engine/order.js'
import type { OrderStore, PartChange } from '../stores/order-store.js'
import type { SqlOutletStore } from '../stores/outlets.js'
import type { Complaint, SqlServiceRecords } from '../stores/service-records.js'

export interface ServiceOrderDeps {
  orders: OrderStore
  outlets: Pick<SqlOutletStore, 'dispatch'>
  records: Pick<SqlServiceRecords, 'addComplaint'>
  catalogue: () => Catalogue
  /** The device an order is for, from the registry (its model says which parts it has). */
  device: (id: string) => Promise<DeviceInfo>
  /** Outlets that must not receive dispatches this month (supervision). */
  suspendedOutlets: (month: string) => Promise<ReadonlySet<string>>
  /** Writes a part change into the device's InfluxDB history; resolves once it is stored. */
  recordPartChange: (change: PartChange, device: DeviceInfo) => Promise<void>
  clock: Clock
  log: Logger
}

/**
 * The service loop's use cases — schedule, dispatch, cancel, complete, complain — each validated before it
 * writes and committed in one transaction. Routes, the CLI and the evaluation call these, nothing lower.
 */
export class ServiceOrders {
  private flushing: Promise<void> = Promise.resolve()

  constructor(private readonly deps: ServiceOrderDeps) {}

  /** Moves an order on: to scheduled or cancelled as the lifecycle allows; to dispatched through `dispatch`. */
  async move(
    id: number,
    to: Exclude<OrderStatus, 'proposed' | 'done'>,
    by: string,
    note = '',
    technician?: string
  ): Promise<Order> {
    if (to === 'dispatched') {
      if (technician) await this.deps.orders.assign(id, technician)
      return this.dispatch(id, by)
    }
    return this.deps.orders.transition(id, to, note || `${to} by ${by}`, technician)
  }

  /**
   * Moves a scheduled visit to another day, from today up to its deadline (the refusal says why); with
   * `schedule`, a proposed visit is scheduled on that day in the same transaction.
   */
  async reschedule(id: number, visitDay: string, by: string, note = '', schedule = false): Promise<Order> {
    const today = new Date(this.deps.clock.now()).toISOString().slice(0, 10)
    return this.deps.orders.reschedule(id, visitDay, today, note || `by ${by}`, schedule)
  }

  /**
   * Dispatches a scheduled order to the device's own outlet when it covers the device's region, is not
   * suspended and has room on the visit day; else to the least-loaded outlet of the region that has.
   */
  async dispatch(id: number, by: string): Promise<Order> {
    const order = await this.deps.orders.get(id)
    const device = await this.deps.device(order.deviceId)
    const month = new Date(this.deps.clock.now()).toISOString().slice(0, 7)
    const { outlet } = await this.deps.outlets.dispatch(
      id,
      device.region,
      await this.deps.suspendedOutlets(month)
    )
    this.deps.log.info({ order: id, outlet, by }, 'order dispatched')
    return this.deps.orders.get(id)
  }

  /**
   * Closes a dispatched order as done. Every replaced part must be a part of the device's model; then the
   * move, the completion, the part changes and any complaint commit together, and the part changes reach
   * the device's InfluxDB history after the commit (retried until stored). The same completion sent again
   * returns the done order; a different one is refused.
   */
  async complete(id: number, completion: Completion, by: string | null): Promise<Order> {
    const order = await this.deps.orders.get(id)
    const device = await this.deps.device(order.deviceId)
    const model = modelOf(this.deps.catalogue(), device.model)
    if (!model)
      throw new AppError(
        'COMPLETION_INVALID',
        `order ${id}: device ${device.id} has model ${device.model}, which the catalogue does not describe`
      )
    const known = new Set(model.components.map((c) => c.part))
    const unknown = completion.replacedParts.filter((p) => !known.has(p))
    if (unknown.length > 0)
      throw new AppError(
        'COMPLETION_INVALID',
        `order ${id}: ${unknown.map((p) => `"${p}"`).join(', ')} ${unknown.length > 1 ? 'are not parts' : 'is not a part'} of ${device.model} (its parts: ${[...known].join(', ')})`
      )
    // the part numbers the outlet's shelf is counted in
    const partNumbers = Object.fromEntries(model.components.map((c) => [c.part, c.partNumber]))
    const { order: done, replayed } = await this.deps.orders.complete(
      id,
      completion,
      by,
      new Date(this.deps.clock.now()),
      partNumbers
    )
    if (!replayed) void this.flushPartChanges()
    return done
  }

  /** A customer's complaint about a visit: taken on done orders, counted against the outlet that did it. */
  async complain(id: number, complaint: { category: ComplaintCategory; text: string }): Promise<Complaint> {
    const order = await this.deps.orders.get(id)
    if (order.status !== 'done')
      throw new AppError(
        'ORDER_NOT_DONE',
        `order ${id} is ${order.status}; a complaint is taken on a done order (a problem before the visit is an order of its own)`
      )
    return this.deps.records.addComplaint(id, { ...complaint, receivedAt: new Date(this.deps.clock.now()) })
  }

  /**
   * Writes the part changes not yet in InfluxDB (after a completion, and before each planning pass: a
   * node that stopped between the commit and the write catches up). One flush at a time; never rejects.
   */
  flushPartChanges(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      try {
        for (;;) {
          const pending = await this.deps.orders.pendingPartChanges()
          if (pending.length === 0) return
          const stored: number[] = []
          for (const change of pending) {
            await this.deps.recordPartChange(change, await this.deps.device(change.deviceId))
            stored.push(change.id)
          }
          await this.deps.orders.markPartChangesStored(stored)
        }
      } catch (err) {
        this.deps.log.warn(
          { err: (err as Error).message },
          'part changes not yet in InfluxDB; the next pass tries again'
        )
      }
    })
    return this.flushing
  }
}
