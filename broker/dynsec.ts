import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { AppError, type Logger } from '../shared/index.js'

const CONTROL = '$CONTROL/dynamic-security/v1'
const TIMEOUT_MS = 10000

interface DynsecCommand {
  command: string
  [field: string]: unknown
}

/** The consumer's role: the only one that may subscribe to every device's telemetry and events. */
export const CONSUMER_ROLE = 'aftercare-consumer'

/** The broker roles of service accounts' MQTT scopes. */
const SERVICE_ROLES = [
  {
    role: 'mqtt-read',
    rolename: 'aftercare-read',
    acls: [{ acltype: 'subscribePattern', topic: 'devices/#', priority: 0, allow: true }]
  },
  {
    role: 'mqtt-command',
    rolename: 'aftercare-command',
    acls: [{ acltype: 'publishClientSend', topic: 'devices/+/commands/#', priority: 0, allow: true }]
  }
]

/** Each device's role: publish its own telemetry and events, subscribe to its own commands. */
export const deviceRole = (id: string) => `aftercare-device-${id}`

/**
 * Keeps Mosquitto 2's clients and ACLs in step with the registry through its dynamic-security plugin's
 * control topic (`$CONTROL/dynamic-security/v1`), as its admin client: a device is a client whose
 * username and client id are its id, with its secret (the plugin stores its own salted hash) and a role
 * that lets it publish only `devices/{id}/telemetry|events` and subscribe only to
 * `devices/{id}/commands/#` (the plugin denies publishing and subscribing by default). Disabling and
 * rotation take effect at the broker at once.
 */
export class MosquittoDynsec {
  private readonly waiting = new Map<string, { resolve: (error?: string) => void }>()

  private constructor(
    private readonly client: MqttClient,
    private readonly log: Logger
  ) {
    client.on('message', (_topic, payload) => {
      let answer: { responses?: { command: string; error?: string; correlationData?: string }[] }
      try {
        answer = JSON.parse(payload.toString('utf8')) as typeof answer
      } catch {
        return
      }
      for (const r of answer.responses ?? []) {
        const waiting = r.correlationData ? this.waiting.get(r.correlationData) : undefined
        if (!waiting) continue
        this.waiting.delete(r.correlationData ?? '')
        waiting.resolve(r.error)
      }
    })
  }

  /** Connects as the plugin's admin (`mqtt://ADMIN:PASS@host:1883`). */
  static async connect(url: string, log: Logger): Promise<MosquittoDynsec> {
    const parsed = new URL(url)
    const client = await mqtt.connectAsync(`${parsed.protocol}//${parsed.host}`, {
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      clientId: `aftercare-dynsec-${randomUUID().slice(0, 8)}`,
      protocolVersion: 5,
      reconnectPeriod: 2000,
      connectTimeout: TIMEOUT_MS
    })
    await client.subscribeAsync(`${CONTROL}/response`, { qos: 1 })
    return new MosquittoDynsec(client, log.child({ component: 'dynsec' }))
  }

  /** The consumer's client gets the consumer role (created when missing). */
  async ensureConsumer(username: string, password: string | undefined): Promise<void> {
    await this.run(
      {
        command: 'createRole',
        rolename: CONSUMER_ROLE,
        // Mosquitto checks a shared subscription with its $share/<group>/ prefix
        acls: ['telemetry', 'events'].flatMap((kind) =>
          [`devices/+/${kind}`, `$share/+/devices/+/${kind}`].map((topic) => ({
            acltype: 'subscribePattern',
            topic,
            priority: 0,
            allow: true
          }))
        )
      },
      'already exists'
    )
    const created = await this.run(
      {
        command: 'createClient',
        username,
        ...(password ? { password } : {}),
        roles: [{ rolename: CONSUMER_ROLE }]
      },
      'already exists'
    )
    if (!created) await this.run({ command: 'addClientRole', username, rolename: CONSUMER_ROLE }, 'already')
  }

  /** A device's client with this secret: created with its role, or given the new secret. */
  async setDevice(id: string, secret: string): Promise<void> {
    await this.run(
      {
        command: 'createRole',
        rolename: deviceRole(id),
        acls: [
          { acltype: 'publishClientSend', topic: `devices/${id}/telemetry`, priority: 0, allow: true },
          { acltype: 'publishClientSend', topic: `devices/${id}/events`, priority: 0, allow: true },
          { acltype: 'subscribePattern', topic: `devices/${id}/commands/#`, priority: 0, allow: true }
        ]
      },
      'already exists'
    )
    await this.upsertClient({
      username: id,
      clientid: id,
      password: secret,
      roles: [{ rolename: deviceRole(id) }]
    })
  }

  /**
   * Creates a client, or gives an existing one the new password and ends its live connection (made
   * with the old one: it must come back with the new).
   */
  private async upsertClient(client: { username: string; password: string; [field: string]: unknown }) {
    if (await this.run({ command: 'createClient', ...client }, 'already exists')) return
    await this.run({ command: 'setClientPassword', username: client.username, password: client.password })
    await this.run({ command: 'disableClient', username: client.username })
    await this.run({ command: 'enableClient', username: client.username })
  }

  /**
   * A service account's client `svc:<name>` with its token: `mqtt-read` may subscribe to every device's
   * topics, `mqtt-command` may publish commands to any device. Accounts without an MQTT role get none.
   */
  async setService(name: string, token: string, roles: readonly string[]): Promise<void> {
    const grants = SERVICE_ROLES.filter((r) => roles.includes(r.role))
    if (grants.length === 0) return
    for (const grant of grants)
      await this.run({ command: 'createRole', rolename: grant.rolename, acls: grant.acls }, 'already exists')
    await this.upsertClient({
      username: `svc:${name}`,
      password: token,
      roles: grants.map((g) => ({ rolename: g.rolename }))
    })
  }

  async setServiceEnabled(name: string, roles: readonly string[], enabled: boolean): Promise<void> {
    if (!SERVICE_ROLES.some((r) => roles.includes(r.role))) return
    await this.run({ command: enabled ? 'enableClient' : 'disableClient', username: `svc:${name}` })
  }

  /** Disabling ends the device's connection at the broker and refuses it from then on. */
  async setDeviceEnabled(id: string, enabled: boolean): Promise<void> {
    await this.run({ command: enabled ? 'enableClient' : 'disableClient', username: id })
  }

  async close(): Promise<void> {
    // commands still waiting for a broker that is gone are dropped (their callers were already told)
    await this.client.endAsync(true)
  }

  /**
   * Runs one command; resolves true, or false when it failed with an error containing `tolerated`
   * (such as "already exists"); any other error is thrown.
   */
  private async run(command: DynsecCommand, tolerated?: string): Promise<boolean> {
    const correlationData = randomUUID()
    const answered = new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationData)
        reject(new AppError('BROKER_SYNC', `Mosquitto did not answer ${command.command} in 10 s`))
      }, TIMEOUT_MS)
      this.waiting.set(correlationData, {
        resolve: (error) => {
          clearTimeout(timer)
          resolve(error)
        }
      })
    })
    // not awaited on its own: while the broker is away the publish waits for a reconnect, the answer's timer does not
    this.client
      .publishAsync(CONTROL, JSON.stringify({ commands: [{ ...command, correlationData }] }), { qos: 1 })
      .catch(() => undefined)
    const error = await answered
    if (!error) return true
    if (tolerated && error.toLowerCase().includes(tolerated)) return false
    this.log.error({ command: command.command, error }, 'Mosquitto refused a dynamic-security command')
    throw new AppError('BROKER_SYNC', `Mosquitto refused ${command.command}: ${error}`)
  }
}
