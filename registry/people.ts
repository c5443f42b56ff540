import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { AppError, systemClock, type Clock } from '../shared/index.js'
import type { SqlClient } from '../stores/index.js'
import type { ServiceAccount } from './account-store.js'
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './passwords.js'

/** What a person who signs in to the console may be. */
export const USER_ROLES = ['admin', 'planner', 'technician'] as const
export type UserRole = (typeof USER_ROLES)[number]

export const userNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.@-]{1,63}$/, 'a user name: 2-64 lower-case letters, digits, _ . @ -')

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `a password has at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200)

export interface User {
  name: string
  role: UserRole
  /** The outlet whose orders and devices the person works on; null = every outlet. */
  outlet: string | null
  disabled: boolean
  lockedUntil: string | null
}

export interface PeopleOptions {
  clock?: Clock
  /** A session unused this long ends. */
  idleMinutes: number
  /** Wrong passwords in a row that lock an account, and for how long. */
  maxFailures: number
  lockMinutes: number
}

/** A session ends this long after sign-in however busy it is. */
const MAX_SESSION_MS = 12 * 3600000
/** `last_seen` is written at most this often (a page makes several requests a second). */
const TOUCH_MS = 60000

export type SignIn =
  | { ok: true; sessionId: string; csrf: string; user: User }
  | { ok: false; why: 'wrong' | 'locked' | 'locked-now'; lockedUntil?: string }

/**
 * People's accounts for the console and their browser sessions: scrypt passwords, lock-out after
 * `maxFailures` wrong passwords in a row, sessions that end when idle, CSRF tokens kept per session.
 * A session stands for an account of one role (and maybe one outlet), like a service token does.
 */
export class People {
  private readonly clock: Clock

  constructor(
    private readonly db: SqlClient,
    private readonly options: PeopleOptions
  ) {
    this.clock = options.clock ?? systemClock
  }

  async add(user: { name: string; role: UserRole; outlet: string | null }, password: string): Promise<User> {
    passwordSchema.parse(password)
    const { rows } = await this.db.query(
      `INSERT INTO users (name, role, outlet, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [user.name, user.role, user.outlet, await hashPassword(password)]
    )
    if (rows.length === 0) throw new AppError('USER_EXISTS', `user ${user.name} exists`)
    return { ...user, disabled: false, lockedUntil: null }
  }

  async list(): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`)
    return rows.map(toUser)
  }

  /** A new password; clears a lock-out and ends the person's sessions. */
  async setPassword(name: string, password: string): Promise<void> {
    passwordSchema.parse(password)
    const hash = await hashPassword(password)
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        'UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE name = $1 RETURNING name',
        [name, hash]
      )
      if (rows.length === 0) throw new AppError('USER_NOT_FOUND', `no user ${name}`)
      await tx.query('DELETE FROM user_sessions WHERE user_name = $1', [name])
    })
  }

  /** Disabling ends the person's sessions at once. */
  async setDisabled(name: string, disabled: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query('UPDATE users SET disabled = $2 WHERE name = $1 RETURNING name', [
        name,
        disabled
      ])
      if (rows.length === 0) throw new AppError('USER_NOT_FOUND', `no user ${name}`)
      if (disabled) await tx.query('DELETE FROM user_sessions WHERE user_name = $1', [name])
    })
  }

  /**
   * Checks a password and opens a session. An unknown name and a wrong password get the same answer;
   * the `maxFailures`-th wrong password in a row locks the account for `lockMinutes` (`locked-now`).
   */
  async signIn(name: string, password: string): Promise<SignIn> {
    const now = this.clock.now()
    const { rows } = await this.db.query<UserRow & { password_hash: string; failed_logins: number }>(
      `SELECT ${USER_COLUMNS}, password_hash, failed_logins FROM users WHERE name = $1`,
      [name]
    )
    const row = rows[0]
    if (!row || row.disabled) {
      // the same work as a real check, so a name cannot be told from a wrong password by time
      await verifyPassword(password, DUMMY_HASH)
      return { ok: false, why: 'wrong' }
    }
    if (row.locked_until && row.locked_until.getTime() > now)
      return { ok: false, why: 'locked', lockedUntil: row.locked_until.toISOString() }
    if (!(await verifyPassword(password, row.password_hash))) {
      const failures = row.failed_logins + 1
      const lock = failures >= this.options.maxFailures
      const until = new Date(now + this.options.lockMinutes * 60000)
      await this.db.query('UPDATE users SET failed_logins = $2, locked_until = $3 WHERE name = $1', [
        name,
        lock ? 0 : failures,
        lock ? until : null
      ])
      return lock
        ? { ok: false, why: 'locked-now', lockedUntil: until.toISOString() }
        : { ok: false, why: 'wrong' }
    }
    const sessionId = randomBytes(32).toString('base64url')
    const csrf = randomBytes(32).toString('base64url')
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = $1', [name])
      await tx.query(
        `INSERT INTO user_sessions (id_hash, user_name, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)`,
        [idHash(sessionId), name, csrf, new Date(now)]
      )
      // sessions that ended are removed as people sign in: no sweeper needed
      await tx.query('DELETE FROM user_sessions WHERE last_seen < $1 OR created_at < $2', [
        new Date(now - this.options.idleMinutes * 60000),
        new Date(now - MAX_SESSION_MS)
      ])
    })
    return { ok: true, sessionId, csrf, user: toUser({ ...row, locked_until: null }) }
  }

  /** The account a session cookie stands for, and its CSRF token; undefined when ended or unknown. */
  async session(sessionId: string): Promise<{ account: ServiceAccount; csrf: string } | undefined> {
    const now = this.clock.now()
    const { rows } = await this.db.query<UserRow & { csrf: string; created_at: Date; last_seen: Date }>(
      `SELECT u.name, u.role, u.outlet, u.disabled, u.locked_until, s.csrf, s.created_at, s.last_seen
       FROM user_sessions s JOIN users u ON u.name = s.user_name WHERE s.id_hash = $1`,
      [idHash(sessionId)]
    )
    const row = rows[0]
    if (!row || row.disabled) return undefined
    if (
      now - row.last_seen.getTime() > this.options.idleMinutes * 60000 ||
      now - row.created_at.getTime() > MAX_SESSION_MS
    ) {
      await this.signOut(sessionId)
      return undefined
    }
    if (now - row.last_seen.getTime() > TOUCH_MS)
      await this.db.query('UPDATE user_sessions SET last_seen = $2 WHERE id_hash = $1', [
        idHash(sessionId),
        new Date(now)
      ])
    return {
      account: { name: row.name, roles: [row.role], disabled: false, outlet: row.outlet },
      csrf: row.csrf
    }
  }

  async signOut(sessionId: string): Promise<void> {
    await this.db.query('DELETE FROM user_sessions WHERE id_hash = $1', [idHash(sessionId)])
  }
}

interface UserRow {
  name: string
  role: UserRole
  outlet: string | null
  disabled: boolean
  locked_until: Date | null
}

const USER_COLUMNS = 'name, role, outlet, disabled, locked_until'

/** A hash no password matches, checked for unknown names. */
const DUMMY_HASH = `scrypt$32768$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`

function toUser(row: UserRow): User {
  return {
    name: row.name,
    role: row.role,
    outlet: row.outlet,
    disabled: row.disabled,
    lockedUntil: row.locked_until ? row.locked_until.toISOString() : null
  }
}

function idHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64')
}
