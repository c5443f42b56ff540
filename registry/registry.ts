import { EventEmitter } from 'node:events'
import { z } from 'zod'
import { AppError, type Clock, systemClock } from '../shared/index.js'
import type { AccountStore, Role, ServiceAccount } from './account-store.js'
import { ROLES } from './account-store.js'
import type { Device, DeviceFilter, DeviceStore, NewDevice, Site } from './device-store.js'
import {
  accountNameSchema,
  newDeviceSchema,
  type BrokerAccounts,
  type DeviceCheck
} from './device-schemas.js'
import { fingerprint, generateSecret, hashSecret, needsRehash, verifySecret } from './secrets.js'

interface CacheEntry<T> {
  fingerprint: string
  value: T
  expires: number
}

export interface RegistryEvents {
  /** A device's secret was rotated or it was disabled: live sessions must end. */
  'device-revoked': [deviceId: string]
  /** A service account's token was rotated or it was disabled: its live MQTT sessions must end. */
  'account-revoked': [name: string]
}

/**
 * The device registry and service accounts: provisioning, secrets (only a
 * scrypt hash is stored), and credential checks with a cache that a rotation
 * or a disable invalidates at once.
 */
export class Registry extends EventEmitter<RegistryEvents> {
  private readonly deviceCache = new Map<string, CacheEntry<Device>>()
  private readonly tokenCache = new Map<string, CacheEntry<ServiceAccount>>()

  constructor(
    private readonly devices: DeviceStore,
    private readonly accounts: AccountStore,
    private readonly options: {
      cacheSeconds: number
      clock?: Clock
      /** Prepares the check provisioning and imports apply (the catalogue's models, the outlets). */
      deviceCheck?: () => Promise<DeviceCheck>
      /** An external broker's own accounts, kept in step (Mosquitto's dynamic security). */
      brokerAccounts?: BrokerAccounts
    } = { cacheSeconds: 300 }
  ) {
    super()
  }

  /** Creates a device and returns its MQTT secret, the only time it is ever shown. */
  async provision(input: NewDevice): Promise<{ device: Device; secret: string }> {
    const parsed = newDeviceSchema.safeParse(input)
    if (!parsed.success) throw invalid(parsed.error)
    const issues = (await this.deviceCheck())(parsed.data)
    if (issues.length > 0)
      throw new AppError('DEVICE_INVALID', issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
        details: issues
      })
    const secret = generateSecret()
    const device = await this.devices.insert(parsed.data, await hashSecret(secret))
    if (!device) throw new AppError('DEVICE_EXISTS', `device ${input.id} already exists`)
    try {
      await this.options.brokerAccounts?.setDevice(device.id, secret)
    } catch (err) {
      // a device the broker does not know could never connect: provisioning leaves no trace
      await this.devices.remove(device.id)
      throw err
    }
    return { device, secret }
  }

  async getDevice(id: string): Promise<Device> {
    const found = await this.devices.get(id)
    if (!found) throw new AppError('DEVICE_NOT_FOUND', `device ${id} is not registered`)
    const { secretHash: _secret, ...device } = found
    return device
  }

  listDevices(filter: DeviceFilter): Promise<Device[]> {
    return this.devices.list(filter)
  }

  /** A device's customer site (personal data: the caller decides who may see it, `maySeeSite`). */
  site(id: string): Promise<Site | null> {
    return this.devices.site(id)
  }

  sites(ids: readonly string[]): Promise<Map<string, Site>> {
    return this.devices.sites(ids)
  }

  /**
   * The check new and imported devices pass: a delivery no more than a day ahead (a date typed wrong,
   * e.g. 9999-12-31, would keep a device out of planning), then what the service knows (the catalogue's
   * models, the outlets), when the registry was given that.
   */
  async deviceCheck(): Promise<DeviceCheck> {
    const known = (await this.options.deviceCheck?.()) ?? (() => [])
    const latest = new Date(this.now() + 86400000).toISOString().slice(0, 10)
    return (device) => [
      ...(device.deliveredOn && device.deliveredOn > latest
        ? [
            {
              field: 'deliveredOn',
              message: `${device.deliveredOn} is in the future (at the latest ${latest})`
            }
          ]
        : []),
      ...known(device)
    ]
  }

  /** Ends the live sessions and cached logins of devices whose secret an import replaced. */
  revokeAll(ids: readonly string[]): void {
    for (const id of ids) this.revoke(id)
  }

  get store(): DeviceStore {
    return this.devices
  }

  /** Issues a new secret; the old one stops working at once, and live sessions are closed. */
  async rotateSecret(id: string): Promise<{ device: Device; secret: string }> {
    const secret = generateSecret()
    if (!(await this.devices.setSecretHash(id, await hashSecret(secret)))) {
      throw new AppError('DEVICE_NOT_FOUND', `device ${id} is not registered`)
    }
    this.revoke(id)
    await this.syncBroker(id, () => this.options.brokerAccounts?.setDevice(id, secret))
    return { device: await this.getDevice(id), secret }
  }

  /** Runs a broker update after the registry's; a failure says the broker still has the old state. */
  private async syncBroker(id: string, update: () => Promise<void> | undefined): Promise<void> {
    try {
      await update()
    } catch (err) {
      throw new AppError(
        'BROKER_SYNC',
        `${id} is changed here, but the broker was not updated (${(err as Error).message}); do it again`,
        { cause: err }
      )
    }
  }

  async setDisabled(id: string, disabled: boolean): Promise<Device> {
    if (!(await this.devices.setDisabled(id, disabled))) {
      throw new AppError('DEVICE_NOT_FOUND', `device ${id} is not registered`)
    }
    if (disabled) this.revoke(id)
    await this.syncBroker(id, () => this.options.brokerAccounts?.setDeviceEnabled(id, !disabled))
    return this.getDevice(id)
  }

  /**
   * Checks a device's credentials. Resolves to the device when they are right
   * and it is enabled, `undefined` for an unknown id or a wrong secret, and
   * throws AppError `FORBIDDEN` for a disabled device.
   */
  async authenticateDevice(id: string, secret: string): Promise<Device | undefined> {
    const fp = fingerprint(secret)
    const cached = this.fromCache(this.deviceCache, id, fp)
    if (cached) return cached
    const found = await this.devices.get(id)
    if (!found || !(await verifySecret(secret, found.secretHash))) return undefined
    if (found.disabled) throw new AppError('FORBIDDEN', `device ${id} is disabled`)
    if (needsRehash(found.secretHash)) {
      // a hash of an older scheme: store the current one (unless a rotation replaced it meanwhile)
      await this.devices.upgradeSecretHash(id, found.secretHash, await hashSecret(secret)).catch(() => false)
    }
    const { secretHash: _secret, ...device } = found
    this.toCache(this.deviceCache, id, fp, device)
    return device
  }

  /** Creates a service account; its token (`name.secret`) is shown once. */
  async createAccount(
    name: string,
    roles: Role[],
    outlet: string | null = null
  ): Promise<{ account: ServiceAccount; token: string }> {
    const parsedName = accountNameSchema.safeParse(name)
    if (!parsedName.success) throw invalid(parsedName.error, 'ACCOUNT')
    const parsedRoles = z.array(z.enum(ROLES)).min(1).safeParse(roles)
    if (!parsedRoles.success) throw invalid(parsedRoles.error, 'ACCOUNT')
    const token = `${name}.${generateSecret()}`
    if (!(await this.accounts.insert(name, parsedRoles.data, await hashSecret(token), outlet))) {
      throw new AppError('ACCOUNT_EXISTS', `service account ${name} already exists`)
    }
    try {
      await this.options.brokerAccounts?.setService(name, token, parsedRoles.data)
    } catch (err) {
      await this.accounts.remove(name)
      throw err
    }
    return { account: { name, roles: parsedRoles.data, disabled: false, outlet }, token }
  }

  /** Disables (or enables) a service account: a disabled one is refused by the API and the broker at once. */
  async setAccountDisabled(name: string, disabled: boolean): Promise<ServiceAccount> {
    if (!(await this.accounts.setDisabled(name, disabled)))
      throw new AppError('ACCOUNT_NOT_FOUND', `service account ${name} does not exist`)
    if (disabled) this.revokeAccount(name)
    const account = await this.account(name)
    await this.syncBroker(`svc:${name}`, () =>
      this.options.brokerAccounts?.setServiceEnabled(name, account.roles, !disabled)
    )
    return account
  }

  /** Issues a new token; the old one stops working at once, and the account's MQTT sessions are closed. */
  async rotateToken(name: string): Promise<{ account: ServiceAccount; token: string }> {
    const token = `${name}.${generateSecret()}`
    if (!(await this.accounts.setTokenHash(name, await hashSecret(token))))
      throw new AppError('ACCOUNT_NOT_FOUND', `service account ${name} does not exist`)
    this.revokeAccount(name)
    const account = await this.account(name)
    await this.syncBroker(`svc:${name}`, () =>
      this.options.brokerAccounts?.setService(name, token, account.roles)
    )
    return { account, token }
  }

  private async account(name: string): Promise<ServiceAccount> {
    const found = await this.accounts.get(name)
    if (!found) throw new AppError('ACCOUNT_NOT_FOUND', `service account ${name} does not exist`)
    return { name: found.name, roles: found.roles, disabled: found.disabled, outlet: found.outlet }
  }

  private revokeAccount(name: string): void {
    this.tokenCache.delete(name)
    this.emit('account-revoked', name)
  }

  /** A service account by name (its roles; never its token hash), undefined when unknown or disabled. */
  async accountNamed(name: string): Promise<ServiceAccount | undefined> {
    const found = await this.accounts.get(name)
    if (!found || found.disabled) return undefined
    return { name: found.name, roles: found.roles, disabled: false, outlet: found.outlet }
  }

  /** Drops an account's cached token (another node revoked it). */
  forgetCachedToken(name: string): void {
    this.tokenCache.delete(name)
  }

  countAccounts(): Promise<number> {
    return this.accounts.count()
  }

  /** Resolves a bearer token (`name.secret`) to its enabled account, or `undefined`. */
  async authenticateToken(token: string): Promise<ServiceAccount | undefined> {
    const name = token.slice(0, Math.max(0, token.indexOf('.')))
    if (!accountNameSchema.safeParse(name).success) return undefined
    const fp = fingerprint(token)
    const cached = this.fromCache(this.tokenCache, name, fp)
    if (cached) return cached
    const found = await this.accounts.get(name)
    if (!found || found.disabled || !(await verifySecret(token, found.tokenHash))) return undefined
    const account = { name: found.name, roles: found.roles, disabled: false, outlet: found.outlet }
    this.toCache(this.tokenCache, name, fp, account)
    return account
  }

  /** Drops a device's cached login (another node revoked it); its next login checks the secret again. */
  forgetCachedLogin(id: string): void {
    this.deviceCache.delete(id)
  }

  private revoke(id: string): void {
    this.deviceCache.delete(id)
    this.emit('device-revoked', id)
  }

  private fromCache<T>(cache: Map<string, CacheEntry<T>>, key: string, fp: string): T | undefined {
    const entry = cache.get(key)
    if (!entry) return undefined
    if (entry.fingerprint !== fp || entry.expires <= this.now()) {
      cache.delete(key)
      return undefined
    }
    return entry.value
  }

  private toCache<T>(cache: Map<string, CacheEntry<T>>, key: string, fp: string, value: T): void {
    if (this.options.cacheSeconds <= 0) return
    cache.set(key, { fingerprint: fp, value, expires: this.now() + this.options.cacheSeconds * 1000 })
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now()
  }
}

function invalid(error: z.ZodError, what: 'DEVICE' | 'ACCOUNT' = 'DEVICE'): AppError {
  const message = error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')
  return new AppError(what === 'DEVICE' ? 'DEVICE_INVALID' : 'PAYLOAD_INVALID', message, {
    details: error.issues
  })
}
