import type { Migration, SqlClient } from '../stores/index.js'
import type { RejectCode } from './normalise.js'

export interface DeadLetter {
  id: number
  receivedAt: string
  deviceId: string | null
  topic: string
  code: RejectCode
  reason: string
  payload: string
  /** The stored payload's length in characters; `payload` may be its first `payloadChars` only. */
  payloadLength: number
}

/** Which dead letters to list: newest first, `before` an id (the previous page's last), payloads cut short. */
export interface DeadLetterFilter {
  deviceId?: string
  code?: string
  limit?: number
  before?: number
  /** Characters of each payload to return (all when absent). */
  payloadChars?: number
}

export interface NewDeadLetter {
  deviceId: string | null
  topic: string
  code: RejectCode
  reason: string
  payload: string
}

/** Keeps what could not be stored as data, with its reason, so nothing is silently dropped. */
export interface DeadLetterStore {
  add(letters: readonly NewDeadLetter[]): Promise<void>
  list(filter: DeadLetterFilter): Promise<DeadLetter[]>
  get(id: number): Promise<DeadLetter | undefined>
  countByCode(): Promise<Record<string, number>>
}

export const deadLetterMigrations: Migration[] = [
  {
    id: '0002-dead-letters',
    sql: `
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  device_id text,
  topic text NOT NULL,
  code text NOT NULL,
  reason text NOT NULL,
  payload text NOT NULL
);
CREATE INDEX dead_letters_device ON dead_letters (device_id, received_at);`
  }
]

/** Payloads are kept up to this many characters; the reason always says what was wrong. */
const MAX_PAYLOAD_CHARS = 64 * 1024

export class SqlDeadLetterStore implements DeadLetterStore {
  constructor(private readonly db: SqlClient) {}

  async add(letters: readonly NewDeadLetter[]): Promise<void> {
    if (letters.length === 0) return
    const values: unknown[] = []
    const rows = letters.map((l, i) => {
      const payload =
        l.payload.length > MAX_PAYLOAD_CHARS
          ? `${l.payload.slice(0, MAX_PAYLOAD_CHARS)}…[truncated]`
          : l.payload
      values.push(l.deviceId, pgText(l.topic), l.code, pgText(l.reason), pgText(payload))
      const o = i * 5
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5})`
    })
    await this.db.query(
      `INSERT INTO dead_letters (device_id, topic, code, reason, payload) VALUES ${rows.join(', ')}`,
      values
    )
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT id, received_at, device_id, topic, code, reason,
              CASE WHEN $5::int IS NULL THEN payload ELSE left(payload, $5::int) END AS payload,
              length(payload) AS payload_length
         FROM dead_letters
        WHERE ($1::text IS NULL OR device_id = $1) AND ($2::text IS NULL OR code = $2)
          AND ($4::bigint IS NULL OR id < $4)
        ORDER BY id DESC LIMIT $3`,
      [
        filter.deviceId ?? null,
        filter.code ?? null,
        filter.limit ?? 100,
        filter.before ?? null,
        filter.payloadChars ?? null
      ]
    )
    return rows.map(letterOf)
  }

  async get(id: number): Promise<DeadLetter | undefined> {
    const { rows } = await this.db.query<Row>(
      `SELECT id, received_at, device_id, topic, code, reason, payload, length(payload) AS payload_length
         FROM dead_letters WHERE id = $1`,
      [id]
    )
    return rows[0] && letterOf(rows[0])
  }

  async countByCode(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ code: string; n: number }>(
      'SELECT code, count(*)::int AS n FROM dead_letters GROUP BY code'
    )
    return Object.fromEntries(rows.map((r) => [r.code, r.n]))
  }
}

/** PostgreSQL text cannot hold NUL, which a device may well send (and a parser's message may quote): kept as `\u0000`. */
function pgText(s: string): string {
  return s.replaceAll('\u0000', '\\u0000')
}

interface Row {
  id: string | number
  received_at: string | Date
  device_id: string | null
  topic: string
  code: RejectCode
  reason: string
  payload: string
  payload_length: number
}

function letterOf(r: Row): DeadLetter {
  return {
    id: Number(r.id),
    receivedAt: new Date(r.received_at).toISOString(),
    deviceId: r.device_id,
    topic: r.topic,
    code: r.code,
    reason: r.reason,
    payload: r.payload,
    payloadLength: Number(r.payload_length)
  }
}
