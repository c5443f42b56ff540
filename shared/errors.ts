/**
 * The one error type of aftercare. Every error carries a stable `code` that
 * callers, logs and API clients can rely on, and says whether it is
 * operational (bad input, a store that is down: handle it) or a programmer
 * error (a bug: crash loudly in tests, 500 in the API).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'INFLUXD_MISSING'
  | 'INFLUXD_FAILED'
  | 'INFLUX_WRITE_REJECTED'
  | 'INFLUX_QUERY_FAILED'
  | 'INFLUX_UNAVAILABLE'
  | 'SQL_UNAVAILABLE'
  | 'DATA_DIR_LOCKED'
  | 'DEVICE_EXISTS'
  | 'DEVICE_NOT_FOUND'
  | 'DEVICE_INVALID'
  | 'ACCOUNT_EXISTS'
  | 'ACCOUNT_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_INVALID'
  | 'WRITER_CLOSED'
  | 'WRITER_FAULT'
  | 'NOT_RUNNING'
  | 'API_REQUEST_FAILED'
  | 'ORDER_NOT_FOUND'
  | 'ORDER_TRANSITION'
  | 'ORDER_NOT_DONE'
  | 'COMPLETION_INVALID'
  | 'VISIT_DAY_INVALID'
  | 'PLAN_LEASE_HELD'
  | 'CATALOGUE_INVALID'
  | 'CATALOGUE_CONFLICT'
  | 'CATALOGUE_NOT_FOUND'
  | 'IMPORT_INVALID'
  | 'NOT_FOUND'
  | 'USER_EXISTS'
  | 'USER_NOT_FOUND'
  | 'USER_LOCKED'
  | 'CSRF'
  | 'BROKER_SYNC'

const statusByCode: Partial<Record<ErrorCode, number>> = {
  DEVICE_EXISTS: 409,
  ACCOUNT_EXISTS: 409,
  DEVICE_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  ORDER_TRANSITION: 409,
  ORDER_NOT_DONE: 409,
  COMPLETION_INVALID: 400,
  VISIT_DAY_INVALID: 400,
  PLAN_LEASE_HELD: 409,
  CATALOGUE_INVALID: 400,
  CATALOGUE_CONFLICT: 409,
  CATALOGUE_NOT_FOUND: 404,
  IMPORT_INVALID: 400,
  NOT_FOUND: 404,
  USER_EXISTS: 409,
  USER_NOT_FOUND: 404,
  USER_LOCKED: 423,
  CSRF: 403,
  BROKER_SYNC: 502,
  DEVICE_INVALID: 400,
  PAYLOAD_INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  INFLUX_UNAVAILABLE: 503,
  SQL_UNAVAILABLE: 503
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly operational: boolean
  readonly details?: unknown

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown; operational?: boolean } = {}
  ) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
    this.operational = options.operational ?? true
  }

  /** The HTTP status an API answers with for this error. */
  get httpStatus(): number {
    return statusByCode[this.code] ?? 500
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code)
}

/** A readable one-line message for anything thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
