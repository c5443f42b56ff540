/** The signed-in person, as GET /session tells it. */
export interface Me {
  name: string
  role: 'admin' | 'planner' | 'technician'
  outlet: string | null
}

/** An error the API answered with: its stable code and the message that says what was wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

let csrf = ''

/** Remembers the session's CSRF token; every write repeats it in a header (the cookie alone is not enough). */
export function setCsrf(token: string): void {
  csrf = token
}

/** A call to aftercare's API with the session cookie; writes carry the CSRF token. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') headers['x-csrf-token'] = csrf
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  const parsed = text ? (JSON.parse(text) as { code?: string; message?: string }) : undefined
  if (!res.ok)
    throw new ApiError(
      res.status,
      parsed?.code ?? 'ERROR',
      parsed?.message ?? `${method} ${path}: ${res.status}`
    )
  return parsed as T
}

/** Builds a query string from the values that are set. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}
