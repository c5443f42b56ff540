import type { SqlClient } from '../stores/index.js'

/**
 * What a service account may do. API roles: `admin` (everything), `planner`,
 * `technician`, `provisioner` (devices). MQTT scopes: `mqtt-read` (subscribe to
 * every device's telemetry, events and status), `mqtt-command` (publish to
 * `devices/+/commands/#`).
 */
export const ROLES = ['admin', 'planner', 'technician', 'provisioner', 'mqtt-read', 'mqtt-command'] as const
export type Role = (typeof ROLES)[number]

export interface ServiceAccount {
  name: string
  roles: Role[]
  disabled: boolean
}

export interface AccountStore {
  insert(name: string, roles: Role[], tokenHash: string): Promise<boolean>
  get(name: string): Promise<(ServiceAccount & { tokenHash: string }) | undefined>
  count(): Promise<number>
}

export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: SqlClient) {}

  async insert(name: string, roles: Role[], tokenHash: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO service_accounts (name, roles, token_hash) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [name, roles, tokenHash]
    )
    return rows.length > 0
  }

  async get(name: string): Promise<(ServiceAccount & { tokenHash: string }) | undefined> {
    const { rows } = await this.db.query<{
      name: string
      roles: Role[]
      disabled: boolean
      token_hash: string
    }>('SELECT name, roles, disabled, token_hash FROM service_accounts WHERE name = $1', [name])
    const row = rows[0]
    return row && { name: row.name, roles: row.roles, disabled: row.disabled, tokenHash: row.token_hash }
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM service_accounts')
    return rows[0]?.n ?? 0
  }
}
