import type { Client } from 'aedes'
import { DEVICE_ID_PATTERN, isAppError, type DeviceInfo } from '../shared/index.js'
import type { Identity } from './acl.js'

/** Checks credentials; resolves `undefined` for unknown or wrong, throws AppError FORBIDDEN when disabled. */
export interface BrokerAuthenticator {
  authenticateDevice(id: string, secret: string): Promise<DeviceInfo | undefined>
  authenticateService(token: string): Promise<{ name: string; roles: readonly string[] } | undefined>
}

/** CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2.3]. */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badCredentials: 4,
  notAuthorized: 5
} as const

export function authError(returnCode: number, message: string) {
  return Object.assign(new Error(message), { returnCode })
}

/**
 * Who is connecting: a device (client id = username = device id, its secret)
 * or a service account (`svc:NAME`, its token, an MQTT role). Throws an error
 * carrying the CONNACK return code to refuse with.
 */
export async function identify(
  auth: BrokerAuthenticator,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined
): Promise<Identity> {
  if (!username || !password) throw authError(CONNACK.badCredentials, 'username and password are required')
  const secret = password.toString('utf8')
  if (username.startsWith('svc:')) {
    const name = username.slice(4)
    // a service account must never take over a device's session: its client id lives in svc:NAME[:...]
    if (client.id !== username && !client.id.startsWith(`${username}:`)) {
      throw authError(
        CONNACK.identifierRejected,
        `a service account's client id must be ${username} or start with ${username}:`
      )
    }
    const account = await auth.authenticateService(secret).catch(unavailable)
    if (!account || account.name !== name)
      throw authError(CONNACK.badCredentials, 'bad service account credentials')
    if (!account.roles.some((r) => r === 'mqtt-read' || r === 'mqtt-command')) {
      throw authError(CONNACK.notAuthorized, `service account ${name} has no MQTT scope`)
    }
    return { type: 'service', name, roles: account.roles }
  }
  // [MQTT-3.1.3-8] an empty client id is refused; here every client id must equal the username
  if (client.id !== username || !DEVICE_ID_PATTERN.test(username)) {
    throw authError(CONNACK.identifierRejected, 'the client id must equal the username (the device id)')
  }
  let device: DeviceInfo | undefined
  try {
    device = await auth.authenticateDevice(username, secret)
  } catch (err) {
    if (isAppError(err, 'FORBIDDEN')) throw authError(CONNACK.notAuthorized, err.message)
    unavailable(err)
  }
  if (!device) throw authError(CONNACK.badCredentials, 'unknown device or wrong secret')
  return { type: 'device', device }
}

function unavailable(err: unknown): never {
  throw authError(CONNACK.serverUnavailable, `registry unavailable: ${(err as Error).message}`)
}
