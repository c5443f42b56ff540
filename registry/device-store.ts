import { AppError, type DeviceKind } from '../shared/index.js'
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

/**
 * The customer's site: personal data. It lives apart from `Device` (which ingest, the broker and logs
 * carry), so it can reach no InfluxDB tag, log line or dead letter; the API shows it only to roles that
 * serve the device (`maySeeSite`).
 */
export interface Site {
  name?: string | null
  address?: string | null
  phone?: string | null
  lat?: number | null
  lon?: number | null
}

export interface NewDevice {
  id: string
  kind: DeviceKind
  model: string
  region: string
  outlet?: string | null
  deliveredOn?: string | null
  site?: Site | null
}

/** A device row as an import writes it: the secret's hash, and the site (null: none, undefined: keep). */
export interface ImportedDevice extends NewDevice {
  secretHash: string
}

export interface DeviceFilter {
  region?: string
  kind?: DeviceKind
  outlet?: string
  limit?: number
  offset?: number
}

/** Persistence of devices and their secret hashes. */
export interface DeviceStore {
  insert(device: NewDevice, secretHash: string): Promise<Device | undefined>
  get(id: string): Promise<DeviceWithSecret | undefined>
  list(filter: DeviceFilter): Promise<Device[]>
  /** Removes a device that was never usable (its provisioning failed half-way). */
  remove(id: string): Promise<void>
  setSecretHash(id: string, secretHash: string): Promise<boolean>
  /** Replaces the stored hash of the same secret (a newer scheme) unless it changed meanwhile. */
  upgradeSecretHash(id: string, previous: string, secretHash: string): Promise<boolean>
  setDisabled(id: string, disabled: boolean): Promise<boolean>
  /** The devices of these ids that exist, with their secret hashes and sites. */
  getMany(ids: readonly string[]): Promise<Map<string, DeviceWithSecret & { site: Site | null }>>
  site(id: string): Promise<Site | null>
  sites(ids: readonly string[]): Promise<Map<string, Site>>
  /** Inserts new devices and updates changed ones (fields, secret hash, site) in one transaction. */
  applyImport(create: readonly ImportedDevice[], update: readonly ImportedDevice[]): Promise<void>
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
    // one statement: the device and its site are stored together or not at all
    const { rows } = await this.db.query<DeviceRow>(
      `WITH d AS (
         INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}
       ), s AS (
         INSERT INTO device_sites (device_id, name, address, phone, lat, lon)
         SELECT d.id, t.name, t.address, t.phone, t.lat, t.lon
           FROM d, jsonb_to_record($8::jsonb) AS t(name text, address text, phone text, lat float8, lon float8)
          WHERE $8::jsonb IS NOT NULL
       )
       SELECT * FROM d`,
      [
        device.id,
        device.kind,
        device.model,
        device.region,
        device.outlet ?? null,
        device.deliveredOn ?? null,
        secretHash,
        device.site ? JSON.stringify(device.site) : null
      ]
    )
    return rows[0] && toDevice(rows[0])
  }

  async getMany(ids: readonly string[]): Promise<Map<string, DeviceWithSecret & { site: Site | null }>> {
    const { rows } = await this.db.query<DeviceRow & SiteRow & { has_site: boolean }>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `d.${c}`)
        .join(', ')}, s.device_id IS NOT NULL AS has_site, s.name, s.address, s.phone, s.lat, s.lon
         FROM devices d LEFT JOIN device_sites s ON s.device_id = d.id WHERE d.id = ANY($1::text[])`,
      [ids]
    )
    return new Map(
      rows.map((r) => [
        r.id,
        { ...toDevice(r), secretHash: r.secret_hash, site: r.has_site ? toSite(r) : null }
      ])
    )
  }

  async site(id: string): Promise<Site | null> {
    return (await this.sites([id])).get(id) ?? null
  }

  async sites(ids: readonly string[]): Promise<Map<string, Site>> {
    const { rows } = await this.db.query<SiteRow & { device_id: string }>(
      'SELECT device_id, name, address, phone, lat, lon FROM device_sites WHERE device_id = ANY($1::text[])',
      [ids]
    )
    return new Map(rows.map((r) => [r.device_id, toSite(r)]))
  }

  async applyImport(create: readonly ImportedDevice[], update: readonly ImportedDevice[]): Promise<void> {
    const rowOf = (d: ImportedDevice) => ({
      id: d.id,
      kind: d.kind,
      model: d.model,
      region: d.region,
      outlet: d.outlet ?? null,
      delivered_on: d.deliveredOn ?? null,
      secret_hash: d.secretHash
    })
    const siteRows = [...create, ...update]
      .filter((d) => d.site !== undefined)
      .map((d) => ({ device_id: d.id, clear: d.site === null, ...(d.site ?? {}) }))
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO devices (id, kind, model, region, outlet, delivered_on, secret_hash)
         SELECT id, kind, model, region, outlet, delivered_on, secret_hash FROM jsonb_to_recordset($1::jsonb)
           AS t(id text, kind text, model text, region text, outlet text, delivered_on date, secret_hash text)`,
        [JSON.stringify(create.map(rowOf))]
      )
      const changed = await tx.query(
        `UPDATE devices d SET model = t.model, region = t.region, outlet = t.outlet,
                delivered_on = t.delivered_on, secret_hash = t.secret_hash,
                secret_rotated_at = CASE WHEN d.secret_hash = t.secret_hash THEN d.secret_rotated_at ELSE now() END
           FROM jsonb_to_recordset($1::jsonb) AS t(id text, kind text, model text, region text, outlet text,
                delivered_on date, secret_hash text)
          WHERE d.id = t.id AND d.kind = t.kind RETURNING d.id`,
        [JSON.stringify(update.map(rowOf))]
      )
      // the import checked kinds against what it read; a device changed meanwhile fails the whole import
      if (changed.rows.length !== update.length)
        throw new AppError('IMPORT_INVALID', 'devices changed while the import ran; run it again')
      await tx.query(
        `DELETE FROM device_sites s USING jsonb_to_recordset($1::jsonb) AS t(device_id text, clear boolean)
          WHERE s.device_id = t.device_id AND t.clear`,
        [JSON.stringify(siteRows)]
      )
      await tx.query(
        `INSERT INTO device_sites (device_id, name, address, phone, lat, lon)
         SELECT device_id, name, address, phone, lat, lon FROM jsonb_to_recordset($1::jsonb)
           AS t(device_id text, clear boolean, name text, address text, phone text, lat float8, lon float8)
          WHERE NOT t.clear
         ON CONFLICT (device_id) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address,
           phone = EXCLUDED.phone, lat = EXCLUDED.lat, lon = EXCLUDED.lon`,
        [JSON.stringify(siteRows)]
      )
    })
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
         AND ($5::text IS NULL OR outlet = $5)
       ORDER BY id LIMIT $3 OFFSET $4`,
      [
        filter.region ?? null,
        filter.kind ?? null,
        filter.limit ?? 100,
        filter.offset ?? 0,
        filter.outlet ?? null
      ]
    )
    return rows.map(toDevice)
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM devices WHERE id = $1', [id])
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

interface SiteRow {
  name: string | null
  address: string | null
  phone: string | null
  lat: number | null
  lon: number | null
}

function toSite(r: SiteRow): Site {
  return { name: r.name, address: r.address, phone: r.phone, lat: r.lat, lon: r.lon }
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
