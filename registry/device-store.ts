import type { DeviceKind } from '../shared/index.js'
import type { SqlClient } from '../stores/index.js'

/** A device as the registry knows it. Its tags come from here, never from a payload. */
export interface Device {
  id: string
  kind: DeviceKind
  model: string
  region: string
  outlet: string | null
  deliveredOn: string | null
  disabled: boolean
  createdAt: string
}

export interface DeviceWithSecret extends Device {
  secretHash: string
}

export interface NewDevice {
  id: string
  kind: DeviceKind
  model: string
  region: string
  outlet?: string | null
  deliveredOn?: string | null
}

export interface DeviceFilter {
  region?: string
  kind?: DeviceKind
  limit?: number
  offset?: number
}

/** Persistence of devices and their secret hashes. */
export interface DeviceStore {
  insert(device: NewDevice, secretHash: string): Promise<Device | undefined>
  get(id: string): Promise<DeviceWithSecret | undefined>
  list(filter: DeviceFilter): Promise<Device[]>
  setSecretHash(id: string, secretHash: string): Promise<boolean>
  /** Replaces the stored hash of the same secret (a newer scheme) unless it changed meanwhile. */
  upgradeSecretHash(id: string, previous: string, secretHash: string): Promise<boolean>
  setDisabled(id: string, disabled: boolean): Promise<boolean>
}

interface DeviceRow {
  id: string
  kind: DeviceKind
  model: string
  region: string
  outlet: string | null
  delivered_on: string | Date | null
  disabled: boolean
  created_at: string | Date
  secret_hash: string
}

const COLUMNS = 'id, kind, model, region, outlet, delivered_on, disabled, created_at, secret_hash'

export class SqlDeviceStore implements DeviceStore {
  constructor(private readonly db: SqlClient) {}

  async insert(device: NewDevice, secretHash: string): Promise<Device | undefined> {
    const { rows } = await this.db.query<DeviceRow>(
      `INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [
        device.id,
        device.kind,
        device.model,
        device.region,
        device.outlet ?? null,
        device.deliveredOn ?? null,
        secretHash
      ]
    )
    return rows[0] && toDevice(rows[0])
  }

  async get(id: string): Promise<DeviceWithSecret | undefined> {
    const { rows } = await this.db.query<DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id])
    const row = rows[0]
    return row && { ...toDevice(row), secretHash: row.secret_hash }
  }

  async list(filter: DeviceFilter): Promise<Device[]> {
    const { rows } = await this.db.query<DeviceRow>(
      `SELECT ${COLUMNS} FROM devices
       WHERE ($1::text IS NULL OR region = $1) AND ($2::text IS NULL OR kind = $2)
       ORDER BY id LIMIT $3 OFFSET $4`,
      [filter.region ?? null, filter.kind ?? null, filter.limit ?? 100, filter.offset ?? 0]
    )
    return rows.map(toDevice)
  }

  async setSecretHash(id: string, secretHash: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'UPDATE devices SET secret_hash = $2, secret_rotated_at = now() WHERE id = $1 RETURNING id',
      [id, secretHash]
    )
    return rows.length > 0
  }

  async upgradeSecretHash(id: string, previous: string, secretHash: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'UPDATE devices SET secret_hash = $3 WHERE id = $1 AND secret_hash = $2 RETURNING id',
      [id, previous, secretHash]
    )
    return rows.length > 0
  }

  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    const { rows } = await this.db.query('UPDATE devices SET disabled = $2 WHERE id = $1 RETURNING id', [
      id,
      disabled
    ])
    return rows.length > 0
  }
}

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    kind: row.kind,
    model: row.model,
    region: row.region,
    outlet: row.outlet,
    deliveredOn: row.delivered_on === null ? null : isoDate(row.delivered_on),
    disabled: row.disabled,
    createdAt: new Date(row.created_at).toISOString()
  }
}

function isoDate(value: string | Date): string {
  if (typeof value === 'string') return value.slice(0, 10)
  // a DATE arrives as local midnight from node-postgres; keep the calendar day
  const y = value.getFullYear()
  const m = String(value.getMonth() + 1).padStart(2, '0')
  const d = String(value.getDate()).padStart(2, '0')
  return `${y}-${m}-${d}`
}
