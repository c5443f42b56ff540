import type { SqlClient } from '../stores/index.js'

/**
 * What a service account may do. API roles: `admin` (everything), `planner`,
 * `technician`, `provisioner` (devices). MQTT scopes: `mqtt-read` (subscribe to
 * every device's telemetry, events and status), `mqtt-command` (publish to
 * `devices/+/commands/#`). `mqtt-auth`: an external broker asking whether a client may connect,
 * publish or subscribe (EMQX's HTTP authenticator and authoriser).
 */
export const ROLES = [
  'admin',
  'planner',
  'technician',
  'provisioner',
  'mqtt-read',
  'mqtt-command',
  'mqtt-auth'
] as const
export type Role = (typeof ROLES)[number]

export interface ServiceAccount {
  name: string
  roles: Role[]
  disabled: boolean
  /** The service outlet the account works for; null = every outlet. */
  outlet: string | null
}

export interface AccountStore {
  insert(name: string, roles: Role[], tokenHash: string, outlet?: string | null): Promise<boolean>
  get(name: string): Promise<(ServiceAccount & { tokenHash: string }) | undefined>
  count(): Promise<number>
  setDisabled(name: string, disabled: boolean): Promise<boolean>
  setTokenHash(name: string, tokenHash: string): Promise<boolean>
  /** Removes an account that was never usable (its creation failed half-way). */
  remove(name: string): Promise<void>
}

export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: SqlClient) {}

  async insert(
    name: string,
    roles: Role[],
    tokenHash: string,
    outlet: string | null = null
  ): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO service_accounts (name, roles, token_hash, outlet) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [name, roles, tokenHash, outlet]
    )
    return rows.length > 0
  }

  async get(name: string): Promise<(ServiceAccount & { tokenHash: string }) | undefined> {
    const { rows } = await this.db.query<{
      name: string
      roles: Role[]
      disabled: boolean
      token_hash: string
      outlet: string | null
    }>('SELECT name, roles, disabled, token_hash, outlet FROM service_accounts WHERE name = $1', [name])
    const row = rows[0]
    return (
      row && {
        name: row.name,
        roles: row.roles,
        disabled: row.disabled,
        tokenHash: row.token_hash,
        outlet: row.outlet
      }
    )
  }

  async setDisabled(name: string, disabled: boolean): Promise<boolean> {
    const { rows } = await this.db.query(
      'UPDATE service_accounts SET disabled = $2 WHERE name = $1 RETURNING name',
      [name, disabled]
    )
    return rows.length > 0
  }

  async setTokenHash(name: string, tokenHash: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'UPDATE service_accounts SET token_hash = $2 WHERE name = $1 RETURNING name',
      [name, tokenHash]
    )
    return rows.length > 0
  }

  async remove(name: string): Promise<void> {
    await this.db.query('DELETE FROM service_accounts WHERE name = $1', [name])
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM service_accounts')
    return rows[0]?.n ?? 0
  }
}

/**
 * Whether an account may read a device's customer site (personal data): admins; planners of every
 * outlet or of the device's own; technicians of the device's outlet only. Provisioners write sites but
 * do not read them back.
 */
export function maySeeSite(account: ServiceAccount | undefined, deviceOutlet: string | null): boolean {
  if (!account) return false
  if (account.roles.includes('admin')) return true
  if (account.roles.includes('planner') && (account.outlet === null || account.outlet === deviceOutlet))
    return true
  return account.roles.includes('technician') && account.outlet !== null && account.outlet === deviceOutlet
}
