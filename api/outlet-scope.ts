import type { ServiceAccount } from '../registry/index.js'
import { AppError, type ErrorCode } from '../shared/index.js'

/**
 * People and tools bound to one service outlet see and change only that outlet's orders, devices,
 * stock and quality figures; admins and unbound accounts see every outlet.
 */
export function boundOutlet(account: ServiceAccount | undefined): string | undefined {
  if (!account || account.roles.includes('admin')) return undefined
  return account.outlet ?? undefined
}

/** The outlet a list is limited to: the account's own, or what the query asks for when unbound. */
export function outletFilter(
  account: ServiceAccount | undefined,
  asked: string | undefined
): string | undefined {
  const bound = boundOutlet(account)
  if (bound === undefined) return asked
  if (asked !== undefined && asked !== bound)
    throw new AppError('FORBIDDEN', `this account works for outlet ${bound} only, not ${asked}`)
  return bound
}

/**
 * An order or a device of another outlet answers as if it did not exist, so an account bound to an
 * outlet cannot even learn which ids other outlets hold. Returns the thing when it may be seen.
 */
export function ownOrder<T extends { id: number; outlet: string | null }>(
  account: ServiceAccount | undefined,
  order: T
): T {
  refuseOtherOutlet(account, order.outlet, 'ORDER_NOT_FOUND', `order ${order.id} does not exist`)
  return order
}

export function ownDevice<T extends { id: string; outlet: string | null }>(
  account: ServiceAccount | undefined,
  device: T
): T {
  refuseOtherOutlet(account, device.outlet, 'DEVICE_NOT_FOUND', `device ${device.id} is not registered`)
  return device
}

function refuseOtherOutlet(
  account: ServiceAccount | undefined,
  outlet: string | null,
  code: ErrorCode,
  message: string
): void {
  const bound = boundOutlet(account)
  if (bound !== undefined && outlet !== bound) throw new AppError(code, message)
}
