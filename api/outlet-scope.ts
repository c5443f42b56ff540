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
 * Refuses a thing (an order, a device) of another outlet as if it did not exist, so a bound account
 * cannot even learn which ids other outlets hold.
 */
export function ensureOwnOutlet(
  account: ServiceAccount | undefined,
  outlet: string | null,
  notFound: { code: ErrorCode; message: string }
): void {
  const bound = boundOutlet(account)
  if (bound !== undefined && outlet !== bound) throw new AppError(notFound.code, notFound.message)
}
